/**
 * The marketing module's part of an erasure (privacy/erasure.ts): the person's subscriptions,
 * with their deliveries and opens, leave the tables, and their address is suppressed (as a keyed
 * hash, with method "erasure") in every scope they were in, and the operator's for an erasure
 * from all of Ally. That hash is the one thing that survives: without it, the person could be
 * mailed again the day someone re-imports an old list.
 */
import type { ErasureSubject, ModuleErasure } from "../privacy/erasure-subject.js";
import type { AnyHandle } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { OPERATOR, type Scope, scopeOfRow } from "./scope.js";
import { scopesOfAddress, suppress } from "./suppression.js";

async function erase(handle: AnyHandle, keys: MarketingKeys, subject: ErasureSubject, now: number) {
  let subscriptions = 0;
  for (const email of subject.emails) {
    const hashes = keys.addressHashes(email);
    const scopes: Scope[] =
      subject.orgId !== null
        ? [{ orgId: subject.orgId }]
        : [
            OPERATOR,
            ...(await scopesOfAddress(handle, hashes))
              .filter((org): org is string => org !== null)
              .map(scopeOfRow),
          ];
    for (const scope of scopes) {
      subscriptions += await suppress(
        handle,
        { scope, hashes, method: "erasure", listId: null },
        now,
      );
    }
  }
  return {
    tables: {
      marketing_subscribers: { deleted: subscriptions, anonymised: 0 },
      // Kept on purpose: the keyed hash that keeps the erased person from being mailed again.
      marketing_suppressions: { deleted: 0, anonymised: 0 },
    },
  };
}

/** The marketing module's erasure step. */
export function marketingErasure(deps: { keys: MarketingKeys; now: () => number }): ModuleErasure {
  return {
    module: "marketing",
    erase: (trx, subject) => erase(trx, deps.keys, subject, deps.now()),
  };
}
