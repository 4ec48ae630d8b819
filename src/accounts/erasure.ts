/**
 * The accounts module's part of an erasure (privacy/erasure.ts): the person's account (their
 * sessions, tokens, memberships and profiles go with it), invitations sent to their address,
 * and the rate-limit and sign-in-failure counters kept under it. An erasure for one
 * organisation only (the customer's, of a candidate) leaves the account alone and removes that
 * organisation's invitations.
 */
import { sql } from "kysely";
import {
  affected,
  type ErasureSubject,
  type ErasureTrx,
  type ModuleErasure,
  mentions,
  type SubjectFacts,
} from "../privacy/erasure-subject.js";
import { heldAddresses } from "../privacy/held-addresses.js";
import { accountsDb } from "./db.js";
import { tokenHash } from "./tokens.js";

async function identify(handle: ErasureTrx, subject: ErasureSubject): Promise<SubjectFacts> {
  if (subject.orgId !== null) return {};
  const trx = accountsDb(handle);
  const users = await trx
    .selectFrom("users")
    .select(["id", "name", "phone"])
    .where(sql<string>`lower(email)`, "in", subject.emails)
    .execute();
  return {
    userIds: users.map((u) => u.id),
    names: users.map((u) => u.name),
    phones: users.map((u) => u.phone),
  };
}

async function erase(handle: ErasureTrx, subject: ErasureSubject) {
  const trx = accountsDb(handle);
  let invitations = trx
    .deleteFrom("invitations")
    .where(sql<string>`lower(email)`, "in", subject.emails);
  if (subject.orgId !== null)
    invitations = invitations.where("organisation_id", "=", subject.orgId);
  const invited = affected(await invitations.executeTakeFirst());
  if (subject.orgId !== null) {
    return { tables: { invitations: { deleted: invited, anonymised: 0 } } };
  }
  const keys = [
    ...subject.emails.flatMap((email) => [`sign-up-notice:${email}`, `reset:email:${email}`]),
    ...subject.userIds.map((id) => `second-factor:${id}`),
  ];
  const limits = affected(
    await trx
      .deleteFrom("rate_limits")
      .where((eb) => eb.or([eb("key", "in", keys), mentions(eb, ["key"], subject.emails)]))
      .executeTakeFirst(),
  );
  const failures = affected(
    await trx
      .deleteFrom("sign_in_failures")
      .where(
        "account_key",
        "in",
        subject.emails.map((email) => tokenHash(email)),
      )
      .executeTakeFirst(),
  );
  const tables: Record<string, { deleted: number; anonymised: number }> = {
    invitations: { deleted: invited, anonymised: 0 },
    rate_limits: { deleted: limits, anonymised: 0 },
    sign_in_failures: { deleted: failures, anonymised: 0 },
  };
  if (subject.userIds.length > 0) {
    // Memberships, sessions, email and API tokens, interviewer profiles and pool places are
    // the account's own rows and go with it (ON DELETE CASCADE); they are counted first.
    for (const table of ["memberships", "sessions", "email_tokens", "api_tokens"] as const) {
      const row = await trx
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("user_id", "in", subject.userIds)
        .executeTakeFirstOrThrow();
      tables[table] = { deleted: Number(row.n), anonymised: 0 };
    }
    const users = affected(
      await trx.deleteFrom("users").where("id", "in", subject.userIds).executeTakeFirst(),
    );
    tables.users = { deleted: users, anonymised: 0 };
  }
  return { tables };
}

/** The accounts module's erasure step. */
export const accountsErasure: ModuleErasure = { module: "accounts", identify, erase };

/** The addresses the accounts module keeps, for finding erased people again after a restore. */
export const accountsAddresses = heldAddresses(accountsDb, {
  users: ["email", "pending_email"],
  invitations: ["email"],
});
