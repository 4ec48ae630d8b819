/**
 * Google and Microsoft calendar connections, made from the web page with OAuth 2 (authorization
 * code with PKCE S256, RFC 7636): "Connect" stores a single-use state (hashed, bound to the
 * organisation, member and provider, its PKCE verifier sealed, ten minutes) and sends the
 * person to the provider; the callback checks the state, exchanges the code, seals the tokens
 * in the connection's `credentials`, reads the account's address and calendar list, syncs once,
 * and lets the person choose which calendars count as busy and which one receives Ally's events.
 *
 * `createOAuthSources` is what the sync (connections.ts) uses: a `CalendarSource` over the
 * chosen calendars whose access token is refreshed in one place (`accessTokenProvider`) and
 * resealed in the row after every refresh, and the revocation a disconnect asks for.
 * Provider endpoints come in through `endpoints`, never from the environment, so tests point
 * them at local servers. No token is ever logged, shown or put in an error message.
 */
import type { Kysely } from "kysely";
import { newId } from "../accounts/ids.js";
import { can } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import { tokenHash } from "../accounts/tokens.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { AppError, forbidden, invalid, notFound } from "../errors.js";
import type { SecretBinding, SecretStore } from "../secrets/secret-store.js";
import type { Database } from "../store/schema.js";
import { credentialsBinding, FULL_READ_EVERY_MS } from "./connections.js";
import { GoogleCalendar, isGoogleRateLimited } from "./connectors/google.js";
import { guardedFetch } from "./connectors/guarded-fetch.js";
import { HttpClient, type HttpClientOptions } from "./connectors/http.js";
import { MicrosoftCalendar } from "./connectors/microsoft.js";
import {
  accessTokenProvider,
  authorizationUrl,
  createPkcePair,
  createState,
  exchangeCode,
  GOOGLE_CALENDAR_SCOPES,
  googleOAuthConfig,
  MICROSOFT_CALENDAR_SCOPES,
  microsoftOAuthConfig,
  type OAuthClientConfig,
  revokeToken,
  type TokenSet,
} from "./connectors/oauth.js";
import {
  type ProviderAccount,
  readGoogleAccount,
  readMicrosoftAccount,
} from "./connectors/provider-accounts.js";
import { GoogleEventWriter, MicrosoftEventWriter } from "./connectors/provider-event-writers.js";
import {
  type CalendarSource,
  ConnectorError,
  type EpochMsInterval,
  type EventWriter,
} from "./connectors/types.js";
import type { PushChannels, PushClient } from "./push.js";
import type { CalendarConnectionsTable, OAuthProvider } from "./tables.js";

/** How long a person has between "Connect" and coming back from the provider. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export const OAUTH_PROVIDERS: readonly OAuthProvider[] = ["google", "microsoft"];

export const PROVIDER_NAMES: Record<OAuthProvider, string> = {
  google: "Google Calendar",
  microsoft: "Microsoft 365",
};

/** Where each provider answers. Defaults are the real services; tests pass local servers. */
export interface ProviderEndpoints {
  google: {
    /** Consent page host; default https://accounts.google.com */
    accountsBaseUrl: string;
    /** Token and revocation host; default https://oauth2.googleapis.com */
    tokenBaseUrl: string;
    /** OpenID Connect userinfo; default https://openidconnect.googleapis.com/v1/userinfo */
    userinfoUrl: string;
    /** Calendar API v3; default https://www.googleapis.com/calendar/v3 */
    apiBaseUrl: string;
  };
  microsoft: {
    /** default https://login.microsoftonline.com */
    authorityBaseUrl: string;
    /** default https://graph.microsoft.com/v1.0 */
    graphBaseUrl: string;
  };
}

export const PROVIDER_ENDPOINTS: ProviderEndpoints = {
  google: {
    accountsBaseUrl: "https://accounts.google.com",
    tokenBaseUrl: "https://oauth2.googleapis.com",
    userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
    apiBaseUrl: "https://www.googleapis.com/calendar/v3",
  },
  microsoft: {
    authorityBaseUrl: "https://login.microsoftonline.com",
    graphBaseUrl: "https://graph.microsoft.com/v1.0",
  },
};

