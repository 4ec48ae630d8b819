/**
 * Benchmark 4: the booking service on a real database. (1) `options` for a 2-session loop drawn
 * from a pool, against the pure engine alone (`bestOptions` on the problem `requestProblem`
 * builds from the same facts); (2) sequential `book` calls, against a bare transaction inserting
 * the same rows into booked_slots. On SQLite (a temporary file) and on PostgreSQL when reachable
 * (a database of its own, dropped after). Effects are off: no mail or calendar work is timed.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import type { Actor } from "../src/accounts/service.js";
import {
  type InterviewerFacts,
  type RequestShape,
  requestProblem,
  toOption,
} from "../src/booking/problem.js";
import type { InterviewRequestInput } from "../src/booking/schemas.js";
import { type BookingService, createBookingService } from "../src/booking/service.js";
import { bestOptions } from "../src/engine/index.js";
import { type Dialect, openStore, type Store } from "../src/store/database.js";
import { migrateToLatest } from "../src/store/migrations.js";
import { utcProfile } from "../test/booking/factories.js";
import { buildOrganisation, buildWorld, NOW, type World } from "../test/hiring/factories.js";
import { POSTGRES_ADMIN_URL, postgresReachable } from "../test/support/databases.js";
import { median, now, percentile, progress, round } from "./measure.js";
import { Prng } from "./prng.js";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// Mon 7 Dec 2026 to Sat 12 Dec 2026 (UTC): five weekdays. The world's clock is Tue 1 Dec 14:00.
const WINDOW_START = Date.UTC(2026, 11, 7);
const WINDOW_END = Date.UTC(2026, 11, 12);
// The sync's materialised horizon: six weeks of weekdays around the window.
const HORIZON_START = Date.UTC(2026, 10, 23);
const HORIZON_DAYS = 42;
/** Ally's default for a request without a template. */
const MAX_GAP_MINUTES = 30;

