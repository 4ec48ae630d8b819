/**
 * The port the rest of Ally uses to read a calendar: busy time for a range. Connectors (a local
 * .ics file, an ICS feed, CalDAV; later Google and Microsoft) implement it; they do the I/O and
 * leave reading iCalendar to the pure reader in `../ical.ts` and `../expand.ts`.
 */
import type { EpochMsInterval } from "../ical.js";
import type { InterviewEvent } from "../imip.js";

export type { EpochMsInterval } from "../ical.js";

/**
 * Busy time read from a source: half-open intervals (adjacent intervals do not overlap), clipped
 * to the range asked for, merged and sorted by start. `warnings` name events that were left out
 * (broken, unknown zone, ...) so a person can see why a time shows as free.
 */
export interface BusyRead {
  busy: EpochMsInterval[];
  warnings: string[];
}

export interface CalendarSource {
  /** What to call the source in output and messages; never a secret (no feed path, no password). */
  readonly label: string;
  /**
   * Busy time in `range`, with the semantics of ../shared/spec/slots.md point 6: transparent and
   * cancelled events are free; all-day and floating times are read in `options.zone`.
   * @throws ConnectorError when the source cannot be read.
   * @throws RangeError when `options.zone` is not an IANA zone (a bug in the caller).
   */
  busy(range: EpochMsInterval, options: { zone: string }): Promise<BusyRead>;
}

/**
 * Where an event Ally wrote lives on a provider: a CalDAV object URL, a Google or Microsoft
 * event id; with the version Ally last wrote (HTTP ETag, Google etag, Graph changeKey).
 */
export interface EventReference {
  ref: string;
  etag?: string;
}

export interface EventWriteResult extends EventReference {
  /**
   * The event had been changed (or deleted) on the calendar since Ally last wrote it; Ally's
   * version replaced it, because the booking is the source of truth.
   */
  changedOnServer: boolean;
}

/**
 * The port for putting Ally's events on a calendar, keyed by the event's iCalendar UID: the
 * caller keeps the reference it gets back (calendar_event_links) so that a reschedule updates
 * and a cancellation removes the same event. Writers never send invitations themselves: Ally
 * sends them by email (iMIP), so events go to providers without attendees that the provider
 * would mail.
 */
export interface EventWriter {
  /** What to call the calendar in messages; never a secret. */
  readonly label: string;
  /**
   * Creates the event, or replaces it at `existing`. Safe to retry after a lost answer.
   * @throws ConnectorError when the calendar cannot be written.
   */
  upsert(
    event: InterviewEvent,
    options: { dtstampEpochMs: number; existing?: EventReference },
  ): Promise<EventWriteResult>;
  /**
   * Deletes the event; an event that is already gone counts as deleted.
   * @throws ConnectorError when the calendar cannot be written.
   */
  remove(existing: EventReference): Promise<void>;
}

export type ConnectorErrorCode =
  /** No answer, a network failure, a timeout, or a server error (5xx). */
  | "CALENDAR_UNREACHABLE"
  /** The server refused the credentials (401/403), or the file may not be read. */
  | "CALENDAR_AUTH_FAILED"
  /** No such calendar, feed or file (404/410, ENOENT). */
  | "CALENDAR_NOT_FOUND"
  /** An answer that is not iCalendar, or not a CalDAV calendar. */
  | "CALENDAR_INVALID"
  /** The server asked us to slow down (429). */
  | "CALENDAR_RATE_LIMITED";

/**
 * A calendar source that could not be read. The message is for a person, names the source by
 * its label or host, and never contains a password, token or secret feed path.
 */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  /** How long the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  /**
   * The failure will not go away by trying again (a revoked or expired grant): only the person
   * can fix it, so it is reported at once rather than after a second try.
   */
  readonly permanent: boolean;

  constructor(
    code: ConnectorErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ConnectorError";
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}
