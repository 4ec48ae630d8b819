/**
 * The daily purge as a scheduled job, on every database: set up once at start (a second start
 * leaves it alone), run once a day by whichever worker claims it, each run recorded per
 * category with its time and counts; two workers at once run it once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runNextJob } from "../../src/jobs/scheduled-jobs.js";
import { MAIL_RETENTION_MS } from "../../src/mail/retention.js";
import {
  RETENTION_JOB,
  retentionPurgeHandler,
  scheduleRetentionPurge,
} from "../../src/retention/purge-job.js";
import { testDatabases } from "../support/databases.js";
import { createWorld, type World } from "../support/web-world.js";

// Tue 1 Dec 2026, 03:00 UTC
const NOW = Date.UTC(2026, 11, 1, 3, 0);
const DAY = 86_400_000;

for (const database of await testDatabases()) {
  describe(`the daily retention purge on ${database.dialect}`, () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld(database);
    });
    afterAll(async () => {
      await world?.drop();
    });
    beforeEach(async () => {
      await world.store.db.deleteFrom("scheduled_jobs").execute();
      await world.store.db.deleteFrom("retention_runs").execute();
      world.clock.set(NOW);
    });

    const handlers = () => ({
      [RETENTION_JOB]: retentionPurgeHandler({
        db: world.store.db,
        clock: world.clock,
        erasure: world.deps.erasure,
      }),
    });
    const worker = () => ({ db: world.store.db, clock: world.clock, handlers: handlers() });
    const runs = async () =>
      world.store.db
        .selectFrom("retention_runs")
        .select(["run_id", "category", "ran_at", "removed", "detail", "error"])
        .where("organisation_id", "is", null)
        .orderBy("id")
        .execute();
    const oldMail = async (subject: string) => {
      await world.store.db
        .insertInto("outbox")
        .values({
          organisation_id: null,
          kind: "test",
          to_address: "sam@example.com",
          subject,
          text_body: "x",
          created_at: NOW - MAIL_RETENTION_MS - 2 * DAY,
          sent_at: NOW - MAIL_RETENTION_MS - DAY,
          message_id: `<${subject}@ally.test>`,
          attempts: 0,
        })
        .execute();
    };

    it("runs once a day, recording each run per category, and reschedules itself", async () => {
      await scheduleRetentionPurge(world.store.db, NOW, NOW);
      // A second start leaves the schedule alone.
      await scheduleRetentionPurge(world.store.db, NOW + DAY, NOW);
      await oldMail("old sent");

      expect(await runNextJob(worker())).toBe(true);
      const first = await runs();
      expect(new Set(first.map((r) => r.run_id)).size).toBe(1);
      expect(first.find((r) => r.category === "mail-90d")).toMatchObject({
        removed: 1,
        error: null,
      });
      expect(JSON.parse(first.find((r) => r.category === "mail-90d")?.detail ?? "{}")).toEqual({
        assistant_messages: 0,
        outbox: 1,
        inbound_mail: 0,
      });
      expect(first.every((r) => Number(r.ran_at) === NOW)).toBe(true);
      expect(first.map((r) => r.category)).toEqual(
        expect.arrayContaining(["session", "token", "audit-2y", "customer", "finished-jobs"]),
      );

      const [job] = await world.store.db.selectFrom("scheduled_jobs").selectAll().execute();
      expect(job).toMatchObject({ key: RETENTION_JOB, done_at: null });
      expect(Number(job?.run_at)).toBe(NOW + DAY);
      // Not again the same day.
      world.clock.set(NOW + DAY - 1);
      expect(await runNextJob(worker())).toBe(false);

      world.clock.set(NOW + DAY);
      expect(await runNextJob(worker())).toBe(true);
      const all = await runs();
      expect(new Set(all.map((r) => r.run_id)).size).toBe(2);
      expect(all.filter((r) => Number(r.ran_at) === NOW + DAY).length).toBe(first.length);
      // Idempotent: nothing left to remove the second time.
      expect(
        all.find((r) => r.category === "mail-90d" && Number(r.ran_at) === NOW + DAY),
      ).toMatchObject({
        removed: 0,
      });
      const [again] = await world.store.db.selectFrom("scheduled_jobs").selectAll().execute();
      expect(Number(again?.run_at)).toBe(NOW + 2 * DAY);
    });

    it("runs once when two workers poll at the same time", async () => {
      await scheduleRetentionPurge(world.store.db, NOW, NOW);
      const ran = await Promise.all([runNextJob(worker()), runNextJob(worker())]);
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect(new Set((await runs()).map((r) => r.run_id)).size).toBe(1);
    });

    it("replaces the mail-only purge: no job of that kind is left after migrating", async () => {
      await scheduleRetentionPurge(world.store.db, NOW, NOW);
      const kinds = await world.store.db.selectFrom("scheduled_jobs").select("kind").execute();
      expect(kinds.map((k) => k.kind)).toEqual([RETENTION_JOB]);
    });
  });
}
