/**
 * The candidate's own calendar, connected on their booking page: they paste its secret ICS
 * address (Google's "secret address in iCal format", Outlook's published ICS, Apple's public
 * link; webcal:// too), Ally reads it once to check it is a calendar, and from then on the
 * options shown on that request's pages leave out the times it shows them busy. One per request,
 * deleted with it; the candidate disconnects it with a button.
 *
 * The address is a secret: it is sealed with the SecretStore, bound to its row, and only its
 * host is shown or kept in the clear. It is read through the same guard as members' feeds
 * (guarded-fetch.ts), so it cannot point Ally at its own network, with a short timeout. A read
 * that fails never blocks booking: the options show unfiltered, with a message saying why. The
 * booking itself is checked by the service as always; this only filters what is shown.
 *
 * Page views do not each read the feed: what a read found (busy intervals, or the reason it
 * failed) is kept in this process's memory for READ_CACHE_TTL_MS, keyed by the calendar's row
 * (a new id on every connect) and zone, for at most READ_CACHE_ENTRIES calendars (the oldest
 * go first). Only start and end times are kept, never the address, and nothing is written to
 * disk. With several processes each keeps its own copy: a feed is read at most once per TTL
 * per process, and a view may show busy time up to a TTL old, which is safe because the
 * booking itself is checked against the interviewers' calendars, not this filter; a
 * disconnected calendar is never used, because its row is looked up on every view first.
 */
import { guardedFetch, type Lookup } from "../calendar/connectors/guarded-fetch.js";
import { IcsFeedSource } from "../calendar/connectors/ics-feed.js";
import { ConnectorError, type EpochMsInterval } from "../calendar/connectors/types.js";
import type { Clock } from "../clock.js";
import { invalid } from "../errors.js";
import { newId, type OrgId } from "../ids.js";
import { SecretsError } from "../secrets/errors.js";
import type { SecretBinding, SecretStore } from "../secrets/secret-store.js";
import { type AnyHandle, type BookingDb, bookingDb } from "./db.js";
import type { CandidateCalendarsTable } from "./tables.js";

/** The form field the address is typed in; bad input names it. */
export const CALENDAR_URL_FIELD = "calendarUrl";

/** A read waits this long at most: the candidate is looking at the page. */
export const CANDIDATE_READ_TIMEOUT_MS = 10_000;

export interface CandidateCalendarDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  /** config.calendar.allowPrivateHosts: let loopback and private addresses through. */
  allowPrivateHosts: boolean;
  lookup?: Lookup;
  timeoutMs?: number;
  /** How long a read is reused; READ_CACHE_TTL_MS by default. */
  readCacheTtlMs?: number;
}

/** A candidate's feed is read again after this long (a page view in between reuses the read). */
export const READ_CACHE_TTL_MS = 2 * 60_000;
/** Calendars whose last read one process keeps. */
export const READ_CACHE_ENTRIES = 1_000;

type ReadOutcome = { busy: EpochMsInterval[] } | { problem: string };

interface CachedRead {
  readAtEpochMs: number;
  range: EpochMsInterval;
  outcome: ReadOutcome;
}

