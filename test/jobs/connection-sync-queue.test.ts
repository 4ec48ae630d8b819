/**
 * Calendar connections as a periodic lease queue (calendar/sync-worker.ts), on every database:
 * a connection is due when it was never tried, when its interval has passed since its last
 * attempt, or when its retry time (the calendar's backoff) has come; racing workers sync each
 * due connection once; a claim holds until its lease ends; a connection is never a dead letter.
 * And calendar event writes: a dead write is retried only while no later write of its event exists.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueEventWrite, eventWritesQueue } from "../../src/calendar/event-writes.js";
import { connectionSyncQueue } from "../../src/calendar/sync-worker.js";
import { fixedClock } from "../../src/clock.js";
import type { OrgId } from "../../src/ids.js";
import { retryDeadLetter, runNext } from "../../src/jobs/lease-queue.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 09:00 UTC
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const MINUTE = 60_000;
const INTERVAL = 15 * MINUTE;
const ORG = "org_sync_a";
const USER = "usr_sync_a";

/** The organisation and the person whose connections and calendar writes these are. */
async function seed(store: Store): Promise<void> {
  await store.db
    .insertInto("organisations")
    .values({ id: ORG, name: "A", created_at: T0 })
    .execute();
  await store.db
    .insertInto("users")
    .values({
      id: USER,
      email: "dana@example.com",
      name: "Dana",
      phone: "",
      postal_address: "",
      password_hash: "x",
      email_verified_at: null,
      totp_secret: null,
      created_at: T0,
    })
    .execute();
}

for (const database of await testDatabases()) {
  describe(`connection sync as a lease queue on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(T0);

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      await seed(store);
    });
    afterAll(async () => {
      await drop?.();
    });
    beforeEach(async () => {
      await store.db.deleteFrom("calendar_connections").execute();
      clock.set(T0);
    });

    const connection = (
      id: string,
      times: { lastAttemptAt?: number | null; nextAttemptAt?: number | null },
    ) =>
      store.db
        .insertInto("calendar_connections")
        .values({
          id,
          organisation_id: ORG,
          user_id: USER,
          provider: "ics-feed",
          label: id,
          credentials: "sealed",
          status: "healthy",
          last_synced_at: null,
          last_attempt_at: times.lastAttemptAt ?? null,
          last_error: null,
          alerted_at: null,
          claimed_until: null,
          created_at: T0,
          sync_state: null,
          failure_count: 0,
          next_attempt_at: times.nextAttemptAt ?? null,
          calendars: null,
          account: null,
        })
        .execute();

    /** What syncConnection does to the queue's columns: tried now, claim released. */
    const synced: string[] = [];
    const sync = async (id: string) => {
      synced.push(id);
      await store.db
        .updateTable("calendar_connections")
        .set({ last_attempt_at: clock.now(), claimed_until: null, next_attempt_at: null })
        .where("id", "=", id)
        .execute();
    };
    const options = { clock, leaseMs: 5 * MINUTE, maxAttempts: 1 };
    const step = (handler = sync) =>
      runNext(connectionSyncQueue(INTERVAL), handler, { ...options, db: store.db });

    it("syncs the due connections once each among racing workers, and not the others", async () => {
      synced.length = 0;
      await connection("cal_never", {});
      await connection("cal_stale", { lastAttemptAt: T0 - INTERVAL });
      await connection("cal_fresh", { lastAttemptAt: T0 - MINUTE });
      await connection("cal_retry_due", { lastAttemptAt: T0 - MINUTE, nextAttemptAt: T0 });
      await connection("cal_backing_off", { lastAttemptAt: T0 - INTERVAL, nextAttemptAt: T0 + 1 });
      const worker = async () => {
        while ((await step()) !== "idle") {
          // until nothing is due
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      expect([...synced].sort()).toEqual(["cal_never", "cal_retry_due", "cal_stale"]);
    });

    it("holds a claim until its lease ends, whatever the handler did", async () => {
      synced.length = 0;
      await connection("cal_crash", {});
      // A worker that claimed it and died: the handler never released the claim.
      const died = async (id: string) => {
        synced.push(id);
        throw new Error("worker died");
      };
      expect(await step(died)).toBe("retry");
      clock.advance(5 * MINUTE - 1);
      expect(await step()).toBe("idle");
      clock.advance(1);
      expect(await step()).toBe("done");
      expect(synced).toEqual(["cal_crash", "cal_crash"]);
      const row = await store.db
        .selectFrom("calendar_connections")
        .select(["claimed_until", "last_attempt_at"])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ claimed_until: null, last_attempt_at: T0 + 5 * MINUTE });
    });
  });
}

for (const database of await testDatabases()) {
  describe(`calendar event writes' dead letters on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(T0);

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      await seed(store);
    });
    afterAll(async () => {
      await drop?.();
    });

    // Tue 1 Dec 2026, 14:00–15:00 UTC
    const event = (sequence: number) => ({
      uid: "session-1@ally.test",
      sequence,
      time: { startEpochMs: T0 + 5 * 60 * MINUTE, endEpochMs: T0 + 6 * 60 * MINUTE },
      summary: "Interview",
      organizer: { email: "recruiter@example.com" },
      attendees: [{ email: "dana@example.com" }],
    });
    const write = (sequence: number) =>
      enqueueEventWrite(
        store.db,
        {
          organisationId: ORG as OrgId,
          userId: USER,
          action: "upsert",
          event: event(sequence),
          dtstampEpochMs: T0,
        },
        clock.now(),
      );
    const failing = async () => {
      throw new Error("calendar unreachable");
    };
    const options = { clock, leaseMs: MINUTE, maxAttempts: 1 };

    it("retries a dead write unless a later write of the same event exists", async () => {
      const first = await write(0);
      expect(await runNext(eventWritesQueue, failing, { ...options, db: store.db })).toBe("dead");
      const dead = await store.db
        .selectFrom("calendar_event_writes")
        .select(["status", "dead_at"])
        .where("id", "=", first.id)
        .executeTakeFirstOrThrow();
      expect(dead.status).toBe("failed");
      expect(dead.dead_at).not.toBeNull();
      // A reschedule wrote the event again: the failed write is stale.
      await write(1);
      expect(await retryDeadLetter(store.db, eventWritesQueue, ORG, first.id, clock.now())).toBe(
        false,
      );
      // The later write failing too: that one may be retried, and is pending again.
      const later = await store.db
        .selectFrom("calendar_event_writes")
        .select("id")
        .where("id", ">", first.id)
        .executeTakeFirstOrThrow();
      expect(await runNext(eventWritesQueue, failing, { ...options, db: store.db })).toBe("dead");
      expect(
        await retryDeadLetter(store.db, eventWritesQueue, ORG, Number(later.id), clock.now()),
      ).toBe(true);
      const retried = await store.db
        .selectFrom("calendar_event_writes")
        .select(["status", "dead_at", "attempts"])
        .where("id", "=", later.id)
        .executeTakeFirstOrThrow();
      expect(retried).toEqual({ status: "pending", dead_at: null, attempts: 0 });
    });
  });
}
