/**
 * An organisation's survey results for its recruiters and admins: the surveys it sent and their
 * answers (its own rows only), aggregated by the pure `surveyResults` (cnps.ts), with job titles
 * and interviewer names, and the most recent comments (shown with their job and month only,
 * never a candidate's or an interviewer's name).
 */

import { requirePermission } from "../accounts/permissions.js";
import { memberContacts, userContact } from "../accounts/reads.js";
import type { Actor } from "../accounts/service.js";
import { jobFacts } from "../hiring/scheduling-facts.js";
import {
  type Answer,
  monthOf,
  type SurveyFact,
  type SurveyResults,
  surveyResults,
} from "./cnps.js";
import { type AnyHandle, surveysDb } from "./db.js";

export interface RecentComment {
  jobTitle: string;
  /** `YYYY-MM` of the answer. */
  month: string;
  nps: number;
  text: string;
}

export interface SurveyReport {
  results: SurveyResults;
  jobTitles: Map<string, string>;
  interviewerNames: Map<string, string>;
  comments: RecentComment[];
}

const RECENT_COMMENTS = 10;

/**
 * The results page's data for the actor's organisation (recruiters, admins and owners).
 * @throws AppError FORBIDDEN for a role that may not read candidates.
 */
export async function surveyReport(handle: AnyHandle, actor: Actor): Promise<SurveyReport> {
  requirePermission(actor.role, "candidates:read");
  const db = surveysDb(handle);
  const orgId = actor.orgId;
  const invitations = await db
    .selectFrom("survey_invitations")
    .leftJoin("survey_responses", "survey_responses.invitation_id", "survey_invitations.id")
    .select([
      "survey_invitations.id",
      "survey_invitations.job_id",
      "survey_responses.nps",
      "survey_responses.scheduling",
      "survey_responses.preparation",
      "survey_responses.clarity",
      "survey_responses.comment",
      "survey_responses.answered_at",
    ])
    .where("survey_invitations.organisation_id", "=", orgId)
    .where("survey_invitations.status", "=", "sent")
    .execute();
  const interviewers = await db
    .selectFrom("survey_interviewers")
    .select(["invitation_id", "user_id"])
    .where("organisation_id", "=", orgId)
    .execute();
  const peopleOf = new Map<string, string[]>();
  for (const row of interviewers) {
    peopleOf.set(row.invitation_id, [...(peopleOf.get(row.invitation_id) ?? []), row.user_id]);
  }
  const nullable = (value: number | null) => (value === null ? null : Number(value));
  const facts: SurveyFact[] = invitations.map((row) => ({
    jobId: row.job_id,
    interviewerIds: peopleOf.get(row.id) ?? [],
    answer:
      row.nps === null || row.answered_at === null
        ? null
        : ({
            nps: Number(row.nps),
            scheduling: nullable(row.scheduling),
            preparation: nullable(row.preparation),
            clarity: nullable(row.clarity),
            answeredAt: Number(row.answered_at),
          } satisfies Answer),
  }));
  const results = surveyResults(facts);
  const jobTitles = new Map<string, string>();
  for (const jobId of new Set(facts.map((f) => f.jobId))) {
    jobTitles.set(jobId, (await jobFacts(handle, orgId, jobId))?.title ?? "A removed job");
  }
  const interviewerNames = new Map<string, string>();
  const ids = [...new Set(interviewers.map((r) => r.user_id))];
  const members = await memberContacts(handle, orgId, ids);
  for (const id of ids) {
    const name = members.get(id)?.name ?? (await userContact(handle, id))?.name;
    interviewerNames.set(id, name ?? "A former member");
  }
  const comments = invitations
    .filter((row) => row.comment !== null && row.answered_at !== null && row.nps !== null)
    .sort((a, b) => Number(b.answered_at) - Number(a.answered_at))
    .slice(0, RECENT_COMMENTS)
    .map((row) => ({
      jobTitle: jobTitles.get(row.job_id) ?? "A removed job",
      month: monthOf(Number(row.answered_at)),
      nps: Number(row.nps),
      text: row.comment ?? "",
    }));
  return { results, jobTitles, interviewerNames, comments };
}
