/**
 * What other modules read from accounts, instead of querying `users`, `memberships` or
 * `organisations` themselves: members of an organisation by user id (name, email, role),
 * which ids are members, their names and addresses, a user's address whether or not still a
 * member, the organisation's name, and the member-row lock booking takes. Every read is scoped to one
 * organisation; someone elsewhere is simply absent. Each takes the caller's handle (the
 * shared connection or its open transaction), so a read inside a transaction sees its writes.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, accountsDb } from "./db.js";
import { membersQuery, toMember } from "./members.js";
import type { Member } from "./types.js";

/** A member's name and address, as mail and calendar invitations need them. */
export interface MemberContact {
  userId: string;
  name: string;
  email: string;
}

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

/** Name and email by user id of those among `userIds` who are members of the organisation. */
export async function memberContacts(
  db: AnyHandle,
  orgId: OrgId | string,
  userIds: readonly string[],
): Promise<Map<string, MemberContact>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await accountsDb(db)
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.name", "users.email"])
    .where("memberships.organisation_id", "=", orgId)
    .where("users.id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { userId: r.id, name: r.name, email: r.email }]));
}

/**
 * A user's name and email, whether or not they are still a member (the creator of a request
 * who left is still the one it was made by). Undefined when the account is gone.
 */
export async function userContact(
  db: AnyHandle,
  userId: string,
): Promise<MemberContact | undefined> {
  const row = await accountsDb(db)
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return row === undefined ? undefined : { userId: row.id, name: row.name, email: row.email };
}

/** Every account holder's id, name and address (the privacy policy's notice of a new version). */
export async function accountHolders(db: AnyHandle): Promise<MemberContact[]> {
  const rows = await accountsDb(db)
    .selectFrom("users")
    .select(["id", "name", "email"])
    .orderBy("id")
    .execute();
  return rows.map((row) => ({ userId: row.id, name: row.name, email: row.email }));
}

/**
 * Locks the members' rows `FOR UPDATE` in sorted user-id order (PostgreSQL), so two
 * transactions that book the same people queue in one order and never deadlock. Call inside a
 * transaction; on SQLite the immediate transaction already excludes other writers.
 */
export async function lockMembers(
  trx: AnyHandle,
  orgId: OrgId | string,
  userIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return;
  await accountsDb(trx)
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", orgId)
    .where("user_id", "in", ids)
    .orderBy("user_id")
    .forUpdate()
    .execute();
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

/** The organisation's members with name, address and role (the email assistant's directory). */
export async function memberDirectory(
  db: AnyHandle,
  orgId: OrgId,
): Promise<(MemberContact & { role: Member["role"] })[]> {
  const rows = await membersQuery(accountsDb(db), orgId).execute();
  return rows.map((row) => {
    const member = toMember(row);
    return { userId: member.userId, name: member.name, email: member.email, role: member.role };
  });
}
