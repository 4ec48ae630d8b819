/**
 * Microsoft 365 / Exchange Online connector over Microsoft Graph v1.0: busy time through
 * `POST /me/calendar/getSchedule` (or `calendarView` for personal accounts, which getSchedule
 * does not support, and for calendars other than the default one), incremental changes through `calendarView/delta`, and events
 * created, updated, cancelled and deleted on the user's calendar (Exchange mails the attendees
 * itself; Graph has no `sendUpdates`).
 *
 * Protocol facts this module relies on (learn.microsoft.com/graph):
 * - Graph writes times as a `dateTime` without offset plus a `timeZone`. The zone is the one
 *   asked for with `Prefer: outlook.timezone="…"`, or UTC; but it can be a Windows zone name
 *   ("Pacific Standard Time"), which is mapped to IANA with CLDR's table before the local time
 *   is turned into an instant (RFC 5545 rules for gaps and overlaps: "compatible").
 * - getSchedule answers `value[].scheduleItems[{status, start, end}]` with status `free`,
 *   `tentative`, `busy`, `oof`, `workingElsewhere` or `unknown`, or `value[].error`.
 * - calendarView/delta pages through absolute `@odata.nextLink` URLs and ends a round with
 *   `@odata.deltaLink`, which starts the next round. Removed events carry `@removed`. An
 *   expired delta token answers 410 (sync state not found): sync again in full.
 * - Throttling is 429 (sometimes 503) with `Retry-After`.
 *
 * Busy statuses, a product decision: `busy`, `oof` and `tentative` block time (a tentative
 * meeting is one the person may attend; booking over it is the double-booking complaint peers
 * get), and so does `unknown` (Exchange could not say; guessing free would be the wrong kind of
 * mistake). `free` and `workingElsewhere` do not block: working elsewhere is availability, and
 * Graph itself shows it as 0 (free) in `availabilityView`.
 */

import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import { ianaFromWindowsZone } from "../windows-zones.js";
import { clipMergeSort, withOneTokenRetry } from "./google.js";
import { errorForResponse, type HttpClient, type HttpResponse, parseJsonBody } from "./http.js";
import type { AccessTokenSource } from "./oauth.js";
import {
  type BusyRead,
  type CalendarSource,
  ConnectorError,
  type EpochMsInterval,
} from "./types.js";

export const MICROSOFT_GRAPH_API = "https://graph.microsoft.com/v1.0";

/** getSchedule answers for at most a few weeks at a time; longer ranges are asked in pieces. */
const SCHEDULE_CHUNK_MS = 31 * 24 * 60 * 60 * 1000;

export type ScheduleStatus = "free" | "tentative" | "busy" | "oof" | "workingElsewhere" | "unknown";

/** See the module header for why each status is or is not busy. */
export const BLOCKING_STATUSES: ReadonlySet<string> = new Set<ScheduleStatus>([
  "busy",
  "oof",
  "tentative",
  "unknown",
]);

export interface MicrosoftCalendarOptions {
  http: HttpClient;
  /** Usually `accessTokenProvider(...)`; asked again with `rejected` after a 401. */
  accessToken: AccessTokenSource;
  /** The user's SMTP address: getSchedule asks by address, even for oneself. */
  scheduleId: string;
  /** Calendar that receives Ally's events; default the user's primary calendar. */
  calendarId?: string;
  /** Default https://graph.microsoft.com/v1.0 */
  baseUrl?: string;
  /** Shown in messages; never a secret. Default "Microsoft 365 calendar". */
  label?: string;
  /**
   * Where busy time comes from. `getSchedule` (default) covers the mailbox's default calendar
   * and works for work and school accounts only; `calendarView` reads the events of
   * `busyCalendarIds` (default: the primary calendar) and works for personal Microsoft
   * accounts too, which getSchedule does not support.
   */
  busyFrom?: "getSchedule" | "calendarView";
  /**
   * Calendar ids (from `GET /me/calendars`) that count as busy when `busyFrom` is
   * `calendarView`; default the user's default calendar alone.
   */
  busyCalendarIds?: readonly string[];
}

/** Graph's `dateTimeTimeZone`. */
export interface GraphDateTime {
  dateTime: string;
  timeZone: string;
}