export interface Latency {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function latency(samples: readonly number[]): Latency {
  return {
    calls: samples.length,
    p50Ms: round(median(samples)),
    p99Ms: round(percentile(samples, 99)),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

export interface OptionsCase {
  poolSize: number;
  blocksPerPerson: number;
  /** Merged busy intervals the engine sees per person (window ± 1 day), on average. */
  busyIntervalsPerPerson: number;
  options: number;
  service: Latency;
  engine: Latency;
  /** Median service ÷ median engine. */
  ratio: number;
  /** The service's option ids equal the engine's on the same facts. */
  sameOptions: boolean;
}

export interface BookResults {
  poolSize: number;
  blocksPerPerson: number;
  bookings: number;
  service: Latency & { bookingsPerSecond: number };
  baseline: Latency & { bookingsPerSecond: number };
  /** Median book ÷ median bare insert. */
  ratio: number;
  /** Median book of the first and of the last tenth of the bookings: growth with bookings. */
  firstTenthP50Ms: number;
  lastTenthP50Ms: number;
  /** Active booked slots overlapping another of the same person (must be 0). */
  overlaps: number;
}

export interface DialectResults {
  dialect: Dialect;
  setupSeconds: number;
  options: OptionsCase[];
  book: BookResults;
}

export interface BookingResults {
  description: string;
  databases: DialectResults[];
  postgresSkipped: string | null;
}

export interface BookingConfig {
  poolSizes: number[];
  blocksPerPerson: number[];
  optionsCalls: number;
  bookings: number;
  bookPoolSize: number;
  bookBlocks: number;
}

interface Fixture {
  world: World;
  booking: BookingService;
  recruiter: Actor;
  interviewers: string[];
  connections: string[];
  candidateId: string;
  jobId: string;
  pools: Map<number, string>;
}

async function openDatabase(
  dialect: Dialect,
): Promise<{ store: Store; drop(): Promise<void> } | undefined> {
  const name = `ally_bench_${randomBytes(6).toString("hex")}`;
  if (dialect === "sqlite") {
    const path = join(tmpdir(), `${name}.db`);
    const store = openStore(`sqlite:${path}`);
    await migrateToLatest(store.db, store.dialect);
    return {
      store,
      async drop() {
        await store.close();
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
      },
    };
  }
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = openStore(url.toString());
  await migrateToLatest(store.db, store.dialect);
  return {
    store,
    async drop() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** An organisation with a recruiter, interviewers with profiles and a synthetic calendar each. */
async function buildFixture(store: Store, config: BookingConfig): Promise<Fixture> {
  const world = buildWorld(store);
  const org = await buildOrganisation(world, store);
  const recruiter = await org.add("recruiter");
  const people = Math.max(...config.poolSizes, config.bookPoolSize);
  const interviewers: string[] = [];
  const connections: string[] = [];
  for (let i = 0; i < people; i++) {
    progress(`booking (${store.dialect}): interviewer ${i + 1}/${people}`);
    const person = await org.add("interviewer", `Interviewer ${i + 1}`);
    await world.hiring.putInterviewerProfile(person.actor, person.actor.userId, utcProfile());
    const id = `cal_bench${i}`;
    // A synthetic, healthy, just-synced calendar: busyFor reads its blocks and gives no warning.
    await store.db
      .insertInto("calendar_connections")
      .values({
        id,
        organisation_id: person.actor.orgId,
        user_id: person.actor.userId,
        provider: "ics-feed",
        label: "bench feed",
        credentials: "{}",
        status: "healthy",
        last_synced_at: NOW,
        last_attempt_at: NOW,
        last_error: null,
        alerted_at: null,
        claimed_until: null,
        created_at: NOW,
        sync_state: null,
        failure_count: 0,
        next_attempt_at: null,
        calendars: null,
        account: null,
      })
      .execute();
    interviewers.push(person.actor.userId);
    connections.push(id);
  }
  const pools = new Map<number, string>();
  for (const size of new Set([...config.poolSizes, config.bookPoolSize])) {
    const pool = await world.hiring.createPool(org.owner.actor, {
      name: `Pool of ${size}`,
      memberIds: interviewers.slice(0, size),
    });
    pools.set(size, pool.id);
  }
  const candidate = await world.hiring.createCandidate(org.owner.actor, {
    name: "Bench Candidate",
    email: "candidate@example.org",
    timeZone: "UTC",
  });
  const job = await world.hiring.createJob(org.owner.actor, {
    title: "Platform engineer",
    department: null,
    location: null,
    description: null,
  });
  // Effects off: no `effects` dep, so no mail or calendar writes are part of what is timed.
  const booking = createBookingService({
    db: store.db,
    dialect: store.dialect,
    clock: world.clock,
    calendars: world.deps.calendars,
  });
  return {
    world,
    booking,
    recruiter: recruiter.actor,
    interviewers,
    connections,
    candidateId: candidate.id,
    jobId: job.id,
    pools,
  };
}

/**
 * Replaces every interviewer's busy blocks with `perPerson` blocks of 15 or 30 minutes on a
 * 15-minute grid inside 09:00–17:00 UTC on the horizon's weekdays (fixed seed).
 */
async function materialiseBusy(store: Store, fx: Fixture, perPerson: number): Promise<void> {
  await store.db.deleteFrom("busy_blocks").execute();
  const weekdays: number[] = [];
  for (let d = 0; d < HORIZON_DAYS; d++) {
    const day = HORIZON_START + d * DAY_MS;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) weekdays.push(day);
  }
  const prng = new Prng(20_261_207 + perPerson);
  const orgId = fx.recruiter.orgId;
  for (const [i, userId] of fx.interviewers.entries()) {
    const rows = [];
    for (let b = 0; b < perPerson; b++) {
      const day = weekdays[prng.int(0, weekdays.length - 1)] as number;
      const start = day + 9 * 3_600_000 + prng.int(0, 31) * 15 * MINUTE_MS;
      rows.push({
        connection_id: fx.connections[i] as string,
        organisation_id: orgId,
        user_id: userId,
        start_at: start,
        end_at: start + (prng.chance(0.5) ? 15 : 30) * MINUTE_MS,
      });
    }
    for (let k = 0; k < rows.length; k += 200) {
      await store.db
        .insertInto("busy_blocks")
        .values(rows.slice(k, k + 200))
        .execute();
    }
  }
}

function loopInput(fx: Fixture, poolSize: number): InterviewRequestInput {
  const poolId = fx.pools.get(poolSize) as string;
  return {
    candidateId: fx.candidateId,
    jobId: fx.jobId,
    sessions: [
      { name: "Technical", durationMinutes: 60, poolId, count: 1 },
      { name: "Values", durationMinutes: 45, poolId, count: 1 },
    ],
    order: "fixed",
    maxGapMinutes: MAX_GAP_MINUTES,
    windowStart: new Date(WINDOW_START).toISOString(),
    windowEnd: new Date(WINDOW_END).toISOString(),
    timeZone: "UTC",
    videoLink: "https://meet.example.com/bench",
  };
}

/** The request's problem facts, read once (untimed) the way the service reads them. */
async function engineInput(
  fx: Fixture,
  poolSize: number,
  requestId: string,
): Promise<{ shape: RequestShape; facts: InterviewerFacts[] }> {
  const members = fx.interviewers.slice(0, poolSize).sort();
  const shape: RequestShape = {
    id: requestId,
    order: "fixed",
    maxGapMinutes: MAX_GAP_MINUTES,
    window: { start: WINDOW_START, end: WINDOW_END },
    timeZone: "UTC",
    sessions: [
      { name: "Technical", durationMinutes: 60, candidates: members, count: 1 },
      { name: "Values", durationMinutes: 45, candidates: members, count: 1 },
    ],
  };
  const profile = utcProfile();
  const facts: InterviewerFacts[] = [];
  for (const userId of members) {
    const answer = await fx.world.deps.calendars.busyFor(fx.recruiter, userId, {
      start: WINDOW_START - DAY_MS,
      end: WINDOW_END + DAY_MS,
    });
    facts.push({
      userId,
      timeZone: profile.timeZone,
      workingHours: profile.workingHours.map((w) => ({ ...w })),
      perDayLimit: null,
      perWeekLimit: null,
      busy: answer.busy.map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end) })),
      booked: [],
    });
  }
  return { shape, facts };
}

