/**
 * Benchmark: reading replies (`ally understand`). Messages per second in process over the
 * labelled corpus (target ≥ 2,000/s), the median latency of `ally understand` as a process, and
 * chrono-node alone on the same corpus as the baseline, with both accuracies side by side
 * (tuning, development and held-out parts as separate aggregate figures; no held-out case is
 * shown).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import * as chrono from "chrono-node";
import { Temporal } from "temporal-polyfill";
import { fieldsWrong } from "../scripts/eval-understand.js";
import { DEFAULT_THRESHOLD, understand } from "../src/understand/index.js";
import type { Interval, Reading, UnderstandInput } from "../src/understand/types.js";
import { type CorpusCase, loadCorpus } from "../test/understand/corpus/corpus.js";
import { median, now, progress, round, table } from "./measure.js";

export interface UnderstandResults {
  cases: number;
  messagesPerSecond: number;
  chronoMessagesPerSecond: number;
  processMedianMs: number;
  processRuns: number;
  accuracy: {
    ally: {
      tune: number;
      dev: number;
      dev2: number;
      heldOut: number;
      heldOutWrongAboveThreshold: number;
    };
    chrono: { tune: number; dev: number; dev2: number; heldOut: number };
  };
}

/** chrono-node alone: the first dates it finds; an option whose start it names is taken. */
export function chronoReading(input: UnderstandInput): Reading {
  const at = Temporal.Instant.from(input.now);
  const offset = at.toZonedDateTimeISO(input.timeZone).offsetNanoseconds / 60e9;
  const results = chrono.parse(
    input.text,
    { instant: new Date(at.epochMilliseconds), timezone: offset },
    { forwardDate: true },
  );
  const proposed = input.proposed ?? [];
  const durationMs =
    proposed[0] !== undefined
      ? Date.parse(proposed[0].end) - Date.parse(proposed[0].start)
      : 3_600_000;
  const windows: Interval[] = results.map((r) => {
    const start = r.start.date();
    const end = r.end?.date() ?? new Date(start.getTime() + durationMs);
    return { start: start.toISOString(), end: end.toISOString() };
  });
  const hit = proposed.findIndex((o) =>
    windows.some((w) => Date.parse(w.start) === Date.parse(o.start)),
  );
  if (hit >= 0)
    return { intent: "accept", choice: hit + 1, windows: [], unavailable: [], confidence: 1 };
  if (windows.length > 0) return { intent: "propose", windows, unavailable: [], confidence: 1 };
  return { intent: "unknown", windows: [], unavailable: [], confidence: 1 };
}

function accuracy(cases: CorpusCase[], read: (i: UnderstandInput) => Reading): number {
  const right = cases.filter((c) => fieldsWrong(c, read(c.input)).length === 0).length;
  return round((100 * right) / cases.length, 1);
}

/**
 * Messages read per second of this process's CPU time (user + system), so that other work on a
 * shared machine does not count against the reader.
 */
function throughput(
  inputs: UnderstandInput[],
  read: (i: UnderstandInput) => unknown,
  minMs: number,
): number {
  for (const i of inputs) read(i); // warm up
  let count = 0;
  const cpu = process.cpuUsage();
  const start = now();
  while (now() - start < minMs) {
    for (const i of inputs) read(i);
    count += inputs.length;
  }
  const used = process.cpuUsage(cpu);
  return Math.round((count * 1e6) / (used.user + used.system));
}

function processLatency(input: UnderstandInput, runs: number): number[] {
  const repo = resolve(import.meta.dirname, "..");
  const bin = resolve(repo, "bin/ally.js");
  const built = existsSync(resolve(repo, "dist/cli/understand-command.js"));
  const argv = built
    ? [bin, "understand"]
    : [
        "--import",
        "tsx",
        "-e",
        "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(['understand']); })",
      ];
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const start = now();
    const r = spawnSync(process.execPath, argv, {
      cwd: repo,
      input: JSON.stringify(input),
      encoding: "utf8",
    });
    times.push(now() - start);
    if (r.status !== 0) throw new Error(`ally understand failed: ${r.stderr}`);
  }
  return times;
}

export function runUnderstandBenchmark(quick: boolean): UnderstandResults {
  const { tune, dev, dev2, heldOut } = loadCorpus();
  const inputs = [...tune, ...dev, ...dev2, ...heldOut].map((c) => c.input);
  progress("understand: throughput");
  const messagesPerSecond = throughput(inputs, understand, quick ? 300 : 2000);
  const chronoMessagesPerSecond = throughput(inputs, chronoReading, quick ? 300 : 2000);
  progress("understand: process latency");
  const runs = quick ? 3 : 9;
  const times = processLatency(inputs[0] as UnderstandInput, runs);
  let wrongAbove = 0;
  for (const c of heldOut) {
    const r = understand(c.input);
    if (r.confidence >= DEFAULT_THRESHOLD && (fieldsWrong(c, r).length > 0 || c.expect.ambiguous))
      wrongAbove++;
  }
  const results: UnderstandResults = {
    cases: inputs.length,
    messagesPerSecond,
    chronoMessagesPerSecond,
    processMedianMs: round(median(times), 1),
    processRuns: runs,
    accuracy: {
      ally: {
        tune: accuracy(tune, understand),
        dev: accuracy(dev, understand),
        dev2: accuracy(dev2, understand),
        heldOut: accuracy(heldOut, understand),
        heldOutWrongAboveThreshold: wrongAbove,
      },
      chrono: {
        tune: accuracy(tune, chronoReading),
        dev: accuracy(dev, chronoReading),
        dev2: accuracy(dev2, chronoReading),
        heldOut: accuracy(heldOut, chronoReading),
      },
    },
  };
  console.log(
    [
      "",
      `Understanding replies: ${results.cases} corpus messages`,
      table(
        [
          "reader",
          "messages per CPU s",
          "tune fully right",
          "dev",
          "dev2",
          "held-out fully right",
          "target ≥ 2,000/s",
        ],
        [
          [
            "ally understand",
            String(messagesPerSecond),
            `${results.accuracy.ally.tune}%`,
            `${results.accuracy.ally.dev}%`,
            `${results.accuracy.ally.dev2}%`,
            `${results.accuracy.ally.heldOut}%`,
            messagesPerSecond >= 2000 ? "met" : "MISSED",
          ],
          [
            "chrono-node alone",
            String(chronoMessagesPerSecond),
            `${results.accuracy.chrono.tune}%`,
            `${results.accuracy.chrono.dev}%`,
            `${results.accuracy.chrono.dev2}%`,
            `${results.accuracy.chrono.heldOut}%`,
            "",
          ],
        ],
      ),
      `   \`ally understand\` as a process: median ${results.processMedianMs} ms over ${runs} runs; held-out wrong above threshold: ${wrongAbove}`,
    ].join("\n"),
  );
  return results;
}