/** One changed event from a delta round. */
export interface MicrosoftEventChange {
  id: string;
  /** Deleted, or moved out of the window (`@removed`). Only `id` is set then. */
  removed: boolean;
  start?: number;
  /** Exclusive. */
  end?: number;
  isAllDay: boolean;
  isCancelled: boolean;
  /** `free`, `tentative`, `busy`, `oof`, `workingElsewhere`, `unknown`. */
  showAs?: string;
  /** `singleInstance`, `occurrence`, `exception`, `seriesMaster`. */
  type?: string;
  seriesMasterId?: string;
  subject?: string;
}

export type MicrosoftChanges =
  | {
      kind: "changes";
      events: MicrosoftEventChange[];
      /** Store it; pass it as `deltaLink` next time. It is an opaque URL with a token in it. */
      deltaLink: string;
      warnings: string[];
    }
  /** The delta token expired (410): forget what was synced and start a new round. */
  | { kind: "full-resync-needed" };

export interface MicrosoftNewEvent {
  subject: string;
  /** Plain text. */
  body?: string;
  location?: string;
  /** Half-open: `endEpochMs` is exclusive. */
  time: EpochMsInterval;
  attendees: { email: string; name?: string; optional?: boolean }[];
  /**
   * Graph's idempotency key for creates: a retried POST with the same `transactionId` does
   * not create a second event. With one, a create is retried after a lost answer.
   */
  transactionId?: string;
}

export type MicrosoftEventPatch = Partial<Omit<MicrosoftNewEvent, "transactionId">>;

export interface MicrosoftWrittenEvent {
  id: string;
  iCalUId?: string;
  changeKey?: string;
  webLink?: string;
}

/**
 * The instant a Graph `dateTimeTimeZone` names. `timeZone` may be IANA, a Windows zone name,
 * or Graph's `tzone://Microsoft/Utc`. `undefined` when the zone is unknown (e.g. a custom
 * Exchange zone, `tzone://Microsoft/Custom`) or the date-time is unreadable.
 *
 * @example graphDateTimeToEpochMs({ dateTime: "2026-12-01T09:00:00.0000000", timeZone: "Pacific Standard Time" }) // Date.UTC(2026, 11, 1, 17)
 */
export function graphDateTimeToEpochMs(value: GraphDateTime): number | undefined {
  const text = value.dateTime.trim();
  if (/(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const epochMs = Date.parse(text);
    return Number.isNaN(epochMs) ? undefined : epochMs;
  }
  const zone = ianaZone(value.timeZone);
  if (zone === undefined) return undefined;
  try {
    return Temporal.PlainDateTime.from(text)
      .toZonedDateTime(zone, { disambiguation: "compatible" })
      .toInstant().epochMilliseconds;
  } catch {
    return undefined;
  }
}

function ianaZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (/^tzone:\/\/Microsoft\/Utc$/i.test(trimmed)) return "UTC";
  const windows = ianaFromWindowsZone(trimmed);
  if (windows !== undefined) return windows;
  try {
    return Temporal.ZonedDateTime.from({ year: 2000, month: 1, day: 1, timeZone: trimmed })
      .timeZoneId;
  } catch {
    return undefined;
  }
}

/** Graph's `dateTimeTimeZone` for an instant, written in UTC. */
function utcDateTime(epochMs: number): GraphDateTime {
  return { dateTime: new Date(epochMs).toISOString().replace(/Z$/, ""), timeZone: "UTC" };
}

export class MicrosoftCalendar implements CalendarSource {
  readonly label: string;
  private readonly http: HttpClient;
  private readonly accessToken: AccessTokenSource;
  private readonly scheduleId: string;
  private readonly busyFrom: "getSchedule" | "calendarView";
  private readonly busyCalendarIds: readonly (string | undefined)[];
  private readonly calendarId: string | undefined;
  private readonly baseUrl: string;

  constructor(options: MicrosoftCalendarOptions) {
    this.http = options.http;
    this.accessToken = options.accessToken;
    this.scheduleId = options.scheduleId;
    this.calendarId = options.calendarId;
    this.baseUrl = (options.baseUrl ?? MICROSOFT_GRAPH_API).replace(/\/+$/, "");
    this.label = options.label ?? "Microsoft 365 calendar";
    this.busyFrom = options.busyFrom ?? "getSchedule";
    this.busyCalendarIds = options.busyCalendarIds ?? [undefined];
  }

