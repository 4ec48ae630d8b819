/**
 * What the surveys module holds about one candidate in one organisation, for their access
 * package (privacy requests): each survey about their interviews (when it was sent or why not,
 * and their answer), and whether they asked not to be surveyed again.
 */
import { type AnyHandle, surveysDb } from "./db.js";

const iso = (epochMs: number | string | null) =>
  epochMs === null ? null : new Date(Number(epochMs)).toISOString();

/** Given the ids of the organisation's candidate records for the person (hiring/person-ids.ts). */
export async function candidateSurveyRecords(
  handle: AnyHandle,
  organisationId: string,
  candidateIds: readonly string[],
): Promise<Array<Record<string, unknown>>> {
  if (candidateIds.length === 0) return [];
  const db = surveysDb(handle);
  const rows = await db
    .selectFrom("survey_invitations")
    .leftJoin("survey_responses", "survey_responses.invitation_id", "survey_invitations.id")
    .select([
      "survey_invitations.ended_at",
      "survey_invitations.status",
      "survey_invitations.skipped_reason",
      "survey_invitations.sent_at",
      "survey_responses.nps",
      "survey_responses.scheduling",
      "survey_responses.preparation",
      "survey_responses.clarity",
      "survey_responses.comment",
      "survey_responses.answered_at",
    ])
    .where("survey_invitations.organisation_id", "=", organisationId)
    .where("survey_invitations.candidate_id", "in", [...candidateIds])
    .orderBy("survey_invitations.ended_at")
    .execute();
  const records: Array<Record<string, unknown>> = rows.map((row) => ({
    kind: "survey",
    interviewEndedAt: iso(row.ended_at),
    status: row.status,
    notSentBecause: row.skipped_reason,
    sentAt: iso(row.sent_at),
    answer:
      row.answered_at === null
        ? null
        : {
            recommend0to10: row.nps === null ? null : Number(row.nps),
            scheduling1to5: row.scheduling === null ? null : Number(row.scheduling),
            interviewersPrepared1to5: row.preparation === null ? null : Number(row.preparation),
            processClear1to5: row.clarity === null ? null : Number(row.clarity),
            comment: row.comment,
            answeredAt: iso(row.answered_at),
          },
  }));
  const optOut = await db
    .selectFrom("survey_opt_outs")
    .select("opted_out_at")
    .where("organisation_id", "=", organisationId)
    .where("candidate_id", "in", [...candidateIds])
    .executeTakeFirst();
  if (optOut !== undefined) {
    records.push({ kind: "no-more-surveys", askedAt: iso(optOut.opted_out_at) });
  }
  return records;
}
