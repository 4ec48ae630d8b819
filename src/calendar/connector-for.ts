/**
 * The one place a connector is built from a `calendar_connections` row: its sealed
 * `credentials` are opened, parsed with the provider's schema (a row that does not match fails
 * with a StoredJsonError naming the row, never a silent cast), and the matching connector is
 * returned: CalDAV and ICS feeds here, Google and Microsoft through the OAuth sources
 * (oauth-connections.ts), which refresh and reseal tokens. Used by the sync, the event writer,
 * push channels and revocation alike.
 */
import { z } from "zod";
import type { SecretBinding, SecretStore } from "../secrets/secret-store.js";
import { parseStoredJson } from "../store/stored-json.js";
import { CalDavSource } from "./connectors/caldav.js";
import { CalDavEventWriter } from "./connectors/caldav-event-writer.js";
import { guardedFetch, type Lookup } from "./connectors/guarded-fetch.js";
import { IcsFeedSource } from "./connectors/ics-feed.js";
import { type CalendarSource, ConnectorError, type EventWriter } from "./connectors/types.js";
import type { OAuthSources } from "./oauth-connections.js";
import type { CalendarConnectionsTable } from "./tables.js";

/** What a CalDAV or ICS feed connection keeps, sealed: the address and, for CalDAV, Basic auth. */
export const feedCredentialsSchema = z.object({
  url: z.string().min(1),
  username: z.string().optional(),
  password: z.string().optional(),
});
export type FeedCredentials = z.infer<typeof feedCredentialsSchema>;

/** What a Google or Microsoft connection keeps, sealed. */
export const oauthCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** RFC 3339. */
  expiresAt: z.string(),
  scopes: z.array(z.string()).optional(),
});
export type OAuthCredentials = z.infer<typeof oauthCredentialsSchema>;

/** A row's credentials, parsed, with the provider they belong to. */
export type StoredCredentials =
  | { kind: "feed"; credentials: FeedCredentials }
  | { kind: "oauth"; credentials: OAuthCredentials };

export function credentialsBinding(id: string, orgId: string): SecretBinding {
  return { table: "calendar_connections", column: "credentials", rowId: id, owner: orgId };
}

type Row = Pick<CalendarConnectionsTable, "id" | "provider">;

/**
 * Parses a row's opened `credentials` with the schema of its provider.
 * @throws StoredJsonError when they are not what that provider stores.
 */
export function parseCredentials(row: Row, unsealed: string): StoredCredentials {
  const what = `calendar_connections.credentials of ${row.id}`;
  return row.provider === "google" || row.provider === "microsoft"
    ? { kind: "oauth", credentials: parseStoredJson(oauthCredentialsSchema, unsealed, what) }
    : { kind: "feed", credentials: parseStoredJson(feedCredentialsSchema, unsealed, what) };
}

/** Opens and parses a row's sealed credentials. */
export async function openCredentials(
  box: SecretStore,
  row: Pick<CalendarConnectionsTable, "id" | "provider" | "organisation_id" | "credentials">,
): Promise<StoredCredentials> {
  return parseCredentials(
    row,
    await box.open(row.credentials, credentialsBinding(row.id, row.organisation_id)),
  );
}

/** The OAuth credentials of a Google or Microsoft row. */
export async function openOAuthCredentials(
  box: SecretStore,
  row: Pick<CalendarConnectionsTable, "id" | "provider" | "organisation_id" | "credentials">,
): Promise<OAuthCredentials> {
  const stored = await openCredentials(box, row);
  if (stored.kind !== "oauth") throw new RangeError(`${row.provider} is not an OAuth provider`);
  return stored.credentials;
}

/** What a worker passes for Google and Microsoft (the event writer needs no source). */
type OAuthKit = Partial<Pick<OAuthSources, "source" | "eventWriter">>;