async function optionsCase(
  store: Store,
  fx: Fixture,
  poolSize: number,
  blocksPerPerson: number,
  calls: number,
): Promise<OptionsCase> {
  const request = await fx.booking.createRequest(fx.recruiter, loopInput(fx, poolSize));
  const { shape, facts } = await engineInput(fx, poolSize, request.id);
  const label = `booking (${store.dialect}): options, pool ${poolSize}, ${blocksPerPerson} blocks`;
  // Warm-up: untimed.
  let answer = await fx.booking.options(fx.recruiter, request.id);
  let engineOptions = bestOptions(requestProblem(shape, facts, NOW));
  const service: number[] = [];
  const engine: number[] = [];
  // In turn, call by call, so a slow moment of the machine hits both alike.
  for (let i = 0; i < calls; i++) {
    if (i % 5 === 0) progress(`${label}: ${i + 1}/${calls}`);
    const t0 = now();
    answer = await fx.booking.options(fx.recruiter, request.id);
    const t1 = now();
    engineOptions = bestOptions(requestProblem(shape, facts, NOW));
    const t2 = now();
    service.push(t1 - t0);
    engine.push(t2 - t1);
  }
  // Option ids digest the sessions' times and interviewers.
  const engineIds = engineOptions.map((o) => toOption(shape, o).id);
  const serviceIds = answer.options.map((o) => o.id);
  const s = latency(service);
  const e = latency(engine);
  return {
    poolSize,
    blocksPerPerson,
    busyIntervalsPerPerson: round(facts.reduce((n, f) => n + f.busy.length, 0) / facts.length, 1),
    options: answer.options.length,
    service: s,
    engine: e,
    ratio: round(s.p50Ms / e.p50Ms, 1),
    sameOptions: JSON.stringify(engineIds) === JSON.stringify(serviceIds),
  };
}