/**
 * Google: free/busy and events (the connector's narrowest pair), the calendar list (the
 * narrowest scope that lists calendars, so a person can choose among them), and `openid email`
 * for the account's address. Microsoft: a refresh token, calendars, and the signed-in user's
 * address (`User.Read`).
 */
export const SCOPES: Record<OAuthProvider, readonly string[]> = {
  google: [
    ...GOOGLE_CALENDAR_SCOPES,
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "openid",
    "email",
  ],
  microsoft: [...MICROSOFT_CALENDAR_SCOPES, "User.Read"],
};

/** What `credentials` holds for a Google or Microsoft connection, sealed. */
export interface OAuthCredentials {
  accessToken: string;
  refreshToken: string;
  /** RFC 3339. */
  expiresAt: string;
  scopes?: string[];
}

/** One calendar of the account, as stored in `calendar_connections.calendars`. */
export interface ChosenCalendar {
  id: string;
  name: string;
  /** Its events count as busy time. */
  busy: boolean;
  /** Ally's events are written here; exactly one per connection. */
  receivesEvents: boolean;
}

export interface CalendarChoices {
  connectionId: string;
  provider: string;
  label: string;
  account: string | null;
  calendars: ChosenCalendar[];
}

export interface ChooseInput {
  /** Ids of the calendars that count as busy. */
  busy: string[];
  /** Id of the calendar that receives Ally's events. */
  receivesEvents: string;
}

export type CompleteResult = { ok: true; connectionId: string } | { ok: false; message: string };

export interface OAuthDeps {
  db: Kysely<Database>;
  clock: Clock;
  box: SecretStore;
  /** The configured OAuth clients; a provider without one is not offered. */
  clients: Pick<Config["calendar"], "google" | "microsoft">;
  /** Ally's public address; redirect URIs are built on it. */
  publicUrl: string;
  endpoints?: ProviderEndpoints;
  /** Overrides for the HTTP clients (tests: no real sleeping between retries). */
  http?: Partial<HttpClientOptions>;
  /**
   * config.calendar.allowPrivateHosts: let provider endpoints on loopback and private networks
   * through (tests run the providers there). Off by default: the guarded client
   * (guarded-fetch.ts) carries every token and API call.
   */
  allowPrivateHosts?: boolean;
  timeoutMs?: number;
  /** Where operational lines go (a revocation that failed); never given a token. */
  log?: (line: string) => void;
  /** Push channels, kept for each connection when Ally has a public https address. */
  push?: PushChannels;
}

export function isOAuthProvider(value: string): value is OAuthProvider {
  return value === "google" || value === "microsoft";
}

export function stateBinding(id: string, orgId: string): SecretBinding {
  return { table: "oauth_states", column: "code_verifier", rowId: id, owner: orgId };
}

/** The callback address registered with the provider. */
export function redirectUri(publicUrl: string, provider: OAuthProvider): string {
  return `${publicUrl.replace(/\/+$/, "")}/app/calendars/oauth/${provider}/callback`;
}

function parseCalendars(text: string | null): ChosenCalendar[] {
  if (text === null) return [];
  try {
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter(
      (c): c is ChosenCalendar =>
        c !== null && typeof c === "object" && typeof (c as ChosenCalendar).id === "string",
    );
  } catch {
    return [];
  }
}

/**
 * What `sync_state` holds for a Google connection: the events.list sync token of each busy
 * calendar, for the set of calendars they were taken for, and when busy time was last read in
 * full. Not secret (a sync token is useless without an access token).
 */
interface GoogleSyncState {
  google: { calendars: string[]; tokens: Record<string, string>; fullReadAt: number };
}

function googleSyncState(text: string | null): GoogleSyncState["google"] | undefined {
  if (text === null) return undefined;
  try {
    const state = (JSON.parse(text) as Partial<GoogleSyncState>).google;
    return state !== undefined &&
      Array.isArray(state.calendars) &&
      typeof state.tokens === "object" &&
      state.tokens !== null &&
      typeof state.fullReadAt === "number"
      ? state
      : undefined;
  } catch {
    return undefined;
  }
}

function tokensFrom(credentials: OAuthCredentials): TokenSet {
  return {
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken,
    expiresAtEpochMs: Date.parse(credentials.expiresAt),
    scopes: credentials.scopes ?? [],
  };
}

