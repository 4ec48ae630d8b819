/**
 * A CalDAV calendar collection (RFC 4791: iCloud with an app-specific password, Fastmail,
 * Nextcloud, Radicale, ...) read with `tsdav` and Basic authentication. One calendar-query
 * REPORT with a time-range filter (RFC 4791 7.8) returns every object with an instance near the
 * range; recurrences are expanded here with the pure reader rather than by the server
 * (`CALDAV:expand` support and results differ between servers).
 */
import { calendarQuery, getBasicAuthHeaders, propfind } from "tsdav";
import type { CalendarEvent, EpochMsInterval } from "../ical.js";
import { busyOf, parseOrThrow } from "./busy-from-text.js";
import { networkFailure, statusFailure } from "./http-failure.js";
import { type BusyRead, type CalendarSource, ConnectorError } from "./types.js";

export interface CalDavCredentials {
  username: string;
  password: string;
}

export interface CalDavOptions {
  /** Per request, body included. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** The query asks for a day more on each side, so all-day and floating events in any zone come. */
const QUERY_MARGIN_MS = 86_400_000;

/** How Ally reaches one CalDAV collection: its bare URL, names for messages, and Basic auth. */
export interface CollectionAccess {
  /** The collection's URL without credentials, fragment or query, ending in a slash. */
  url: string;
  /** `caldav+<url>`: never a password. */
  label: string;
  /** "CalDAV server host", for messages. */
  where: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function collectionAccess(
  collectionUrl: URL,
  credentials: CalDavCredentials,
  options: CalDavOptions = {},
): CollectionAccess {
  const bare = new URL(collectionUrl);
  bare.username = "";
  bare.password = "";
  bare.hash = "";
  bare.search = "";
  if (!bare.pathname.endsWith("/")) bare.pathname = `${bare.pathname}/`;
  return {
    url: bare.href,
    label: `caldav+${bare.href}`,
    where: `CalDAV server ${bare.host}`,
    headers: getBasicAuthHeaders({
      username: credentials.username,
      password: credentials.password,
    }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
  };
}

/** `20260302T000000Z`, the form of RFC 4791 9.9 time-range attributes. */
function caldavUtc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

export class CalDavSource implements CalendarSource {
  readonly label: string;
  readonly #url: string;
  readonly #where: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  /** Set once the URL has been seen to be a calendar collection. */
  #checked = false;

  /**
   * @example new CalDavSource(new URL("https://caldav.fastmail.com/dav/calendars/user/dana@example.com/Default/"), { username, password })
   */
  constructor(collectionUrl: URL, credentials: CalDavCredentials, options: CalDavOptions = {}) {
    const access = collectionAccess(collectionUrl, credentials, options);
    this.#url = access.url;
    this.label = access.label;
    this.#where = access.where;
    this.#headers = access.headers;
    this.#timeoutMs = access.timeoutMs;
    this.#fetch = access.fetch;
  }

  async busy(range: EpochMsInterval, options: { zone: string }): Promise<BusyRead> {
    if (!this.#checked) await this.#checkCollection();
    const responses = await calendarQuery({
      url: this.#url,
      props: { "d:getetag": {}, "c:calendar-data": {} },
      filters: {
        "comp-filter": {
          _attributes: { name: "VCALENDAR" },
          "comp-filter": {
            _attributes: { name: "VEVENT" },
            "time-range": {
              _attributes: {
                start: caldavUtc(range.startEpochMs - QUERY_MARGIN_MS),
                end: caldavUtc(range.endEpochMs + QUERY_MARGIN_MS),
              },
            },
          },
        },
      },
      depth: "1",
      headers: this.#headers,
      fetch: this.#checkedFetch,
    });
    const events: CalendarEvent[] = [];
    const warnings: string[] = [];
    for (const response of responses) {
      const name = objectName(response.href);
      const data = calendarData(response.props?.calendarData);
      if (data === undefined) {
        warnings.push(`${name}: the server sent no calendar data (HTTP ${response.status})`);
        continue;
      }
      try {
        const parsed = parseOrThrow(data, name, `${name}: not iCalendar data, left out`);
        events.push(...parsed.calendar.events);
        warnings.push(...parsed.warnings);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        warnings.push(error.message);
      }
    }
    return busyOf(this.label, events, range, options.zone, warnings);
  }

  /**
   * A calendar-query on an event's own URL or on a folder of calendars answers "nothing", which
   * would read as a free calendar: so the first read checks that the URL is a calendar
   * collection (RFC 4791 4.2: its resourcetype holds CALDAV:calendar).
   */
  async #checkCollection(): Promise<void> {
    const [response] = await propfind({
      url: this.#url,
      props: { "d:resourcetype": {} },
      depth: "0",
      headers: this.#headers,
      fetch: this.#checkedFetch,
    });
    const types = response?.props?.resourcetype;
    const isCalendar =
      typeof types === "object" && types !== null && Object.keys(types).includes("calendar");
    if (!isCalendar) {
      throw new ConnectorError(
        "CALENDAR_INVALID",
        `${this.#where}: the address is not a calendar collection (give the URL of one calendar)`,
      );
    }
    this.#checked = true;
  }

  /**
   * tsdav turns failed requests into response objects; this fetch turns them into connector
   * errors first, and bounds every request in time. PROPFIND and calendar-query answer 207
   * Multi-Status (RFC 4918 9.1), so anything else is not a CalDAV collection.
   */
  readonly #checkedFetch: typeof fetch = async (input, init) => {
    let response: Response;
    try {
      response = await this.#fetch(input, {
        ...init,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw networkFailure(this.#where, error, this.#timeoutMs);
    }
    if (response.status === 207) return response;
    await response.body?.cancel();
    if (response.ok || response.status === 405 || response.status === 400) {
      throw new ConnectorError(
        "CALENDAR_INVALID",
        `${this.#where}: the address is not a CalDAV calendar collection (HTTP ${response.status})`,
      );
    }
    throw statusFailure(this.#where, response);
  };
}

/** The last path segment of an object's href, e.g. `interview-1.ics`. */
function objectName(href: string | undefined): string {
  if (href === undefined || href === "") return "calendar object";
  const segments = href.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1] ?? href;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** tsdav gives calendar-data as text, or as `{ _cdata }` when the server wrapped it in CDATA. */
function calendarData(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const cdata = (value as { _cdata?: unknown })._cdata;
    if (typeof cdata === "string") return cdata;
  }
  return undefined;
}
