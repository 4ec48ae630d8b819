/**
 * Benchmark 1: loop query latency at organisation scale. Per query, the EngineProblem is built
 * from the pool members' materialised busy time and the engine is asked (`bestOptions`, then
 * separately `allFeasibleStarts`); the baseline (./baseline.ts) answers the same queries.
 */
import { allFeasibleStarts, bestOptions, type EngineProblem } from "../src/engine/index.js";
import type { EngineParticipant, MinuteInterval } from "../src/engine/types.js";
import { peerSlots } from "./baseline.js";
import { median, now, percentile, progress, round } from "./measure.js";
import {
  buildOrganisation,
  type Interviewer,
  type LoopQuery,
  makeQueries,
  type Organisation,
} from "./org.js";

/** Busy intervals (sorted, merged) that touch [from, to), by binary search. */
function slice(busy: readonly MinuteInterval[], from: number, to: number): MinuteInterval[] {
  let lo = 0;
  let hi = busy.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((busy[mid] as MinuteInterval).end <= from) lo = mid + 1;
    else hi = mid;
  }
  const out: MinuteInterval[] = [];
  for (let i = lo; i < busy.length; i++) {
    const b = busy[i] as MinuteInterval;
    if (b.start >= to) break;
    out.push(b);
  }
  return out;
}

/**
 * The engine's problem for a query, from the materialised busy time of the pool members. With
 * `store`, the participants are long-lived objects kept per interviewer (busy time of the whole
 * materialised window), so that the engine's per-participant memo can serve later queries.
 */
export function engineProblem(
  query: LoopQuery,
  people: readonly Interviewer[],
  store?: ReadonlyMap<number, EngineParticipant>,
): EngineProblem {
  const from = query.rangeStartMs / 60_000 - query.bufferMinutes;
  const to = query.rangeEndMs / 60_000 + query.bufferMinutes;
  const problem: EngineProblem = {
    now: Math.ceil(query.nowMs / 60_000),
    range: { start: query.rangeStartMs / 60_000, end: query.rangeEndMs / 60_000 },
    timeZone: query.timeZone,
    granularityMinutes: query.granularityMinutes,
    minNoticeMinutes: query.minNoticeMinutes,
    bufferMinutes: query.bufferMinutes,
    order: "fixed",
    maxGapMinutes: 0,
    limit: query.limit,
    participants: query.pool.map((index) => {
      const kept = store?.get(index);
      if (kept !== undefined) return kept;
      const iv = people[index] as Interviewer;
      return {
        id: iv.id,
        timeZone: iv.timeZone,
        workingHours: iv.workingHours,
        busy: slice(iv.busyMinutes, from, to),
        interviews: [],
      };
    }),
    sessions: query.sessions.map((s) => ({
      id: s.id,
      durationMinutes: s.durationMinutes,
      interviewers: s.interviewers.map((i) => (people[i] as Interviewer).id),
      count: s.count,
    })),
  };
  if (query.candidate !== undefined) {
    problem.candidate = {
      timeZone: query.candidate.timeZone,
      available: query.candidate.available.map((w) => ({
        start: Math.ceil(w.startEpochMs / 60_000),
        end: Math.floor(w.endEpochMs / 60_000),
      })),
    };
  }
  return problem;
}

export interface LatencySummary {
  queries: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

function summary(samples: readonly number[]): LatencySummary {
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    queries: samples.length,
    p50Ms: round(median(samples)),
    p99Ms: round(percentile(samples, 99)),
    meanMs: round(total / samples.length),
    maxMs: round(Math.max(...samples)),
  };
}

interface Timed {
  best: number[];
  all: number[];
  starts: number[][];
  optionStarts: number[][];
}

