/**
 * Calendar connections: a person connects a CalDAV collection or an ICS feed; a background sync
 * (sync-worker.ts) materialises its busy time into `busy_blocks`, so slot answers never wait on
 * a provider; `busyFor` reads it back with warnings naming connections that cannot be trusted.
 * Credentials (and an ICS feed's secret address) are sealed, bound to the connection's row.
 * Every read and write is scoped by the actor's organisation; a member manages only their own
 * connections, and `members:manage` may view anyone's.
 */
import type { Kysely } from "kysely";
import { newId } from "../accounts/ids.js";
import { can, requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { forbidden, invalid, notFound } from "../errors.js";
import { enqueueMail } from "../mail/outbox.js";
import type { SecretBinding, SecretStore } from "../secrets/secret-store.js";
import type { Database } from "../store/schema.js";
import { CalDavSource } from "./connectors/caldav.js";
import { discoverCalendars } from "./connectors/caldav-discovery.js";
import { guardedFetch, type Lookup } from "./connectors/guarded-fetch.js";
import { IcsFeedSource } from "./connectors/ics-feed.js";
import { type CalendarSource, ConnectorError, type EpochMsInterval } from "./connectors/types.js";
import type { OAuthCredentials, OAuthSources } from "./oauth-connections.js";

/** Epoch milliseconds, half-open. */
export interface Interval {
  start: number;
  end: number;
}

import type { CalendarConnectionsTable, CalendarProvider, ConnectionStatus } from "./tables.js";

const DAY_MS = 86_400_000;
/** What a sync reads: from a day ago to sixty days ahead. */
export const SYNC_BEHIND_MS = DAY_MS;
export const SYNC_AHEAD_MS = 60 * DAY_MS;

export type ConnectInput =
  | { provider: "ics-feed"; url: string }
  | { provider: "caldav"; url: string; username: string; password: string };

export interface CalendarConnection {
  id: string;
  userId: string;
  provider: CalendarProvider;
  label: string;
  status: ConnectionStatus;
  lastSyncedAt: string | null;
  lastError: string | null;
  createdAt: string;
  /** The provider account (Google, Microsoft), for pages. */
  account: string | null;
}

export interface BusyAnswer {
  busy: { start: string; end: string }[];
  warnings: string[];
}

interface FeedCredentials {
  url: string;
  username?: string;
  password?: string;
}

/** What `credentials` holds, opened: CalDAV and feeds, or Google and Microsoft tokens. */
type Credentials = FeedCredentials | OAuthCredentials;

export interface CalendarDeps {
  db: Kysely<Database>;
  clock: Clock;
  box: SecretStore;
  /** How often each connection is synced; a sync older than two intervals is stale. */
  syncIntervalMs: number;
  mailFrom?: string;
  publicUrl?: string;
  /** Per-request timeout for reading a provider. */
  timeoutMs?: number;
  /** Google and Microsoft sources and revocation (oauth-connections.ts); absent = not offered. */
  oauth?: OAuthSources;
  /**
   * Let members connect calendars on loopback and private networks (a self-hosted server);
   * off by default, so a typed-in address cannot reach Ally's own network (guarded-fetch.ts).
   */
  allowPrivateHosts?: boolean;
  /** Resolves host names for that check; the system resolver by default. */
  lookup?: Lookup;
  /** For backoff jitter; Math.random by default. */
  random?: () => number;
}

/** Failed syncs in a row after which a connection that may recover by itself is unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 2;
/** The longest wait between attempts of a failing connection. */
export const MAX_BACKOFF_MS = 6 * 3_600_000;
/** An ICS feed answering "not modified" is still downloaded in full this often, so the synced horizon moves on. */
export const FULL_READ_EVERY_MS = 6 * 3_600_000;

/**
 * How long to wait after the `failures`-th failure in a row: a quick second look (one blip
 * should not alarm anyone), then the sync interval doubling up to MAX_BACKOFF_MS, with "equal
 * jitter" (half fixed, half random) so processes do not retry in step; never sooner than a
 * server's Retry-After.
 * @example backoffMs(1, 15 * 60_000, () => 1) // 120000
 * @example backoffMs(3, 15 * 60_000, () => 0) // 900000 (half of 30 minutes)
 */
export function backoffMs(
  failures: number,
  syncIntervalMs: number,
  random: () => number,
  retryAfterMs = 0,
): number {
  const quickLook = 2 * 60_000;
  const ceiling =
    failures <= 1
      ? quickLook
      : Math.max(quickLook, Math.min(MAX_BACKOFF_MS, syncIntervalMs * 2 ** (failures - 2)));
  return Math.max(retryAfterMs, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/**
 * Whether a failure can fix itself (a server down, a rate limit, a 401 that a proxy sent once):
 * those mark a connection unhealthy only when repeated. A missing calendar, an answer that is
 * not a calendar, or credentials Ally cannot open will not fix themselves.
 */
function transient(error: unknown): boolean {
  return (
    error instanceof ConnectorError &&
    !error.permanent &&
    (error.code === "CALENDAR_UNREACHABLE" ||
      error.code === "CALENDAR_AUTH_FAILED" ||
      error.code === "CALENDAR_RATE_LIMITED")
  );
}

interface SyncState {
  etag?: string | null;
  lastModified?: string | null;
  /** When the feed was last downloaded in full. */
  fullReadAt?: number;
}

function syncStateOf(text: string | null): SyncState {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? (value as SyncState) : {};
  } catch {
    return {};
  }
}

export function credentialsBinding(id: string, orgId: string): SecretBinding {
  return { table: "calendar_connections", column: "credentials", rowId: id, owner: orgId };
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toConnection(row: CalendarConnectionsTable): CalendarConnection {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    label: row.label,
    status: row.status,
    lastSyncedAt: row.last_synced_at === null ? null : iso(row.last_synced_at),
    lastError: row.last_error,
    createdAt: iso(row.created_at),
    account: row.account,
  };
}

function parseHttpUrl(text: string, field: string): URL {
  if (text.length > 2000) throw invalid(field, "the address is too long (at most 2000 characters)");
  let url: URL;
  try {
    url = new URL(text.trim().replace(/^webcal:/i, "https:"));
  } catch {
    throw invalid(field, "enter the calendar's full address, starting with https://");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    throw invalid(field, "the address must start with https:// (or http://)");
  }
  if (url.username !== "" || url.password !== "") {
    throw invalid(field, "put the user name and password in their own fields, not in the address");
  }
  return url;
}

/** "3 hours", "1 day", "20 minutes". */
export function duration(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (ms >= 2 * DAY_MS) return unit(Math.floor(ms / DAY_MS), "day");
  if (ms >= 3_600_000) return unit(Math.floor(ms / 3_600_000), "hour");
  return unit(Math.max(1, Math.floor(ms / 60_000)), "minute");
}

function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else merged.push({ start: next.start, end: next.end });
  }
  return merged;
}

