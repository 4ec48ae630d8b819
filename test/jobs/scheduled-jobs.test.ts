/**
 * Scheduled jobs, on every database: a job runs once at its time, scheduling the same key moves
 * it, cancelling by prefix removes what has not run, a failing handler is retried with backoff
 * and then set aside, and racing workers run each job exactly once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import {
  cancelJobs,
  type Job,
  type JobHandler,
  runNextJob,
  scheduleJob,
  startJobWorker,
} from "../../src/jobs/scheduled-jobs.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

const T0 = Date.UTC(2026, 11, 1, 9, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

for (const database of await testDatabases()) {
  describe(`scheduled jobs on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(T0);
    let ran: Job[];
    const record: JobHandler = async (job) => {
      ran.push(job);
    };

    beforeAll(async () => {
      ({ store, drop } = await database.create());
    });
    afterAll(async () => {
      await drop?.();
    });
    beforeEach(async () => {
      await store.db.deleteFrom("scheduled_jobs").execute();
      clock.set(T0);
      ran = [];
    });

    const drain = async (handlers: Record<string, JobHandler> = { reminder: record }) => {
      while (await runNextJob({ db: store.db, clock, handlers })) {
        // everything due
      }
    };
    const reminder = (key: string, runAt: number) =>
      scheduleJob(
        store.db,
        { organisationId: null, kind: "reminder", key, runAt, payload: { bookingId: "bk_1" } },
        clock.now(),
      );

    it("runs a job once, at its time and not before", async () => {
      await reminder("reminder:bk_1:24h", T0 + HOUR);
      await drain();
      expect(ran).toEqual([]);
      clock.advance(HOUR);
      await drain();
      await drain();
      expect(ran.map((j) => [j.key, j.payload, j.runAt])).toEqual([
        ["reminder:bk_1:24h", { bookingId: "bk_1" }, T0 + HOUR],
      ]);
    });

    it("moves a job when the same key is scheduled again, even one that already ran", async () => {
      await reminder("reminder:bk_1:1h", T0 + HOUR);
      await reminder("reminder:bk_1:1h", T0 + 3 * HOUR);
      clock.advance(2 * HOUR);
      await drain();
      expect(ran).toEqual([]);
      clock.advance(HOUR);
      await drain();
      expect(ran).toHaveLength(1);
      // The interview moved again, later: the reminder runs again at the new time.
      await reminder("reminder:bk_1:1h", T0 + 5 * HOUR);
      clock.set(T0 + 5 * HOUR);
      await drain();
      expect(ran).toHaveLength(2);
      expect(await store.db.selectFrom("scheduled_jobs").select("id").execute()).toHaveLength(1);
    });

    it("cancels by key prefix only what has not run, and only that booking's jobs", async () => {
      await reminder("reminder:bk_1:24h", T0);
      await reminder("reminder:bk_1:1h", T0 + HOUR);
      await reminder("reminder:bk_10:1h", T0 + HOUR);
      await reminder("reminder:bk_2:1h", T0 + HOUR);
      await drain();
      expect(ran.map((j) => j.key)).toEqual(["reminder:bk_1:24h"]);
      expect(await cancelJobs(store.db, "reminder:bk_1:")).toBe(1);
      // Wildcards in a prefix are literal.
      expect(await cancelJobs(store.db, "reminder:bk_%")).toBe(0);
      clock.advance(HOUR);
      await drain();
      expect(ran.map((j) => j.key).sort()).toEqual([
        "reminder:bk_10:1h",
        "reminder:bk_1:24h",
        "reminder:bk_2:1h",
      ]);
    });

    it("retries a failing handler with growing waits, then sets the job aside with its error", async () => {
      await reminder("reminder:bk_1:24h", T0);
      const tries: number[] = [];
      const failing: JobHandler = async () => {
        tries.push(clock.now() - T0);
        throw new Error("mail relay down");
      };
      for (let i = 0; i < 200; i++) {
        await drain({ reminder: failing });
        clock.advance(MINUTE);
      }
      expect(tries).toEqual([0, 1, 3, 7, 15, 31].map((m) => m * MINUTE));
      const [row] = await store.db.selectFrom("scheduled_jobs").selectAll().execute();
      expect(row?.last_error).toBe("gave up: mail relay down");
      expect(row?.done_at).not.toBeNull();
    });

    it("sets aside a job nobody handles, saying so", async () => {
      await scheduleJob(
        store.db,
        { organisationId: null, kind: "unknown-kind", key: "x:1", runAt: T0, payload: {} },
        T0,
      );
      await runNextJob({ db: store.db, clock, handlers: {}, maxAttempts: 1 });
      const [row] = await store.db.selectFrom("scheduled_jobs").selectAll().execute();
      expect(row?.last_error).toBe('gave up: no handler for jobs of kind "unknown-kind"');
    });

    it("runs each job exactly once among racing workers", async () => {
      for (let i = 0; i < 20; i++) await reminder(`reminder:bk_${i}:1h`, T0);
      await Promise.all(Array.from({ length: 4 }, () => drain()));
      expect(ran.map((j) => j.key).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `reminder:bk_${i}:1h`).sort(),
      );
    });

    it("runs as a worker that drains what is due and stops cleanly", async () => {
      await reminder("reminder:bk_1:24h", T0);
      const worker = startJobWorker({
        db: store.db,
        clock,
        handlers: { reminder: record },
        pollMs: 60_000,
      });
      await worker.drain();
      await worker.stop();
      expect(ran).toHaveLength(1);
    });
  });
}
