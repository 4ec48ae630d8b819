/**
 * The booking module's database handle, typed to its own tables (interview requests, their timeline, bookings, booked slots, links): a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` (a connection or a
 * transaction) and narrow it; what booking needs from another module it gets from that module's
 * exported functions, passing the same handle so the work stays in one transaction.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { BookingLinkTables } from "./link-tables.js";
import type { BookingTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the booking module's tables and no other. */
export type BookingDb = Kysely<BookingTables & BookingLinkTables>;

/**
 * The same connection or transaction, typed to the booking tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function bookingDb(handle: AnyHandle): BookingDb {
  return handle as unknown as BookingDb;
}