  /**
   * Busy time in `range`: merged, sorted, clipped, from getSchedule or calendarView (see
   * `busyFrom`), asked in UTC. Items whose time cannot be read (an unknown zone) are left out
   * with a warning naming them.
   */
  async busy(range: EpochMsInterval, _options?: { zone: string }): Promise<BusyRead> {
    if (range.endEpochMs <= range.startEpochMs) return { busy: [], warnings: [] };
    return this.busyFrom === "calendarView"
      ? this.busyFromCalendarView(range)
      : this.busyFromSchedule(range);
  }

  private async busyFromSchedule(range: EpochMsInterval): Promise<BusyRead> {
    const intervals: EpochMsInterval[] = [];
    const warnings: string[] = [];
    for (let from = range.startEpochMs; from < range.endEpochMs; from += SCHEDULE_CHUNK_MS) {
      const to = Math.min(range.endEpochMs, from + SCHEDULE_CHUNK_MS);
      const body = await this.call("POST", this.url("/me/calendar/getSchedule"), {
        body: {
          schedules: [this.scheduleId],
          startTime: utcDateTime(from),
          endTime: utcDateTime(to),
          availabilityViewInterval: 15,
        },
        idempotent: true,
      });
      const schedules = field(body, "value");
      if (!Array.isArray(schedules)) throw invalid("getSchedule answer has no value list");
      const schedule =
        schedules.find(
          (entry) =>
            String(field(entry, "scheduleId") ?? "").toLowerCase() ===
            this.scheduleId.toLowerCase(),
        ) ?? schedules[0];
      if (schedule === undefined) throw invalid("getSchedule answered no schedule");
      const error = field(schedule, "error");
      if (isRecord(error)) throw scheduleError(error);
      const items = field(schedule, "scheduleItems") ?? [];
      if (!Array.isArray(items)) throw invalid("scheduleItems is not a list");
      for (const item of items) {
        const status = String(field(item, "status") ?? "unknown");
        if (!BLOCKING_STATUSES.has(status.charAt(0).toLowerCase() + status.slice(1))) continue;
        const start = readTime(field(item, "start"));
        const end = readTime(field(item, "end"));
        if (start === undefined || end === undefined) {
          warnings.push(
            `${this.label}: a ${status} item has a time Ally cannot read (${describeTime(field(item, "start"))}); left out`,
          );
          continue;
        }
        intervals.push({ startEpochMs: start, endEpochMs: end });
      }
    }
    return { busy: clipMergeSort(intervals, range), warnings };
  }

  /**
   * Busy time from the events of each chosen calendar in `range` (occurrences of series
   * expanded by Graph), following `@odata.nextLink`. Cancelled events and events shown as free
   * or working elsewhere do not block.
   */
  private async busyFromCalendarView(range: EpochMsInterval): Promise<BusyRead> {
    const intervals: EpochMsInterval[] = [];
    const warnings: string[] = [];
    for (const calendarId of this.busyCalendarIds) {
      const query = new URLSearchParams({
        startDateTime: new Date(range.startEpochMs).toISOString(),
        endDateTime: new Date(range.endEpochMs).toISOString(),
        $select: "showAs,isCancelled,start,end",
        $top: "100",
      });
      let url: string | undefined = this.url(
        `${this.calendarPath(calendarId)}/calendarView?${query}`,
      );
      while (url !== undefined) {
        const body = await this.call("GET", url, { idempotent: true });
        const items = field(body, "value") ?? [];
        if (!Array.isArray(items)) throw invalid("calendarView value is not a list");
        for (const item of items) {
          const showAs = String(field(item, "showAs") ?? "unknown");
          if (field(item, "isCancelled") === true || !BLOCKING_STATUSES.has(showAs)) continue;
          const start = readTime(field(item, "start"));
          const end = readTime(field(item, "end"));
          if (start === undefined || end === undefined) {
            warnings.push(
              `${this.label}: an event has a time Ally cannot read (${describeTime(field(item, "start"))}); left out`,
            );
            continue;
          }
          intervals.push({ startEpochMs: start, endEpochMs: end });
        }
        const next = field(body, "@odata.nextLink");
        url = typeof next === "string" ? this.checkedLink(next) : undefined;
      }
    }
    return { busy: clipMergeSort(intervals, range), warnings };
  }

