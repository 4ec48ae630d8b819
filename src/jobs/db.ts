/**
 * The jobs module's database handle, typed to its own tables (scheduled jobs): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what jobs needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { JobsTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the jobs module's tables and no other. */
export type JobsDb = Kysely<JobsTables>;

/**
 * The same connection or transaction, typed to the jobs tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function jobsDb(handle: AnyHandle): JobsDb {
  return handle as unknown as JobsDb;
}
