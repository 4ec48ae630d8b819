/**
 * The privacy module's database handle, typed to its own tables (the audit log, erasure
 * tombstones and proofs, data-subject requests): a query on another module's table does not
 * compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what privacy needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { PrivacyTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the privacy module's tables and no other. */
export type PrivacyDb = Kysely<PrivacyTables>;

/**
 * The same connection or transaction, typed to the privacy tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function privacyDb(handle: AnyHandle): PrivacyDb {
  return handle as unknown as PrivacyDb;
}
