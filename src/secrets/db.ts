/**
 * The secrets module's database handle, typed to its own tables (data keys): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what secrets needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { SecretsTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the secrets module's tables and no other. */
export type SecretsDb = Kysely<SecretsTables>;

/**
 * The same connection or transaction, typed to the secrets tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function secretsDb(handle: AnyHandle): SecretsDb {
  return handle as unknown as SecretsDb;
}
