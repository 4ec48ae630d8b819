/**
 * Google Calendar (REST API v3) connector: busy time through `freeBusy.query`, incremental
 * changes through `events.list` with sync tokens, and events written with `sendUpdates` so
 * Google mails the attendees.
 *
 * Protocol facts this module relies on (developers.google.com/calendar/api):
 * - freeBusy: POST /freeBusy {timeMin, timeMax, items: [{id}]} answers
 *   `calendars[id].busy[{start, end}]` (RFC 3339) or `calendars[id].errors[{domain, reason}]`;
 *   transparent and declined events are already left out; at most 50 calendars per query.
 * - events.list: pages through `nextPageToken`; `nextSyncToken` arrives on the last page only.
 *   An expired or invalidated sync token answers 410 GONE: drop local state, sync in full.
 * - events.insert/patch/delete take `sendUpdates=all|externalOnly|none`. Deleting an event
 *   that is already deleted answers 410.
 * - Rate limits come back as 429, or as 403 with reason `rateLimitExceeded` /
 *   `userRateLimitExceeded`; both are retried with backoff.
 *
 * The connector takes an access-token function (see `accessTokenProvider` in ./oauth.ts), so
 * refreshing happens in one place, and never reads the environment.
 */

import { z } from "zod";
import { errorForResponse, type HttpClient, type HttpResponse, parseJsonBody } from "./http.js";
import type { AccessTokenSource } from "./oauth.js";
import {
  type BusyRead,
  type CalendarSource,
  ConnectorError,
  type EpochMsInterval,
} from "./types.js";

export const GOOGLE_CALENDAR_API = "https://www.googleapis.com/calendar/v3";

/** Google's documented cap on calendars in one freeBusy query. */
const FREEBUSY_MAX_CALENDARS = 50;

export type SendUpdates = "all" | "externalOnly" | "none";

export interface GoogleCalendarOptions {
  http: HttpClient;
  /** Usually `accessTokenProvider(...)`; asked again with `rejected` after a 401. */
  accessToken: AccessTokenSource;
  /** The calendars that count as busy (the user's choice); "primary" is the user's own. */
  calendarIds: readonly string[];
  /** Default https://www.googleapis.com/calendar/v3 */
  baseUrl?: string;
  /** Shown in messages; never a secret. Default "Google Calendar". */
  label?: string;
}

/** A start or end as Google writes it: an instant, or a date for all-day events. */
export type GoogleTime =
  | { kind: "instant"; epochMs: number; timeZone?: string }
  | { kind: "date"; date: string; timeZone?: string };

/** One changed event from `events.list`, reduced to what busy time and bookings need. */
export interface GoogleEventChange {
  id: string;
  /** Cancelled events (deleted, or a removed occurrence) only carry `id` reliably. */
  status: "confirmed" | "tentative" | "cancelled";
  start?: GoogleTime;
  /** Exclusive (RFC 5545 DTEND semantics). */
  end?: GoogleTime;
  /** `transparent` events do not block time. */
  transparent: boolean;
  recurringEventId?: string;
  summary?: string;
  updated?: string;
}

export type GoogleChanges =
  | { kind: "changes"; events: GoogleEventChange[]; nextSyncToken: string }
  /** The sync token expired (410): forget what was synced and call again without a token. */
  | { kind: "full-resync-needed" };

export interface EventAttendee {
  email: string;
  displayName?: string;
  optional?: boolean;
}

export interface GoogleNewEvent {
  /**
   * Optional client-chosen id (base32hex, 5–1024 characters: a–v and 0–9). With one, a create
   * is safe to retry after a lost answer; Google answers 409 if it already exists.
   */
  id?: string;
  summary: string;
  description?: string;
  location?: string;
  /** Half-open: `endEpochMs` is exclusive. */
  time: EpochMsInterval;
  /** IANA zone Google shows the event in. Default UTC. */
  timeZone?: string;
  attendees: EventAttendee[];
}

