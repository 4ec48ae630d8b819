/**
 * Booked interviews that have ended, for the modules that follow up on them (surveys): each
 * active booking whose last active session ended within a window, with its request's job and
 * candidate and the interviewers who held time for it. A cancelled booking has no active slots
 * and is never listed.
 */

import { userOfResource } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";

export interface EndedInterview {
  bookingId: string;
  organisationId: string;
  requestId: string;
  jobId: string;
  candidateId: string;
  /** Epoch ms: the end of the last session. */
  endedAt: number;
  interviewerIds: string[];
}

/**
 * Active bookings whose last session ended in `(endedAfter, endedUntil]`, oldest first.
 * @example await endedInterviews(db, { endedAfter: now - 7 * DAY_MS, endedUntil: now })
 */
export async function endedInterviews(
  handle: AnyHandle,
  window: { endedAfter: number; endedUntil: number },
  limit = 500,
): Promise<EndedInterview[]> {
  const db = bookingDb(handle);
  const ended = await db
    .selectFrom("booked_slots")
    .innerJoin("bookings", "bookings.id", "booked_slots.booking_id")
    .innerJoin("interview_requests", "interview_requests.id", "bookings.request_id")
    .select((eb) => [
      "bookings.id as booking_id",
      "bookings.organisation_id",
      "bookings.request_id",
      "interview_requests.job_id",
      "interview_requests.candidate_id",
      eb.fn.max("booked_slots.ends_at").as("ended_at"),
    ])
    .where("bookings.status", "=", "active")
    .where("booked_slots.active", "=", 1)
    .groupBy([
      "bookings.id",
      "bookings.organisation_id",
      "bookings.request_id",
      "interview_requests.job_id",
      "interview_requests.candidate_id",
    ])
    .having((eb) => eb.fn.max("booked_slots.ends_at"), ">", window.endedAfter)
    .having((eb) => eb.fn.max("booked_slots.ends_at"), "<=", window.endedUntil)
    .orderBy("ended_at")
    .limit(limit)
    .execute();
  if (ended.length === 0) return [];
  const slots = await db
    .selectFrom("booked_slots")
    .select(["booking_id", "resource"])
    .where(
      "booking_id",
      "in",
      ended.map((row) => row.booking_id),
    )
    .where("active", "=", 1)
    .execute();
  const people = new Map<string, Set<string>>();
  for (const slot of slots) {
    const set = people.get(slot.booking_id) ?? new Set<string>();
    set.add(userOfResource(slot.resource));
    people.set(slot.booking_id, set);
  }
  return ended.map((row) => ({
    bookingId: row.booking_id,
    organisationId: row.organisation_id,
    requestId: row.request_id,
    jobId: row.job_id,
    candidateId: row.candidate_id,
    endedAt: Number(row.ended_at),
    interviewerIds: [...(people.get(row.booking_id) ?? [])].sort(),
  }));
}

/** Whether the booking is still active (not cancelled since). */
export async function isBookingActive(
  handle: AnyHandle,
  organisationId: string,
  bookingId: string,
): Promise<boolean> {
  const row = await bookingDb(handle)
    .selectFrom("bookings")
    .select("status")
    .where("organisation_id", "=", organisationId)
    .where("id", "=", bookingId)
    .executeTakeFirst();
  return row?.status === "active";
}
