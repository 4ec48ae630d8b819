/**
 * One load run on one target (a database and its Ally servers): seeds the organisation, then
 * drives the booking page, the options API and bookings at rising concurrency, measures how
 * the options' cost grows with the pool and with the bookings already made, and checks the
 * bookings in SQL afterwards.
 */
import type { RawRequest } from "autocannon";
import type { Store } from "../../src/store/database.js";
import { progress, progressDone } from "../measure.js";
import { bookedAmong, type Checks, checkBookings } from "./checks.js";
import { drive, type Scenario, type ScenarioResult } from "./drive.js";
import { type BookTarget, type LoadSize, type SeededLoad, seedLoad } from "./seed.js";
import { createDatabase, type Servers } from "./targets.js";

export interface LoadPlan {
  size: LoadSize;
  /** Concurrency levels for the page, options and distinct bookings. */
  levels: number[];
  /** Per scenario: at most this many requests and this many seconds. */
  amount: number;
  maxSeconds: number;
  bookingsPerLevel: number;
  /** Bookings made before measuring the options again (growth), in increasing order. */
  bookedSteps: number[];
  /** Concurrency of the growth measurements. */
  growthConnections: number;
  /** Skip everything but what the SQL checks need (the bookings). */
  correctnessOnly?: boolean;
}

/** What `npm run load` runs. */
export const FULL: LoadPlan = {
  size: {
    interviewers: 100,
    pools: [10, 30, 100],
    pageRequests: 40,
    optionsRequestsPerPool: 40,
    distinctRequests: 1100,
    hotGroups: 8,
    hotGroupSize: 32,
  },
  levels: [1, 8, 32],
  amount: 3000,
  maxSeconds: 8,
  bookingsPerLevel: 100,
  bookedSteps: [300, 1000],
  growthConnections: 8,
};

/** `--quick`: a smoke test in under a minute; its figures are not comparable. */
export const QUICK: LoadPlan = {
  size: {
    interviewers: 10,
    pools: [10],
    pageRequests: 5,
    optionsRequestsPerPool: 5,
    distinctRequests: 60,
    hotGroups: 2,
    hotGroupSize: 8,
  },
  levels: [1, 8],
  amount: 200,
  maxSeconds: 3,
  bookingsPerLevel: 20,
  bookedSteps: [60],
  growthConnections: 8,
};

export interface GrowthPoint {
  what: "pool" | "bookings";
  value: number;
  result: ScenarioResult;
}

export interface TargetResults {
  target: string;
  seedSeconds: number;
  scenarios: ScenarioResult[];
  growth: GrowthPoint[];
  checks: Checks;
}

const json = (token: string) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
});

function cycle<T>(items: readonly T[], i: number): T {
  return items[i % items.length] as T;
}

function optionsScenario(
  seeded: SeededLoad,
  ids: readonly string[],
  name: string,
  connections: number,
  plan: LoadPlan,
): Scenario {
  return {
    name,
    connections,
    amount: plan.amount,
    maxSeconds: plan.maxSeconds,
    request: (i): RawRequest => ({
      method: "GET",
      path: `/api/v1/interview-requests/${cycle(ids, i)}/options`,
      headers: { authorization: `Bearer ${seeded.apiToken}` },
    }),
  };
}

function bookScenario(
  seeded: SeededLoad,
  targets: readonly BookTarget[],
  name: string,
  connections: number,
): Scenario {
  return {
    name,
    connections,
    amount: targets.length,
    maxSeconds: 60,
    request: (i): RawRequest => {
      const target = targets[Math.min(i, targets.length - 1)] as BookTarget;
      return {
        method: "POST",
        path: `/api/v1/interview-requests/${target.requestId}/book`,
        headers: json(seeded.apiToken),
        body: JSON.stringify({
          optionId: target.optionId,
          idempotencyKey: `load-${target.requestId}`,
        }),
      };
    },
  };
}

