/**
 * The secrets module's part of erasing a closed organisation (accounts/org-closure.ts): its
 * data keys are deleted, so anything still sealed with them can never be opened again.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, secretsDb } from "./db.js";

/**
 * Deletes the organisation's data keys.
 * @example await eraseSecretsOfOrganisation(trx, orgId) // { tables: { data_keys: 1 } }
 */
export async function eraseSecretsOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  const result = await secretsDb(handle)
    .deleteFrom("data_keys")
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  return { tables: { data_keys: Number(result.numDeletedRows) } };
}
