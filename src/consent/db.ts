/**
 * The consent module's database handle, typed to its own tables (consent records, page views):
 * a query on another module's table does not compile.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { ConsentTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the consent module's tables and no other. */
export type ConsentDb = Kysely<ConsentTables>;

/** The same connection or transaction, typed to the consent tables (the module's one cast). */
export function consentDb(handle: AnyHandle): ConsentDb {
  return handle as unknown as ConsentDb;
}
