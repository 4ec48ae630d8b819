/**
 * The marketing module's database handle, typed to its own tables: a query on another module's
 * table does not compile. Functions take the shared `AnyHandle` and narrow it.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { MarketingTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the marketing tables and no other. */
export type MarketingDb = Kysely<MarketingTables>;

/** The same connection or transaction, typed to the marketing tables (the module's one cast). */
export function marketingDb(handle: AnyHandle): MarketingDb {
  return handle as unknown as MarketingDb;
}
