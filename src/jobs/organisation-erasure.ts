/**
 * The jobs module's part of erasing a closed organisation (accounts/org-closure.ts): its
 * scheduled jobs (reminders, follow-ups, dead letters), done or not, deleted in the closing's
 * transaction. The erasure's own job belongs to no organisation and is left to finish.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, jobsDb } from "./db.js";

/**
 * Deletes the organisation's scheduled jobs.
 * @example await eraseJobsOfOrganisation(trx, orgId) // { tables: { scheduled_jobs: 4 } }
 */
export async function eraseJobsOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  const result = await jobsDb(handle)
    .deleteFrom("scheduled_jobs")
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  return { tables: { scheduled_jobs: Number(result.numDeletedRows) } };
}
