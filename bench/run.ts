/**
 * `npm run bench`: Ally's benchmarks. Progress goes to stderr (on a terminal), the results
 * table to stdout, and the figures as JSON to .bench/results.json. Options:
 *   --only=loop,recurrence,cli,booking   run some of the benchmarks
 *   --quick                      smaller inputs, for trying the harness (figures not comparable)
 * See BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { type BookingResults, runBookingBenchmark } from "./booking.js";
import { type CliResults, runCliBenchmark } from "./cli.js";
import { type LoopResults, runLoopBenchmark } from "./loop.js";
import { now, progressDone, round, table } from "./measure.js";
import { type RecurrenceResults, runRecurrenceBenchmark } from "./recurrence.js";

// Dates in the benchmarks are UTC; keep rrule.js and Date away from the machine's zone.
process.env.TZ = "UTC";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = new Set(
  onlyArg === undefined ? ["loop", "recurrence", "cli", "booking"] : onlyArg.slice(7).split(","),
);

const TARGETS = {
  loopP50Ms: 2,
  loopP99Ms: 10,
  occurrencesPerSecond: 1_000_000,
};

interface Results {
  date: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string; platform: string };
  quick: boolean;
  seconds: number;
  targets: typeof TARGETS;
  loop?: LoopResults;
  recurrence?: RecurrenceResults;
  cli?: CliResults;
  booking?: BookingResults;
}

const started = now();
const results: Results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "unknown",
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  quick,
  seconds: 0,
  targets: TARGETS,
};

if (only.has("loop")) {
  results.loop = runLoopBenchmark(
    quick
      ? { interviewers: 300, queries: 40, baselineEvery: 10, growthQueries: 10 }
      : { interviewers: 2000, queries: 300, baselineEvery: 12, growthQueries: 60 },
  );
  progressDone("loop benchmark done");
}
if (only.has("recurrence")) {
  results.recurrence = runRecurrenceBenchmark(
    quick
      ? { series: 2000, libraryEvery: 40, ageSeries: 400, ageLibrarySeries: 10 }
      : { series: 20_000, libraryEvery: 200, ageSeries: 2000, ageLibrarySeries: 20 },
  );
  progressDone("recurrence benchmark done");
}
if (only.has("cli")) {
  results.cli = runCliBenchmark(quick ? 3 : 7);
  progressDone("cli benchmark done");
}
if (only.has("booking")) {
  results.booking = await runBookingBenchmark(
    quick
      ? {
          poolSizes: [3, 10],
          blocksPerPerson: [20, 100],
          optionsCalls: 10,
          bookings: 10,
          bookPoolSize: 10,
          bookBlocks: 20,
        }
      : {
          poolSizes: [3, 10, 30],
          blocksPerPerson: [20, 100, 400],
          optionsCalls: 60,
          bookings: 100,
          bookPoolSize: 30,
          bookBlocks: 100,
        },
  );
  progressDone("booking benchmark done");
}
if (onlyArg === undefined || only.has("understand"))
  Object.assign(results, {
    understand: (await import("./understand.js")).runUnderstandBenchmark(quick),
  });
results.seconds = round((now() - started) / 1000, 1);

const dir = resolve(import.meta.dirname, "..", ".bench");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);

const ms = (x: number): string => x.toFixed(2);
const meets = (ok: boolean): string => (ok ? "met" : "MISSED");
const lines: string[] = [];
lines.push(
  `Ally benchmarks — ${results.machine.cpus} × ${results.machine.model}, node ${results.machine.node}${quick ? " (QUICK: not comparable)" : ""}`,
);

if (results.loop !== undefined) {
  const l = results.loop;
  lines.push(
    "",
    `1. Loop query latency: ${l.organisation.interviewers} interviewers, ${l.organisation.recurringSeries} recurring series + ${l.organisation.oneOffBlocks} one-off blocks materialised in ${l.organisation.materialiseSeconds} s`,
    `   main set: ${l.main.description}; ${l.main.meanFeasibleStarts} feasible starts per query on average`,
    table(
      ["call", "queries", "p50 ms", "p99 ms", "mean ms", "max ms", "target p50 ≤ 2, p99 ≤ 10"],
      (["bestOptions", "allFeasibleStarts"] as const).map((name) => {
        const s = l.main[name];
        return [
          name,
          String(s.queries),
          ms(s.p50Ms),
          ms(s.p99Ms),
          ms(s.meanMs),
          ms(s.maxMs),
          `p50 ${meets(s.p50Ms <= TARGETS.loopP50Ms)}, p99 ${meets(s.p99Ms <= TARGETS.loopP99Ms)}`,
        ];
      }),
    ),
    `   the same queries with participant objects kept across queries (engine memo warm; same starts: ${l.warm.sameStarts ? "yes" : "NO"}):`,
    table(
      ["call", "queries", "p50 ms", "p99 ms", "mean ms", "max ms"],
      (["bestOptions", "allFeasibleStarts"] as const).map((name) => {
        const s = l.warm[name];
        return [name, String(s.queries), ms(s.p50Ms), ms(s.p99Ms), ms(s.meanMs), ms(s.maxMs)];
      }),
    ),
    "",
    `   baseline (Date per slot per interviewer, nested busy loop, greedy), ${l.baseline.description}:`,
    table(
      ["", "queries", "median ms", "baseline ÷ Ally (total time)"],
      [
        ["baseline", String(l.baseline.queries), ms(l.baseline.baselineMedianMs), ""],
        [
          "Ally bestOptions",
          String(l.baseline.queries),
          ms(l.baseline.allyBestOptionsMedianMs),
          `${l.baseline.ratioVsBestOptions}×`,
        ],
        [
          "Ally allFeasibleStarts",
          String(l.baseline.queries),
          ms(l.baseline.allyAllStartsMedianMs),
          `${l.baseline.ratioVsAllFeasibleStarts}×`,
        ],
      ],
    ),
    `   agreement: Ally ${l.baseline.agreement.allyStarts} starts; baseline with exact staffing ${l.baseline.agreement.baselineExactStarts} (${l.baseline.agreement.exactAgrees ? "identical" : "DIFFERENT"}); greedy baseline ${l.baseline.agreement.baselineStarts} (misses ${l.baseline.agreement.greedyMisses}, ${l.baseline.agreement.baselineOnly} not in Ally's); Ally options outside its feasible starts: ${l.baseline.agreement.optionsOutsideFeasible}`,
    "",
    "   growth (Ally):",
    table(
      ["pool", "days", "grid starts", "queries", "best p50", "best p99", "all p50", "all p99"],
      l.growth.map((g) => [
        String(g.poolSize),
        String(g.days),
        String(g.gridStarts),
        String(g.queries),
        ms(g.bestOptions.p50Ms),
        ms(g.bestOptions.p99Ms),
        ms(g.allFeasibleStarts.p50Ms),
        ms(g.allFeasibleStarts.p99Ms),
      ]),
    ),
  );
}

if (results.recurrence !== undefined) {
  const r = results.recurrence;
  const rate = (x: number): string => `${(x / 1e6).toFixed(3)} M/s`;
  lines.push(
    "",
    `2. Recurrence expansion: ${r.series} series (Ally); rrule.js and ical.js on every ${r.series / r.librarySubset}th (${r.librarySubset}), compared on those`,
    table(
      [
        "window",
        "Ally occ",
        "Ally warm",
        "Ally cold",
        "cold µs/series",
        "rrule.js",
        "ical.js",
        "Ally÷rrule",
        "Ally÷ical",
        "differ rrule",
        "differ ical",
      ],
      r.windows.map((w) => [
        `${w.days} d`,
        String(w.ally.occurrences),
        `${rate(w.ally.occurrencesPerSecond)} ${meets(w.ally.occurrencesPerSecond >= TARGETS.occurrencesPerSecond)}`,
        `${rate(w.allyCold.occurrencesPerSecond)} ${meets(w.allyCold.occurrencesPerSecond >= TARGETS.occurrencesPerSecond)}`,
        String(w.allyCold.microsecondsPerSeries),
        rate(w.rrule.occurrencesPerSecond),
        rate(w.icaljs.occurrencesPerSecond),
        `${Math.round(w.allyCold.occurrencesPerSecond / w.rrule.occurrencesPerSecond)}×`,
        `${Math.round(w.allyCold.occurrencesPerSecond / w.icaljs.occurrencesPerSecond)}×`,
        String(w.differingSeries.rrule),
        String(w.differingSeries.icaljs),
      ]),
    ),
    "   (occurrences per second; Ally÷library: Ally's cold rate on all series ÷ the library's rate on its subset)",
    "",
    `   cost against series age (28-day window; Ally: ${r.ageSeries} open-ended series, cold, median of 7 interleaved rounds; libraries: the first ${r.ageLibrarySeries}):`,
    table(
      ["DTSTART age", "Ally µs/series", "Ally rate", "rrule.js µs/series", "ical.js µs/series"],
      r.age.map((a) => [
        a.label,
        String(a.ally.microsecondsPerSeries),
        rate(a.ally.occurrencesPerSecond),
        String(a.rrule.microsecondsPerSeries),
        String(a.icaljs.microsecondsPerSeries),
      ]),
    ),
    `   Ally 20 years ÷ 1 month: ${r.allyFlatness}×`,
  );
  for (const m of r.mismatchSamples) {
    lines.push(
      `   mismatch (${m.library}, ${m.window} d): ${m.uid} ${m.zone} ${m.rule}; only Ally: ${m.onlyAlly.join(" ") || "-"}; only ${m.library}: ${m.onlyLibrary.join(" ") || "-"}`,
    );
  }
}

if (results.cli !== undefined) {
  const c = results.cli;
  lines.push(
    "",
    `3. ally slots end to end: ${c.problem.participants} participants, ${c.problem.events} events (${c.problem.recurringEvents} recurring) in ${round(c.problem.icsBytes / 1e6, 2)} MB of .ics; ${c.options} options, ${c.starts} feasible starts; memory from ${c.memorySource}`,
    table(
      ["command", "runs", "median wall ms", "min wall ms", "over node start ms", "peak RSS MB"],
      c.commands.map((x) => [
        x.command,
        String(x.runs),
        x.medianWallMs.toFixed(1),
        x.minWallMs.toFixed(1),
        x.overNodeStartMs.toFixed(1),
        x.medianMaxRssMb.toFixed(1),
      ]),
    ),
  );
}
if (results.booking !== undefined) {
  const b = results.booking;
  lines.push("", `4. Booking service on a database: ${b.description}; effects off`);
  if (b.postgresSkipped !== null) lines.push(`   ${b.postgresSkipped}: PostgreSQL skipped`);
  for (const d of b.databases) {
    lines.push(
      "",
      `   ${d.dialect} (setup ${d.setupSeconds} s): options(request) against bestOptions(requestProblem(…)) on the same facts`,
      table(
        [
          "pool",
          "blocks/person",
          "busy in window",
          "options",
          "calls",
          "service p50",
          "service p99",
          "engine p50",
          "engine p99",
          "service ÷ engine (p50)",
          "same options",
        ],
        d.options.map((o) => [
          String(o.poolSize),
          String(o.blocksPerPerson),
          String(o.busyIntervalsPerPerson),
          String(o.options),
          String(o.service.calls),
          ms(o.service.p50Ms),
          ms(o.service.p99Ms),
          ms(o.engine.p50Ms),
          ms(o.engine.p99Ms),
          `${o.ratio}×`,
          o.sameOptions ? "yes" : "NO",
        ]),
      ),
      `   book: ${d.book.bookings} sequential bookings (pool ${d.book.poolSize}, ${d.book.blocksPerPerson} blocks/person) against a bare transaction inserting the same booked_slots rows; overlapping active slots afterwards: ${d.book.overlaps}`,
      `   book p50 over the first tenth of the bookings ${ms(d.book.firstTenthP50Ms)} ms, over the last tenth ${ms(d.book.lastTenthP50Ms)} ms`,
      table(
        ["", "p50 ms", "p99 ms", "mean ms", "bookings/s", "÷ bare insert (p50)"],
        [
          [
            "book",
            ms(d.book.service.p50Ms),
            ms(d.book.service.p99Ms),
            ms(d.book.service.meanMs),
            String(d.book.service.bookingsPerSecond),
            `${d.book.ratio}×`,
          ],
          [
            "bare insert",
            ms(d.book.baseline.p50Ms),
            ms(d.book.baseline.p99Ms),
            ms(d.book.baseline.meanMs),
            String(d.book.baseline.bookingsPerSecond),
            "",
          ],
        ],
      ),
    );
  }
}
lines.push("", `total ${results.seconds} s; JSON in .bench/results.json`);
process.stdout.write(`${lines.join("\n")}\n`);
