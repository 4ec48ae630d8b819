/**
 * The `ally` command: parses the command line and dispatches. Every command returns its exit
 * code; errors are one line on stderr.
 */
import { fileURLToPath } from "node:url";
import { nodeIo, runSlots, type SlotsIo } from "./slots.js";

const HELP = `Ally: an open-source assistant that schedules job interviews.

Usage:
  ally slots PROBLEM.json            the best options for an interview or loop, as JSON
  ally slots --all PROBLEM.json      every feasible start, sorted
  ally slots --explain PROBLEM.json  options plus why no (other) time fits and what to relax
  ally demo                          run \`ally slots --explain\` on the bundled example
  ally help                          this text

The problem format is described in docs/slots.md.
`;

/** The bundled example problem, next to the package. */
export const EXAMPLE_PROBLEM = fileURLToPath(
  new URL("../../examples/loop/problem.json", import.meta.url),
);

export async function main(argv: readonly string[], io: SlotsIo = nodeIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "slots":
      return slotsCommand(rest, io);
    case "demo":
      io.stdout(HELP);
      io.stdout(`\n$ ally slots --explain ${EXAMPLE_PROBLEM}\n`);
      return runSlots(EXAMPLE_PROBLEM, { all: false, explain: true }, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout(HELP);
      return 0;
    default:
      io.stderr(`ally: unknown command "${command}" (try: ally help)`);
      return 2;
  }
}

function slotsCommand(args: readonly string[], io: SlotsIo): Promise<number> | number {
  const flags = { all: false, explain: false };
  const files: string[] = [];
  for (const arg of args) {
    if (arg === "--all") flags.all = true;
    else if (arg === "--explain") flags.explain = true;
    else if (arg.startsWith("-") && arg !== "-") {
      io.stderr(`ally slots: unknown option "${arg}" (options: --all, --explain)`);
      return 2;
    } else files.push(arg);
  }
  if (files.length !== 1) {
    io.stderr(
      "ally slots: give exactly one problem file: ally slots [--all] [--explain] PROBLEM.json",
    );
    return 2;
  }
  const file = files[0] as string;
  return runSlots(file === "-" ? "/dev/stdin" : file, flags, io);
}
