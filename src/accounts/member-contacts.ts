/** Members' names and addresses, for modules that write to them (calendar health alerts). */
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.js";

/** Name and email by user id of those among `userIds` who are members of the organisation. */
export async function memberContacts(
  db: Kysely<Database>,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, { name: string; email: string }>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.name", "users.email"])
    .where("memberships.organisation_id", "=", orgId)
    .where("users.id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
}
