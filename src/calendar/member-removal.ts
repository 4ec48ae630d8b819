/**
 * What goes from the calendar module when a member leaves an organisation: their calendar
 * connections (with their push channels and event links, by cascade), the busy time those
 * brought, and sign-ins to a provider still under way. Runs inside the caller's transaction.
 *
 * A provider's grant is not revoked here (that is a network call, outside any transaction):
 * the sealed credentials are deleted with the connection, so Ally can no longer use them.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, calendarDb } from "./db.js";

export interface RemovedCalendarData {
  connections: number;
  busyBlocks: number;
}

/** Deletes the member's calendar data in `orgId`, in `trx`'s transaction. */
export async function removeMemberCalendars(
  handle: AnyHandle,
  orgId: OrgId,
  userId: string,
): Promise<RemovedCalendarData> {
  const trx = calendarDb(handle);
  const busy = await trx
    .deleteFrom("busy_blocks")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  await trx
    .deleteFrom("oauth_states")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .execute();
  const connections = await trx
    .deleteFrom("calendar_connections")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return {
    connections: Number(connections.numDeletedRows),
    busyBlocks: Number(busy.numDeletedRows),
  };
}