export type GoogleEventPatch = Partial<Omit<GoogleNewEvent, "id">>;

export interface WrittenEvent {
  id: string;
  etag?: string;
  htmlLink?: string;
}

export class GoogleCalendar implements CalendarSource {
  readonly label: string;
  private readonly http: HttpClient;
  private readonly accessToken: AccessTokenSource;
  private readonly calendarIds: readonly string[];
  private readonly baseUrl: string;

  constructor(options: GoogleCalendarOptions) {
    this.http = options.http;
    this.accessToken = options.accessToken;
    this.calendarIds = options.calendarIds;
    this.baseUrl = (options.baseUrl ?? GOOGLE_CALENDAR_API).replace(/\/+$/, "");
    this.label = options.label ?? "Google Calendar";
  }

  /**
   * Busy time in `range` over the chosen calendars: merged, sorted, clipped. All-day events
   * are placed by Google in each calendar's own zone, so `options.zone` is not needed here.
   * A calendar Google reports an error for fails the whole read: showing its time as free
   * would be a wrong answer, not a partial one.
   *
   * @example await google.busy({ startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 2) }, { zone: "UTC" })
   */
  async busy(range: EpochMsInterval, _options?: { zone: string }): Promise<BusyRead> {
    if (range.endEpochMs <= range.startEpochMs) return { busy: [], warnings: [] };
    const intervals: EpochMsInterval[] = [];
    for (let i = 0; i < this.calendarIds.length; i += FREEBUSY_MAX_CALENDARS) {
      const ids = this.calendarIds.slice(i, i + FREEBUSY_MAX_CALENDARS);
      const body = await this.call("POST", "/freeBusy", {
        body: {
          timeMin: new Date(range.startEpochMs).toISOString(),
          timeMax: new Date(range.endEpochMs).toISOString(),
          items: ids.map((id) => ({ id })),
        },
        idempotent: true,
      });
      const calendars = field(body, "calendars");
      for (const id of ids) {
        const calendar = isRecord(calendars) ? calendars[id] : undefined;
        if (!isRecord(calendar)) {
          throw invalid(`freeBusy answer has no entry for calendar ${id}`);
        }
        const errors = calendar.errors;
        if (Array.isArray(errors) && errors.length > 0) throw freeBusyError(id, errors);
        const busy = calendar.busy ?? [];
        if (!Array.isArray(busy)) throw invalid(`freeBusy busy list for ${id} is not a list`);
        for (const period of busy) {
          const start = instant(field(period, "start"), "freeBusy busy start");
          const end = instant(field(period, "end"), "freeBusy busy end");
          intervals.push({ startEpochMs: start, endEpochMs: end });
        }
      }
    }
    return { busy: clipMergeSort(intervals, range), warnings: [] };
  }

