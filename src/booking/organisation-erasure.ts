/**
 * The booking module's part of erasing a closed organisation (accounts/org-closure.ts): every
 * interview request, its timeline, bookings, booked slots, attendee answers, candidate
 * calendars and booking links, deleted by the module itself in the closing's transaction.
 * Returns rows deleted per table, never what they held.
 */

import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, bookingDb } from "./db.js";

/** Children before the rows they refer to. */
const TABLES = [
  "attendee_responses",
  "booked_slots",
  "candidate_calendars",
  "booking_links",
  "bookings",
  "request_events",
  "interview_requests",
] as const;

/**
 * Deletes the organisation's booking rows.
 * @example await eraseBookingOfOrganisation(trx, orgId) // { tables: { bookings: 3, … } }
 */
export async function eraseBookingOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  return { tables: await deleteOrganisationRows(bookingDb(handle), TABLES, orgId) };
}
