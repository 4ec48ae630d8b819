/**
 * What goes from the hiring module when a member leaves an organisation: their places in its
 * interviewer pools. Runs inside the caller's transaction.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, hiringDb } from "./db.js";

/** Takes the member out of every pool of `orgId`; returns how many places went. */
export async function removeMemberFromPools(
  handle: AnyHandle,
  orgId: OrgId,
  userId: string,
): Promise<number> {
  const trx = hiringDb(handle);
  const removed = await trx
    .deleteFrom("pool_members")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(removed.numDeletedRows);
}
