/**
 * Tables owned by the calendar module: people's calendar connections, their busy time, and the
 * short-lived state of a Google or Microsoft connection being authorised.
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export type CalendarProvider = "caldav" | "ics-feed" | "google" | "microsoft";
/** Providers connected by OAuth 2 (authorization code with PKCE). */
export type OAuthProvider = "google" | "microsoft";
export type ConnectionStatus = "pending" | "healthy" | "unhealthy";

export interface CalendarConnectionsTable {
  /** `cal_…`, bound into the sealed credentials. */
  id: string;
  organisation_id: string;
  user_id: string;
  provider: CalendarProvider;
  /** What to call it on pages and in warnings: the provider and host, never a secret path. */
  label: string;
  /**
   * Sealed JSON (secrets/secret-store.ts), bound to `calendar_connections.credentials:<id>`:
   * `{url, username?, password?}` for CalDAV and ICS feeds (a feed's address is itself a
   * secret), `{accessToken, refreshToken, expiresAt}` for Google and Microsoft.
   */
  credentials: string;
  status: ConnectionStatus;
  last_synced_at: number | null;
  last_attempt_at: number | null;
  /** Why the last sync failed, for a person; never a password or secret path. */
  last_error: string | null;
  /** When its owner was told it is unhealthy; cleared when it recovers. */
  alerted_at: number | null;
  /** Set by the sync worker that claimed it; another may take it over after. */
  claimed_until: number | null;
  created_at: number;
  /**
   * What the provider needs to read only what changed since the last sync, as JSON: an ICS
   * feed's `{etag, lastModified}`, Google's per-calendar sync tokens, Graph's delta links.
   * Not secret; never credentials.
   */
  sync_state: string | null;
  /** Failed syncs in a row; reset by a successful one. Drives backoff and the unhealthy mark. */
  failure_count: number;
  /** Not before this instant does the worker try again (backoff after failures); null = due by interval. */
  next_attempt_at: number | null;
  /**
   * For providers with several calendars per account (Google, Microsoft), JSON
   * `[{id, name, busy, receivesEvents}]`: which count as busy and the one that receives Ally's events.
   */
  calendars: string | null;
  /** The provider account, as the person knows it (an email address), for pages. */
  account: string | null;
}

/** Busy time read by the last successful sync of a connection (epoch ms, half-open). */
export interface BusyBlocksTable {
  id: Generated<number>;
  connection_id: string;
  organisation_id: string;
  user_id: string;
  start_at: number;
  end_at: number;
}

/**
 * A push channel (Google events.watch) or change subscription (Microsoft Graph) through which a
 * provider tells Ally that a connection's calendar changed, so it is synced now rather than at
 * the next interval.
 */
export interface CalendarPushChannelsTable {
  /** Ally's id for the channel: Google's channel id; the key notifications are matched on for Graph too. */
  id: string;
  organisation_id: string;
  connection_id: string;
  provider: "google" | "microsoft";
  /** The provider's id of the watched calendar. */
  calendar_id: string;
  /** The provider's id: Google's resourceId, Graph's subscription id. */
  resource_id: string;
  /** SHA-256 of the secret the provider echoes (Google's channel token, Graph's clientState). */
  token_hash: string;
  expires_at: number;
  created_at: number;
}

/**
 * A Google or Microsoft connection between "Connect" and the provider's callback: single use,
 * ten minutes, bound to the organisation, member and provider that started it.
 */
export interface OAuthStatesTable {
  /** `oas_…`, bound into the sealed verifier. */
  id: string;
  /** SHA-256 of the `state` sent to the provider; the state itself is never stored. */
  state_hash: string;
  organisation_id: string;
  user_id: string;
  provider: OAuthProvider;
  /** The PKCE code verifier (RFC 7636), sealed, bound to `oauth_states.code_verifier:<id>`. */
  code_verifier: string;
  created_at: number;
  expires_at: number;
}

export type EventWriteAction = "upsert" | "cancel";
export type EventWriteStatus = "pending" | "done" | "failed";

/**
 * Durable writes of Ally's events to a person's calendar (event-writes.ts), enqueued in the
 * transaction that books, reschedules or cancels, performed by a worker with leases and retries.
 */
