/**
 * `ally slots PROBLEM.json [--all] [--explain]`: reads a slot problem and its calendar files,
 * asks the engine, prints JSON (see ../shared/spec/slots.md). Thin: parse, call, render.
 */
import { open } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Temporal } from "temporal-polyfill";
import { busyIntervals, parseICalendar } from "../calendar/index.js";
import { explainProblem } from "../engine/explain.js";
import { allFeasibleStarts, bestOptions, SearchBudget } from "../engine/index.js";
import { instantText } from "../engine/local-time.js";
import {
  type MsInterval,
  parseSlotProblem,
  type SlotProblemInput,
  toEngineProblem,
} from "../engine/slot-problem.js";
import type { SlotOption } from "../engine/types.js";

export interface SlotsIo {
  readText(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(line: string): void;
  nowEpochMs(): number;
}

/** The largest problem or calendar file read. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Why a file was refused before reading it: not a regular file, or too large. */
class RefusedFile extends Error {
  constructor(readonly code: "ENOTREG" | "EFBIG") {
    super(code);
  }
}

/**
 * Reads a regular file of at most `MAX_FILE_BYTES` as UTF-8. Devices, pipes and directories are
 * refused (`/dev/zero` would never end), checked on the opened descriptor so that the file read
 * is the file checked; at most the cap is read even if the file grows meanwhile.
 */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new RefusedFile("ENOTREG");
    if (stats.size > MAX_FILE_BYTES) throw new RefusedFile("EFBIG");
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Why a file could not be read, for one line on stderr. */
function unreadable(error: unknown): string {
  if (error instanceof RefusedFile) {
    return error.code === "ENOTREG"
      ? "is not a regular file"
      : `is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MB`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT"
    ? "no such file"
    : code === "EISDIR"
      ? "is a directory"
      : "cannot be read";
}

export const nodeIo: SlotsIo = {
  readText: readRegularFile,
  stdout: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(`${line}\n`),
  nowEpochMs: () => Temporal.Now.instant().epochMilliseconds,
};

/** A failure that ends the command with one line on stderr. */
export class CliError extends Error {}

const DAY_MS = 86_400_000;

function fieldName(field: string): string {
  return field === "" ? "the problem" : field;
}

/** Reads every participant's calendar files into busy time over the problem's horizon. */
async function readCalendars(
  input: SlotProblemInput,
  baseDir: string,
  io: SlotsIo,
): Promise<Map<string, MsInterval[]>> {
  const margin = input.bufferMinutes * 60_000 + DAY_MS;
  const window = {
    startEpochMs: input.range.startEpochMs - margin,
    endEpochMs: input.range.endEpochMs + margin,
  };
  // Read every file at once; handle them in order, so the first bad file named is the first listed.
  type Read = { ok: true; text: string } | { ok: false; why: string };
  const reads = new Map<string, Promise<Read>>();
  for (const participant of input.participants) {
    for (const file of participant.calendars) {
      const path = resolve(baseDir, file);
      if (!reads.has(path)) {
        reads.set(
          path,
          io.readText(path).then(
            (text): Read => ({ ok: true, text }),
            (error): Read => ({ ok: false, why: unreadable(error) }),
          ),
        );
      }
    }
  }
  const busyById = new Map<string, MsInterval[]>();
  for (const [i, participant] of input.participants.entries()) {
    const busy: MsInterval[] = [];
    for (const [k, file] of participant.calendars.entries()) {
      const field = `participants[${i}].calendars[${k}]`;
      const read = (await reads.get(resolve(baseDir, file))) as Read;
      if (!read.ok) throw new CliError(`${field}: calendar file ${file}: ${read.why}`);
      const parsed = parseICalendar(read.text, file);
      if (!parsed.ok) throw new CliError(`${field}: ${file}: ${parsed.error.message}`);
      const expanded = busyIntervals(parsed.calendar, window, { zone: participant.timeZone });
      for (const problem of [...parsed.problems, ...expanded.problems]) {
        const where = [
          problem.source,
          problem.line === undefined ? undefined : `line ${problem.line}`,
          problem.uid === undefined ? undefined : `UID ${problem.uid}`,
        ]
          .filter((part) => part !== undefined)
          .join(", ");
        io.stderr(`ally slots: warning: ${where}: ${problem.message}`);
      }
      // One by one: spreading a long list into push() overflows the stack.
      for (const interval of expanded.busy) busy.push(interval);
    }
    busyById.set(participant.id, busy);
  }
  return busyById;
}

export interface SlotsFlags {
  all: boolean;
  explain: boolean;
}

function renderOption(option: SlotOption) {
  return {
    start: instantText(option.start),
    end: instantText(option.end),
    score: option.score,
    sessions: option.sessions.map((s) => ({
      id: s.id,
      start: instantText(s.start),
      end: instantText(s.end),
      interviewers: s.interviewers,
    })),
  };
}

/** Runs `ally slots`; returns the exit code. */
export async function runSlots(
  problemPath: string,
  flags: SlotsFlags,
  io: SlotsIo,
): Promise<number> {
  try {
    let text: string;
    try {
      text = await io.readText(problemPath);
    } catch (error) {
      throw new CliError(`${problemPath}: problem file ${unreadable(error)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${problemPath}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = parseSlotProblem(json);
    if (!parsed.ok) {
      throw new CliError(
        `${problemPath}: ${fieldName(parsed.error.field)}: ${parsed.error.message}`,
      );
    }
    const busy = await readCalendars(parsed.value, dirname(resolve(problemPath)), io);
    const problem = toEngineProblem(parsed.value, busy, io.nowEpochMs());
    // Each engine call has its own step budget; the output gains a `search` field (beside the
    // spec's fields) only when one ran out.
    const budget = new SearchBudget();
    const output: Record<string, unknown> = flags.all
      ? { starts: allFeasibleStarts(problem, undefined, budget).map(instantText) }
      : { options: bestOptions(problem, budget).map(renderOption) };
    const outcome = budget.outcome();
    if (!outcome.complete) {
      output.search = outcome;
      io.stderr(`ally slots: warning: ${outcome.message}`);
    }
    if (flags.explain) output.explanation = explainProblem(problem);
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`ally slots: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
