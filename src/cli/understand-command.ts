/**
 * `ally understand`: reads one reply as JSON on stdin, prints its reading as JSON on stdout
 * (shared/spec/understand.md). Bad input ends with exit code 2, one line on stderr and nothing
 * on stdout. Thin: parse, call src/understand, render.
 */
import { understand, understandInputSchema } from "../understand/index.js";

export interface UnderstandIo {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(line: string): void;
}

/** The largest input read from stdin. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

class TooLarge extends Error {}

/** Reads stdin as UTF-8, refusing more than `MAX_INPUT_BYTES`. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new TooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

/**
 * Runs the command; returns the exit code.
 * @example echo '{"now":"2026-11-25T15:00:00Z","timeZone":"America/New_York","text":"#2"}' | ally understand
 */
export async function understandCommand(
  args: readonly string[],
  io: UnderstandIo,
): Promise<number> {
  if (args.length > 0) {
    io.stderr(
      `ally understand: takes no arguments, reads JSON on stdin (got "${oneLine(args[0] ?? "")}")`,
    );
    return 2;
  }
  let text: string;
  try {
    text = await io.readStdin();
  } catch (error) {
    io.stderr(
      error instanceof TooLarge
        ? `ally understand: input larger than ${MAX_INPUT_BYTES} bytes`
        : `ally understand: cannot read stdin: ${oneLine((error as Error).message)}`,
    );
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    io.stderr(`ally understand: input is not valid JSON: ${oneLine((error as Error).message)}`);
    return 2;
  }
  const parsed = understandInputSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "input";
    io.stderr(`ally understand: ${field}: ${oneLine(issue?.message ?? "invalid")}`);
    return 2;
  }
  const reading = understand(parsed.data);
  io.stdout(`${JSON.stringify(reading)}\n`);
  return 0;
}
