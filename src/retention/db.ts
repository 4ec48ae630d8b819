/**
 * The retention module's database handle, typed to its own tables (settings, runs): a query on
 * another module's table does not compile. What it removes elsewhere, the owning modules remove
 * through their own `retention.ts`.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { RetentionTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the retention module's tables and no other. */
export type RetentionDb = Kysely<RetentionTables>;

/** The same connection or transaction, typed to the retention tables (the module's one cast). */
export function retentionDb(handle: AnyHandle): RetentionDb {
  return handle as unknown as RetentionDb;
}
