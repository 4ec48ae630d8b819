/**
 * What the accounts module holds about one person, by email address, for the privacy module's
 * requests: whether the address is an Ally account, and organisations' names (to tell a person
 * who the controller of their data is).
 */
import { sql } from "kysely";
import { type AnyHandle, accountsDb } from "./db.js";

export async function hasAccount(handle: AnyHandle, email: string): Promise<boolean> {
  const row = await accountsDb(handle)
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

/** The id of the account registered with this address, if any (as a list, for joining). */
export async function accountUserIds(handle: AnyHandle, email: string): Promise<string[]> {
  const rows = await accountsDb(handle)
    .selectFrom("users")
    .select("id")
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.id);
}

export async function organisationNames(
  handle: AnyHandle,
  ids: readonly string[],
): Promise<Array<{ id: string; name: string }>> {
  if (ids.length === 0) return [];
  return accountsDb(handle)
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("id", "in", ids)
    .orderBy("name")
    .execute();
}

/** The account registered with this address (registration data; never secrets), if any. */
export async function accountRecords(
  handle: AnyHandle,
  email: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await accountsDb(handle)
    .selectFrom("users")
    .select(["name", "email", "phone", "postal_address", "email_verified_at", "created_at"])
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => ({
    name: r.name,
    email: r.email,
    phone: r.phone,
    postalAddress: r.postal_address,
    emailVerifiedAt:
      r.email_verified_at === null ? null : new Date(Number(r.email_verified_at)).toISOString(),
    createdAt: new Date(Number(r.created_at)).toISOString(),
  }));
}
