/**
 * The suppression list: once a person opts out (by link, one-click or email) or is erased, no
 * promotional message of that scope goes to their address again, from any of its lists. Only
 * the address's keyed hash is kept (keys.ts). Opting out also deletes their subscriptions in
 * the scope (kept "until unsubscribed"); joining again needs their fresh, explicit consent
 * (a confirmed double opt-in), never an admin's addition.
 */
import { recordAudit } from "../privacy/audit-log.js";
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { inScope, organisationOf, type Scope } from "./scope.js";

/** How an opt-out arrived: the three a person uses, an admin's removal, and an erasure. */
export type OptOutMethod = "one-click" | "link" | "email" | "admin" | "erasure";

/** True when the address opted out of this scope's promotional mail. */
export async function isSuppressed(
  handle: AnyHandle,
  keys: MarketingKeys,
  scope: Scope,
  email: string,
): Promise<boolean> {
  return isHashSuppressed(handle, scope, keys.addressHashes(email));
}

export async function isHashSuppressed(
  handle: AnyHandle,
  scope: Scope,
  hashes: readonly string[],
): Promise<boolean> {
  if (hashes.length === 0) return false;
  const row = await marketingDb(handle)
    .selectFrom("marketing_suppressions")
    .select("id")
    .where(inScope(scope))
    .where("email_hash", "in", [...hashes])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface OptOut {
  scope: Scope;
  /** The address's hash under every key (the first, the newest, is stored). */
  hashes: readonly string[];
  method: OptOutMethod;
  listId: string | null;
  /** Who acted, for the audit trail: the member (admin removal), else null (the person). */
  actorUserId?: string | null;
}

/**
 * Suppresses the address in the scope and deletes its subscriptions there (an erasure also
 * their deliveries and opens); call inside the transaction of the opt-out. Idempotent: a second
 * opt-out records nothing new. Returns how many subscriptions ended.
 */
export async function suppress(handle: AnyHandle, optOut: OptOut, now: number): Promise<number> {
  const db = marketingDb(handle);
  const [stored] = optOut.hashes;
  if (stored === undefined) return 0;
  if (!(await isHashSuppressed(db, optOut.scope, optOut.hashes))) {
    await db
      .insertInto("marketing_suppressions")
      .values({
        organisation_id: organisationOf(optOut.scope),
        email_hash: stored,
        method: optOut.method,
        list_id: optOut.listId,
        created_at: now,
      })
      .execute();
    await recordAudit(
      db,
      {
        organisationId: organisationOf(optOut.scope),
        actorUserId: optOut.actorUserId ?? null,
        action: "marketing-opt-out",
        target: `${optOut.method}${optOut.listId === null ? "" : ` ${optOut.listId}`}`,
      },
      now,
    );
  }
  return endSubscriptions(db, optOut.scope, optOut.hashes, optOut.method === "erasure");
}

/**
 * Deletes the address's subscriptions in the scope. Their deliveries still waiting are skipped
 * ("opted out"); those already queued stay, counted in the sends' progress until the usage
 * retention ends, with nothing left that leads to the person. With `forget` (an erasure) the
 * deliveries and opens go too.
 */
export async function endSubscriptions(
  handle: AnyHandle,
  scope: Scope,
  hashes: readonly string[],
  forget = false,
): Promise<number> {
  const db = marketingDb(handle);
  const subscribers = await db
    .selectFrom("marketing_subscribers")
    .select("id")
    .where(inScope(scope))
    .where("email_hash", "in", [...hashes])
    .execute();
  const ids = subscribers.map((s) => s.id);
  if (ids.length === 0) return 0;
  if (forget) {
    const deliveries = db
      .selectFrom("marketing_deliveries")
      .select("id")
      .where("subscriber_id", "in", ids);
    await db.deleteFrom("marketing_opens").where("delivery_id", "in", deliveries).execute();
    await db.deleteFrom("marketing_deliveries").where("subscriber_id", "in", ids).execute();
  } else {
    await db
      .updateTable("marketing_deliveries")
      .set({ status: "skipped", reason: "opted out" })
      .where("subscriber_id", "in", ids)
      .where("status", "=", "pending")
      .execute();
  }
  await db.deleteFrom("marketing_subscribers").where("id", "in", ids).execute();
  return ids.length;
}

/** Lifts the address's suppression in the scope: only on the person's fresh, confirmed consent. */
export async function liftSuppression(
  handle: AnyHandle,
  scope: Scope,
  hashes: readonly string[],
): Promise<void> {
  if (hashes.length === 0) return;
  await marketingDb(handle)
    .deleteFrom("marketing_suppressions")
    .where(inScope(scope))
    .where("email_hash", "in", [...hashes])
    .execute();
}

/** The scopes where the address is subscribed or suppressed (for an opt-out by email). */
export async function scopesOfAddress(
  handle: AnyHandle,
  hashes: readonly string[],
): Promise<(string | null)[]> {
  if (hashes.length === 0) return [];
  const db = marketingDb(handle);
  const subscribed = await db
    .selectFrom("marketing_subscribers")
    .select("organisation_id")
    .distinct()
    .where("email_hash", "in", [...hashes])
    .execute();
  return [...new Set(subscribed.map((row) => row.organisation_id))];
}
