/**
 * The marketing module's use cases, one function each, with their dependencies bound once
 * (app/compose.ts builds it). An organisation's admins work their own lists (the scope comes
 * from the signed-in actor, never from input); the operator's list of its customers is worked
 * from the command line (`operator`); the public routes act only through signed links.
 */
import type { z } from "zod";
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { OrgId } from "../ids.js";
import type { MailLimits } from "../mail/send-limits.js";
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import {
  addSubscriber,
  confirmationOf,
  confirmSubscription,
  createList,
  type joinInput,
  type listInput,
  listOf,
  listsOf,
  requestSubscription,
  type subscriberInput,
  subscribersOf,
} from "./lists.js";
import { recordOpen } from "./opens.js";
import { OPERATOR, type Scope, scopeOfRow } from "./scope.js";
import { type messageInput, progressOf, startSend } from "./send.js";
import { scopesOfAddress } from "./suppression.js";
import { optOutAddress, unsubscribeByLink, unsubscribeLink } from "./unsubscribe.js";

export interface MarketingDeps {
  db: AnyHandle;
  clock: Clock;
  keys: MarketingKeys;
  publicUrl: string;
  mailFrom: string;
  /** The service mailbox named in List-Unsubscribe's mailto: (it reads "unsubscribe" subjects). */
  unsubscribeMailbox: string;
  mailLimits?: MailLimits;
  batchSize?: number;
  batchIntervalMs?: number;
}

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_BATCH_INTERVAL_MS = 60_000;

/** The scope's use cases, for a caller already allowed to act on it. */
function scopedCommands(deps: MarketingDeps, scope: Scope, byUserId: () => string | null) {
  const { db, clock, keys } = deps;
  const tx = <T>(work: (trx: AnyHandle) => Promise<T>) =>
    marketingDb(db).transaction().execute(work);
  return {
    lists: () => listsOf(db, scope),
    list: (listId: string) => listOf(db, scope, listId),
    createList: (input: z.input<typeof listInput>) =>
      tx((trx) => createList(trx, scope, input, byUserId(), clock.now())),
    subscribers: (listId: string) => subscribersOf(db, scope, listId),
    addSubscriber: (listId: string, input: z.input<typeof subscriberInput>) =>
      tx((trx) => addSubscriber(trx, keys, scope, listId, input, byUserId(), clock.now())),
    send: (listId: string, input: z.input<typeof messageInput>) =>
      tx((trx) => startSend(trx, scope, listId, input, byUserId(), clock.now())),
    progress: (listId: string) => progressOf(db, scope, listId),
  };
}

export function createMarketing(deps: MarketingDeps) {
  const { db, clock, keys } = deps;
  const tx = <T>(work: (trx: AnyHandle) => Promise<T>) =>
    marketingDb(db).transaction().execute(work);
  const forActor = (actor: Actor) => {
    requirePermission(actor.role, "marketing:manage");
    return scopedCommands(deps, { orgId: actor.orgId }, () => actor.userId);
  };
  return {
    /** An organisation admin's lists (requires marketing:manage). */
    forActor,
    /** The operator's list of its customers (the command line). */
    operator: scopedCommands(deps, OPERATOR, () => null),
    /** A list's public sign-up page: its name and description, whoever's it is. */
    async publicList(listId: string) {
      const row = await marketingDb(db)
        .selectFrom("marketing_lists")
        .select(["id", "name", "description"])
        .where("id", "=", listId)
        .executeTakeFirst();
      if (row === undefined) throw new AppError("NOT_FOUND", "No such marketing list.");
      return row;
    },
    join: (listId: string, input: z.input<typeof joinInput>) =>
      tx((trx) =>
        requestSubscription(
          trx,
          { keys, publicUrl: deps.publicUrl, mailFrom: deps.mailFrom },
          listId,
          input,
          clock.now(),
        ),
      ),
    confirmation: (token: string) => confirmationOf(db, keys, token, clock.now()),
    confirm: (token: string) => tx((trx) => confirmSubscription(trx, keys, token, clock.now())),
    unsubscribeLink: (token: string) => unsubscribeLink(db, keys, token),
    unsubscribe: (token: string, method: "one-click" | "link") =>
      unsubscribeByLink(db, keys, token, method, clock.now()),
    open: (token: string) => recordOpen(db, keys, token, clock.now()),
    /**
     * An opt-out by email from `email`: suppressed in every scope where it is subscribed, and
     * the operator's. Returns how many subscriptions ended.
     */
    optOutByEmail: (email: string) =>
      tx(async (trx) => {
        const scopes = [
          OPERATOR,
          ...(await scopesOfAddress(trx, keys.addressHashes(email)))
            .filter((org): org is string => org !== null)
            .map(scopeOfRow),
        ];
        return optOutAddress(trx, keys, email, scopes, "email", clock.now());
      }),
    /** A reply the assistant read as an opt-out, in one organisation's thread. */
    optOutOfOrganisation: (orgId: OrgId, email: string) =>
      tx((trx) => optOutAddress(trx, keys, email, [{ orgId }], "email", clock.now())),
  };
}

export type Marketing = ReturnType<typeof createMarketing>;
