/**
 * Who and what a request is about, in words: the candidate, the job and the organisation, read
 * through their owners' exported functions (hiring, accounts), scoped to the organisation.
 */
import { organisationName } from "../accounts/reads.js";
import { candidateFacts, jobFacts } from "../hiring/scheduling-facts.js";
import type { OrgId } from "../ids.js";
import { type AnyHandle, bookingDb } from "./db.js";

export interface RequestNames {
  candidateName: string;
  candidateEmail: string;
  jobTitle: string;
  organisationName: string;
}

/** The names of the request's candidate, job and organisation; undefined when it is not there. */
export async function requestNames(
  handle: AnyHandle,
  orgId: OrgId,
  requestId: string,
): Promise<RequestNames | undefined> {
  const db = bookingDb(handle);
  const row = await db
    .selectFrom("interview_requests")
    .select(["candidate_id", "job_id"])
    .where("organisation_id", "=", orgId)
    .where("id", "=", requestId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  // One after another: `db` may be a transaction's single connection.
  const candidate = await candidateFacts(db, orgId, row.candidate_id);
  const job = await jobFacts(db, orgId, row.job_id);
  const organisation = await organisationName(db, orgId);
  if (candidate === undefined || job === undefined || organisation === undefined) return undefined;
  return {
    candidateName: candidate.name,
    candidateEmail: candidate.email,
    jobTitle: job.title,
    organisationName: organisation,
  };
}