async function bookCase(store: Store, fx: Fixture, config: BookingConfig): Promise<BookResults> {
  await materialiseBusy(store, fx, config.bookBlocks);
  const label = `booking (${store.dialect}): book`;
  const requestIds: string[] = [];
  for (let i = 0; i < config.bookings + 1; i++) {
    progress(`${label}: creating request ${i + 1}/${config.bookings + 1}`);
    const request = await fx.booking.createRequest(
      fx.recruiter,
      loopInput(fx, config.bookPoolSize),
    );
    requestIds.push(request.id);
  }
  const service: number[] = [];
  const baseline: number[] = [];
  const orgId = fx.recruiter.orgId;
  for (const [i, requestId] of requestIds.entries()) {
    progress(`${label}: booking ${i + 1}/${requestIds.length}`);
    // Which option to book is chosen untimed; previous bookings already block their times.
    const answer = await fx.booking.options(fx.recruiter, requestId);
    const option = answer.options[0];
    if (option === undefined) throw new Error(`no option left for booking ${i + 1}`);
    const t0 = now();
    const result = await fx.booking.book(fx.recruiter, requestId, {
      optionId: option.id,
      idempotencyKey: `bench-booking-${i}`,
    });
    const t1 = now();
    // The same rows, inserted without a lock or check, as another resource so that they hold
    // nothing the next booking needs (and PostgreSQL's exclusion index is still maintained).
    const rows = option.sessions.flatMap((s) =>
      s.interviewerIds.map((userId) => ({
        organisation_id: orgId,
        booking_id: result.booking.id,
        resource: `bench:${userId}`,
        session_name: s.name,
        starts_at: Date.parse(s.startsAt),
        ends_at: Date.parse(s.endsAt),
        active: 1,
      })),
    );
    const t2 = now();
    if (store.dialect === "postgres") {
      await store.db
        .transaction()
        .execute((trx) => trx.insertInto("booked_slots").values(rows).execute());
    } else {
      await store.db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        await connection.insertInto("booked_slots").values(rows).execute();
        await sql`commit`.execute(connection);
      });
    }
    const t3 = now();
    // The first booking warms up both paths and is not counted.
    if (i === 0) continue;
    service.push(t1 - t0);
    baseline.push(t3 - t2);
  }
  const slots = await store.db
    .selectFrom("booked_slots")
    .select(["resource", "starts_at", "ends_at"])
    .where("active", "=", 1)
    .where("resource", "like", "user:%")
    .orderBy("resource")
    .orderBy("starts_at")
    .execute();
  let overlaps = 0;
  slots.forEach((slot, k) => {
    const before = slots[k - 1];
    if (before?.resource === slot.resource && Number(before.ends_at) > Number(slot.starts_at)) {
      overlaps++;
    }
  });
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const s = latency(service);
  const b = latency(baseline);
  const tenth = Math.max(1, Math.floor(service.length / 10));
  return {
    poolSize: config.bookPoolSize,
    blocksPerPerson: config.bookBlocks,
    bookings: service.length,
    service: { ...s, bookingsPerSecond: round((service.length * 1000) / total(service), 1) },
    baseline: { ...b, bookingsPerSecond: round((baseline.length * 1000) / total(baseline), 1) },
    ratio: round(s.p50Ms / b.p50Ms, 1),
    firstTenthP50Ms: round(median(service.slice(0, tenth))),
    lastTenthP50Ms: round(median(service.slice(-tenth))),
    overlaps,
  };
}

async function runOn(dialect: Dialect, config: BookingConfig): Promise<DialectResults> {
  const started = now();
  const database = await openDatabase(dialect);
  if (database === undefined) throw new Error(`cannot open ${dialect}`);
  const { store } = database;
  try {
    const fx = await buildFixture(store, config);
    const setupSeconds = round((now() - started) / 1000, 1);
    const options: OptionsCase[] = [];
    for (const blocks of config.blocksPerPerson) {
      progress(`booking (${dialect}): materialising ${blocks} blocks per person`);
      await materialiseBusy(store, fx, blocks);
      for (const size of config.poolSizes) {
        options.push(await optionsCase(store, fx, size, blocks, config.optionsCalls));
      }
    }
    const book = await bookCase(store, fx, config);
    return { dialect, setupSeconds, options, book };
  } finally {
    await database.drop();
  }
}

export async function runBookingBenchmark(config: BookingConfig): Promise<BookingResults> {
  const databases: DialectResults[] = [await runOn("sqlite", config)];
  let postgresSkipped: string | null = null;
  if (await postgresReachable()) databases.push(await runOn("postgres", config));
  else postgresSkipped = `PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}`;
  return {
    description: `2 sessions (60 + 45 min, 1 of the pool each, fixed order, gaps up to 30 min), 5 weekdays ${new Date(WINDOW_START).toISOString().slice(0, 10)} to ${new Date(WINDOW_END - DAY_MS).toISOString().slice(0, 10)}, blocks spread over ${HORIZON_DAYS} days of weekdays`,
    databases,
    postgresSkipped,
  };
}
