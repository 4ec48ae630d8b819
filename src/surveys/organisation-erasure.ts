/**
 * The surveys module's part of erasing a closed organisation (accounts/org-closure.ts): its
 * settings, invitations, interviewers, answers and opt-outs, deleted in the closing's
 * transaction. Returns rows deleted per table, never what they held.
 */
import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, surveysDb } from "./db.js";

/** Children before the rows they refer to. */
const TABLES = [
  "survey_responses",
  "survey_interviewers",
  "survey_invitations",
  "survey_opt_outs",
  "survey_settings",
] as const;

/** @example await eraseSurveysOfOrganisation(trx, orgId) // { tables: { survey_invitations: 3, … } } */
export async function eraseSurveysOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  return { tables: await deleteOrganisationRows(surveysDb(handle), TABLES, orgId) };
}
