/**
 * People as other modules need them: members' names and addresses, scoped to an organisation,
 * and the member-row lock the booking module takes to serialise bookings of the same people.
 * The accounts module owns `users` and `memberships`; these are its exported reads.
 */
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.js";
import type { OrgId } from "./ids.js";

export interface MemberContact {
  userId: string;
  name: string;
  email: string;
}

/** Name and email by user id of those among `userIds` who are members of the organisation. */
export async function memberContacts(
  db: Kysely<Database>,
  orgId: OrgId | string,
  userIds: readonly string[],
): Promise<Map<string, MemberContact>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
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
  db: Kysely<Database>,
  userId: string,
): Promise<MemberContact | undefined> {
  const row = await db
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return row === undefined ? undefined : { userId: row.id, name: row.name, email: row.email };
}

/**
 * Locks the members' rows `FOR UPDATE` in sorted user-id order (PostgreSQL), so two
 * transactions that book the same people queue in one order and never deadlock. Call inside a
 * transaction; on SQLite the immediate transaction already excludes other writers.
 */
export async function lockMembers(
  trx: Kysely<Database>,
  orgId: OrgId | string,
  userIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return;
  await trx
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", orgId)
    .where("user_id", "in", ids)
    .orderBy("user_id")
    .forUpdate()
    .execute();
}

/** The organisation's name, as its candidates read it in their emails. */
export async function organisationName(
  db: Kysely<Database>,
  orgId: OrgId | string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("organisations")
    .select("name")
    .where("id", "=", orgId)
    .executeTakeFirst();
  return row?.name;
}