function credentialsFrom(tokens: TokenSet, previousRefreshToken?: string): OAuthCredentials {
  const refreshToken = tokens.refreshToken ?? previousRefreshToken;
  if (refreshToken === undefined) {
    throw new ConnectorError("CALENDAR_AUTH_FAILED", "the provider issued no refresh token");
  }
  return {
    accessToken: tokens.accessToken,
    refreshToken,
    expiresAt: new Date(tokens.expiresAtEpochMs).toISOString(),
    scopes: tokens.scopes,
  };
}

/** OAuth clients, HTTP clients and endpoints for the configured providers. */
function providerKit(deps: OAuthDeps) {
  const endpoints = deps.endpoints ?? PROVIDER_ENDPOINTS;
  const httpFor = (service: string, extra: Partial<HttpClientOptions> = {}) =>
    new HttpClient({
      service,
      timeoutMs: deps.timeoutMs ?? 20_000,
      now: () => deps.clock.now(),
      fetch: guardedFetch({ allowPrivateHosts: deps.allowPrivateHosts ?? false }),
      ...extra,
      ...deps.http,
    });
  const http: Record<OAuthProvider, HttpClient> = {
    google: httpFor("Google Calendar", { isRateLimited: isGoogleRateLimited }),
    microsoft: httpFor("Microsoft Graph"),
  };

  function config(provider: OAuthProvider): OAuthClientConfig | undefined {
    const redirect = redirectUri(deps.publicUrl, provider);
    if (provider === "google") {
      const client = deps.clients.google;
      if (client === undefined) return undefined;
      return {
        ...googleOAuthConfig({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          redirectUri: redirect,
          accountsBaseUrl: endpoints.google.accountsBaseUrl,
          tokenBaseUrl: endpoints.google.tokenBaseUrl,
        }),
        scopes: SCOPES.google,
      };
    }
    const client = deps.clients.microsoft;
    if (client === undefined) return undefined;
    return {
      ...microsoftOAuthConfig({
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        redirectUri: redirect,
        tenant: client.tenant,
        authorityBaseUrl: endpoints.microsoft.authorityBaseUrl,
      }),
      scopes: SCOPES.microsoft,
    };
  }

  return { endpoints, http, config };
}

export type OAuthSources = ReturnType<typeof createOAuthSources>;

/**
 * What the sync and the disconnect of connections.ts need for Google and Microsoft rows.
 */