export interface CalendarEventWritesTable {
  id: Generated<number>;
  organisation_id: string;
  /** Whose calendar receives the event. */
  user_id: string;
  /** The iCalendar UID of the event (one per session of a booking, imip.ts `sessionUid`). */
  booking_uid: string;
  action: EventWriteAction;
  /** The event as JSON (imip.ts `InterviewEvent`), with the DTSTAMP to write. */
  payload: string;
  status: EventWriteStatus;
  attempts: number;
  /** Not before this instant (backoff after a failure). */
  next_attempt_at: number;
  /** Set by the worker that claimed it; another may take it over after. */
  claimed_until: number | null;
  /** Why the last attempt failed, for a person; never a password or secret path. */
  last_error: string | null;
  /** What happened, for a person: "written to CalDAV at …", "no calendar connected", … */
  outcome: string | null;
  created_at: number;
  done_at: number | null;
  /** When the queue gave up after its last attempt (a dead letter, listed for admins); null while alive. */
  dead_at: number | null;
}

/** Where an event Ally wrote lives on a connection, so updates and cancellations hit it. */
export interface CalendarEventLinksTable {
  organisation_id: string;
  user_id: string;
  booking_uid: string;
  connection_id: string;
  /** The provider's reference: a CalDAV object URL, a Google or Microsoft event id. */
  provider_ref: string;
  /** The version Ally last wrote (HTTP ETag, Google etag, Graph changeKey), when known. */
  etag: string | null;
  updated_at: number;
}

export interface CalendarTables {
  calendar_event_writes: CalendarEventWritesTable;
  calendar_event_links: CalendarEventLinksTable;
  calendar_connections: CalendarConnectionsTable;
  busy_blocks: BusyBlocksTable;
  calendar_push_channels: CalendarPushChannelsTable;
  oauth_states: OAuthStatesTable;
}

const busyPurpose = "schedule interviews around the person's busy time";
const eventsPurpose = "put booked interviews on the interviewers' calendars";

export const calendarDataMap: TableNotes<CalendarTables> = {
  calendar_connections: {
    id: notPersonal,
    organisation_id: notPersonal,
    user_id: notPersonal,
    provider: notPersonal,
    label: notPersonal,
    credentials: personal("credential", busyPurpose, "membership"),
    status: notPersonal,
    last_synced_at: notPersonal,
    last_attempt_at: notPersonal,
    last_error: notPersonal,
    alerted_at: notPersonal,
    claimed_until: notPersonal,
    created_at: notPersonal,
    sync_state: notPersonal,
    failure_count: notPersonal,
    next_attempt_at: notPersonal,
    calendars: personal("employment", busyPurpose, "membership"),
    account: personal("contact", busyPurpose, "membership"),
  },
  calendar_push_channels: {
    id: notPersonal,
    organisation_id: notPersonal,
    connection_id: notPersonal,
    provider: notPersonal,
    calendar_id: notPersonal,
    resource_id: notPersonal,
    token_hash: personal("credential", busyPurpose, "membership"),
    expires_at: notPersonal,
    created_at: notPersonal,
  },
  busy_blocks: {
    id: notPersonal,
    connection_id: notPersonal,
    organisation_id: notPersonal,
    user_id: notPersonal,
    start_at: personal("employment", busyPurpose, "membership"),
    end_at: personal("employment", busyPurpose, "membership"),
  },
  oauth_states: {
    id: notPersonal,
    state_hash: personal("credential", "connect the person's calendar account", "token"),
    organisation_id: notPersonal,
    user_id: notPersonal,
    provider: notPersonal,
    code_verifier: personal("credential", "connect the person's calendar account", "token"),
    created_at: notPersonal,
    expires_at: notPersonal,
  },
  calendar_event_writes: {
    id: notPersonal,
    organisation_id: notPersonal,
    user_id: notPersonal,
    booking_uid: notPersonal,
    action: notPersonal,
    payload: personal("recruiting", eventsPurpose, "customer"),
    status: notPersonal,
    attempts: notPersonal,
    next_attempt_at: notPersonal,
    claimed_until: notPersonal,
    last_error: notPersonal,
    outcome: notPersonal,
    created_at: notPersonal,
    done_at: notPersonal,
    dead_at: notPersonal,
  },
  calendar_event_links: {
    organisation_id: notPersonal,
    user_id: notPersonal,
    booking_uid: notPersonal,
    connection_id: notPersonal,
    // A CalDAV object URL often holds the person's address (…/calendars/user/dana@…/).
    provider_ref: personal("contact", eventsPurpose, "membership"),
    etag: notPersonal,
    updated_at: notPersonal,
  },
};
