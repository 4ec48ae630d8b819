/**
 * A calendar's secret iCal address (Google's "secret address in iCal format", Outlook's published
 * ICS, Apple's public calendar link), fetched over http(s) with conditional requests: the last
 * ETag / Last-Modified and body are kept per URL for the life of the source, and a 304 reuses the
 * body; `busyIfChanged` takes validators kept elsewhere (the sync stores them with the busy time it
 * read), so a feed that did not change is not downloaded again. The URL's path is the secret: messages and the label show the host only.
 */
import type { EpochMsInterval, ICalendar } from "../ical.js";
import { busyOf, parseOrThrow } from "./busy-from-text.js";
import { networkFailure, statusFailure } from "./http-failure.js";
import { type BusyRead, type CalendarSource, ConnectorError } from "./types.js";

export interface IcsFeedOptions {
  /** Whole request, body included. */
  timeoutMs?: number;
  /** Larger bodies are refused (CALENDAR_INVALID) rather than read into memory. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

/** What a conditional request sends back: the feed's ETag and Last-Modified, as it gave them. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

interface Cached extends FeedValidators {
  calendar: ICalendar;
  warnings: string[];
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** Years of a busy person's calendar are a few megabytes. */
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export class IcsFeedSource implements CalendarSource {
  readonly label: string;
  readonly #url: string;
  readonly #authorization: string | undefined;
  readonly #where: string;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #fetch: typeof fetch;
  readonly #cache = new Map<string, Cached>();

  /**
   * @example new IcsFeedSource(new URL("https://calendar.google.com/calendar/ical/…/basic.ics"))
   * A user name and password in the URL are sent as Basic authentication.
   */
  constructor(url: URL, options: IcsFeedOptions = {}) {
    const bare = new URL(url);
    bare.username = "";
    bare.password = "";
    bare.hash = "";
    this.#authorization =
      url.username === "" && url.password === ""
        ? undefined
        : `Basic ${Buffer.from(
            `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
          ).toString("base64")}`;
    this.#url = bare.href;
    this.label = `${bare.origin}/…`;
    this.#where = `ICS feed at ${bare.host}`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#fetch = options.fetch ?? fetch;
  }

  async busy(range: EpochMsInterval, options: { zone: string }): Promise<BusyRead> {
    const read = await this.#read(this.#cache.get(this.#url));
    if (read === "not-modified") throw new Error("unreachable: a 304 without validators");
    return busyOf(this.label, read.calendar.events, range, options.zone, read.warnings);
  }

  /**
   * Busy time only if the feed changed since `validators` were taken (a conditional request
   * with If-None-Match / If-Modified-Since); `{ changed: false }` on 304. The validators to keep
   * for next time come with a changed read. Lets a caller that stores the busy time it read (the
   * sync) skip re-reading a feed that did not change, across processes and restarts.
   */
  async busyIfChanged(
    range: EpochMsInterval,
    options: { zone: string },
    validators: FeedValidators,
  ): Promise<{ changed: false } | { changed: true; read: BusyRead; validators: FeedValidators }> {
    const read = await this.#read(validators);
    if (read === "not-modified") return { changed: false };
    this.#cache.set(this.#url, read);
    return {
      changed: true,
      read: busyOf(this.label, read.calendar.events, range, options.zone, read.warnings),
      validators: { etag: read.etag, lastModified: read.lastModified },
    };
  }

  /** A 304 to a request made with validators but no body of ours gives "not-modified". */
  async #read(previous: FeedValidators | Cached | undefined): Promise<Cached | "not-modified"> {
    const headers: Record<string, string> = { accept: "text/calendar, */*;q=0.5" };
    if (this.#authorization !== undefined) headers.authorization = this.#authorization;
    if (previous?.etag) headers["if-none-match"] = previous.etag;
    if (previous?.lastModified) headers["if-modified-since"] = previous.lastModified;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#url, {
        headers,
        redirect: "follow",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // RFC 9110 15.4.5: 304 has no body; the cached one still holds.
      if (response.status === 304 && (previous?.etag || previous?.lastModified)) {
        await response.body?.cancel();
        return "calendar" in previous ? previous : "not-modified";
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw statusFailure(this.#where, response);
      }
      text = await this.#readBody(response);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw networkFailure(this.#where, error, this.#timeoutMs);
    }
    const parsed = parseOrThrow(
      text,
      this.label,
      `${this.#where}: the answer is not an iCalendar feed (no BEGIN:VCALENDAR)`,
    );
    const fresh: Cached = {
      etag: response.headers.get("etag"),
      lastModified: response.headers.get("last-modified"),
      calendar: parsed.calendar,
      warnings: parsed.warnings,
    };
    this.#cache.set(this.#url, fresh);
    return fresh;
  }

  /** The body as UTF-8, read up to `maxBytes`. */
  async #readBody(response: Response): Promise<string> {
    const tooLarge = () =>
      new ConnectorError(
        "CALENDAR_INVALID",
        `${this.#where}: the feed is larger than ${Math.round(this.#maxBytes / 1024 / 1024)} MB`,
      );
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > this.#maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    if (response.body === null) return "";
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > this.#maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
    // TextDecoder drops a leading byte order mark, as Response.text() does.
    return new TextDecoder().decode(Buffer.concat(chunks));
  }
}