export type CalendarService = ReturnType<typeof createCalendarService>;

export function createCalendarService(deps: CalendarDeps) {
  const { db, clock, box } = deps;
  const options = {
    timeoutMs: deps.timeoutMs ?? 20_000,
    fetch: guardedFetch({
      allowPrivateHosts: deps.allowPrivateHosts ?? false,
      ...(deps.lookup === undefined ? {} : { lookup: deps.lookup }),
    }),
  };
  const random = deps.random ?? Math.random;

  function sourceOf(
    provider: CalendarProvider,
    credentials: Credentials,
    row?: CalendarConnectionsTable,
  ): CalendarSource {
    if (provider === "google" || provider === "microsoft") {
      if (deps.oauth === undefined || row === undefined || !("accessToken" in credentials)) {
        throw new ConnectorError(
          "CALENDAR_AUTH_FAILED",
          `${provider} is not set up on this server`,
        );
      }
      return deps.oauth.source(row, credentials);
    }
    if (!("url" in credentials)) throw new ConnectorError("CALENDAR_INVALID", "no address");
    const url = new URL(credentials.url);
    return provider === "caldav"
      ? new CalDavSource(
          url,
          { username: credentials.username ?? "", password: credentials.password ?? "" },
          options,
        )
      : new IcsFeedSource(url, options);
  }

  async function zoneOf(orgId: string, userId: string): Promise<string> {
    const row = await db
      .selectFrom("interviewer_profiles")
      .select("time_zone")
      .where("organisation_id", "=", orgId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.time_zone ?? "UTC";
  }

  async function requireMember(orgId: string, userId: string): Promise<void> {
    const row = await db
      .selectFrom("memberships")
      .select("user_id")
      .where("organisation_id", "=", orgId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (row === undefined) throw notFound("member");
  }

  async function ownConnection(actor: Actor, id: string): Promise<CalendarConnectionsTable> {
    const row = await db
      .selectFrom("calendar_connections")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("calendar connection");
    if (row.user_id !== actor.userId) {
      if (can(actor.role, "members:manage")) throw forbidden("only its owner may change it");
      throw notFound("calendar connection");
    }
    return row;
  }

  interface Read {
    busy: EpochMsInterval[];
    /** What to keep for the next conditional read (sync_state). */
    syncState: string | null;
  }

  /**
   * Reads a calendar's busy time for the sync range, or "unchanged" when an ICS feed answers 304
   * to the validators in `syncState` (only while its last full read is recent enough).
   */
  async function readCalendar(
    provider: CalendarProvider,
    credentials: Credentials,
    syncState: string | null,
    zone: string,
    now: number,
    row?: CalendarConnectionsTable,
  ): Promise<Read | "unchanged"> {
    const range = { startEpochMs: now - SYNC_BEHIND_MS, endEpochMs: now + SYNC_AHEAD_MS };
    const source = sourceOf(provider, credentials, row);
    // Google: free/busy only when events.list says something changed (oauth-connections.ts).
    const incremental =
      row === undefined ? undefined : await deps.oauth?.readIfChanged(row, source, range, now);
    if (incremental !== undefined) return incremental;
    if (!(source instanceof IcsFeedSource)) {
      return { busy: (await source.busy(range, { zone })).busy, syncState };
    }
    const state = syncStateOf(syncState);
    const recent = state.fullReadAt !== undefined && now - state.fullReadAt < FULL_READ_EVERY_MS;
    const validators = recent
      ? { etag: state.etag ?? null, lastModified: state.lastModified ?? null }
      : { etag: null, lastModified: null };
    const answer = await source.busyIfChanged(range, { zone }, validators);
    if (!answer.changed) return "unchanged";
    const next: SyncState = { ...answer.validators, fullReadAt: now };
    return { busy: answer.read.busy, syncState: JSON.stringify(next) };
  }

  /** A failure to read at connect is the person's to fix, so it names the field. */
  function connectFailure(provider: CalendarProvider, error: unknown): unknown {
    if (!(error instanceof ConnectorError)) return error;
    if (error.code === "CALENDAR_AUTH_FAILED" && provider === "caldav") {
      return invalid(
        "password",
        `the server refused this user name and password: ${error.message}`,
      );
    }
    return invalid("url", `Ally could not read this calendar: ${error.message}`);
  }

  /** Reads busy time once, before a connection is saved. */
  async function firstRead(
    provider: CalendarProvider,
    credentials: FeedCredentials,
    zone: string,
  ): Promise<Read> {
    const read = await readCalendar(provider, credentials, null, zone, clock.now());
    if (read === "unchanged") throw new Error("a first read cannot be unchanged");
    return read;
  }

  async function probe(provider: CalendarProvider, credentials: FeedCredentials, zone: string) {
    try {
      return await firstRead(provider, credentials, zone);
    } catch (error) {
      throw connectFailure(provider, error);
    }
  }

  /** Saves a connection that was read just now, and materialises that read. */
  async function saveConnection(
    actor: Actor,
    provider: "caldav" | "ics-feed",
    credentials: FeedCredentials,
    label: string,
    read: Read,
  ): Promise<CalendarConnection> {
    const id = newId("cal");
    const row: CalendarConnectionsTable = {
      id,
      organisation_id: actor.orgId,
      user_id: actor.userId,
      provider,
      label,
      credentials: await box.seal(JSON.stringify(credentials), credentialsBinding(id, actor.orgId)),
      status: "pending",
      last_synced_at: null,
      last_attempt_at: null,
      last_error: null,
      alerted_at: null,
      claimed_until: null,
      created_at: clock.now(),
      sync_state: null,
      failure_count: 0,
      next_attempt_at: null,
      calendars: null,
      account: null,
    };
    await db.insertInto("calendar_connections").values(row).execute();
    return toConnection(await syncRow(row, read));
  }

  async function readRow(row: CalendarConnectionsTable, now: number): Promise<Read | "unchanged"> {
    const credentials = JSON.parse(
      await box.open(row.credentials, credentialsBinding(row.id, row.organisation_id)),
    ) as Credentials;
    const zone = await zoneOf(row.organisation_id, row.user_id);
    return readCalendar(row.provider, credentials, row.sync_state, zone, now, row);
  }

  /** Replaces the row's busy time with a fresh read (or `alreadyRead`, taken just now). */
  async function syncRow(
    row: CalendarConnectionsTable,
    alreadyRead?: Read,
  ): Promise<CalendarConnectionsTable> {
    const now = clock.now();
    let read: Read | "unchanged" | undefined = alreadyRead;
    let failure: string | undefined;
    let error: unknown;
    if (read === undefined) {
      try {
        read = await readRow(row, now);
      } catch (caught) {
        error = caught;
        failure =
          caught instanceof ConnectorError
            ? caught.message
            : `the credentials could not be read: ${(caught as Error).message}`;
      }
    }
    /** A sync that worked: healthy, nothing owed, due again after the interval. */
    const healthy = {
      status: "healthy" as const,
      last_synced_at: clock.now(),
      last_attempt_at: now,
      last_error: null,
      alerted_at: null,
      claimed_until: null,
      failure_count: 0,
      next_attempt_at: null,
    };
    if (read === "unchanged") {
      await db.updateTable("calendar_connections").set(healthy).where("id", "=", row.id).execute();
      return db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("id", "=", row.id)
        .executeTakeFirstOrThrow();
    }
    await db.transaction().execute(async (trx) => {
      if (read !== undefined) {
        await trx.deleteFrom("busy_blocks").where("connection_id", "=", row.id).execute();
        if (read.busy.length > 0) {
          await trx
            .insertInto("busy_blocks")
            .values(
              read.busy.map((b) => ({
                connection_id: row.id,
                organisation_id: row.organisation_id,
                user_id: row.user_id,
                start_at: b.startEpochMs,
                end_at: b.endEpochMs,
              })),
            )
            .execute();
        }
        await trx
          .updateTable("calendar_connections")
          .set({ ...healthy, sync_state: read.syncState })
          .where("id", "=", row.id)
          .execute();
        return;
      }
      const failures = row.failure_count + 1;
      const unhealthy =
        row.status === "unhealthy" || !transient(error) || failures >= UNHEALTHY_AFTER_FAILURES;
      const alert = unhealthy && row.alerted_at === null;
      const retryAfter = error instanceof ConnectorError ? (error.retryAfterMs ?? 0) : 0;
      await trx
        .updateTable("calendar_connections")
        .set({
          status: unhealthy ? "unhealthy" : row.status,
          last_attempt_at: now,
          last_error: (failure ?? "unknown failure").slice(0, 500),
          alerted_at: alert ? now : row.alerted_at,
          claimed_until: null,
          failure_count: failures,
          next_attempt_at: now + backoffMs(failures, deps.syncIntervalMs, random, retryAfter),
        })
        .where("id", "=", row.id)
        .execute();
      if (alert) {
        const owner = await trx
          .selectFrom("users")
          .select(["email", "name"])
          .where("id", "=", row.user_id)
          .executeTakeFirst();
        if (owner !== undefined) {
          const page = deps.publicUrl === undefined ? "" : `\n\n${deps.publicUrl}/app/calendars`;
          await enqueueMail(
            trx,
            {
              organisationId: row.organisation_id as Actor["orgId"],
              kind: "calendar-unhealthy",
              to: owner.email,
              subject: `Ally cannot read your calendar (${row.label})`,
              text: `Hello ${owner.name},\n\nAlly could not read your calendar (${row.label}): ${failure}\n\nUntil it is fixed, Ally's view of your busy time may be out of date. Reconnect it on your calendars page.${page}\n`,
            },
            now,
            deps.mailFrom,
          );
        }
      }
    });
    return db
      .selectFrom("calendar_connections")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
  }

  /**
   * `busyFor` for several members in three queries, whatever their number (a pool's options
   * read everyone at once).
   * @throws AppError NOT_FOUND when one of them is not a member of the actor's organisation.
   */
  async function busyForMany(
    actor: Actor,
    userIds: readonly string[],
    range: Interval,
  ): Promise<Map<string, BusyAnswer>> {
    requirePermission(actor.role, "hiring:read");
    const answers = new Map<string, BusyAnswer>();
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return answers;
    const members = await db
      .selectFrom("memberships")
      .select("user_id")
      .where("organisation_id", "=", actor.orgId)
      .where("user_id", "in", ids)
      .execute();
    if (members.length !== ids.length) throw notFound("member");
    const blocks = await db
      .selectFrom("busy_blocks")
      .select(["user_id", "start_at", "end_at"])
      .where("organisation_id", "=", actor.orgId)
      .where("user_id", "in", ids)
      .where("start_at", "<", range.end)
      .where("end_at", ">", range.start)
      .execute();
    const connections = await db
      .selectFrom("calendar_connections")
      .innerJoin("users", "users.id", "calendar_connections.user_id")
      .select([
        "calendar_connections.user_id",
        "calendar_connections.label",
        "calendar_connections.status",
        "calendar_connections.last_synced_at",
        "calendar_connections.last_error",
        "users.name",
      ])
      .where("calendar_connections.organisation_id", "=", actor.orgId)
      .where("calendar_connections.user_id", "in", ids)
      .orderBy("calendar_connections.created_at")
      .execute();
    const now = clock.now();
    for (const userId of ids) {
      const busy = mergeIntervals(
        blocks
          .filter((b) => b.user_id === userId)
          .map((b) => ({
            start: Math.max(Number(b.start_at), range.start),
            end: Math.min(Number(b.end_at), range.end),
          })),
      );
      const theirs = connections.filter((c) => c.user_id === userId);
      const warnings: string[] = [];
      for (const c of theirs) {
        const whose = `${c.name}'s calendar (${c.label})`;
        const stale = c.last_synced_at === null || now - c.last_synced_at > 2 * deps.syncIntervalMs;
        const since =
          c.last_synced_at === null
            ? "has never synced"
            : `has not synced for ${duration(now - c.last_synced_at)}`;
        if (c.status === "unhealthy") {
          warnings.push(`${whose} ${since}: ${c.last_error ?? "it cannot be read"}`);
        } else if (stale) {
          warnings.push(`${whose} ${since}`);
        }
      }
      if (theirs.length === 0) warnings.push("no calendar is connected for this person");
      answers.set(userId, {
        busy: busy.map((b) => ({ start: iso(b.start), end: iso(b.end) })),
        warnings,
      });
    }
    return answers;
  }

  return {
    /** Validates by reading once, then saves with sealed credentials and the busy time read. */
    async connect(actor: Actor, input: ConnectInput): Promise<CalendarConnection> {
      const provider = input.provider;
      if (provider !== "caldav" && provider !== "ics-feed") {
        throw invalid("provider", "choose CalDAV or an ICS feed");
      }
      const url = parseHttpUrl(typeof input.url === "string" ? input.url : "", "url");
      const credentials: FeedCredentials = { url: url.toString() };
      if (input.provider === "caldav") {
        const username = typeof input.username === "string" ? input.username.trim() : "";
        const password = typeof input.password === "string" ? input.password : "";
        if (username === "") throw invalid("username", "enter the calendar's user name");
        if (username.length > 200) throw invalid("username", "the user name is too long");
        if (password.trim() === "") throw invalid("password", "enter the (app-specific) password");
        if (password.length > 500) throw invalid("password", "the password is too long");
        credentials.username = username;
        credentials.password = password;
      }
      const zone = await zoneOf(actor.orgId, actor.userId);
      if (provider === "ics-feed") {
        const read = await probe(provider, credentials, zone);
        return saveConnection(actor, provider, credentials, `ICS feed at ${url.host}`, read);
      }
      let read: Read;
      try {
        read = await firstRead(provider, credentials, zone);
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== "CALENDAR_INVALID") {
          throw connectFailure(provider, error);
        }
        // Not one calendar: perhaps the server's address (caldav.icloud.com). Every event
        // calendar found there is connected, each on its own, so one can be removed alone.
        const found = await discoverCalendars(
          url,
          { username: credentials.username ?? "", password: credentials.password ?? "" },
          options,
        ).catch((discovery: unknown) => {
          throw discovery instanceof ConnectorError && discovery.code !== "CALENDAR_INVALID"
            ? connectFailure(provider, discovery)
            : connectFailure(provider, error);
        });
        if (found.length === 0) throw connectFailure(provider, error);
        const connected: CalendarConnection[] = [];
        for (const calendar of found.slice(0, 20)) {
          const each = { ...credentials, url: calendar.url };
          const first = await probe(provider, each, zone);
          connected.push(
            await saveConnection(
              actor,
              provider,
              each,
              `CalDAV: ${calendar.name} at ${url.host}`,
              first,
            ),
          );
        }
        return connected[0] as CalendarConnection;
      }
      return saveConnection(actor, provider, credentials, `CalDAV at ${url.host}`, read);
    },

    /** The actor's own connections, or (with `members:manage`) another member's. */
    async listConnections(
      actor: Actor,
      userId: string = actor.userId,
    ): Promise<CalendarConnection[]> {
      if (userId !== actor.userId) {
        requirePermission(actor.role, "members:manage");
        await requireMember(actor.orgId, userId);
      }
      const rows = await db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toConnection);
    },

    async getConnection(actor: Actor, id: string): Promise<CalendarConnection> {
      const row = await db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("calendar connection");
      if (row.user_id !== actor.userId && !can(actor.role, "members:manage")) {
        throw notFound("calendar connection");
      }
      return toConnection(row);
    },

    /**
     * Deletes the connection and the busy time it brought; a Google grant is revoked first
     * (see `OAuthSources.revoke`: Microsoft has no revocation, and a failure does not stop it).
     */
    async disconnect(actor: Actor, id: string): Promise<void> {
      const row = await ownConnection(actor, id);
      await deps.oauth?.revoke(row);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom("busy_blocks").where("connection_id", "=", id).execute();
        await trx
          .deleteFrom("calendar_connections")
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .execute();
      });
    },

    /** Reads one connection now and replaces its busy time (the worker's unit of work). */
    async syncConnection(id: string): Promise<CalendarConnection> {
      const row = await db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("calendar connection");
      const synced = await syncRow(row);
      // Providers that can tell Ally about changes are asked to, once the grant is known to work.
      if (synced.status === "healthy") await deps.oauth?.keepPush(synced);
      return toConnection(synced);
    },

    /**
     * Claims one connection due for a sync (a lease, like the outbox): its id; `""` when another
     * worker won the race (look again); undefined when nothing is due.
     */
    async claimDue(leaseMs: number): Promise<string | undefined> {
      const now = clock.now();
      const dueBefore = now - deps.syncIntervalMs;
      const candidate = await db
        .selectFrom("calendar_connections")
        .select(["id", "last_attempt_at"])
        .where((eb) =>
          eb.or([
            eb("next_attempt_at", "<=", now),
            eb.and([
              eb("next_attempt_at", "is", null),
              eb.or([eb("last_attempt_at", "is", null), eb("last_attempt_at", "<=", dueBefore)]),
            ]),
          ]),
        )
        .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
        .orderBy("last_attempt_at")
        .orderBy("id")
        .limit(1)
        .executeTakeFirst();
      if (candidate === undefined) return undefined;
      const claimed = await db
        .updateTable("calendar_connections")
        .set({ claimed_until: now + leaseMs })
        .where("id", "=", candidate.id)
        .where((eb) =>
          candidate.last_attempt_at === null
            ? eb("last_attempt_at", "is", null)
            : eb("last_attempt_at", "=", candidate.last_attempt_at),
        )
        .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
        .executeTakeFirst();
      return Number(claimed.numUpdatedRows) === 1 ? candidate.id : "";
    },

    /**
     * Per member of the organisation, how far Ally can trust their calendars: how many are
     * connected, how many are not working, how many have not synced for two intervals. For the
     * team page; no labels, addresses or errors (those are their owner's).
     */
    async healthByMember(
      actor: Actor,
    ): Promise<Map<string, { connected: number; unhealthy: number; stale: number }>> {
      requirePermission(actor.role, "hiring:read");
      const rows = await db
        .selectFrom("calendar_connections")
        .select(["user_id", "status", "last_synced_at"])
        .where("organisation_id", "=", actor.orgId)
        .execute();
      const now = clock.now();
      const health = new Map<string, { connected: number; unhealthy: number; stale: number }>();
      for (const row of rows) {
        const entry = health.get(row.user_id) ?? { connected: 0, unhealthy: 0, stale: 0 };
        entry.connected += 1;
        if (row.status === "unhealthy") entry.unhealthy += 1;
        else if (
          row.last_synced_at === null ||
          now - row.last_synced_at > 2 * deps.syncIntervalMs
        ) {
          entry.stale += 1;
        }
        health.set(row.user_id, entry);
      }
      return health;
    },

    /** Materialised busy time of a member, merged, clipped to `range`, with trust warnings. */
    async busyFor(actor: Actor, userId: string, range: Interval): Promise<BusyAnswer> {
      const answers = await busyForMany(actor, [userId], range);
      return answers.get(userId) as BusyAnswer;
    },

    busyForMany,
  };
}