export function createOAuthSources(deps: OAuthDeps) {
  const { db, box, clock } = deps;
  const kit = providerKit(deps);
  const log = deps.log ?? ((line: string) => console.error(line));

  async function openCredentials(row: CalendarConnectionsTable): Promise<OAuthCredentials> {
    return JSON.parse(
      await box.open(row.credentials, credentialsBinding(row.id, row.organisation_id)),
    ) as OAuthCredentials;
  }

  /**
   * The row's provider and an access-token source for it: refreshed when it has expired (or
   * the provider refused it), the new tokens resealed in the row before the call goes on.
   */
  function tokensFor(row: CalendarConnectionsTable, credentials: OAuthCredentials) {
    const provider = row.provider;
    if (!isOAuthProvider(provider)) throw new RangeError(`${provider} is not an OAuth provider`);
    const config = kit.config(provider);
    if (config === undefined) {
      throw new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `${PROVIDER_NAMES[provider]} is no longer set up on this Ally server`,
      );
    }
    let current = credentials;
    const accessToken = accessTokenProvider({
      config,
      http: kit.http[provider],
      now: () => clock.now(),
      store: {
        load: async () => tokensFrom(current),
        save: async (tokens) => {
          current = credentialsFrom(tokens, current.refreshToken);
          const sealed = await box.seal(
            JSON.stringify(current),
            credentialsBinding(row.id, row.organisation_id),
          );
          await db
            .updateTable("calendar_connections")
            .set({ credentials: sealed })
            .where("id", "=", row.id)
            .where("organisation_id", "=", row.organisation_id)
            .execute();
        },
      },
    });
    return { provider, accessToken };
  }

  /** The calendars of a row that count as busy. */
  const busyCalendarIds = (row: CalendarConnectionsTable) =>
    parseCalendars(row.calendars)
      .filter((calendar) => calendar.busy)
      .map((calendar) => calendar.id);

  /**
   * A source over the row's calendars chosen as busy. The access token is refreshed when it
   * has expired (or the provider refused it), and the new tokens are resealed in the row
   * before the read goes on; a revoked grant fails with CALENDAR_AUTH_FAILED.
   */
  function source(
    row: CalendarConnectionsTable,
    credentials: OAuthCredentials,
  ): GoogleCalendar | MicrosoftCalendar {
    const { provider, accessToken } = tokensFor(row, credentials);
    const busyIds = busyCalendarIds(row);
    if (provider === "google") {
      return new GoogleCalendar({
        http: kit.http.google,
        accessToken,
        calendarIds: busyIds,
        baseUrl: kit.endpoints.google.apiBaseUrl,
        label: row.label,
      });
    }
    // calendarView, not getSchedule: it reads any chosen calendar, and works for personal
    // Microsoft accounts too.
    return new MicrosoftCalendar({
      http: kit.http.microsoft,
      accessToken,
      scheduleId: row.account ?? "",
      baseUrl: kit.endpoints.microsoft.graphBaseUrl,
      label: row.label,
      busyFrom: "calendarView",
      busyCalendarIds: busyIds,
    });
  }

  /** The row's push client, or undefined for providers without push. */
  async function pushClient(row: CalendarConnectionsTable): Promise<PushClient | undefined> {
    if (!isOAuthProvider(row.provider)) return undefined;
    const client = source(row, await openCredentials(row));
    if (client instanceof GoogleCalendar) return { provider: "google", client };
    return { provider: "microsoft", client };
  }

  return {
    source,

    /**
     * Keeps push channels on the row's busy calendars (push.ts), so a change there syncs at
     * once. A failure is logged and left for the next sync; it never fails the sync.
     */
    async keepPush(row: CalendarConnectionsTable): Promise<void> {
      if (deps.push === undefined || !isOAuthProvider(row.provider)) return;
      try {
        const client = await pushClient(row);
        if (client === undefined) return;
        await deps.push.keep({
          ...client,
          connectionId: row.id,
          organisationId: row.organisation_id,
          calendarIds: busyCalendarIds(row),
          publicUrl: deps.publicUrl,
        });
      } catch (error) {
        log(
          `ally: could not set up push notifications for calendar connection ${row.id}: ${(error as Error).message}`,
        );
      }
    },

    /**
     * Writes Ally's events to the row's calendar marked `receivesEvents`, with the same token
     * handling as `source` (provider-event-writers.ts: no attendees for the provider to mail).
     * @throws ConnectorError when no calendar of the account is chosen to receive events.
     */
    eventWriter(row: CalendarConnectionsTable, credentials: OAuthCredentials): EventWriter {
      const receiving = parseCalendars(row.calendars).find((calendar) => calendar.receivesEvents);
      if (receiving === undefined) {
        throw new ConnectorError(
          "CALENDAR_INVALID",
          `${row.label}: no calendar is chosen to receive Ally's events (choose one on the calendars page)`,
        );
      }
      const { provider, accessToken } = tokensFor(row, credentials);
      if (provider === "google") {
        const google = new GoogleCalendar({
          http: kit.http.google,
          accessToken,
          calendarIds: [receiving.id],
          baseUrl: kit.endpoints.google.apiBaseUrl,
          label: row.label,
        });
        return new GoogleEventWriter(google, receiving.id);
      }
      return new MicrosoftEventWriter(
        new MicrosoftCalendar({
          http: kit.http.microsoft,
          accessToken,
          scheduleId: row.account ?? "",
          calendarId: receiving.id,
          baseUrl: kit.endpoints.microsoft.graphBaseUrl,
          label: row.label,
        }),
      );
    },

    /**
     * Google's incremental sync: while the chosen calendars are the same and the last full read
     * is recent (FULL_READ_EVERY_MS, so the synced horizon moves on), asks events.list for
     * what changed since each calendar's sync token and answers "unchanged" (saving the new
     * tokens) when nothing did, sparing the free/busy read. Otherwise takes fresh tokens first
     * and then reads free/busy, so a change between the two is seen next time. A 410 (token
     * expired) means a full read. Undefined for sources it does not handle.
     */
    async readIfChanged(
      row: CalendarConnectionsTable,
      source: CalendarSource,
      range: EpochMsInterval,
      now: number,
    ): Promise<{ busy: EpochMsInterval[]; syncState: string } | "unchanged" | undefined> {
      if (row.provider !== "google" || !(source instanceof GoogleCalendar)) return undefined;
      const ids = parseCalendars(row.calendars)
        .filter((calendar) => calendar.busy)
        .map((calendar) => calendar.id);
      const state = googleSyncState(row.sync_state);
      const sameCalendars =
        state !== undefined &&
        state.calendars.length === ids.length &&
        ids.every((id) => state.calendars.includes(id) && typeof state.tokens[id] === "string");
      if (state !== undefined && sameCalendars && now - state.fullReadAt < FULL_READ_EVERY_MS) {
        const tokens: Record<string, string> = {};
        let changed = false;
        for (const id of ids) {
          const answer = await source.listChanges(id, { syncToken: state.tokens[id] as string });
          if (answer.kind === "full-resync-needed" || answer.events.length > 0) {
            changed = true;
            break;
          }
          tokens[id] = answer.nextSyncToken;
        }
        if (!changed) {
          await db
            .updateTable("calendar_connections")
            .set({ sync_state: JSON.stringify({ google: { ...state, tokens } }) })
            .where("id", "=", row.id)
            .where("organisation_id", "=", row.organisation_id)
            .execute();
          return "unchanged";
        }
      }
      const tokens: Record<string, string> = {};
      for (const id of ids) {
        try {
          const answer = await source.listChanges(id, {
            fullSyncFromEpochMs: range.startEpochMs,
            pageSize: 2500,
          });
          if (answer.kind === "changes") tokens[id] = answer.nextSyncToken;
        } catch (error) {
          // Without a token this calendar is simply read in full next time too; free/busy
          // below still decides whether the read succeeds.
          if (!(error instanceof ConnectorError)) throw error;
          if (error.code !== "CALENDAR_NOT_FOUND" && error.code !== "CALENDAR_INVALID") throw error;
        }
      }
      const read = await source.busy(range);
      const next: GoogleSyncState = { google: { calendars: ids, tokens, fullReadAt: now } };
      return { busy: read.busy, syncState: JSON.stringify(next) };
    },

    /**
     * Ends the grant at the provider before a disconnect deletes the tokens. Google: RFC 7009
     * revocation of the refresh token, which ends the whole grant. Microsoft has no per-grant
     * revocation for delegated tokens: deleting them is all Ally can do; the person can remove
     * Ally under their account's app permissions (myapps.microsoft.com / account.live.com).
     * A failure is logged (without the token) and does not stop the disconnect.
     */
    async revoke(row: CalendarConnectionsTable): Promise<void> {
      if (deps.push !== undefined && isOAuthProvider(row.provider)) {
        const client = await pushClient(row).catch(() => undefined);
        if (client !== undefined) await deps.push.dropAll({ ...client, connectionId: row.id });
      }
      if (row.provider !== "google") return;
      const config = kit.config("google");
      try {
        if (config === undefined) throw new Error("Google Calendar is not set up on this server");
        const credentials = await openCredentials(row);
        await revokeToken(config, kit.http.google, credentials.refreshToken);
      } catch (error) {
        log(
          `ally: could not revoke the Google grant of calendar connection ${row.id}; deleting it anyway: ${(error as Error).message}`,
        );
      }
    },
  };
}

