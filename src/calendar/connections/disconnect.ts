/** Removing a connection, and syncing one now. */
import type { Actor } from "../../accounts/service.js";
import { calendarDb } from "../db.js";
import type { CalendarContext } from "./context.js";
import { type CalendarConnection, connectionById, connectionFor, toConnection } from "./rows.js";
import { syncRow } from "./sync-row.js";

/**
 * Deletes the connection and the busy time it brought; a Google grant is revoked first
 * (see `OAuthSources.revoke`: Microsoft has no revocation, and a failure does not stop it).
 * Only its owner may (connection-access.ts).
 */
export async function disconnect(
  context: CalendarContext,
  actor: Actor,
  id: string,
): Promise<void> {
  const { oauth } = context.deps;
  const db = calendarDb(context.deps.db);
  const row = await connectionFor(db, actor, id, "change");
  await oauth?.revoke(row);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("busy_blocks").where("connection_id", "=", id).execute();
    await trx
      .deleteFrom("calendar_connections")
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .execute();
  });
}

/** Reads one connection now and replaces its busy time (the worker's unit of work). */
export async function syncConnection(
  context: CalendarContext,
  id: string,
): Promise<CalendarConnection> {
  const synced = await syncRow(context, await connectionById(context.deps.db, id));
  // Providers that can tell Ally about changes are asked to, once the grant is known to work.
  if (synced.status === "healthy") await context.deps.oauth?.keepPush(synced);
  return toConnection(synced);
}
