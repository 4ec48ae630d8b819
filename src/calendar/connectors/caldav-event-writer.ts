/**
 * Writes Ally's events to a CalDAV calendar collection (RFC 4791) with `tsdav`: one object per
 * event at `<collection>/<uid>.ics`, holding a plain VEVENT (no METHOD, RFC 4791 4.1; built by
 * imip.ts `buildCalendarObject`, with scheduling left to Ally: SCHEDULE-AGENT=CLIENT).
 *
 * HTTP preconditions keep writes honest (RFC 4791 5.3.2, RFC 7232):
 * - create: PUT with `If-None-Match: *`; 412 means the object exists (an earlier attempt whose
 *   answer was lost), so it is read and replaced;
 * - update: PUT with `If-Match: <etag Ally wrote>`; 412 means someone changed or deleted the
 *   event on the calendar since: it is replaced (or created again) with Ally's version, and the
 *   result says `changedOnServer`, because the booking is the source of truth;
 * - delete: DELETE; 404 or 410 means already gone.
 */
import { createCalendarObject, deleteCalendarObject, updateCalendarObject } from "tsdav";
import { buildCalendarObject, type InterviewEvent } from "../imip.js";
import { type CalDavCredentials, type CalDavOptions, collectionAccess } from "./caldav.js";
import { networkFailure, statusFailure } from "./http-failure.js";
import {
  ConnectorError,
  type EventReference,
  type EventWriteResult,
  type EventWriter,
} from "./types.js";

export class CalDavEventWriter implements EventWriter {
  readonly label: string;
  readonly #collection: string;
  readonly #where: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  /**
   * @example new CalDavEventWriter(new URL("https://caldav.fastmail.com/dav/calendars/user/dana@example.com/Default/"), { username, password })
   */
  constructor(collectionUrl: URL, credentials: CalDavCredentials, options: CalDavOptions = {}) {
    const access = collectionAccess(collectionUrl, credentials, options);
    this.#collection = access.url;
    this.label = access.label;
    this.#where = access.where;
    this.#headers = access.headers;
    this.#timeoutMs = access.timeoutMs;
    this.#fetch = access.fetch;
  }

  /** The object URL Ally uses for an event: the UID, percent-encoded, plus `.ics`. */
  objectUrl(uid: string): string {
    return new URL(`${encodeURIComponent(uid)}.ics`, this.#collection).href;
  }

  async upsert(
    event: InterviewEvent,
    options: { dtstampEpochMs: number; existing?: EventReference },
  ): Promise<EventWriteResult> {
    const data = buildCalendarObject(event, { dtstampEpochMs: options.dtstampEpochMs });
    if (options.existing === undefined) {
      const url = this.objectUrl(event.uid);
      const created = await this.#create(url, data);
      if (created !== undefined) return { ref: url, ...created, changedOnServer: false };
      // It exists: a lost answer to an earlier create, or a leftover. Replace it.
      return this.#replace(url, data, await this.currentEtag(url), false);
    }
    const { ref, etag } = options.existing;
    this.#checkInCollection(ref);
    const response = await updateCalendarObject({
      calendarObject: { url: ref, data, ...(etag === undefined ? {} : { etag }) },
      headers: this.#headers,
      fetch: this.#guardedFetch,
    });
    if (response.ok)
      return { ref, ...(await this.#etagAfter(ref, response)), changedOnServer: false };
    if (response.status === 412) {
      // Changed or deleted by someone else since Ally wrote it.
      return this.#replace(ref, data, await this.currentEtag(ref), true);
    }
    throw this.#failure(response);
  }

  async remove(existing: EventReference): Promise<void> {
    this.#checkInCollection(existing.ref);
    const response = await deleteCalendarObject({
      calendarObject: { url: existing.ref, data: "" },
      headers: this.#headers,
      fetch: this.#guardedFetch,
    });
    if (response.ok || response.status === 404 || response.status === 410) return;
    throw this.#failure(response);
  }

  /**
   * The object's current ETag, or undefined when it is gone: compare with the one Ally wrote to
   * see whether someone changed the event on the calendar.
   */
  async currentEtag(url: string): Promise<string | undefined> {
    this.#checkInCollection(url);
    const response = await this.#guardedFetch(url, { method: "GET", headers: this.#headers });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return undefined;
    if (!response.ok) throw this.#failure(response);
    return response.headers.get("etag") ?? undefined;
  }

  /** PUT with If-None-Match: *; undefined when the object already exists (412). */
  async #create(url: string, data: string): Promise<{ etag?: string } | undefined> {
    const response = await createCalendarObject({
      calendar: { url: this.#collection },
      filename: url.slice(this.#collection.length),
      iCalString: data,
      headers: this.#headers,
      fetch: this.#guardedFetch,
    });
    if (response.ok) return this.#etagAfter(url, response);
    if (response.status === 412) return undefined;
    throw this.#failure(response);
  }

  /** Replaces the object at its current version, or creates it again if it is gone. */
  async #replace(
    url: string,
    data: string,
    currentEtag: string | undefined,
    changedOnServer: boolean,
  ): Promise<EventWriteResult> {
    if (currentEtag === undefined) {
      const created = await this.#create(url, data);
      if (created === undefined) throw this.#conflict();
      return { ref: url, ...created, changedOnServer: true };
    }
    const response = await updateCalendarObject({
      calendarObject: { url, data, etag: currentEtag },
      headers: this.#headers,
      fetch: this.#guardedFetch,
    });
    if (response.ok)
      return { ref: url, ...(await this.#etagAfter(url, response)), changedOnServer };
    if (response.status === 412) throw this.#conflict();
    throw this.#failure(response);
  }

  /** RFC 4791 5.3.4: a server that changed what it stored may omit the ETag; read it then. */
  async #etagAfter(url: string, response: Response): Promise<{ etag?: string }> {
    await response.body?.cancel();
    const etag = response.headers.get("etag") ?? (await this.currentEtag(url));
    return etag === undefined ? {} : { etag };
  }

  #conflict(): ConnectorError {
    return new ConnectorError(
      "CALENDAR_UNREACHABLE",
      `${this.#where}: the event kept changing while Ally wrote it; Ally will try again`,
    );
  }

  #failure(response: Response): ConnectorError {
    void response.body?.cancel();
    // RFC 4791 5.3.2.1: a calendar that does not take this object (supported-calendar-data,
    // valid-calendar-object-resource, ...) answers 400, 415 or a 403 with a precondition.
    if (response.status === 400 || response.status === 415) {
      return new ConnectorError(
        "CALENDAR_INVALID",
        `${this.#where}: the calendar refused the event (HTTP ${response.status})`,
      );
    }
    return statusFailure(this.#where, response);
  }

  /** References come from Ally's own links; never send credentials to another place. */
  #checkInCollection(url: string): void {
    if (!url.startsWith(this.#collection)) {
      throw new ConnectorError(
        "CALENDAR_INVALID",
        `${this.#where}: the event is not in this calendar (it was written to another one)`,
      );
    }
  }

  /** Bounds every request in time and turns network failures into connector errors. */
  readonly #guardedFetch: typeof fetch = async (input, init) => {
    try {
      return await this.#fetch(input, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw networkFailure(this.#where, error, this.#timeoutMs);
    }
  };
}
