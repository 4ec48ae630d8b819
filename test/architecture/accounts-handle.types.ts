/**
 * Compile-time checks (run by `tsc`, not by vitest): the accounts module's database handle
 * reaches the accounts tables and no other. Each `@ts-expect-error` fails the type check if
 * the line below it ever compiles, i.e. if the handle were widened to the whole schema.
 */

import type { Kysely } from "kysely";
import { type AccountsDb, type AccountsUnit, accountsDb } from "../../src/accounts/db.js";
import type { Database } from "../../src/store/schema.js";

export function accountsQueries(db: AccountsDb) {
  return [
    db.selectFrom("users").select(["id", "email"]),
    db.selectFrom("memberships").select("role"),
    db.selectFrom("organisations").select("name"),
    db.updateTable("api_tokens").set({ revoked_at: 1 }),
  ];
}

export function otherModulesTables(db: AccountsDb) {
  return [
    // @ts-expect-error hiring owns candidates
    db.selectFrom("candidates").selectAll(),
    // @ts-expect-error booking owns interview_requests
    db.selectFrom("interview_requests").selectAll(),
    // @ts-expect-error mail owns the outbox: accounts enqueues through AccountsUnit.mail
    db.insertInto("outbox"),
    // @ts-expect-error privacy owns the audit log: accounts writes through AccountsUnit.audit
    db.insertInto("audit_log"),
  ];
}

export function joinOnOtherModulesTable(db: AccountsDb) {
  const users = db.selectFrom("users");
  // @ts-expect-error hiring owns interviewer_profiles, even in a join
  return users.innerJoin("interviewer_profiles", "interviewer_profiles.user_id", "users.id");
}

export async function insideTransaction(unit: AccountsUnit) {
  // @ts-expect-error a transaction's handle is as narrow as the store's
  await unit.db.selectFrom("pools").selectAll().execute();
}

export function narrowingTheSharedHandle(shared: Kysely<Database>) {
  const db = accountsDb(shared);
  // @ts-expect-error narrowed, the shared handle no longer reaches calendar's tables
  return db.selectFrom("calendar_connections").selectAll();
}