  /**
   * One delta round over `calendarView` in `window`: from `deltaLink` when given (incremental),
   * else a new round (full). Follows every `@odata.nextLink`.
   */
  async listChanges(
    options: { deltaLink?: string; window?: EpochMsInterval; pageSize?: number } = {},
  ): Promise<MicrosoftChanges> {
    let url: string;
    if (options.deltaLink !== undefined) {
      url = this.checkedLink(options.deltaLink);
    } else {
      if (options.window === undefined) {
        throw new RangeError("a full calendarView delta round needs a window");
      }
      const query = new URLSearchParams({
        startDateTime: new Date(options.window.startEpochMs).toISOString(),
        endDateTime: new Date(options.window.endEpochMs).toISOString(),
      });
      url = this.url(`${this.calendarPath()}/calendarView/delta?${query}`);
    }
    const prefer = [`outlook.timezone="UTC"`];
    if (options.pageSize !== undefined) prefer.push(`odata.maxpagesize=${options.pageSize}`);
    const events: MicrosoftEventChange[] = [];
    const warnings: string[] = [];
    for (;;) {
      const response = await this.send("GET", url, {
        idempotent: true,
        headers: { prefer: prefer.join(", ") },
      });
      if (isExpiredDelta(response)) return { kind: "full-resync-needed" };
      const body = this.parse("GET", url, response);
      const items = field(body, "value") ?? [];
      if (!Array.isArray(items)) throw invalid("delta answer value is not a list");
      for (const item of items) events.push(eventChange(item, warnings, this.label));
      const next = field(body, "@odata.nextLink");
      if (typeof next === "string") {
        url = this.checkedLink(next);
        continue;
      }
      const deltaLink = field(body, "@odata.deltaLink");
      if (typeof deltaLink !== "string") {
        throw invalid("delta page has neither @odata.nextLink nor @odata.deltaLink");
      }
      this.checkedLink(deltaLink);
      return { kind: "changes", events, deltaLink, warnings };
    }
  }

  /** Creates a meeting; Exchange sends the invitations. */
  async createEvent(event: MicrosoftNewEvent): Promise<MicrosoftWrittenEvent> {
    const body = eventBody(event);
    if (event.transactionId !== undefined) body.transactionId = event.transactionId;
    const url = this.url(`${this.calendarPath()}/events`);
    return writtenEvent(
      await this.call("POST", url, { body, idempotent: event.transactionId !== undefined }),
    );
  }

  /** Changes only the given fields; Exchange sends updates to attendees. */
  async updateEvent(eventId: string, patch: MicrosoftEventPatch): Promise<MicrosoftWrittenEvent> {
    const url = this.url(`/me/events/${encodeURIComponent(eventId)}`);
    return writtenEvent(
      await this.call("PATCH", url, { body: eventBody(patch), idempotent: true }),
    );
  }

  /**
   * Cancels a meeting the user organises, sending attendees the cancellation with `comment`,
   * and removes it. An event that is already gone (404) counts as cancelled.
   */
  async cancelEvent(eventId: string, comment = ""): Promise<void> {
    const url = this.url(`/me/events/${encodeURIComponent(eventId)}/cancel`);
    const response = await this.send("POST", url, { body: { comment }, idempotent: true });
    if (response.status === 404) return;
    if (response.status < 200 || response.status >= 300) {
      throw errorForResponse(this.http.service, { method: "POST", url }, response);
    }
  }

  /** Deletes an event (for an organiser's meeting, Exchange also sends a cancellation). */
  async deleteEvent(eventId: string): Promise<void> {
    const url = this.url(`/me/events/${encodeURIComponent(eventId)}`);
    const response = await this.send("DELETE", url, { idempotent: true });
    if (response.status === 404 || (response.status >= 200 && response.status < 300)) return;
    throw errorForResponse(this.http.service, { method: "DELETE", url }, response);
  }

