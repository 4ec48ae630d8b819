/**
 * How long survey data is kept, as the data map says: a survey (its invitation, the
 * interviewers on it and the candidate's answer) two years after the interview it asks about
 * (`survey-2y`), and its link's token until the link expires (`token`; the survey itself stays).
 * A limit is reached at its instant: a row is removed at exactly two years, not a millisecond
 * before. The daily purge job calls `purgeExpired`.
 */
import type { Temporal } from "temporal-polyfill";
import { cutoffMs, type PurgedRows } from "../privacy/retention-limits.js";
import { type AnyHandle, surveysDb } from "./db.js";

/**
 * Removes the survey rows past their limit at `now`.
 * @example await purgeExpired(db, Temporal.Now.instant())
 *   // [{ table: "survey_responses", category: "survey-2y", removed: 3 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = surveysDb(handle);
  const cutoff = cutoffMs(now, { years: 2 });
  const old = (
    await db.selectFrom("survey_invitations").select("id").where("ended_at", "<=", cutoff).execute()
  ).map((r) => r.id);
  const removed = { survey_responses: 0, survey_interviewers: 0, survey_invitations: 0 };
  // In slices, so that a long-unpurged table does not make one statement with a huge IN list.
  for (let at = 0; at < old.length; at += 500) {
    const ids = old.slice(at, at + 500);
    for (const table of ["survey_responses", "survey_interviewers"] as const) {
      const result = await db
        .deleteFrom(table)
        .where("invitation_id", "in", ids)
        .executeTakeFirst();
      removed[table] += Number(result.numDeletedRows);
    }
    const result = await db
      .deleteFrom("survey_invitations")
      .where("id", "in", ids)
      .executeTakeFirst();
    removed.survey_invitations += Number(result.numDeletedRows);
  }
  const tokens = await db
    .updateTable("survey_invitations")
    .set({ token_hash: null })
    .where("token_hash", "is not", null)
    .where("expires_at", "<=", now.epochMilliseconds)
    .executeTakeFirst();
  return [
    { table: "survey_responses", category: "survey-2y", removed: removed.survey_responses },
    { table: "survey_interviewers", category: "survey-2y", removed: removed.survey_interviewers },
    { table: "survey_invitations", category: "survey-2y", removed: removed.survey_invitations },
    { table: "survey_invitations", category: "token", removed: Number(tokens.numUpdatedRows) },
  ];
}
