/**
 * The assistant's part of erasing a closed organisation (accounts/org-closure.ts): its
 * conversations with their messages and escalations, and its settings, deleted by the module
 * itself in the closing's transaction. Returns rows deleted per table, never what they held.
 */

import type { OrgId } from "../ids.js";
import type { AnyHandle } from "../store/handle.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { assistantDb } from "./db.js";

/** Children before the conversations they belong to. */
const TABLES = [
  "assistant_escalations",
  "assistant_messages",
  "assistant_conversations",
  "assistant_settings",
] as const;

/**
 * Deletes the organisation's assistant rows.
 * @example await eraseAssistantOfOrganisation(trx, orgId) // { tables: { assistant_messages: 7, … } }
 */
export async function eraseAssistantOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  return { tables: await deleteOrganisationRows(assistantDb(handle), TABLES, orgId) };
}
