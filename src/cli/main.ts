/**
 * The `ally` command: parses the command line and dispatches. Every command returns its exit
 * code; errors are one line on stderr.
 */
import { fileURLToPath } from "node:url";
import type { Config } from "../config.js";
import { nodeIo, runSlots, type SlotsIo } from "./slots.js";

const HELP = `Ally: an open-source assistant that schedules job interviews.

Usage:
  ally serve                         run the web app and API (port 3000; see README for settings)
  ally work                          run only the background workers (mail, calendars, jobs)
  ally migrate                       apply pending database migrations and exit
  ally slots PROBLEM.json            the best options for an interview or loop, as JSON
  ally slots --all PROBLEM.json      every feasible start, sorted
  ally slots --explain PROBLEM.json  options plus why no (other) time fits and what to relax
  ally understand < REPLY.json       what a reply means (intent, option, times), as JSON
  ally calendar busy SOURCE --from INSTANT --to INSTANT [--zone IANA]
                                     busy time read from an .ics file, ICS feed or CalDAV URL
  ally keys rotate [--data-keys]     re-wrap data keys under the newest master key (and renew them)
  ally privacy publish [VERSION]     publish the privacy policy's newest version; account holders are emailed
  ally privacy queue [--all]         privacy questions and complaints, deadlines and overdue flags
  ally privacy answered ID           mark a privacy message answered
  ally jobs dead                     every queue's dead letters, inbound mail included (operator)
  ally usage [DAYS]                  usage analytics of the public pages (operator; consented visitors only)
  ally jobs retry QUEUE ID           put one back in its queue, due now
  ally retention                     each kind of data's rule, and what the daily purge last removed (operator)
  ally backup FILE                   copy the SQLite database to FILE, safely while Ally runs
  ally restore FILE                  put a backup in place (Ally stopped); later erasures are redone
  ally privacy requests [--all]      the operator's queue: requests about Ally's own users, with deadlines
  ally privacy request ID ACTION     complete, extend or refuse one of them
  ally marketing lists|create|add|subscribers|send|progress
                                     the operator's promotional list of its customers (consent recorded)
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
    case "understand":
      return import("./understand-command.js").then((m) =>
        m.understandCommand(rest, { ...io, readStdin: m.readProcessStdin }),
      );
    case "calendar":
      return import("./calendar-command.js").then((m) => m.calendarCommand(rest, io, process.env));
    case "keys":
      return import("./keys-command.js").then((m) => m.keysCommand(rest, io, process.env));
    case "privacy":
      return import("./privacy-command.js").then((m) => m.privacyCommand(rest, io, process.env));
    case "marketing":
      return import("./marketing-command.js").then((m) =>
        m.marketingCommand(rest, io, process.env),
      );
    case "jobs":
      return import("./jobs-command.js").then((m) => m.jobsCommand(rest, io, process.env));
    case "retention":
      return import("./retention-command.js").then((m) =>
        m.retentionCommand(rest, io, process.env),
      );
    case "usage":
      return import("./usage-command.js").then((m) => m.usageCommand(rest, io, process.env));
    case "backup":
      return import("./backup-command.js").then((m) => m.backupCommand(rest, io, process.env));
    case "restore":
      return import("./backup-command.js").then((m) => m.restoreCommand(rest, io, process.env));
    case "serve":
      return serveCommand(io);
    case "work":
      return workCommand(io);
    case "migrate":
      return migrateCommand(io);
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

/** Server-side modules load only for the commands that need them, so `ally slots` starts fast. */
async function configOrExit(io: SlotsIo): Promise<Config | undefined> {
  const { loadConfig } = await import("../config.js");
  const result = loadConfig(process.env);
  if (!result.ok) {
    io.stderr(`ally: invalid configuration: ${result.errors.join("; ")}`);
    return undefined;
  }
  return result.config;
}

async function migrateCommand(io: SlotsIo): Promise<number> {
  const config = await configOrExit(io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const store = openStore(config.database.url);
  try {
    const { applied } = await migrateToLatest(store.db, store.dialect);
    io.stdout(
      applied.length > 0 ? `applied: ${applied.join(", ")}\n` : "the database is up to date\n",
    );
    return 0;
  } catch (error) {
    io.stderr(`ally migrate: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

/** Runs until SIGINT or SIGTERM, then closes gracefully. */
function untilSignalled(io: SlotsIo, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((stop) => {
    const shutdown = (signal: string) => {
      io.stderr(`ally: ${signal} received, finishing the work in hand`);
      close().then(stop, stop);
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}

async function workCommand(io: SlotsIo): Promise<number> {
  const config = await configOrExit(io);
  if (config === undefined) return 2;
  const { startWorkerProcess } = await import("../app/main.js");
  let workers: Awaited<ReturnType<typeof startWorkerProcess>>;
  try {
    workers = await startWorkerProcess(config);
  } catch (error) {
    io.stderr(`ally work: ${(error as Error).message}`);
    return 1;
  }
  await untilSignalled(io, () => workers.close());
  return 0;
}

async function serveCommand(io: SlotsIo): Promise<number> {
  const config = await configOrExit(io);
  if (config === undefined) return 2;
  const { startServer } = await import("../app/main.js");
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (error) {
    io.stderr(`ally serve: ${(error as Error).message}`);
    return 1;
  }
  await new Promise<void>((stop) => {
    const shutdown = (signal: string) => {
      io.stderr(`ally: ${signal} received, finishing requests in flight`);
      server.close().then(stop, stop);
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
  return 0;
}
