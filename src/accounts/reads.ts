/**
 * What other modules read from accounts, instead of querying `users`, `memberships` or
 * `organisations` themselves: members of an organisation by user id (name, email, role),
 * which ids are members, and the organisation's name. Every read is scoped to one
 * organisation; someone elsewhere is simply absent. Each takes the caller's handle (the
 * shared connection or its open transaction), so a read inside a transaction sees its writes.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, accountsDb } from "./db.js";
import { membersQuery, toMember } from "./members.js";
import type { Member } from "./types.js";

/**
 * The members among `userIds`, by user id; ids that are not members of the organisation are
 * left out.
 *
 * @example const members = await membersByUserIds(db, actor.orgId, ["user_a", "user_b"]);
 */
export async function membersByUserIds(
  db: AnyHandle,
  orgId: OrgId,
  userIds: readonly string[],
): Promise<Map<string, Member>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await membersQuery(accountsDb(db), orgId)
    .where("memberships.user_id", "in", ids)
    .execute();
  return new Map(rows.map((row) => [row.id, toMember(row)]));
}

/** Which of `userIds` are members of the organisation. */
export async function membersAmong(
  db: AnyHandle,
  orgId: OrgId,
  userIds: readonly string[],
): Promise<Set<string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Set();
  const rows = await accountsDb(db)
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", orgId)
    .where("user_id", "in", ids)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Whether `userId` is a member of the organisation. */
export async function isMember(db: AnyHandle, orgId: OrgId, userId: string): Promise<boolean> {
  return (await membersAmong(db, orgId, [userId])).has(userId);
}

/** The organisation's name, or undefined when there is no such organisation. */
export async function organisationName(
  db: AnyHandle,
  orgId: OrgId | string,
): Promise<string | undefined> {
  const row = await accountsDb(db)
    .selectFrom("organisations")
    .select("name")
    .where("id", "=", orgId)
    .executeTakeFirst();
  return row?.name;
}

/** Reads one row of the accounts tables; throws when the database cannot answer (health check). */
export async function checkAccountsReadable(db: AnyHandle): Promise<void> {
  await accountsDb(db).selectFrom("organisations").select("id").limit(1).execute();
}
