/**
 * The assistant's part of erasing a closed organisation (accounts/org-closure.ts): its
 * conversations with their messages and escalations, and its settings, deleted by the module
 * itself in the closing's transaction. Returns rows deleted per table, never what they held.
 */
import type { Kysely } from "kysely";
import type { OrgId } from "../ids.js";
import type { AnyHandle } from "../store/handle.js";
import type { AssistantTables } from "./tables.js";

/**
 * The same connection or transaction, typed to the assistant's tables only (Kysely's type
 * parameter is invariant, so narrowing needs this one cast; the runtime object is unchanged).
 */
const assistantTables = (handle: AnyHandle) => handle as unknown as Kysely<AssistantTables>;

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