/** Bounded, time-limited reads by calendar row and zone; insertion order is eviction order. */
function readCache(ttlMs: number) {
  const entries = new Map<string, CachedRead>();
  return {
    get(key: string, range: EpochMsInterval, now: number): ReadOutcome | undefined {
      const hit = entries.get(key);
      if (hit === undefined) return undefined;
      const fresh = now >= hit.readAtEpochMs && now - hit.readAtEpochMs < ttlMs;
      const covers =
        hit.range.startEpochMs <= range.startEpochMs && hit.range.endEpochMs >= range.endEpochMs;
      if (!fresh) entries.delete(key);
      return fresh && covers ? hit.outcome : undefined;
    },
    set(key: string, read: CachedRead): void {
      entries.delete(key);
      entries.set(key, read);
      while (entries.size > READ_CACHE_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
}

/** What the page says about a connected calendar. */
export interface CandidateCalendar {
  /** The feed's host, e.g. `calendar.google.com`. */
  label: string;
  connectedAt: string;
}

/** The options to show, and what the connected calendar did to them. */
export interface FittedOptions<T> {
  options: T[];
  calendar:
    | null
    | { label: string; hidden: number; problem: null }
    /** The read failed: every option is shown; `problem` says why. */
    | { label: string; hidden: 0; problem: string };
}

export function candidateCalendarBinding(id: string, orgId: string): SecretBinding {
  return { table: "candidate_calendars", column: "url", rowId: id, owner: orgId };
}

/**
 * The address a candidate typed, as a URL, or a bad-input error naming the field.
 * @example feedAddress("webcal://p01-caldav.icloud.com/published/2/abc").protocol // "https:"
 */
export function feedAddress(text: string): URL {
  const trimmed = text.trim();
  if (trimmed === "") throw invalid(CALENDAR_URL_FIELD, "paste your calendar's secret address");
  if (trimmed.length > 2000) {
    throw invalid(CALENDAR_URL_FIELD, "the address is too long (at most 2000 characters)");
  }
  let url: URL;
  try {
    url = new URL(trimmed.replace(/^webcal:/i, "https:"));
  } catch {
    throw invalid(CALENDAR_URL_FIELD, "paste the calendar's full address, starting with https://");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    throw invalid(CALENDAR_URL_FIELD, "the address must start with https://, http:// or webcal://");
  }
  if (url.username !== "" || url.password !== "") {
    throw invalid(CALENDAR_URL_FIELD, "use the calendar's secret address, without a password");
  }
  return url;
}

/** Whether `[startsAt, endsAt)` overlaps any busy interval (half-open both). */
function overlapsBusy(startsAt: string, endsAt: string, busy: readonly EpochMsInterval[]): boolean {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  return busy.some((b) => b.startEpochMs < end && start < b.endEpochMs);
}

/**
 * The options none of whose sessions overlap the busy time, and how many were left out.
 * @example hideBusy([{ startsAt: "2026-12-02T09:00:00Z", endsAt: "2026-12-02T10:00:00Z", sessions: [] }], [])
 */
export function hideBusy<
  T extends {
    startsAt: string;
    endsAt: string;
    sessions: readonly { startsAt: string; endsAt: string }[];
  },
>(options: readonly T[], busy: readonly EpochMsInterval[]): { shown: T[]; hidden: number } {
  const shown = options.filter((option) =>
    option.sessions.length === 0
      ? !overlapsBusy(option.startsAt, option.endsAt, busy)
      : option.sessions.every((s) => !overlapsBusy(s.startsAt, s.endsAt, busy)),
  );
  return { shown, hidden: options.length - shown.length };
}

export type CandidateCalendars = ReturnType<typeof createCandidateCalendars>;

/** Keeps `row` as its request's only connected calendar, in place of one connected before. */
async function replaceCalendar(db: BookingDb, row: CandidateCalendarsTable): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("candidate_calendars")
      .where("organisation_id", "=", row.organisation_id)
      .where("request_id", "=", row.request_id)
      .execute();
    await trx.insertInto("candidate_calendars").values(row).execute();
  });
}

/** From the first option's start to the last one's end: what is read of the calendar. */
function spanOf(options: readonly { startsAt: string; endsAt: string }[]): EpochMsInterval {
  return {
    startEpochMs: Math.min(...options.map((o) => Date.parse(o.startsAt))),
    endEpochMs: Math.max(...options.map((o) => Date.parse(o.endsAt))),
  };
}

