/**
 * What the booking module holds about one candidate, for their access package (privacy
 * requests): their interview requests and bookings as records, and the booked sessions as one
 * iCalendar file that any calendar opens. The events are written by the calendar module's
 * writer (calendar/imip.ts) with the UIDs Ally gave them on calendars and in invitations, so an
 * import updates what the person already has rather than doubling it.
 */

import type { Selectable } from "kysely";
import {
  buildCalendarObject,
  type InterviewEvent,
  type Person,
  sessionUid,
} from "../calendar/imip.js";
import { mintOrgId, type OrgId } from "../ids.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { sessionIndexes } from "./effects.js";
import { bookingOf, sessionsOf, toBooking } from "./request-repository.js";
import type { BookingTables } from "./tables.js";

export interface CandidateInterviews {
  /** One record per interview request, with its booking's sessions when booked. */
  records: Array<Record<string, unknown>>;
  /** One VCALENDAR holding a VEVENT per booked session, or null when nothing is booked. */
  ics: string | null;
}

export interface InterviewsCalendarOptions {
  /** The candidate, as the attendee of every event. */
  attendee: Person;
  /** Who the events are from (the organisation via Ally). */
  organizer: Person;
  /** The host part of the session UIDs: the public URL's host name. */
  host: string;
  dtstampEpochMs: number;
}

const epoch = (iso: string) => Date.parse(iso);

/**
 * Joins single-event calendars (as `buildCalendarObject` writes them) into one VCALENDAR: the
 * VEVENT blocks of each, under one header. Pure.
 * @example oneCalendar([a, b]) // "BEGIN:VCALENDAR\r\n…BEGIN:VEVENT…END:VEVENT\r\nBEGIN:VEVENT…END:VCALENDAR\r\n"
 */
export function oneCalendar(objects: readonly string[]): string | null {
  const first = objects[0];
  if (first === undefined) return null;
  const header = first.slice(0, first.indexOf("BEGIN:VEVENT\r\n"));
  const events = objects.map((object) => {
    const start = object.indexOf("BEGIN:VEVENT\r\n");
    const end = object.lastIndexOf("END:VEVENT\r\n") + "END:VEVENT\r\n".length;
    return object.slice(start, end);
  });
  return `${header}${events.join("")}END:VCALENDAR\r\n`;
}

type RequestRow = Selectable<BookingTables["interview_requests"]>;
type Booked = Awaited<ReturnType<typeof toBooking>>;

/** One calendar object per booked session, with the UIDs Ally gave them everywhere else. */
function sessionObjects(
  request: RequestRow,
  booking: Booked,
  options: InterviewsCalendarOptions,
): string[] {
  const where = request.location ?? request.video_link ?? undefined;
  const names = sessionsOf(request).map((s) => s.name);
  const indexes = sessionIndexes(names, booking.sessions);
  return booking.sessions.map((session, position) => {
    const event: InterviewEvent = {
      uid: sessionUid(booking.icalUid, indexes[position] ?? position, options.host),
      sequence: booking.sequence,
      time: { startEpochMs: epoch(session.startsAt), endEpochMs: epoch(session.endsAt) },
      summary: `Interview: ${session.name}`,
      ...(where === undefined ? {} : { location: where }),
      organizer: options.organizer,
      attendees: [options.attendee],
    };
    return buildCalendarObject(event, { dtstampEpochMs: options.dtstampEpochMs });
  });
}

/**
 * One request's booked sessions as a VCALENDAR (the candidate's "add to calendar" file), or
 * null when nothing is booked on it now.
 */
export async function requestCalendar(
  handle: AnyHandle,
  orgId: OrgId,
  requestId: string,
  options: InterviewsCalendarOptions,
): Promise<string | null> {
  const db = bookingDb(handle);
  const request = await db
    .selectFrom("interview_requests")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", requestId)
    .executeTakeFirst();
  if (request === undefined) return null;
  const row = await bookingOf(db, orgId, request.id);
  const booking = row === undefined ? undefined : await toBooking(db, orgId, row);
  if (booking === undefined || booking.status !== "active") return null;
  return oneCalendar(sessionObjects(request, booking, options));
}

/**
 * The candidate's interview requests and booked sessions in one organisation, given the ids of
 * the organisation's candidate records for them (hiring/person-ids.ts).
 */
export async function candidateInterviews(
  handle: AnyHandle,
  organisationId: string,
  candidateIds: readonly string[],
  options: InterviewsCalendarOptions,
): Promise<CandidateInterviews> {
  if (candidateIds.length === 0) return { records: [], ics: null };
  const orgId = mintOrgId(organisationId);
  const db = bookingDb(handle);
  const requests = await db
    .selectFrom("interview_requests")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("candidate_id", "in", [...candidateIds])
    .orderBy("created_at")
    .execute();
  const records: Array<Record<string, unknown>> = [];
  const objects: string[] = [];
  for (const request of requests) {
    const row = await bookingOf(db, orgId, request.id);
    const booking = row === undefined ? undefined : await toBooking(db, orgId, row);
    records.push({
      status: request.status,
      timeZone: request.time_zone,
      location: request.location,
      videoLink: request.video_link,
      createdAt: new Date(Number(request.created_at)).toISOString(),
      booking:
        booking === undefined
          ? null
          : {
              status: booking.status,
              sessions: booking.sessions.map((s) => ({
                name: s.name,
                startsAt: s.startsAt,
                endsAt: s.endsAt,
              })),
            },
    });
    if (booking === undefined || booking.status !== "active") continue;
    objects.push(...sessionObjects(request, booking, options));
  }
  return { records, ics: oneCalendar(objects) };
}