/** How connectors reach providers; one per service or worker. */
export interface ConnectorKit {
  /** Per-request timeout and the guarded fetch, for CalDAV and ICS feeds. */
  feeds: { timeoutMs: number; fetch: typeof fetch };
  /** Google and Microsoft; absent = not set up on this server. */
  oauth?: OAuthKit | undefined;
}

/** The settings a kit is made from (CalendarDeps and EventWriteWorkerDeps carry them). */
export interface ConnectorSettings {
  timeoutMs?: number;
  /** Let CalDAV servers and feeds on loopback and private networks through (guarded-fetch.ts). */
  allowPrivateHosts?: boolean;
  lookup?: Lookup;
  /** The fetch under the guard (tests). */
  transport?: typeof fetch;
  oauth?: OAuthKit | undefined;
}

export function connectorKit(settings: ConnectorSettings): ConnectorKit {
  return {
    feeds: {
      timeoutMs: settings.timeoutMs ?? 20_000,
      fetch: guardedFetch({
        allowPrivateHosts: settings.allowPrivateHosts ?? false,
        ...(settings.lookup === undefined ? {} : { lookup: settings.lookup }),
        ...(settings.transport === undefined ? {} : { fetch: settings.transport }),
      }),
    },
    oauth: settings.oauth,
  };
}

/** One connection's way to its provider. */
export interface Connector {
  /** Reads busy time. */
  source(): CalendarSource;
  /**
   * Writes Ally's events.
   * @throws ConnectorError for an ICS feed (read-only) or a calendar without one chosen to receive.
   */
  writer(): EventWriter;
}

/**
 * The connector for a row, from its opened (unsealed) `credentials` text.
 * @throws StoredJsonError when the credentials do not match the provider's schema.
 */
export function connectorFor(
  row: CalendarConnectionsTable,
  unsealed: string,
  kit: ConnectorKit,
): Connector {
  return connectorWith(row, parseCredentials(row, unsealed), kit);
}

/** `connectorFor` with the sealed credentials opened first. */
export async function openConnector(
  box: SecretStore,
  row: CalendarConnectionsTable,
  kit: ConnectorKit,
): Promise<Connector> {
  // Without Google and Microsoft set up there is nothing to open the tokens for.
  if ((row.provider === "google" || row.provider === "microsoft") && kit.oauth === undefined) {
    const fail = (): never => {
      throw oauthNotSetUp(row);
    };
    return { source: fail, writer: fail };
  }
  return connectorWith(row, await openCredentials(box, row), kit);
}

function oauthNotSetUp(row: Pick<CalendarConnectionsTable, "label">): ConnectorError {
  return new ConnectorError(
    "CALENDAR_AUTH_FAILED",
    `${row.label}: Google and Microsoft calendars are not set up on this Ally server`,
  );
}

/** The connector for a row whose credentials are already parsed (a connection being made). */
export function connectorWith(
  row: CalendarConnectionsTable,
  stored: StoredCredentials,
  kit: ConnectorKit,
): Connector {
  if (stored.kind === "oauth") {
    const oauth = kit.oauth;
    const notSetUp = () => oauthNotSetUp(row);
    return {
      source: () => {
        if (oauth?.source === undefined) throw notSetUp();
        return oauth.source(row, stored.credentials);
      },
      writer: () => {
        if (oauth?.eventWriter === undefined) throw notSetUp();
        return oauth.eventWriter(row, stored.credentials);
      },
    };
  }
  const { url, username, password } = stored.credentials;
  const basic = { username: username ?? "", password: password ?? "" };
  if (row.provider === "caldav") {
    return {
      source: () => new CalDavSource(new URL(url), basic, kit.feeds),
      writer: () => new CalDavEventWriter(new URL(url), basic, kit.feeds),
    };
  }
  return {
    source: () => new IcsFeedSource(new URL(url), kit.feeds),
    writer: () => {
      throw new ConnectorError(
        "CALENDAR_INVALID",
        `${row.label} is read-only: Ally cannot write events to it`,
      );
    },
  };
}
