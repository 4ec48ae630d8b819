/**
 * Opting out of promotional email, three ways, each honoured at once and recorded (the
 * suppression row and the audit trail: which scope, when, how; the person as a keyed hash):
 *
 * - the one-click URL (RFC 8058): a POST with `List-Unsubscribe=One-Click` from the mail
 *   client unsubscribes; a GET (a link scanner, a preview) only shows a page with a button;
 * - the same URL from the link in the body: the page's button POSTs;
 * - an email to the service address whose subject says "opt out" (opt-out-mail.ts), or a reply
 *   the assistant reads as an opt-out: the sender's address is suppressed.
 */
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { inScope, type Scope, scopeFromField } from "./scope.js";
import { type OptOutMethod, suppress } from "./suppression.js";

export type UnsubscribeLink =
  | { ok: true; scope: Scope; listName: string | null; subscribed: boolean }
  | { ok: false };

async function subscriptionOf(handle: AnyHandle, scope: Scope, subscriberId: string) {
  return marketingDb(handle)
    .selectFrom("marketing_subscribers")
    .innerJoin("marketing_lists", "marketing_lists.id", "marketing_subscribers.list_id")
    .select([
      "marketing_subscribers.email",
      "marketing_subscribers.list_id",
      "marketing_lists.name as list_name",
    ])
    .where(inScope(scope, "marketing_subscribers"))
    .where("marketing_subscribers.id", "=", subscriberId)
    .executeTakeFirst();
}

/** What an unsubscribe link stands for; changes nothing (the GET page). */
export async function unsubscribeLink(
  handle: AnyHandle,
  keys: MarketingKeys,
  token: string,
): Promise<UnsubscribeLink> {
  const [scopeText, subscriberId] = keys.verify("u", token) ?? [];
  if (scopeText === undefined || subscriberId === undefined) return { ok: false };
  const scope = scopeFromField(scopeText);
  const row = await subscriptionOf(handle, scope, subscriberId);
  return { ok: true, scope, listName: row?.list_name ?? null, subscribed: row !== undefined };
}

/**
 * Unsubscribes the link's subscriber: suppresses their address in the list's scope (every list
 * of it) and ends their subscriptions there. A second POST finds nothing more to do.
 */
export async function unsubscribeByLink(
  handle: AnyHandle,
  keys: MarketingKeys,
  token: string,
  method: Extract<OptOutMethod, "one-click" | "link">,
  now: number,
): Promise<UnsubscribeLink> {
  const link = await unsubscribeLink(handle, keys, token);
  if (!link.ok) return link;
  const [, subscriberId] = keys.verify("u", token) ?? [];
  return marketingDb(handle)
    .transaction()
    .execute(async (trx) => {
      const row =
        subscriberId === undefined
          ? undefined
          : await subscriptionOf(trx, link.scope, subscriberId);
      if (row === undefined) return { ...link, subscribed: false };
      await suppress(
        trx,
        { scope: link.scope, hashes: keys.addressHashes(row.email), method, listId: row.list_id },
        now,
      );
      return { ...link, subscribed: false };
    });
}

/**
 * Suppresses `email` in each of `scopes` (those where it is subscribed, and the operator's):
 * an opt-out by email. Returns how many subscriptions ended.
 */
export async function optOutAddress(
  handle: AnyHandle,
  keys: MarketingKeys,
  email: string,
  scopes: readonly Scope[],
  method: OptOutMethod,
  now: number,
): Promise<number> {
  const hashes = keys.addressHashes(email);
  let ended = 0;
  for (const scope of scopes) {
    ended += await suppress(handle, { scope, hashes, method, listId: null }, now);
  }
  return ended;
}
