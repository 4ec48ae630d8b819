/**
 * Survey retention on every database, with fixed instants: a survey (its invitation, the
 * interviewers on it and the answer) goes two years after the interview it asks about, at that
 * instant and not a millisecond before (`survey-2y`); a link's token goes when the link expires
 * (`token`), while the survey stays.
 */
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { purgeExpired } from "../../src/surveys/retention.js";
import { testDatabases } from "../support/databases.js";

// Wed 2 Dec 2026, 10:00 UTC: the interview ended.
const ENDED = Date.UTC(2026, 11, 2, 10, 0);
// Sat 2 Dec 2028, 10:00 UTC: two calendar years later (2028 is a leap year).
const TWO_YEARS_LATER = Date.UTC(2028, 11, 2, 10, 0);
const SENT = ENDED + 2 * 3_600_000;
const EXPIRES = SENT + 30 * 86_400_000;
const at = (epochMs: number) => Temporal.Instant.fromEpochMilliseconds(epochMs);

for (const database of await testDatabases()) {
  describe(`survey retention on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ store, drop } = await database.create());
    });
    afterAll(async () => {
      await drop?.();
    });
    beforeEach(async () => {
      for (const table of [
        "survey_responses",
        "survey_interviewers",
        "survey_invitations",
      ] as const) {
        await store.db.deleteFrom(table).execute();
      }
      await store.db
        .insertInto("survey_invitations")
        .values({
          id: "sinv_one",
          organisation_id: "org_a",
          booking_id: "bk_one",
          request_id: "req_one",
          job_id: "job_one",
          candidate_id: "cand_one",
          ended_at: ENDED,
          send_at: SENT,
          status: "sent",
          skipped_reason: null,
          token_hash: "hash-of-the-link",
          expires_at: EXPIRES,
          sent_at: SENT,
          created_at: ENDED,
        })
        .execute();
      await store.db
        .insertInto("survey_interviewers")
        .values({
          organisation_id: "org_a",
          invitation_id: "sinv_one",
          user_id: "user_dana",
          reminded_at: ENDED,
        })
        .execute();
      await store.db
        .insertInto("survey_responses")
        .values({
          invitation_id: "sinv_one",
          organisation_id: "org_a",
          nps: 8,
          scheduling: 4,
          preparation: 5,
          clarity: 3,
          comment: "Well run.",
          answered_at: SENT + 3_600_000,
        })
        .execute();
    });

    const counts = async () => ({
      invitations: (await store.db.selectFrom("survey_invitations").select("id").execute()).length,
      interviewers: (await store.db.selectFrom("survey_interviewers").select("id").execute())
        .length,
      responses: (await store.db.selectFrom("survey_responses").select("nps").execute()).length,
    });
    const removed = (report: Awaited<ReturnType<typeof purgeExpired>>, category: string) =>
      report.filter((r) => r.category === category).reduce((sum, r) => sum + r.removed, 0);

    it("keeps the link's token until the instant it expires, then removes only the token", async () => {
      const before = await purgeExpired(store.db, at(EXPIRES - 1));
      expect(removed(before, "token")).toBe(0);
      const [kept] = await store.db.selectFrom("survey_invitations").select("token_hash").execute();
      expect(kept?.token_hash).toBe("hash-of-the-link");

      const report = await purgeExpired(store.db, at(EXPIRES));
      expect(report).toContainEqual({ table: "survey_invitations", category: "token", removed: 1 });
      const [row] = await store.db.selectFrom("survey_invitations").select("token_hash").execute();
      expect(row?.token_hash).toBeNull();
      expect(await counts()).toEqual({ invitations: 1, interviewers: 1, responses: 1 });
    });

    it("keeps the survey until two years after the interview, not a millisecond less", async () => {
      const before = await purgeExpired(store.db, at(TWO_YEARS_LATER - 1));
      expect(removed(before, "survey-2y")).toBe(0);
      expect(await counts()).toEqual({ invitations: 1, interviewers: 1, responses: 1 });

      const report = await purgeExpired(store.db, at(TWO_YEARS_LATER));
      expect(report).toEqual(
        expect.arrayContaining([
          { table: "survey_responses", category: "survey-2y", removed: 1 },
          { table: "survey_interviewers", category: "survey-2y", removed: 1 },
          { table: "survey_invitations", category: "survey-2y", removed: 1 },
        ]),
      );
      expect(await counts()).toEqual({ invitations: 0, interviewers: 0, responses: 0 });
    });
  });
}
