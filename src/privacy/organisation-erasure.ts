/**
 * The privacy module's part of erasing a closed organisation (accounts/org-closure.ts), done by
 * the module itself in the closing's transaction. Ally held these records for the organisation
 * as its processor; when the customer closes its account they go with the rest (GDPR 28(3)(g)):
 * the data-subject requests filed with it and their access links, its erasure tombstones and proofs (they only kept erased people out of an
 * organisation that no longer exists), and its audit trail. What proves the closing itself is
 * recorded by the caller without the organisation as owner, so it outlives it.
 *
 * A person's restriction or objection (person_flags) is theirs, honoured by every organisation:
 * it is kept, only unlinked from the request that set it.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, privacyDb } from "./db.js";

/**
 * Deletes the organisation's privacy records.
 * @example await erasePrivacyOfOrganisation(trx, orgId) // { tables: { privacy_requests: 2, … } }
 */
export async function erasePrivacyOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number>; kept: Record<string, number> }> {
  const db = privacyDb(handle);
  const requests = db
    .selectFrom("privacy_requests")
    .select("id")
    .where("organisation_id", "=", orgId);
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  const tables: Record<string, number> = {};
  const unlinked = await db
    .updateTable("person_flags")
    .set({ request_id: null })
    .where("request_id", "in", requests)
    .executeTakeFirst();
  tables.privacy_exports = count(
    await db.deleteFrom("privacy_exports").where("request_id", "in", requests).executeTakeFirst(),
  );
  for (const table of [
    "privacy_requests",
    "erasure_tombstones",
    "erasure_proofs",
    "audit_log",
  ] as const) {
    tables[table] = count(
      await db.deleteFrom(table).where("organisation_id", "=", orgId).executeTakeFirst(),
    );
  }
  return { tables, kept: { person_flags: Number(unlinked.numUpdatedRows) } };
}