  /**
   * A change notification subscription on the calendar's events (Graph `POST /subscriptions`):
   * Graph first validates `notificationUrl` (it must answer the `validationToken` within 10 s),
   * then POSTs a notification whenever an event is created, updated or deleted, carrying
   * `clientState` so Ally can tell its own subscriptions from forgeries. Event subscriptions
   * last at most 10,080 minutes (a week): renew before `expiresAtEpochMs`.
   */
  async subscribe(subscription: {
    notificationUrl: string;
    clientState: string;
    expiresAtEpochMs: number;
    /** The calendar to watch; the connector's calendar (default: the primary one) otherwise. */
    calendarId?: string;
  }): Promise<{ id: string; expiresAtEpochMs: number }> {
    const url = this.url("/subscriptions");
    // A resource path in a JSON body, not a URL: the calendar id goes in as Graph gave it.
    const calendarId = subscription.calendarId ?? this.calendarId;
    const resource =
      calendarId === undefined ? "me/calendar/events" : `me/calendars/${calendarId}/events`;
    const answer = (await this.call("POST", url, {
      body: {
        changeType: "created,updated,deleted",
        notificationUrl: subscription.notificationUrl,
        resource,
        expirationDateTime: new Date(subscription.expiresAtEpochMs).toISOString(),
        clientState: subscription.clientState,
      },
      idempotent: false,
    })) as { id?: unknown; expirationDateTime?: unknown };
    return subscriptionOf(this.http.service, answer);
  }

  /** Moves a subscription's expiry on (Graph `PATCH /subscriptions/{id}`). */
  async renewSubscription(
    id: string,
    expiresAtEpochMs: number,
  ): Promise<{ id: string; expiresAtEpochMs: number }> {
    const url = this.url(`/subscriptions/${encodeURIComponent(id)}`);
    const answer = (await this.call("PATCH", url, {
      body: { expirationDateTime: new Date(expiresAtEpochMs).toISOString() },
      idempotent: true,
    })) as { id?: unknown; expirationDateTime?: unknown };
    return subscriptionOf(this.http.service, answer);
  }

  /** Deletes a subscription; one that is already gone (404) counts as deleted. */
  async deleteSubscription(id: string): Promise<void> {
    const url = this.url(`/subscriptions/${encodeURIComponent(id)}`);
    const response = await this.send("DELETE", url, { idempotent: true });
    if (response.status === 404 || (response.status >= 200 && response.status < 300)) return;
    throw errorForResponse(this.http.service, { method: "DELETE", url }, response);
  }

