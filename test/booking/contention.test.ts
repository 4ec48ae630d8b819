/**
 * No double booking under contention, on real databases and real processes: two OS processes
 * (each its own store, running test/booking/contention-client.ts) and dozens of concurrent
 * clients book loops of the same three interviewers on a few hot slots, some requests submitted
 * by both processes with the same idempotency key. Afterwards SQL proves that no two active
 * slots of one interviewer overlap, that no one passes their daily or weekly limit, that each
 * request has at most one booking, and that every client got a booking or a clean conflict.
 *
 * PostgreSQL: a fresh database; SQLite: a file database shared by both processes.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import type { Outcome } from "./contention-client.js";
import { type BookingOrg, buildBookingOrg } from "./factories.js";

const CLIENT = join(import.meta.dirname, "contention-client.ts");
const PER_DAY = 2;
const PER_WEEK = 3;
const REQUESTS = 24;

/** Runs one client process; resolves with its outcomes (rejects on a crash). */
function runClients(input: unknown): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLIENT, JSON.stringify(input)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`client exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as Outcome[]);
    });
  });
}

/** The requests: every loop needs all three interviewers, within two working days. */
async function makeRequests(store: Store, feeds: FeedServer) {
  const world = buildWorld(store);
  const limits = { perDayLimit: PER_DAY, perWeekLimit: PER_WEEK };
  const org: BookingOrg = await buildBookingOrg(world, store, feeds, {
    profiles: { dana: limits, eli: limits, finn: limits },
  });
  const people = [org.dana, org.eli, org.finn].map((p) => p.actor.userId);
  const ids: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const [x, y, z] = [0, 1, 2].map((k) => people[(i + k) % 3] as string);
    const request = await world.deps.booking.createRequest(org.recruiter.actor, {
      candidateId: org.candidateId,
      jobId: org.jobId,
      sessions: [
        { name: "Coding", durationMinutes: 60, interviewerIds: [x as string] },
        { name: "Panel", durationMinutes: 45, interviewerIds: [y as string, z as string] },
      ],
      order: "fixed",
      maxGapMinutes: 15,
      // Wed 2 Dec 09:00 to Thu 3 Dec 17:00 UTC.
      windowStart: "2026-12-02T09:00:00Z",
      windowEnd: "2026-12-03T17:00:00Z",
      timeZone: "UTC",
    });
    ids.push(request.id);
  }
  return { org, ids };
}

/** Two processes: the first books requests 0–15, the second 8–23 (8–15 with the same keys). */
async function contend(url: string, org: BookingOrg, ids: string[]): Promise<Outcome[]> {
  const client = (i: number) => ({ requestId: ids[i], pick: i % 8, key: `contend-${i}` });
  const range = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => client(from + k));
  const base = { url, nowEpochMs: NOW, actor: org.recruiter.actor };
  const [first, second] = await Promise.all([
    runClients({ ...base, clients: range(0, 16) }),
    runClients({ ...base, clients: range(8, REQUESTS) }),
  ]);
  return [...first, ...second];
}

async function checkInvariants(store: Store, outcomes: Outcome[]) {
  // Every client got a booking or a clean conflict.
  expect(outcomes.filter((o) => o.result === "error")).toEqual([]);
  expect(outcomes).toHaveLength(32);
  const booked = outcomes.filter((o) => o.result === "booked");
  expect(booked.length).toBeGreaterThan(0);
  const { bookings } = await checkSlots(store);
  expect(new Set(booked.map((o) => o.requestId)).size).toBe(bookings.length);
  for (const outcome of booked) {
    if (outcome.result !== "booked") continue;
    expect(bookings.find((b) => b.request_id === outcome.requestId)?.id).toBe(outcome.bookingId);
  }
  return { bookings: bookings.length };
}

/** What holds whatever the clients saw: no overlap, no limit passed, one booking a request. */
async function checkSlots(store: Store) {
  // No two active slots of one resource overlap.
  const overlaps = await sql<{ n: number | string }>`
    SELECT count(*) AS n FROM booked_slots a JOIN booked_slots b
      ON a.resource = b.resource AND a.id < b.id
     AND a.active = 1 AND b.active = 1
     AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`.execute(store.db);
  expect(Number(overlaps.rows[0]?.n)).toBe(0);

  // No one is over their limits (everyone is in UTC: days are UTC days; both days are in
  // one ISO week).
  const slots = await store.db
    .selectFrom("booked_slots")
    .select(["resource", "starts_at"])
    .where("active", "=", 1)
    .execute();
  const perDay = new Map<string, number>();
  const perWeek = new Map<string, number>();
  for (const s of slots) {
    const day = new Date(Number(s.starts_at)).toISOString().slice(0, 10);
    perDay.set(`${s.resource} ${day}`, (perDay.get(`${s.resource} ${day}`) ?? 0) + 1);
    perWeek.set(s.resource, (perWeek.get(s.resource) ?? 0) + 1);
  }
  expect(Math.max(...perDay.values())).toBeLessThanOrEqual(PER_DAY);
  expect(Math.max(...perWeek.values())).toBeLessThanOrEqual(PER_WEEK);

  // One booking per request; a request submitted twice with one key got that one booking.
  const bookings = await store.db.selectFrom("bookings").select(["id", "request_id"]).execute();
  expect(new Set(bookings.map((b) => b.request_id)).size).toBe(bookings.length);
  // Each booking holds three slots (Coding: one interviewer; Panel: two).
  expect(slots).toHaveLength(bookings.length * 3);
  const scheduled = await store.db
    .selectFrom("interview_requests")
    .select("id")
    .where("status", "=", "scheduled")
    .execute();
  expect(scheduled).toHaveLength(bookings.length);
  return { bookings };
}

/**
 * Books what is still bookable, one request after another: the weekly limit then
 * leaves no options for anyone, and the invariants still hold.
 */
async function topUp(store: Store, org: BookingOrg, ids: string[]) {
  const booking = buildWorld(store).deps.booking;
  for (const id of ids) {
    const request = await booking.getRequest(org.recruiter.actor, id);
    if (request.status !== "draft") continue;
    const [option] = (await booking.options(org.recruiter.actor, id)).options;
    if (option !== undefined) {
      await booking.book(org.recruiter.actor, id, {
        optionId: option.id,
        idempotencyKey: `top-up-${id}`,
      });
    }
  }
  const { bookings } = await checkSlots(store);
  expect(bookings).toHaveLength(PER_WEEK);
  const left = await booking.options(org.recruiter.actor, ids.at(-1) as string);
  if ((await booking.getRequest(org.recruiter.actor, ids.at(-1) as string)).status === "draft") {
    expect(left.options).toEqual([]);
    expect(left.explanation?.blockers.map((b) => b.constraint)).toContain("limits");
  }
}

/** Clients in two processes race for the requests; bookings stay within the limits, then top up. */
async function contendAndCheck(store: Store, url: string, feeds: FeedServer): Promise<void> {
  const { org, ids } = await makeRequests(store, feeds);
  const outcomes = await contend(url, org, ids);
  const { bookings } = await checkInvariants(store, outcomes);
  expect(bookings).toBeLessThanOrEqual(PER_WEEK);
  await topUp(store, org, ids);
}

const databases = await testDatabases();
const postgres = databases.find((d) => d.dialect === "postgres");

describe.skipIf(postgres === undefined)("booking under contention on PostgreSQL", () => {
  let store: Store;
  let url: string;
  let drop: () => Promise<void>;
  let feeds: FeedServer;

  beforeAll(async () => {
    if (postgres === undefined) return;
    ({ store, url, drop } = await postgres.create());
    feeds = await startFeedServer();
  }, 60_000);
  afterAll(async () => {
    await feeds?.close();
    await drop?.();
  });

  it("never double-books or passes a limit with two processes and 32 clients", async () => {
    await contendAndCheck(store, url, feeds);
  }, 180_000);

  it("refuses two overlapping active slots of one resource in the database itself", async () => {
    const booking = await store.db.selectFrom("bookings").selectAll().executeTakeFirstOrThrow();
    const slot = {
      organisation_id: booking.organisation_id,
      booking_id: booking.id,
      resource: "user:exclusion-check",
      session_name: "Coding",
      // Fri 4 Dec 2026 10:00–11:00 UTC, then 10:30–11:30.
      starts_at: Date.UTC(2026, 11, 4, 10, 0),
      ends_at: Date.UTC(2026, 11, 4, 11, 0),
      active: 1,
    };
    await store.db.insertInto("booked_slots").values(slot).execute();
    const overlapping = {
      ...slot,
      starts_at: slot.starts_at + 1_800_000,
      ends_at: slot.ends_at + 1_800_000,
    };
    await expect(
      store.db.insertInto("booked_slots").values(overlapping).execute(),
    ).rejects.toMatchObject({
      code: "23P01",
    });
    // Adjacent (half-open) and inactive slots are allowed.
    await store.db
      .insertInto("booked_slots")
      .values({ ...slot, starts_at: slot.ends_at, ends_at: slot.ends_at + 3_600_000 })
      .execute();
    await store.db
      .insertInto("booked_slots")
      .values({ ...overlapping, active: 0 })
      .execute();
  });
});

describe("booking under contention on SQLite", () => {
  let directory: string;
  let url: string;
  let store: Store;
  let feeds: FeedServer;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "ally-contention-"));
    url = `sqlite:${join(directory, "ally.db")}`;
    store = openStore(url);
    await migrateToLatest(store.db, store.dialect);
    feeds = await startFeedServer();
  });
  afterAll(async () => {
    await feeds?.close();
    await store?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("never double-books or passes a limit with two processes on one database file", async () => {
    await contendAndCheck(store, url, feeds);
  }, 180_000);
});
