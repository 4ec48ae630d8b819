/**
 * The accounts module's database handle, typed to its own tables only: a query on another
 * module's table does not compile. What accounts needs from other modules inside the same
 * transaction (an audit entry, a mail in the outbox) goes through `AccountsUnit`, whose
 * methods call those modules' functions.
 *
 * @example
 *   const store = accountsStore({ db, mailFrom });
 *   await store.transaction(async (unit) => {
 *     await unit.db.insertInto("users").values(row).execute();
 *     await unit.audit({ organisationId, actorUserId, action: "sign-up" }, now);
 *   });
 */
import type { Kysely } from "kysely";
import { enqueueMail, type OutgoingMessage } from "../mail/outbox.js";
import { DEFAULT_MAIL_LIMITS, type MailLimits } from "../mail/send-limits.js";
import { type AuditEntry, recordAudit } from "../privacy/audit-log.js";
import type { AnyHandle } from "../store/handle.js";
import type { AccountsTables } from "./tables.js";

/** A handle that can query the accounts module's tables and no other. */
export type AccountsDb = Kysely<AccountsTables>;

/** A handle other modules pass to the accounts reads: the shared one, a transaction, or any module's. */
export type { AnyHandle };

/**
 * The same connection or transaction, typed to the accounts tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function accountsDb(db: AnyHandle): AccountsDb {
  return db as unknown as AccountsDb;
}

/** One unit of work: the accounts tables, plus the effects other modules own, on one connection. */
export interface AccountsUnit {
  db: AccountsDb;
  /** Records a sensitive action in the audit trail (privacy module). */
  audit(entry: AuditEntry, at: number): Promise<void>;
  /**
   * Puts a message in the outbox (mail module), within the sending limits: a message someone
   * asked for is refused with RATE_LIMITED when over them.
   */
  mail(message: OutgoingMessage, at: number): Promise<void>;
  /**
   * The same connection or transaction, for other modules' functions to run their part of this
   * unit of work (what goes from each module when a member leaves), wired in by the app.
   */
  shared: AnyHandle;
}

/** The accounts store: a unit of work outside any transaction, and a way to open one. */
export interface AccountsStore extends AccountsUnit {
  /** Runs `work` in one transaction: its queries, audit entries and mail commit together. */
  transaction<T>(work: (unit: AccountsUnit) => Promise<T>): Promise<T>;
}

export interface AccountsStoreDeps {
  db: AnyHandle;
  mailFrom: string;
  /** How much mail may go to one address and one organisation (mail/send-limits.ts). */
  mailLimits?: MailLimits;
}

/** Builds the accounts store over the shared connection. */
export function accountsStore(deps: AccountsStoreDeps): AccountsStore {
  const limits = deps.mailLimits ?? DEFAULT_MAIL_LIMITS;
  const unitOf = (handle: AnyHandle): AccountsUnit => ({
    db: accountsDb(handle),
    shared: handle,
    audit: (entry, at) => recordAudit(handle, entry, at),
    mail: async (message, at) => {
      await enqueueMail(handle, message, at, deps.mailFrom, limits);
    },
  });
  return {
    ...unitOf(deps.db),
    transaction: (work) =>
      accountsDb(deps.db)
        .transaction()
        .execute((trx) => work(unitOf(trx))),
  };
}
