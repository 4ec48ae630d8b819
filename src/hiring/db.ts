/**
 * The hiring module's database handle, typed to its own tables (candidates, jobs, pools, loop templates, interviewer profiles): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what hiring needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { HiringTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the hiring module's tables and no other. */
export type HiringDb = Kysely<HiringTables>;

/**
 * The same connection or transaction, typed to the hiring tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function hiringDb(handle: AnyHandle): HiringDb {
  return handle as unknown as HiringDb;
}