  private calendarPath(calendarId = this.calendarId): string {
    return calendarId === undefined
      ? "/me/calendar"
      : `/me/calendars/${encodeURIComponent(calendarId)}`;
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /**
   * Paging links come from the server; the bearer token goes only to the configured Graph
   * origin, never to whatever host a link names.
   */
  private checkedLink(link: string): string {
    let parsed: URL;
    try {
      parsed = new URL(link);
    } catch {
      throw invalid("a paging link is not a URL");
    }
    if (parsed.origin !== new URL(this.baseUrl).origin) {
      throw invalid(`a paging link points at another host (${parsed.host})`);
    }
    return parsed.toString();
  }

  private async send(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    options: { body?: unknown; idempotent: boolean; headers?: Record<string, string> },
  ): Promise<HttpResponse> {
    const attempt = (token: string) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        prefer: `outlook.timezone="UTC"`,
        ...options.headers,
      };
      if (options.body !== undefined) headers["content-type"] = "application/json";
      return this.http.send({
        method,
        url,
        headers,
        idempotent: options.idempotent,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    };
    return withOneTokenRetry(this.accessToken, attempt);
  }

  private parse(method: "GET" | "POST" | "PATCH", url: string, response: HttpResponse): unknown {
    if (response.status < 200 || response.status >= 300) {
      throw errorForResponse(this.http.service, { method, url }, response);
    }
    return parseJsonBody(this.http.service, { method, url }, response);
  }

  private async call(
    method: "GET" | "POST" | "PATCH",
    url: string,
    options: { body?: unknown; idempotent: boolean },
  ): Promise<unknown> {
    return this.parse(method, url, await this.send(method, url, options));
  }
}

function subscriptionOf(
  service: string,
  answer: { id?: unknown; expirationDateTime?: unknown },
): { id: string; expiresAtEpochMs: number } {
  const expiresAtEpochMs =
    typeof answer.expirationDateTime === "string"
      ? Date.parse(answer.expirationDateTime)
      : Number.NaN;
  if (typeof answer.id !== "string" || Number.isNaN(expiresAtEpochMs)) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${service}: the subscription answer has no id or expirationDateTime`,
    );
  }
  return { id: answer.id, expiresAtEpochMs };
}

/** The part of a Graph error body Ally looks at. */
const graphErrorBody = z.object({ error: z.object({ code: z.unknown() }).partial().optional() });

/** 410 Gone, or Graph's sync-state error codes on another 4xx. */
function isExpiredDelta(response: HttpResponse): boolean {
  if (response.status === 410) return true;
  if (response.status < 400 || response.status >= 500) return false;
  try {
    const code = graphErrorBody.safeParse(JSON.parse(response.text)).data?.error?.code;
    return typeof code === "string" && /syncstate|resyncrequired/i.test(code);
  } catch {
    return false;
  }
}

function eventBody(event: MicrosoftEventPatch): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (event.subject !== undefined) body.subject = event.subject;
  if (event.body !== undefined) body.body = { contentType: "text", content: event.body };
  if (event.location !== undefined) body.location = { displayName: event.location };
  if (event.time !== undefined) {
    body.start = utcDateTime(event.time.startEpochMs);
    body.end = utcDateTime(event.time.endEpochMs);
  }
  if (event.attendees !== undefined) {
    body.attendees = event.attendees.map((attendee) => ({
      emailAddress: {
        address: attendee.email,
        ...(attendee.name === undefined ? {} : { name: attendee.name }),
      },
      type: attendee.optional ? "optional" : "required",
    }));
  }
  return body;
}

function writtenEvent(body: unknown): MicrosoftWrittenEvent {
  const id = field(body, "id");
  if (typeof id !== "string" || id === "") throw invalid("event answer has no id");
  const written: MicrosoftWrittenEvent = { id };
  for (const key of ["iCalUId", "changeKey", "webLink"] as const) {
    const value = field(body, key);
    if (typeof value === "string") written[key] = value;
  }
  return written;
}

function eventChange(item: unknown, warnings: string[], label: string): MicrosoftEventChange {
  const id = field(item, "id");
  if (typeof id !== "string" || id === "") throw invalid("an event in a delta page has no id");
  if (field(item, "@removed") !== undefined) {
    return { id, removed: true, isAllDay: false, isCancelled: false };
  }
  const change: MicrosoftEventChange = {
    id,
    removed: false,
    isAllDay: field(item, "isAllDay") === true,
    isCancelled: field(item, "isCancelled") === true,
  };
  const start = readTime(field(item, "start"));
  const end = readTime(field(item, "end"));
  if (start === undefined || end === undefined) {
    warnings.push(
      `${label}: event ${id} has a time Ally cannot read (${describeTime(field(item, "start"))})`,
    );
  } else {
    change.start = start;
    change.end = end;
  }
  for (const key of ["showAs", "type", "seriesMasterId", "subject"] as const) {
    const value = field(item, key);
    if (typeof value === "string") change[key] = value;
  }
  return change;
}

function readTime(value: unknown): number | undefined {
  const dateTime = field(value, "dateTime");
  const timeZone = field(value, "timeZone");
  if (typeof dateTime !== "string") return undefined;
  return graphDateTimeToEpochMs({
    dateTime,
    timeZone: typeof timeZone === "string" ? timeZone : "UTC",
  });
}

function describeTime(value: unknown): string {
  const dateTime = field(value, "dateTime");
  const timeZone = field(value, "timeZone");
  return `${typeof dateTime === "string" ? dateTime : "no dateTime"} in ${typeof timeZone === "string" ? JSON.stringify(timeZone) : "no zone"}`;
}

/** getSchedule's per-schedule `freeBusyError {message, responseCode}`. */
function scheduleError(error: Record<string, unknown>): ConnectorError {
  const responseCode = typeof error.responseCode === "string" ? error.responseCode : "unknown";
  const code = /notfound|recipientnotfound|invalidsmtpaddress/i.test(responseCode)
    ? "CALENDAR_NOT_FOUND"
    : /access|permission|denied/i.test(responseCode)
      ? "CALENDAR_AUTH_FAILED"
      : "CALENDAR_UNREACHABLE";
  return new ConnectorError(code, `Microsoft Graph could not give the schedule: ${responseCode}`);
}

function invalid(message: string): ConnectorError {
  return new ConnectorError("CALENDAR_INVALID", `Microsoft Graph: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}