function timeAlly(
  queries: readonly LoopQuery[],
  people: readonly Interviewer[],
  label: string,
  store?: ReadonlyMap<number, EngineParticipant>,
): Timed {
  const timed: Timed = { best: [], all: [], starts: [], optionStarts: [] };
  queries.forEach((query, i) => {
    if (i % 10 === 0) progress(`${label}: query ${i + 1}/${queries.length}`);
    const t0 = now();
    const options = bestOptions(engineProblem(query, people, store));
    const t1 = now();
    const starts = allFeasibleStarts(engineProblem(query, people, store));
    const t2 = now();
    timed.best.push(t1 - t0);
    timed.all.push(t2 - t1);
    timed.starts.push(starts);
    timed.optionStarts.push(options.map((o) => o.start));
  });
  return timed;
}

export interface LoopResults {
  organisation: {
    interviewers: number;
    recurringSeries: number;
    oneOffBlocks: number;
    materialisedIntervals: number;
    materialiseSeconds: number;
  };
  main: {
    description: string;
    bestOptions: LatencySummary;
    allFeasibleStarts: LatencySummary;
    meanFeasibleStarts: number;
  };
  /** The same queries with participant objects kept across queries (engine memo warm). */
  warm: {
    bestOptions: LatencySummary;
    allFeasibleStarts: LatencySummary;
    sameStarts: boolean;
  };
  baseline: {
    description: string;
    queries: number;
    baselineMedianMs: number;
    allyBestOptionsMedianMs: number;
    allyAllStartsMedianMs: number;
    ratioVsBestOptions: number;
    ratioVsAllFeasibleStarts: number;
    totalBaselineMs: number;
    totalAllyAllStartsMs: number;
    agreement: {
      allyStarts: number;
      baselineStarts: number;
      baselineExactStarts: number;
      exactAgrees: boolean;
      baselineOnly: number;
      greedyMisses: number;
      optionsOutsideFeasible: number;
    };
  };
  growth: {
    poolSize: number;
    days: number;
    queries: number;
    gridStarts: number;
    bestOptions: LatencySummary;
    allFeasibleStarts: LatencySummary;
  }[];
}

export interface LoopConfig {
  interviewers: number;
  queries: number;
  baselineEvery: number;
  growthQueries: number;
}