/** Runs the plan on a fresh database of `kind` with servers from `start`; drops the database. */
export async function runTarget(
  target: string,
  kind: "sqlite" | "postgres",
  plan: LoadPlan,
  start: (databaseUrl: string) => Promise<Servers>,
  report: (line: string) => void,
): Promise<TargetResults> {
  const database = await createDatabase(kind);
  let servers: Servers | undefined;
  try {
    const seedStarted = performance.now();
    const seeded = await seedLoad(database.store, plan.size, (what) =>
      progress(`${target}: ${what}`),
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    progressDone();
    report(`${target}: seeded in ${seedSeconds.toFixed(1)} s`);
    servers = await start(database.url);
    const running = servers;
    const scenarios: ScenarioResult[] = [];
    const growth: GrowthPoint[] = [];
    const run = async (scenario: Scenario): Promise<ScenarioResult> => {
      const result = await drive(running.urls, scenario, running.rssMb, (done) =>
        progress(`${target}: ${scenario.name} c=${scenario.connections}: ${done} responses`),
      );
      progressDone();
      report(`${target}: ${line(result)}`);
      return result;
    };
    const mainIds = seeded.optionsRequests.get(seeded.mainPool) ?? [];
    if (plan.correctnessOnly !== true) {
      // Warm-up, not recorded: the JIT, the connection pools, the zone caches.
      await drive(running.urls, { ...pageScenario(seeded, 4, plan), amount: 100 }, running.rssMb);
      await drive(
        running.urls,
        { ...optionsScenario(seeded, mainIds, "warm-up", 4, plan), amount: 100 },
        running.rssMb,
      );
      for (const c of plan.levels) scenarios.push(await run(pageScenario(seeded, c, plan)));
      for (const c of plan.levels) {
        scenarios.push(await run(optionsScenario(seeded, mainIds, "options", c, plan)));
      }
      for (const [poolSize, ids] of seeded.optionsRequests) {
        const name = `options, pool ${poolSize}`;
        const result = await run(optionsScenario(seeded, ids, name, plan.growthConnections, plan));
        growth.push({ what: "pool", value: poolSize, result });
      }
      growth.push({
        what: "bookings",
        value: 0,
        result: await run(
          optionsScenario(seeded, mainIds, "options, 0 booked", plan.growthConnections, plan),
        ),
      });
    }
    let used = 0;
    for (const c of plan.levels) {
      const targets = seeded.distinct.slice(used, used + plan.bookingsPerLevel);
      used += targets.length;
      scenarios.push(await run(bookScenario(seeded, targets, "book, distinct slots", c)));
    }
    const hotSize = plan.size.hotGroupSize;
    scenarios.push(await run(bookScenario(seeded, seeded.hot, "book, hot slots", hotSize)));
    if (plan.correctnessOnly !== true) {
      for (const step of plan.bookedSteps) {
        used = await topUp(seeded, used, step, database, (n) =>
          progress(`${target}: booking in process: ${n}/${step}`),
        );
        progressDone();
        const booked = await bookedAmong(database.store, seeded.distinct);
        const name = `options, ${booked} booked`;
        growth.push({
          what: "bookings",
          value: booked,
          result: await run(optionsScenario(seeded, mainIds, name, plan.growthConnections, plan)),
        });
      }
    }
    await servers.stop();
    servers = undefined;
    const checks = await checkBookings(database.store, seeded.hot);
    report(
      `${target}: ${checks.overlaps} overlapping slots; ${checks.bookings} bookings; winners per hot slot: ${checks.winnersPerHotSlot.join(" ")}`,
    );
    return { target, seedSeconds, scenarios, growth, checks };
  } finally {
    await servers?.stop();
    await database.drop();
  }
}

function pageScenario(seeded: SeededLoad, connections: number, plan: LoadPlan): Scenario {
  return {
    name: "booking page",
    connections,
    amount: plan.amount,
    maxSeconds: plan.maxSeconds,
    request: (i): RawRequest => ({
      method: "GET",
      path: `/book/${cycle(seeded.linkTokens, i)}`,
      headers: {},
    }),
  };
}

/** Books distinct targets in this process (Ally's `book` command) until `step` of them are booked. */
async function topUp(
  seeded: SeededLoad,
  from: number,
  step: number,
  database: { store: Store },
  onProgress: (n: number) => void,
): Promise<number> {
  let used = from;
  let booked = await bookedAmong(database.store, seeded.distinct);
  while (booked < step && used < seeded.distinct.length) {
    const target = seeded.distinct[used] as BookTarget;
    used += 1;
    await seeded.deps.booking.book(seeded.owner.actor, target.requestId, {
      optionId: target.optionId,
      idempotencyKey: `load-${target.requestId}`,
    });
    booked += 1;
    if (booked % 20 === 0) onProgress(booked);
  }
  return used;
}

/** One line per scenario: throughput, latency, errors, statuses, memory. */
export function line(r: ScenarioResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([status, n]) => `${n}×${status}`)
    .join(" ");
  return `${r.name} c=${r.connections}: ${r.requests} in ${r.seconds} s = ${r.perSecond}/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}, ${statuses}, RSS ${r.rssMb.join("+")} MB`;
}