  /**
   * Changes in one calendar since `syncToken`, following every page; without a token, a full
   * listing (from `fullSyncFromEpochMs` when given). Recurring series come expanded into their
   * occurrences (`singleEvents=true`), which is what busy time needs.
   */
  async listChanges(
    calendarId: string,
    options: { syncToken?: string; fullSyncFromEpochMs?: number; pageSize?: number } = {},
  ): Promise<GoogleChanges> {
    const events: GoogleEventChange[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ singleEvents: "true" });
      if (options.pageSize !== undefined) query.set("maxResults", String(options.pageSize));
      if (options.syncToken !== undefined) {
        query.set("syncToken", options.syncToken);
      } else {
        // Deleted events are included in incremental answers anyway; ask for them in full too.
        query.set("showDeleted", "true");
        if (options.fullSyncFromEpochMs !== undefined) {
          query.set("timeMin", new Date(options.fullSyncFromEpochMs).toISOString());
        }
      }
      if (pageToken !== undefined) query.set("pageToken", pageToken);
      const path = `/calendars/${encodeURIComponent(calendarId)}/events?${query}`;
      const response = await this.send("GET", path, { idempotent: true });
      if (response.status === 410 && options.syncToken !== undefined) {
        return { kind: "full-resync-needed" };
      }
      const body = this.parse("GET", path, response);
      const items = field(body, "items") ?? [];
      if (!Array.isArray(items)) throw invalid("events.list items is not a list");
      for (const item of items) events.push(eventChange(item));
      const next = field(body, "nextPageToken");
      if (typeof next === "string" && next !== "") {
        pageToken = next;
        continue;
      }
      const nextSyncToken = field(body, "nextSyncToken");
      if (typeof nextSyncToken !== "string" || nextSyncToken === "") {
        throw invalid("events.list ended without nextPageToken or nextSyncToken");
      }
      return { kind: "changes", events, nextSyncToken };
    }
  }

  /** Creates an event with attendees; `sendUpdates` decides who Google emails. */
  async createEvent(
    calendarId: string,
    event: GoogleNewEvent,
    options: { sendUpdates: SendUpdates },
  ): Promise<WrittenEvent> {
    const path = `/calendars/${encodeURIComponent(calendarId)}/events?${new URLSearchParams({ sendUpdates: options.sendUpdates })}`;
    const body: Record<string, unknown> = eventBody(event);
    if (event.id !== undefined) body.id = event.id;
    const response = await this.send("POST", path, { body, idempotent: event.id !== undefined });
    if (response.status === 409 && event.id !== undefined) {
      // An earlier attempt whose answer was lost created it: read it back.
      const existing = await this.call(
        "GET",
        `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(event.id)}`,
        { idempotent: true },
      );
      return writtenEvent(existing);
    }
    return writtenEvent(this.parse("POST", path, response));
  }

  /** Changes only the given fields (PATCH semantics). */
  async patchEvent(
    calendarId: string,
    eventId: string,
    patch: GoogleEventPatch,
    options: { sendUpdates: SendUpdates },
  ): Promise<WrittenEvent> {
    const path = `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}?${new URLSearchParams({ sendUpdates: options.sendUpdates })}`;
    // A patch with the same body is idempotent.
    return writtenEvent(
      await this.call("PATCH", path, { body: eventBody(patch), idempotent: true }),
    );
  }

  /**
   * Deletes (cancels) an event. An event that is already gone (404, or 410 "deleted") counts
   * as deleted, so a retried cancellation succeeds.
   */
  async deleteEvent(
    calendarId: string,
    eventId: string,
    options: { sendUpdates: SendUpdates },
  ): Promise<void> {
    const path = `/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}?${new URLSearchParams({ sendUpdates: options.sendUpdates })}`;
    const response = await this.send("DELETE", path, { idempotent: true });
    if (response.status === 204 || response.status === 200) return;
    if (response.status === 404 || response.status === 410) return;
    throw errorForResponse(this.http.service, { method: "DELETE", url: this.url(path) }, response);
  }

  /**
   * Asks Google to POST to `address` (https, publicly reachable) whenever events of the calendar
   * change (a push channel, events.watch). `token` comes back in X-Goog-Channel-Token with every
   * notification, so Ally can tell its own channels from forgeries. Returns when the channel
   * expires (Google picks at most a week or so) and the resource id needed to stop it.
   */
  async watch(
    calendarId: string,
    channel: { id: string; address: string; token: string; ttlSeconds: number },
  ): Promise<{ resourceId: string; expiresAtEpochMs: number }> {
    const path = `/calendars/${encodeURIComponent(calendarId)}/events/watch`;
    const answer = (await this.call("POST", path, {
      body: {
        id: channel.id,
        type: "web_hook",
        address: channel.address,
        token: channel.token,
        params: { ttl: String(channel.ttlSeconds) },
      },
      idempotent: false,
    })) as { resourceId?: unknown; expiration?: unknown };
    const expiresAtEpochMs = Number(answer.expiration);
    if (typeof answer.resourceId !== "string" || !Number.isFinite(expiresAtEpochMs)) {
      throw new ConnectorError(
        "CALENDAR_INVALID",
        `${this.http.service}: events.watch answered without resourceId or expiration`,
      );
    }
    return { resourceId: answer.resourceId, expiresAtEpochMs };
  }

  /** Stops a push channel; one that is already gone (404) counts as stopped. */
  async stopChannel(channel: { id: string; resourceId: string }): Promise<void> {
    const path = "/channels/stop";
    const response = await this.send("POST", path, {
      body: { id: channel.id, resourceId: channel.resourceId },
      idempotent: true,
    });
    if (response.status === 404 || (response.status >= 200 && response.status < 300)) return;
    throw errorForResponse(this.http.service, { method: "POST", url: this.url(path) }, response);
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  private async send(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    options: { body?: unknown; idempotent: boolean },
  ): Promise<HttpResponse> {
    const attempt = (token: string) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: "application/json",
      };
      if (options.body !== undefined) headers["content-type"] = "application/json";
      return this.http.send({
        method,
        url: this.url(path),
        headers,
        idempotent: options.idempotent,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    };
    return withOneTokenRetry(this.accessToken, attempt);
  }

  private parse(method: string, path: string, response: HttpResponse): unknown {
    const request = { method: method as "GET", url: this.url(path) };
    if (response.status < 200 || response.status >= 300) {
      throw errorForResponse(this.http.service, request, response);
    }
    return parseJsonBody(this.http.service, request, response);
  }

  private async call(
    method: "GET" | "POST" | "PATCH",
    path: string,
    options: { body?: unknown; idempotent: boolean },
  ): Promise<unknown> {
    return this.parse(method, path, await this.send(method, path, options));
  }
}

