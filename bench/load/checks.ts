/**
 * What must hold after the load, checked in SQL on the database itself: no two active booked
 * slots of one interviewer overlap, and each hot slot's group of requests has exactly one
 * booking.
 */
import { sql } from "kysely";
import type { Store } from "../../src/store/database.js";
import type { BookTarget } from "./seed.js";

export interface Checks {
  /** Pairs of active slots of one interviewer that overlap (must be 0). */
  overlaps: number;
  /** Active bookings in the organisation. */
  bookings: number;
  /** Bookings per hot group, by group (each must be 1). */
  winnersPerHotSlot: number[];
}

export async function checkBookings(store: Store, hot: readonly BookTarget[]): Promise<Checks> {
  const overlaps = await sql<{ n: number | string }>`
    SELECT count(*) AS n FROM booked_slots a JOIN booked_slots b
      ON a.resource = b.resource AND a.id < b.id
     AND a.active = 1 AND b.active = 1
     AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`.execute(store.db);
  const booked = await store.db
    .selectFrom("bookings")
    .select("request_id")
    .where("status", "=", "active")
    .execute();
  const bookedRequests = new Set(booked.map((b) => b.request_id));
  const groups = new Map<number, number>();
  for (const target of hot) {
    const group = target.group ?? 0;
    groups.set(group, (groups.get(group) ?? 0) + (bookedRequests.has(target.requestId) ? 1 : 0));
  }
  return {
    overlaps: Number(overlaps.rows[0]?.n ?? Number.NaN),
    bookings: booked.length,
    winnersPerHotSlot: [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n),
  };
}

/** How many of `targets` are booked. */
export async function bookedAmong(store: Store, targets: readonly BookTarget[]): Promise<number> {
  const booked = await store.db
    .selectFrom("bookings")
    .select("request_id")
    .where("status", "=", "active")
    .execute();
  const ids = new Set(booked.map((b) => b.request_id));
  return targets.filter((t) => ids.has(t.requestId)).length;
}
