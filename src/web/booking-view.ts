/**
 * What the booking pages show, as plain data, and what they ask of the booking service. The
 * pages render these view models; `booking-adapter.ts` builds them from the booking module, so
 * neither the candidate's page nor the recruiter's reaches into the module's tables.
 *
 * Instants are RFC 3339; ranges are half-open.
 */
import type { FittedOptions } from "../booking/candidate-calendar.js";
import type { BookingLink } from "../booking/links.js";
import type { CandidateTimes } from "../booking/present.js";
import type { ErrorCode } from "../errors.js";

export interface OptionSessionView {
  name: string;
  startsAt: string;
  endsAt: string;
  /** Interviewers' names, as the candidate should see them. */
  interviewers: string[];
}

/** One way to hold the interview (every session of the loop). */
export interface OptionView {
  id: string;
  startsAt: string;
  endsAt: string;
  sessions: OptionSessionView[];
}

export interface SessionView {
  name: string;
  durationMinutes: number;
  /** Names of the named interviewers; empty when they are drawn from a pool. */
  interviewers: string[];
  /** "Video call", "On site: 1 Main St", … */
  format: string;
  /** The video call's address, shown as a link; null when there is none. */
  videoLink: string | null;
  /** Where it happens in person; null when it does not. */
  location: string | null;
}

export type CandidateStatus = "choosing" | "scheduled" | "cancelled" | "closed";

export interface CandidatePageView {
  organisationName: string;
  jobTitle: string;
  candidateName: string;
  /** The zone to show times in until the candidate picks one: theirs, else the request's. */
  defaultZone: string;
  status: CandidateStatus;
  sessions: SessionView[];
  /** The options on offer now (empty unless `status` is "choosing" or "scheduled"). */
  options: OptionView[];
  /** The booked times, when booked. */
  booked: OptionView | null;
  /** Where the "none of these work" grid starts, and how many days it shows. */
  grid: { firstDate: string; days: number };
}

export type BookAnswer =
  | { ok: true }
  /** Someone took the time first: the options open now. */
  | { ok: false; taken: true; options: OptionView[] }
  /**
   * Not bookable as asked (no such option, already booked): a message for the candidate, and
   * the error's code, whose status (src/web/errors.ts) the page answers with.
   */
  | { ok: false; taken: false; message: string; code: ErrorCode };

/** What the candidate's pages need from the booking service, given a live link. */
export interface CandidateBooking {
  view(link: BookingLink): Promise<CandidatePageView>;
  /** Fresh options for a reschedule (the booked times are free for this candidate). */
  rescheduleOptions(link: BookingLink): Promise<OptionView[]>;
  book(link: BookingLink, optionId: string, idempotencyKey: string): Promise<BookAnswer>;
  reschedule(link: BookingLink, optionId: string, idempotencyKey: string): Promise<BookAnswer>;
  cancel(link: BookingLink, reason: string | null): Promise<void>;
  proposeTimes(link: BookingLink, times: CandidateTimes): Promise<void>;
  /**
   * The options less those the candidate's connected calendar (if any) shows them busy for,
   * read now in `zone`; all of them, with the reason, when it cannot be read.
   */
  fitCalendar(
    link: BookingLink,
    options: OptionView[],
    zone: string,
  ): Promise<FittedOptions<OptionView>>;
  /** Reads the candidate's calendar address once and keeps it; bad input names `calendarUrl`. */
  connectCalendar(link: BookingLink, address: string, zone: string): Promise<void>;
  disconnectCalendar(link: BookingLink): Promise<void>;
  /**
   * The booked sessions as one iCalendar file for the candidate's own calendar (the same UIDs
   * as their invitations, so importing updates rather than doubles); null when none is booked.
   */
  calendarFile(link: BookingLink): Promise<string | null>;
}