/**
 * Sends with the current token; after a 401 (the request was not acted on), asks for a token
 * again with the refused one as `rejected` and, if it is a different token, sends once more.
 * Shared with the Microsoft connector.
 */
export async function withOneTokenRetry(
  accessToken: AccessTokenSource,
  attempt: (token: string) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const token = await accessToken();
  const response = await attempt(token);
  if (response.status !== 401) return response;
  const renewed = await accessToken({ rejected: token });
  return renewed === token ? response : attempt(renewed);
}

/** The part of a Google error body Ally looks at. */
const googleErrorBody = z.object({
  error: z.object({ errors: z.array(z.object({ reason: z.unknown() })).optional() }).optional(),
});

/**
 * Google's "slow down" answers that are not 429: 403 with reason `rateLimitExceeded` or
 * `userRateLimitExceeded`. Pass as `isRateLimited` to the `HttpClient` used for Google.
 */
export function isGoogleRateLimited(response: HttpResponse): boolean {
  if (response.status !== 403) return false;
  try {
    const body = googleErrorBody.safeParse(JSON.parse(response.text)).data;
    return (body?.error?.errors ?? []).some(
      (error) => error.reason === "rateLimitExceeded" || error.reason === "userRateLimitExceeded",
    );
  } catch {
    return false;
  }
}

/**
 * Busy intervals clipped to `range`, sorted by start and merged where they overlap or touch
 * (half-open: [9:00, 10:00) and [10:00, 11:00) become [9:00, 11:00)). Empty intervals drop out.
 * Shared with the Microsoft connector.
 */
export function clipMergeSort(
  intervals: readonly EpochMsInterval[],
  range: EpochMsInterval,
): EpochMsInterval[] {
  const clipped = intervals
    .map((interval) => ({
      startEpochMs: Math.max(interval.startEpochMs, range.startEpochMs),
      endEpochMs: Math.min(interval.endEpochMs, range.endEpochMs),
    }))
    .filter((interval) => interval.endEpochMs > interval.startEpochMs)
    .sort((a, b) => a.startEpochMs - b.startEpochMs || a.endEpochMs - b.endEpochMs);
  const merged: EpochMsInterval[] = [];
  for (const interval of clipped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.startEpochMs <= last.endEpochMs) {
      last.endEpochMs = Math.max(last.endEpochMs, interval.endEpochMs);
    } else {
      merged.push({ ...interval });
    }
  }
  return merged;
}