export function createCandidateCalendars(deps: CandidateCalendarDeps) {
  const { clock, box } = deps;
  const db = bookingDb(deps.db);
  const feedOptions = {
    timeoutMs: deps.timeoutMs ?? CANDIDATE_READ_TIMEOUT_MS,
    fetch: guardedFetch({
      allowPrivateHosts: deps.allowPrivateHosts,
      ...(deps.lookup === undefined ? {} : { lookup: deps.lookup }),
    }),
  };

  const reads = readCache(deps.readCacheTtlMs ?? READ_CACHE_TTL_MS);

  const rowOf = (orgId: OrgId, requestId: string) =>
    db
      .selectFrom("candidate_calendars")
      .selectAll()
      .where("organisation_id", "=", orgId)
      .where("request_id", "=", requestId)
      .executeTakeFirst();

  /** The feed's busy time over `range`; throws ConnectorError when it cannot be read. */
  async function readFeed(url: URL, range: EpochMsInterval, zone: string) {
    const source = new IcsFeedSource(url, feedOptions);
    return (await source.busy(range, { zone })).busy;
  }

  async function recordRead(row: CandidateCalendarsTable, error: string | null): Promise<void> {
    await db
      .updateTable("candidate_calendars")
      .set({ last_read_at: clock.now(), last_error: error })
      .where("organisation_id", "=", row.organisation_id)
      .where("id", "=", row.id)
      .execute();
  }

  /** Reads the row's feed now and records how it went. */
  async function readOnce(
    row: CandidateCalendarsTable,
    orgId: OrgId,
    range: EpochMsInterval,
    zone: string,
  ): Promise<ReadOutcome> {
    try {
      const url = new URL(await box.open(row.url, candidateCalendarBinding(row.id, orgId)));
      const busy = await readFeed(url, range, zone);
      await recordRead(row, null);
      return { busy };
    } catch (error) {
      if (!(error instanceof ConnectorError) && !(error instanceof SecretsError)) throw error;
      const problem =
        error instanceof ConnectorError
          ? error.message
          : "the saved address could not be opened; disconnect it and connect it again";
      await recordRead(row, problem);
      return { problem };
    }
  }

  return {
    /** The request's connected calendar, if the candidate connected one. */
    async get(orgId: OrgId, requestId: string): Promise<CandidateCalendar | null> {
      const row = await rowOf(orgId, requestId);
      if (row === undefined) return null;
      return { label: row.label, connectedAt: new Date(row.created_at).toISOString() };
    },

    /**
     * Reads the address once and, if it is a calendar Ally may read, keeps it (sealed) for the
     * request, in place of one connected before. Bad input names the field and stores nothing.
     */
    async connect(
      orgId: OrgId,
      requestId: string,
      address: string,
      zone: string,
    ): Promise<CandidateCalendar> {
      const url = feedAddress(address);
      const now = clock.now();
      try {
        await readFeed(url, { startEpochMs: now, endEpochMs: now + 86_400_000 }, zone);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        throw invalid(CALENDAR_URL_FIELD, `Ally could not read this calendar: ${error.message}`);
      }
      const id = newId("ccal");
      const row: CandidateCalendarsTable = {
        id,
        organisation_id: orgId,
        request_id: requestId,
        url: await box.seal(url.href, candidateCalendarBinding(id, orgId)),
        label: url.host,
        created_at: now,
        last_read_at: now,
        last_error: null,
      };
      await replaceCalendar(db, row);
      return { label: row.label, connectedAt: new Date(now).toISOString() };
    },

    /** Forgets the request's calendar; nothing to do when none is connected. */
    async disconnect(orgId: OrgId, requestId: string): Promise<void> {
      await db
        .deleteFrom("candidate_calendars")
        .where("organisation_id", "=", orgId)
        .where("request_id", "=", requestId)
        .execute();
    },

    /**
     * The options the candidate is free for, by their connected calendar read now; all of them,
     * with the reason, when it cannot be read; all of them when none is connected.
     */
    async fit<
      T extends {
        startsAt: string;
        endsAt: string;
        sessions: readonly { startsAt: string; endsAt: string }[];
      },
    >(orgId: OrgId, requestId: string, options: T[], zone: string): Promise<FittedOptions<T>> {
      const row = await rowOf(orgId, requestId);
      if (row === undefined) return { options, calendar: null };
      if (options.length === 0) {
        return { options, calendar: { label: row.label, hidden: 0, problem: null } };
      }
      const range = spanOf(options);
      const key = `${row.id}\u0000${zone}`;
      const now = clock.now();
      let outcome = reads.get(key, range, now);
      if (outcome === undefined) {
        outcome = await readOnce(row, orgId, range, zone);
        reads.set(key, { readAtEpochMs: now, range, outcome });
      }
      if ("problem" in outcome) {
        return { options, calendar: { label: row.label, hidden: 0, problem: outcome.problem } };
      }
      const { shown, hidden } = hideBusy(options, outcome.busy);
      return { options: shown, calendar: { label: row.label, hidden, problem: null } };
    },
  };
}