export type OAuthConnections = ReturnType<typeof createOAuthConnections>;

/** The connect flow and the choice of calendars. */
export function createOAuthConnections(
  deps: OAuthDeps & {
    /** Syncs one connection now (connections.ts `syncConnection`). */
    syncConnection: (id: string) => Promise<unknown>;
  },
) {
  const { db, box, clock } = deps;
  const kit = providerKit(deps);
  const log = deps.log ?? ((line: string) => console.error(line));

  async function readAccount(provider: OAuthProvider, accessToken: string) {
    return provider === "google"
      ? readGoogleAccount(kit.http.google, accessToken, kit.endpoints.google)
      : readMicrosoftAccount(kit.http.microsoft, accessToken, kit.endpoints.microsoft);
  }

  async function connectionRow(actor: Actor, id: string, change: boolean) {
    const row = await db
      .selectFrom("calendar_connections")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("calendar connection");
    if (row.user_id !== actor.userId) {
      if (!can(actor.role, "members:manage")) throw notFound("calendar connection");
      if (change) throw forbidden("only its owner may change it");
    }
    return row;
  }

  function choicesOf(row: CalendarConnectionsTable): CalendarChoices {
    return {
      connectionId: row.id,
      provider: row.provider,
      label: row.label,
      account: row.account,
      calendars: parseCalendars(row.calendars),
    };
  }

  return {
    /** The providers a member may connect on this server. */
    providers(): OAuthProvider[] {
      return OAUTH_PROVIDERS.filter((provider) => kit.config(provider) !== undefined);
    },

    /**
     * Starts connecting: stores the state (hashed) and the sealed PKCE verifier, and returns
     * the provider's consent address to send the person to.
     */
    async begin(actor: Actor, provider: string): Promise<string> {
      if (!isOAuthProvider(provider)) throw notFound("calendar provider");
      const config = kit.config(provider);
      if (config === undefined) {
        throw new AppError(
          "CONFLICT",
          `${PROVIDER_NAMES[provider]} is not set up on this Ally server; ask its administrator`,
        );
      }
      const now = clock.now();
      const state = createState();
      const pkce = createPkcePair();
      const id = newId("oas");
      // Abandoned attempts are of no use once expired.
      await db.deleteFrom("oauth_states").where("expires_at", "<", now).execute();
      await db
        .insertInto("oauth_states")
        .values({
          id,
          state_hash: tokenHash(state),
          organisation_id: actor.orgId,
          user_id: actor.userId,
          provider,
          code_verifier: await box.seal(pkce.verifier, stateBinding(id, actor.orgId)),
          created_at: now,
          expires_at: now + OAUTH_STATE_TTL_MS,
        })
        .execute();
      return authorizationUrl(config, { state, codeChallenge: pkce.challenge });
    },

    /**
     * The provider's callback. Refuses (with a message for the person, storing nothing) a state
     * that is unknown, expired, already used or started by someone else, a refusal at the
     * provider, and a code the provider will not exchange.
     */
    async complete(
      actor: Actor,
      provider: string,
      params: { code?: string | undefined; state?: string | undefined; error?: string | undefined },
    ): Promise<CompleteResult> {
      if (!isOAuthProvider(provider)) throw notFound("calendar provider");
      const name = PROVIDER_NAMES[provider];
      const again = `Connect ${name} again to try once more.`;
      const config = kit.config(provider);
      if (config === undefined) {
        return { ok: false, message: `${name} is not set up on this Ally server.` };
      }
      const state = params.state ?? "";
      if (state === "" || state.length > 500) {
        return {
          ok: false,
          message: `The answer from ${name} did not say which attempt it belongs to. ${again}`,
        };
      }
      const now = clock.now();
      const row = await db
        .selectFrom("oauth_states")
        .selectAll()
        .where("state_hash", "=", tokenHash(state))
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", actor.userId)
        .where("provider", "=", provider)
        .executeTakeFirst();
      const stale = `This answer from ${name} has expired or was already used. ${again}`;
      if (row === undefined) return { ok: false, message: stale };
      // Single use: whoever deletes the row owns the attempt.
      const taken = await db.deleteFrom("oauth_states").where("id", "=", row.id).executeTakeFirst();
      if (Number(taken.numDeletedRows) !== 1 || Number(row.expires_at) < now) {
        return { ok: false, message: stale };
      }
      if (params.error !== undefined && params.error !== "") {
        return {
          ok: false,
          message:
            params.error === "access_denied"
              ? `You did not allow Ally to use your ${name}, so nothing was connected.`
              : `${name} did not connect the calendar (${params.error.slice(0, 80).replace(/[^\w.-]/g, "")}). ${again}`,
        };
      }
      const code = params.code ?? "";
      if (code === "" || code.length > 4000) {
        return { ok: false, message: `${name} sent no authorisation code. ${again}` };
      }
      let tokens: TokenSet;
      try {
        const verifier = await box.open(
          row.code_verifier,
          stateBinding(row.id, row.organisation_id),
        );
        tokens = await exchangeCode(config, kit.http[provider], {
          code,
          codeVerifier: verifier,
          now: () => clock.now(),
        });
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        return { ok: false, message: `Ally could not connect ${name}: ${error.message}. ${again}` };
      }
      /** Nothing is kept after all: end the grant just issued, where the provider can. */
      const refuse = async (message: string): Promise<CompleteResult> => {
        if (provider === "google") {
          await revokeToken(
            config,
            kit.http.google,
            tokens.refreshToken ?? tokens.accessToken,
          ).catch((error: Error) =>
            log(`ally: could not revoke a Google grant that was not kept: ${error.message}`),
          );
        }
        return { ok: false, message };
      };
      if (tokens.refreshToken === undefined) {
        return refuse(`${name} did not grant Ally lasting access (no refresh token). ${again}`);
      }
      // Google lets a person untick scopes on its consent page; without free/busy and events
      // the connection could only fail later.
      const missing =
        provider === "google" && tokens.scopes.length > 0
          ? GOOGLE_CALENDAR_SCOPES.filter((scope) => !tokens.scopes.includes(scope))
          : [];
      if (missing.length > 0) {
        return refuse(
          `Ally needs to see when you are busy and to add interviews to your calendar: allow both on ${name}'s consent page. ${again}`,
        );
      }
      const credentials = credentialsFrom(tokens);
      let account: ProviderAccount;
      try {
        account = await readAccount(provider, tokens.accessToken);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        return refuse(`Ally could not connect ${name}: ${error.message}. ${again}`);
      }
      const id = newId("cal");
      const calendars: ChosenCalendar[] = account.calendars.map((calendar) => ({
        id: calendar.id,
        name: calendar.name,
        busy: calendar.primary,
        receivesEvents: calendar.primary,
      }));
      await db
        .insertInto("calendar_connections")
        .values({
          id,
          organisation_id: actor.orgId,
          user_id: actor.userId,
          provider,
          label: name,
          credentials: await box.seal(
            JSON.stringify(credentials),
            credentialsBinding(id, actor.orgId),
          ),
          status: "pending",
          last_synced_at: null,
          last_attempt_at: null,
          last_error: null,
          alerted_at: null,
          claimed_until: null,
          created_at: now,
          sync_state: null,
          failure_count: 0,
          next_attempt_at: null,
          calendars: JSON.stringify(calendars),
          account: account.email.slice(0, 320),
        })
        .execute();
      await deps.syncConnection(id);
      return { ok: true, connectionId: id };
    },

    /** The connection's calendars and what each is used for (its owner, or `members:manage`). */
    async calendarChoices(actor: Actor, id: string): Promise<CalendarChoices> {
      return choicesOf(await connectionRow(actor, id, false));
    },

    /**
     * Saves which calendars count as busy and which one receives Ally's events (exactly one),
     * then syncs, so busy time reflects the choice at once.
     */
    async chooseCalendars(actor: Actor, id: string, input: ChooseInput): Promise<CalendarChoices> {
      const row = await connectionRow(actor, id, true);
      const calendars = parseCalendars(row.calendars);
      if (!isOAuthProvider(row.provider) || calendars.length === 0) {
        throw invalid("busy", "this connection is a single calendar: there is nothing to choose");
      }
      const known = new Set(calendars.map((calendar) => calendar.id));
      const busy = new Set(input.busy);
      const unknown = [...busy].find((calendarId) => !known.has(calendarId));
      if (unknown !== undefined) {
        throw invalid(
          "busy",
          "choose among the calendars listed; one of them is not this account's",
        );
      }
      if (input.receivesEvents === "") {
        throw invalid("receivesEvents", "choose the calendar that receives Ally's events");
      }
      if (!known.has(input.receivesEvents)) {
        throw invalid(
          "receivesEvents",
          "choose one of the calendars listed to receive Ally's events",
        );
      }
      const chosen = calendars.map((calendar) => ({
        ...calendar,
        busy: busy.has(calendar.id),
        receivesEvents: calendar.id === input.receivesEvents,
      }));
      await db
        .updateTable("calendar_connections")
        .set({ calendars: JSON.stringify(chosen) })
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .execute();
      await deps.syncConnection(id);
      return choicesOf({ ...row, calendars: JSON.stringify(chosen) });
    },
  };
}