function eventBody(event: GoogleEventPatch): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (event.summary !== undefined) body.summary = event.summary;
  if (event.description !== undefined) body.description = event.description;
  if (event.location !== undefined) body.location = event.location;
  if (event.time !== undefined) {
    const timeZone = event.timeZone ?? "UTC";
    body.start = { dateTime: new Date(event.time.startEpochMs).toISOString(), timeZone };
    body.end = { dateTime: new Date(event.time.endEpochMs).toISOString(), timeZone };
  }
  if (event.attendees !== undefined) {
    body.attendees = event.attendees.map((attendee) => ({
      email: attendee.email,
      ...(attendee.displayName === undefined ? {} : { displayName: attendee.displayName }),
      ...(attendee.optional ? { optional: true } : {}),
    }));
  }
  return body;
}

function writtenEvent(body: unknown): WrittenEvent {
  const id = field(body, "id");
  if (typeof id !== "string" || id === "") throw invalid("event answer has no id");
  const written: WrittenEvent = { id };
  const etag = field(body, "etag");
  if (typeof etag === "string") written.etag = etag;
  const htmlLink = field(body, "htmlLink");
  if (typeof htmlLink === "string") written.htmlLink = htmlLink;
  return written;
}

function eventChange(item: unknown): GoogleEventChange {
  const id = field(item, "id");
  if (typeof id !== "string" || id === "") throw invalid("an event in events.list has no id");
  const status = field(item, "status");
  const change: GoogleEventChange = {
    id,
    status: status === "cancelled" || status === "tentative" ? status : "confirmed",
    transparent: field(item, "transparency") === "transparent",
  };
  if (change.status !== "cancelled") {
    change.start = googleTime(field(item, "start"), `start of event ${id}`);
    change.end = googleTime(field(item, "end"), `end of event ${id}`);
  }
  const recurringEventId = field(item, "recurringEventId");
  if (typeof recurringEventId === "string") change.recurringEventId = recurringEventId;
  const summary = field(item, "summary");
  if (typeof summary === "string") change.summary = summary;
  const updated = field(item, "updated");
  if (typeof updated === "string") change.updated = updated;
  return change;
}

function googleTime(value: unknown, what: string): GoogleTime {
  const timeZone = field(value, "timeZone");
  const zone = typeof timeZone === "string" ? { timeZone } : {};
  const dateTime = field(value, "dateTime");
  if (typeof dateTime === "string") {
    return { kind: "instant", epochMs: instant(dateTime, what), ...zone };
  }
  const date = field(value, "date");
  if (typeof date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    return { kind: "date", date, ...zone };
  }
  throw invalid(`${what} has neither dateTime nor date`);
}

/** RFC 3339 with an offset or Z, as Google writes instants. */
function instant(value: unknown, what: string): number {
  if (
    typeof value !== "string" ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
  ) {
    throw invalid(`${what} is not an RFC 3339 date-time`);
  }
  const epochMs = Date.parse(value);
  if (Number.isNaN(epochMs)) throw invalid(`${what} is not an RFC 3339 date-time`);
  return epochMs;
}

function freeBusyError(calendarId: string, errors: unknown[]): ConnectorError {
  const reasons = errors.map((error) => String(field(error, "reason") ?? "unknown"));
  const code = reasons.includes("notFound")
    ? "CALENDAR_NOT_FOUND"
    : reasons.some((reason) => reason === "internalError" || reason === "backendError")
      ? "CALENDAR_UNREACHABLE"
      : "CALENDAR_INVALID";
  return new ConnectorError(
    code,
    `Google Calendar could not give free/busy for calendar ${calendarId}: ${reasons.join(", ")}`,
  );
}

function invalid(message: string): ConnectorError {
  return new ConnectorError("CALENDAR_INVALID", `Google Calendar: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}
