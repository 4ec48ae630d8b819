/**
 * The hiring module's part of erasing a closed organisation (accounts/org-closure.ts): loop
 * templates, pools and their members, interviewer profiles, candidates and jobs, deleted by the
 * module itself in the closing's transaction (after booking, whose requests name candidates
 * and jobs). Returns rows deleted per table, never what they held.
 */

import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, hiringDb } from "./db.js";

/** Children before the rows they refer to. */
const TABLES = [
  "loop_templates",
  "pool_members",
  "pools",
  "interviewer_profiles",
  "candidates",
  "jobs",
] as const;

/**
 * Deletes the organisation's hiring rows.
 * @example await eraseHiringOfOrganisation(trx, orgId) // { tables: { candidates: 12, … } }
 */
export async function eraseHiringOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  return { tables: await deleteOrganisationRows(hiringDb(handle), TABLES, orgId) };
}
