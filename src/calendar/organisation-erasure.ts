/**
 * The calendar module's part of erasing a closed organisation (accounts/org-closure.ts).
 * First, before the erasure's transaction, each connection's stored grant is revoked at its
 * provider where the provider allows it (as when a person is erased: calendar/erasure.ts):
 * that needs the sealed credentials, which the erasure then shreds with the organisation's
 * data keys. Then, in the transaction, every calendar connection of its members goes, with the
 * busy time, push channels, sign-in states, event writes and event links they brought.
 */

import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, calendarDb } from "./db.js";
import type { CalendarConnectionsTable } from "./tables.js";

export interface CalendarOrganisationErasureDeps {
  /** Ends a connection's grant at its provider (OAuthSources.revoke); failures are logged there. */
  revoke?: (row: CalendarConnectionsTable) => Promise<void>;
}

/** Children before the connections they refer to. */
const TABLES = [
  "busy_blocks",
  "calendar_push_channels",
  "calendar_event_links",
  "calendar_event_writes",
  "oauth_states",
  "calendar_connections",
] as const;

/**
 * The calendar step of an organisation's erasure.
 * @example
 *   const calendar = calendarOrganisationErasure({ revoke: (row) => oauthSources.revoke(row) });
 *   await calendar.beforeErase(db, orgId); // { grantsRevoked: 1 }
 *   await calendar.erase(trx, orgId); // { tables: { calendar_connections: 2, … } }
 */
export function calendarOrganisationErasure(deps: CalendarOrganisationErasureDeps = {}) {
  return {
    /** Revokes every connection's grant (outside any transaction: it calls the providers). */
    async beforeErase(handle: AnyHandle, orgId: OrgId): Promise<{ grantsRevoked: number }> {
      const revoke = deps.revoke;
      if (revoke === undefined) return { grantsRevoked: 0 };
      const connections = await calendarDb(handle)
        .selectFrom("calendar_connections")
        .selectAll()
        .where("organisation_id", "=", orgId)
        .execute();
      for (const row of connections) await revoke(row);
      // Only Google grants can be revoked; the others end with their deleted tokens.
      return { grantsRevoked: connections.filter((c) => c.provider === "google").length };
    },

    /** Deletes the organisation's calendar rows. */
    async erase(handle: AnyHandle, orgId: OrgId): Promise<{ tables: Record<string, number> }> {
      return { tables: await deleteOrganisationRows(calendarDb(handle), TABLES, orgId) };
    },
  };
}
