/**
 * `npm run load`: Ally under load on loopback. For each target (SQLite file, one process;
 * PostgreSQL with one and with two processes), a fresh database is seeded through Ally's
 * commands, real `ally serve` processes (dist/) are started on it, and autocannon drives the
 * booking page, the options API and bookings at rising concurrency; every scenario is bounded
 * in requests and seconds. Progress goes to stderr, one line per scenario to stdout, and all
 * figures as JSON to .bench/load.json. Options:
 *   --quick                  small and short (under a minute): a smoke test, figures not comparable
 *   --only=sqlite,pg1,pg2    some of the targets
 *   --profile=DIR            each server writes a CPU profile (node --cpu-prof) into DIR
 *   --seconds=N --amount=N   bound each page and options scenario differently
 * See BENCHMARKS.md ("Load").
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { postgresReachable } from "../../test/support/databases.js";
import { FULL, QUICK, runTarget, type TargetResults } from "./plan.js";
import { startProcesses } from "./targets.js";

const TARGETS = {
  sqlite: { kind: "sqlite", processes: 1 },
  pg1: { kind: "postgres", processes: 1 },
  pg2: { kind: "postgres", processes: 2 },
} as const;

function loadAverage(): string {
  return execFileSync("uptime", { encoding: "utf8" }).trim();
}

async function main(args: readonly string[]): Promise<number> {
  process.env.TZ = "UTC";
  const quick = args.includes("--quick");
  const only = args
    .find((a) => a.startsWith("--only="))
    ?.slice(7)
    .split(",");
  const profileDir = args.find((a) => a.startsWith("--profile="))?.slice(10);
  const number = (name: string) => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    return value === undefined ? undefined : Number(value);
  };
  const base = quick ? QUICK : FULL;
  const plan = {
    ...base,
    amount: number("amount") ?? base.amount,
    maxSeconds: number("seconds") ?? base.maxSeconds,
  };
  const names = (only ?? Object.keys(TARGETS)) as Array<keyof typeof TARGETS>;
  const hasPostgres = await postgresReachable();
  const results: Array<TargetResults & { loadBefore: string; loadAfter: string }> = [];
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`ally load${quick ? " --quick" : ""}: ${names.join(", ")}; ${new Date().toISOString()}`);
  let failed = false;
  for (const name of names) {
    const target = TARGETS[name];
    if (target === undefined) throw new Error(`unknown target ${name}`);
    if (target.kind === "postgres" && !hasPostgres) {
      say(`${name}: skipped, PostgreSQL is not reachable`);
      continue;
    }
    const loadBefore = loadAverage();
    say(`${name}: before: ${loadBefore}`);
    const dir = profileDir === undefined ? undefined : resolve(profileDir, name);
    if (dir !== undefined) mkdirSync(dir, { recursive: true });
    const result = await runTarget(
      name,
      target.kind,
      plan,
      (url) => startProcesses(url, target.processes, dir),
      say,
    );
    const loadAfter = loadAverage();
    say(`${name}: after: ${loadAfter}`);
    results.push({ ...result, loadBefore, loadAfter });
    const { checks } = result;
    if (checks.overlaps !== 0 || checks.winnersPerHotSlot.some((n) => n !== 1)) failed = true;
  }
  mkdirSync(".bench", { recursive: true });
  writeFileSync(
    ".bench/load.json",
    `${JSON.stringify({ date: new Date().toISOString(), quick, plan, results }, null, 2)}\n`,
  );
  say(failed ? "FAILED: overlapping slots or a hot slot without exactly one winner" : "ok");
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
