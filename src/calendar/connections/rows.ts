/** Connection rows as the rest of Ally sees them, and the row reads shared by the operations. */
import type { Actor } from "../../accounts/service.js";
import { notFound } from "../../errors.js";
import { type ConnectionAction, requireConnectionAccess } from "../connection-access.js";
import { type AnyHandle, calendarDb } from "../db.js";
import type { CalendarConnectionsTable, CalendarProvider, ConnectionStatus } from "../tables.js";

export interface CalendarConnection {
  id: string;
  userId: string;
  provider: CalendarProvider;
  label: string;
  status: ConnectionStatus;
  lastSyncedAt: string | null;
  lastError: string | null;
  createdAt: string;
  /** The provider account (Google, Microsoft), for pages. */
  account: string | null;
}

export const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function toConnection(row: CalendarConnectionsTable): CalendarConnection {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    label: row.label,
    status: row.status,
    lastSyncedAt: row.last_synced_at === null ? null : iso(row.last_synced_at),
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    account: row.account,
  };
}

/** A new connection's row, before its first sync. */
export function newConnectionRow(
  fields: Pick<
    CalendarConnectionsTable,
    | "id"
    | "organisation_id"
    | "user_id"
    | "provider"
    | "label"
    | "credentials"
    | "created_at"
    | "calendars"
    | "account"
  >,
): CalendarConnectionsTable {
  return {
    ...fields,
    status: "pending",
    last_synced_at: null,
    last_attempt_at: null,
    last_error: null,
    alerted_at: null,
    claimed_until: null,
    sync_state: null,
    failure_count: 0,
    next_attempt_at: null,
  };
}

/** Any connection by id (workers; no actor). */
export async function connectionById(
  handle: AnyHandle,
  id: string,
): Promise<CalendarConnectionsTable> {
  const db = calendarDb(handle);
  const row = await db
    .selectFrom("calendar_connections")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw notFound("calendar connection");
  return row;
}

/**
 * A connection of the actor's organisation that the actor may `action` (connection-access.ts).
 * @throws AppError NOT_FOUND or FORBIDDEN.
 */
export async function connectionFor(
  handle: AnyHandle,
  actor: Actor,
  id: string,
  action: ConnectionAction,
): Promise<CalendarConnectionsTable> {
  const db = calendarDb(handle);
  const row = await db
    .selectFrom("calendar_connections")
    .selectAll()
    .where("organisation_id", "=", actor.orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw notFound("calendar connection");
  requireConnectionAccess(actor, row.user_id, action);
  return row;
}
