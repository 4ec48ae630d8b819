/** Members' display names, for pages that show who is who (interviewers on a booking page). */
import type { OrgId } from "../ids.js";
import { type AnyHandle, accountsDb } from "./db.js";

/** Names by user id of those among `userIds` who are members of the organisation. */
export async function memberNames(
  db: AnyHandle,
  orgId: OrgId,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await accountsDb(db)
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.name"])
    .where("memberships.organisation_id", "=", orgId)
    .where("users.id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
