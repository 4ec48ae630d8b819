/** Runs `ally` in process with captured output and a fixed clock (Wed 25 Nov 2026, 09:00 UTC). */
import { main } from "../../src/cli/main.js";
import { nodeIo, type SlotsIo } from "../../src/cli/slots.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string[];
}

export async function runCli(...args: string[]): Promise<Run> {
  let stdout = "";
  const stderr: string[] = [];
  const io: SlotsIo = {
    ...nodeIo,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (line) => {
      stderr.push(line);
    },
    nowEpochMs: () => Date.parse("2026-11-25T09:00:00Z"),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
