/**
 * The retention module's part of erasing a closed organisation (accounts/org-closure.ts): its
 * own limits and its share of the purge record.
 */
import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, retentionDb } from "./db.js";

/**
 * Deletes the organisation's retention settings and run records.
 * @example await eraseRetentionOfOrganisation(trx, orgId) // { tables: { retention_settings: 1, retention_runs: 30 } }
 */
export async function eraseRetentionOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  const tables = await deleteOrganisationRows(
    retentionDb(handle),
    ["retention_settings", "retention_runs"],
    orgId,
  );
  return { tables };
}
