/**
 * The calendar module's database handle, typed to its own tables (connections, busy blocks, event writes and links, push channels, OAuth states): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what calendar needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { CalendarTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the calendar module's tables and no other. */
export type CalendarDb = Kysely<CalendarTables>;

/**
 * The same connection or transaction, typed to the calendar tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function calendarDb(handle: AnyHandle): CalendarDb {
  return handle as unknown as CalendarDb;
}
