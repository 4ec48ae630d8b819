/**
 * Tables owned by the booking module: interview requests and their timeline, bookings, and the
 * booked slots that hold interviewers' time. A booked slot is half-open `[starts_at, ends_at)`
 * in epoch milliseconds; two active slots of one resource never overlap (on PostgreSQL an
 * exclusion constraint says so too).
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export const REQUEST_STATUSES = [
  "draft",
  "awaiting_candidate",
  "scheduled",
  "rescheduling",
  "cancelled",
  "completed",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface InterviewRequestsTable {
  id: string;
  organisation_id: string;
  candidate_id: string;
  job_id: string;
  loop_template_id: string | null;
  /** JSON: RequestSession[] (see schemas.ts), in order. */
  sessions: string;
  session_order: "fixed" | "any";
  max_gap_minutes: number;
  window_start: number;
  window_end: number;
  /** The candidate's IANA zone: the start grid and "reasonable hours" are read in it. */
  time_zone: string;
  /** JSON: CandidateHours (candidate-hours.ts), the hours the candidate is offered; null: default. */
  candidate_hours: string | null;
  location: string | null;
  video_link: string | null;
  notes: string | null;
  status: RequestStatus;
  created_by: string;
  /** JSON: Option[] offered to the candidate, or null before `offer`. */
  offered_options: string | null;
  offered_at: number | null;
  created_at: number;
  updated_at: number;
  scheduled_at: number | null;
}

export type EventActorKind = "user" | "candidate" | "system";

export interface RequestEventsTable {
  id: Generated<number>;
  organisation_id: string;
  request_id: string;
  at: number;
  actor_kind: EventActorKind;
  actor_id: string | null;
  kind: string;
  /** JSON object; what happened, e.g. the booked times. */
  detail: string;
  /** A reschedule's idempotency key, unique per organisation (null otherwise). */
  idempotency_key: string | null;
}

export interface BookingsTable {
  id: string;
  organisation_id: string;
  request_id: string;
  /** RFC 5545 UID of the calendar event; stays the same across reschedules. */
  ical_uid: string;
  /** RFC 5545 SEQUENCE: 0 when booked, +1 on each reschedule or cancellation. */
  sequence: number;
  status: "active" | "cancelled";
  idempotency_key: string;
  created_at: number;
  updated_at: number;
}

export interface BookedSlotsTable {
  id: Generated<number>;
  organisation_id: string;
  booking_id: string;
  /** What the slot holds, e.g. `user:<id>`. */
  resource: string;
  session_name: string;
  starts_at: number;
  ends_at: number;
  /** 1 while it holds the time, 0 after a reschedule or cancellation. */
  active: number;
}

export const ATTENDEE_PARTSTATS = ["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"] as const;
export type AttendeePartstat = (typeof ATTENDEE_PARTSTATS)[number];

/**
 * What each attendee of a booked session last answered to its invitation (an iMIP REPLY), one
 * row per booking, session and email address.
 */
export interface AttendeeResponsesTable {
  id: Generated<number>;
  organisation_id: string;
  booking_id: string;
  /** 0-based index of the session in the request's `sessions` list. */
  session_index: number;
  /** Lower case. */
  attendee_email: string;
  /** The interviewer's user id; null for the candidate. */
  user_id: string | null;
  partstat: AttendeePartstat;
  /** The invitation's SEQUENCE the answer was to. */
  sequence: number;
  updated_at: number;
}

/**
 * A calendar the candidate connected on their booking page, one per request: its secret ICS
 * address, sealed (bound to the row), read to hide the options they are busy for.
 */
export interface CandidateCalendarsTable {
  id: string;
  organisation_id: string;
  request_id: string;
  /** The feed's address, sealed with the SecretStore (secrets/sealed-columns.ts). */
  url: string;
  /** The feed's host only: the address's path is the secret. */
  label: string;
  created_at: number;
  last_read_at: number | null;
  /** Why the last read failed; null after one that worked. */
  last_error: string | null;
}

export interface BookingTables {
  interview_requests: InterviewRequestsTable;
  request_events: RequestEventsTable;
  bookings: BookingsTable;
  booked_slots: BookedSlotsTable;
  attendee_responses: AttendeeResponsesTable;
  candidate_calendars: CandidateCalendarsTable;
}

const candidacy = "arrange this candidate's interviews for the customer";
const ownCalendar = "hide the times the candidate's own calendar shows them busy for";
const scheduling = "hold interviewers' time for booked interviews";

export const bookingDataMap: TableNotes<BookingTables> = {
  interview_requests: {
    id: notPersonal,
    organisation_id: notPersonal,
    candidate_id: notPersonal,
    job_id: notPersonal,
    loop_template_id: notPersonal,
    sessions: personal("recruiting", candidacy, "customer"),
    session_order: notPersonal,
    max_gap_minutes: notPersonal,
    window_start: personal("recruiting", candidacy, "customer"),
    window_end: personal("recruiting", candidacy, "customer"),
    time_zone: personal("recruiting", candidacy, "customer"),
    candidate_hours: notPersonal,
    location: personal("recruiting", candidacy, "customer"),
    video_link: personal("recruiting", candidacy, "customer"),
    notes: personal("recruiting", candidacy, "customer"),
    status: personal("recruiting", candidacy, "customer"),
    created_by: notPersonal,
    offered_options: personal("recruiting", candidacy, "customer"),
    offered_at: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
    scheduled_at: personal("recruiting", candidacy, "customer"),
  },
  request_events: {
    id: notPersonal,
    organisation_id: notPersonal,
    request_id: notPersonal,
    at: notPersonal,
    actor_kind: notPersonal,
    actor_id: notPersonal,
    kind: notPersonal,
    detail: personal("recruiting", candidacy, "customer"),
    idempotency_key: notPersonal,
  },
  bookings: {
    id: notPersonal,
    organisation_id: notPersonal,
    request_id: notPersonal,
    ical_uid: notPersonal,
    sequence: notPersonal,
    status: notPersonal,
    idempotency_key: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
  },
  booked_slots: {
    id: notPersonal,
    organisation_id: notPersonal,
    booking_id: notPersonal,
    resource: personal("employment", scheduling, "customer"),
    session_name: notPersonal,
    starts_at: personal("employment", scheduling, "customer"),
    ends_at: personal("employment", scheduling, "customer"),
    active: notPersonal,
  },
  attendee_responses: {
    id: notPersonal,
    organisation_id: notPersonal,
    booking_id: notPersonal,
    session_index: notPersonal,
    attendee_email: personal("contact", candidacy, "customer"),
    user_id: notPersonal,
    partstat: personal("recruiting", candidacy, "customer"),
    sequence: notPersonal,
    updated_at: notPersonal,
  },
  candidate_calendars: {
    id: notPersonal,
    organisation_id: notPersonal,
    request_id: notPersonal,
    url: personal("recruiting", ownCalendar, "customer"),
    label: personal("recruiting", ownCalendar, "customer"),
    created_at: notPersonal,
    last_read_at: notPersonal,
    last_error: personal("recruiting", ownCalendar, "customer"),
  },
};
