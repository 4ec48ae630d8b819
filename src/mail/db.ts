/**
 * The mail module's database handle, typed to its own tables (the outbox and inbound mail): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what mail needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { MailTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the mail module's tables and no other. */
export type MailDb = Kysely<MailTables>;

/**
 * The same connection or transaction, typed to the mail tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function mailDb(handle: AnyHandle): MailDb {
  return handle as unknown as MailDb;
}
