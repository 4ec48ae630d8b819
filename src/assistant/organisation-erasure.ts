/**
 * The assistant's part of erasing a closed organisation (accounts/org-closure.ts): its
 * conversations with their messages and escalations, and its settings, deleted by the module
 * itself in the closing's transaction. Returns rows deleted per table, never what they held.
 */
import type { OrgId } from "../ids.js";
import type { AnyHandle } from "../store/handle.js";
import { assistantDb } from "./db.js";

const assistantTables = assistantDb;

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
  const db = assistantTables(handle);
  const tables: Record<string, number> = {};
  for (const table of TABLES) {
    const result = await db
      .deleteFrom(table)
      .where("organisation_id", "=", orgId)
      .executeTakeFirst();
    tables[table] = Number(result.numDeletedRows);
  }
  return { tables };
}
