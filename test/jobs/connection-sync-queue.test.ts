/**
 * Calendar connections as a periodic lease queue (calendar/sync-worker.ts), on every database:
 * a connection is due when it was never tried, when its interval has passed since its last
 * attempt, or when its retry time (the calendar's backoff) has come; racing workers sync each
 * due connection once; a claim holds until its lease ends; a connection is never a dead letter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionSyncQueue } from "../../src/calendar/sync-worker.js";
import { fixedClock } from "../../src/clock.js";
import { runNext } from "../../src/jobs/lease-queue.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 09:00 UTC
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const MINUTE = 60_000;
const INTERVAL = 15 * MINUTE;
const ORG = "org_sync_a";
const USER = "usr_sync_a";

for (const database of await testDatabases()) {
  describe(`connection sync as a lease queue on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(T0);

    beforeAll(async () => {
      ({ store, drop } = await database.create());
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