export function runLoopBenchmark(config: LoopConfig): LoopResults {
  progress("loop: generating the organisation");
  const org: Organisation = buildOrganisation(config.interviewers, 20_260_302, now);
  const people = org.interviewers;
  const queries = makeQueries(org, config.queries, 7, (p) => p.int(20, 100), 14);

  // Warm-up (JIT, zone tables): untimed.
  timeAlly(
    makeQueries(org, 20, 99, (p) => p.int(20, 100), 14),
    people,
    "loop warm-up",
  );

  const store = new Map<number, EngineParticipant>();
  people.forEach((iv, index) => {
    store.set(index, {
      id: iv.id,
      timeZone: iv.timeZone,
      workingHours: iv.workingHours,
      busy: iv.busyMinutes,
      interviews: [],
    });
  });
  // Cold (fresh participant objects) and warm (kept ones) in turn, query by query, so that a
  // slow moment of the machine hits both alike.
  const main: Timed = { best: [], all: [], starts: [], optionStarts: [] };
  const warm: Timed = { best: [], all: [], starts: [], optionStarts: [] };
  for (let i = 0; i < queries.length; i += 10) {
    const batch = queries.slice(i, i + 10);
    for (const [into, part] of [
      [main, timeAlly(batch, people, `loop: Ally, queries ${i + 1}–${i + batch.length}`)],
      [warm, timeAlly(batch, people, "loop: Ally, participants kept", store)],
    ] as const) {
      into.best.push(...part.best);
      into.all.push(...part.all);
      into.starts.push(...part.starts);
      into.optionStarts.push(...part.optionStarts);
    }
  }
  const startsInMain = main.starts.reduce((n, s) => n + s.length, 0);
  const sameStarts = warm.starts.every(
    (list, i) =>
      list.length === (main.starts[i] as number[]).length &&
      list.every((s, k) => s === (main.starts[i] as number[])[k]),
  );

  // Baseline on every k-th query, with Ally timed again on the same queries in the same run.
  const subset = queries.filter((_, i) => i % config.baselineEvery === 0);
  const peerMs: number[] = [];
  const allyBest: number[] = [];
  const allyAll: number[] = [];
  const agreement = {
    allyStarts: 0,
    baselineStarts: 0,
    baselineExactStarts: 0,
    exactAgrees: true,
    baselineOnly: 0,
    greedyMisses: 0,
    optionsOutsideFeasible: 0,
  };
  subset.forEach((query, i) => {
    progress(`loop: baseline query ${i + 1}/${subset.length}`);
    const t0 = now();
    const peer = peerSlots(query, people);
    const t1 = now();
    const options = bestOptions(engineProblem(query, people));
    const t2 = now();
    const starts = allFeasibleStarts(engineProblem(query, people));
    const t3 = now();
    peerMs.push(t1 - t0);
    allyBest.push(t2 - t1);
    allyAll.push(t3 - t2);
    const exact = peerSlots(query, people, true).map((s) => s.startEpochMs / 60_000);
    const greedy = new Set(peer.map((s) => s.startEpochMs / 60_000));
    const ally = new Set(starts);
    agreement.allyStarts += starts.length;
    agreement.baselineStarts += greedy.size;
    agreement.baselineExactStarts += exact.length;
    if (exact.length !== ally.size || exact.some((s) => !ally.has(s)))
      agreement.exactAgrees = false;
    for (const s of greedy) if (!ally.has(s)) agreement.baselineOnly++;
    for (const s of ally) if (!greedy.has(s)) agreement.greedyMisses++;
    for (const o of options) if (!ally.has(o.start)) agreement.optionsOutsideFeasible++;
  });
  const sumOf = (v: number[]): number => v.reduce((a, b) => a + b, 0);

  const growth: LoopResults["growth"] = [];
  const configs: [number, number][] = [
    [20, 14],
    [50, 14],
    [100, 14],
    [50, 7],
    [50, 28],
  ];
  configs.forEach(([poolSize, days], k) => {
    const qs = makeQueries(org, config.growthQueries, 1000 + k, () => poolSize, days);
    const timed = timeAlly(qs, people, `loop: growth pool ${poolSize}, ${days} days`);
    growth.push({
      poolSize,
      days,
      queries: qs.length,
      gridStarts: days * 96,
      bestOptions: summary(timed.best),
      allFeasibleStarts: summary(timed.all),
    });
  });

  return {
    organisation: {
      interviewers: people.length,
      recurringSeries: org.seriesCount,
      oneOffBlocks: org.oneOffCount,
      materialisedIntervals: people.reduce((n, p) => n + p.busyMs.length, 0),
      materialiseSeconds: round(org.materialiseMs / 1000),
    },
    main: {
      description:
        "pool 20–100 (uniform), 4 sessions (45, 60×2 people, 60, 30 min), 14 days, 15-min grid",
      bestOptions: summary(main.best),
      allFeasibleStarts: summary(main.all),
      meanFeasibleStarts: round(startsInMain / queries.length, 1),
    },
    warm: {
      bestOptions: summary(warm.best),
      allFeasibleStarts: summary(warm.all),
      sameStarts,
    },
    baseline: {
      description: `every ${config.baselineEvery}th query of the main set`,
      queries: subset.length,
      baselineMedianMs: round(median(peerMs)),
      allyBestOptionsMedianMs: round(median(allyBest)),
      allyAllStartsMedianMs: round(median(allyAll)),
      ratioVsBestOptions: round(sumOf(peerMs) / sumOf(allyBest), 1),
      ratioVsAllFeasibleStarts: round(sumOf(peerMs) / sumOf(allyAll), 1),
      totalBaselineMs: round(sumOf(peerMs)),
      totalAllyAllStartsMs: round(sumOf(allyAll)),
      agreement,
    },
    growth,
  };
}
