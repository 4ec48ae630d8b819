/**
 * The slot lock: the no-double-booking invariant on its own.
 *
 * Invariant: two active booked slots of one interviewer never overlap (intervals are half-open,
 * so back-to-back slots do not), and no booking takes an interviewer past their per-day or
 * per-week limit (counted by local day and ISO week in their zone). `lockAndCheck` runs inside
 * the write transaction that then inserts the claims: on PostgreSQL it locks the interviewers'
 * membership rows `FOR UPDATE` in sorted order (two bookings of the same people queue, never
 * deadlock) and an exclusion constraint on `booked_slots` holds the overlap half even against a
 * bug here; on SQLite the transaction is BEGIN IMMEDIATE, one writer at a time.
 */
import { lockMembers } from "../accounts/reads.js";
import type { OrgId } from "../ids.js";
import type { Dialect } from "../store/database.js";
import { DAY_MS, resource, userOfResource } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { interviewerProfiles } from "./interviewers.js";
import { type LimitFacts, limitViolation, type SlotClaim } from "./problem.js";

/** Active booked slots of these people overlapping `range`, except one booking's. */
export async function bookedSlots(
  handle: AnyHandle,
  orgId: string,
  userIds: readonly string[],
  range: { start: number; end: number },
  exceptBookingId?: string,
): Promise<Map<string, { start: number; end: number }[]>> {
  const q = bookingDb(handle);
  const byUser = new Map<string, { start: number; end: number }[]>(userIds.map((u) => [u, []]));
  if (userIds.length === 0) return byUser;
  let query = q
    .selectFrom("booked_slots")
    .select(["resource", "starts_at", "ends_at"])
    .where("organisation_id", "=", orgId)
    .where("resource", "in", userIds.map(resource))
    .where("active", "=", 1)
    .where("starts_at", "<", range.end)
    .where("ends_at", ">", range.start);
  if (exceptBookingId !== undefined) query = query.where("booking_id", "!=", exceptBookingId);
  for (const r of await query.execute()) {
    byUser
      .get(userOfResource(r.resource))
      ?.push({ start: Number(r.starts_at), end: Number(r.ends_at) });
  }
  return byUser;
}

/**
 * Locks the claimed interviewers (see the header), then checks the claims against active
 * booked slots and load limits. Returns why it cannot book, or undefined. Call inside the
 * write transaction that inserts the claims.
 */
export async function lockAndCheck(
  handle: AnyHandle,
  dialect: Dialect,
  orgId: OrgId,
  claims: readonly SlotClaim[],
): Promise<string | undefined> {
  const trx = bookingDb(handle);
  const userIds = [...new Set(claims.map((c) => c.userId))].sort();
  if (dialect === "postgres") await lockMembers(trx, orgId, userIds);
  const profiles = await interviewerProfiles(trx, orgId, userIds);
  for (const claim of claims) {
    if (!profiles.has(claim.userId)) {
      return `${claim.userId} is no longer a member of the organisation`;
    }
    const overlap = await trx
      .selectFrom("booked_slots")
      .select("id")
      .where("organisation_id", "=", orgId)
      .where("resource", "=", resource(claim.userId))
      .where("active", "=", 1)
      .where("starts_at", "<", claim.end)
      .where("ends_at", ">", claim.start)
      .executeTakeFirst();
    if (overlap !== undefined) {
      return `${profiles.get(claim.userId)?.name ?? claim.userId} is already booked then`;
    }
  }
  const starts = claims.map((c) => c.start);
  const range = {
    start: Math.min(...starts) - 8 * DAY_MS,
    end: Math.max(...starts) + 8 * DAY_MS,
  };
  const booked = await bookedSlots(trx, orgId, userIds, range);
  for (const userId of userIds) {
    const profile = profiles.get(userId);
    if (profile === undefined) continue;
    const facts: LimitFacts = {
      userId,
      name: profile.name,
      timeZone: profile.timeZone,
      perDayLimit: profile.perDayLimit,
      perWeekLimit: profile.perWeekLimit,
      bookedStarts: (booked.get(userId) ?? []).map((b) => b.start),
    };
    const violation = limitViolation(facts, [...claims]);
    if (violation !== undefined) return violation;
  }
  return undefined;
}

/** Holds the claimed time for a booking (after `lockAndCheck` passed in this transaction). */
export async function insertSlots(
  handle: AnyHandle,
  orgId: OrgId,
  bookingId: string,
  claims: readonly SlotClaim[],
): Promise<void> {
  const trx = bookingDb(handle);
  if (claims.length === 0) return;
  await trx
    .insertInto("booked_slots")
    .values(
      claims.map((c) => ({
        organisation_id: orgId,
        booking_id: bookingId,
        resource: resource(c.userId),
        session_name: c.sessionName,
        starts_at: c.start,
        ends_at: c.end,
        active: 1,
      })),
    )
    .execute();
}

/** Frees every time a booking holds. */
export async function releaseSlots(
  handle: AnyHandle,
  orgId: OrgId,
  bookingId: string,
): Promise<void> {
  const trx = bookingDb(handle);
  await trx
    .updateTable("booked_slots")
    .set({ active: 0 })
    .where("organisation_id", "=", orgId)
    .where("booking_id", "=", bookingId)
    .where("active", "=", 1)
    .execute();
}

/** Frees one slot (an interviewer leaving a session). */
export async function releaseSlot(handle: AnyHandle, slotId: number | string): Promise<void> {
  const trx = bookingDb(handle);
  await trx
    .updateTable("booked_slots")
    .set({ active: 0 })
    .where("id", "=", Number(slotId))
    .execute();
}
