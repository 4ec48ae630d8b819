/**
 * Google and Microsoft as Ally reaches them: endpoints, scopes, the OAuth clients configured on
 * this server, and the HTTP clients (guarded, see guarded-fetch.ts) that carry every token.
 */
import type { Clock } from "../../clock.js";
import type { Config } from "../../config.js";
import type { SecretBinding, SecretStore } from "../../secrets/secret-store.js";
import type { OAuthCredentials } from "../connector-for.js";
import { isGoogleRateLimited } from "../connectors/google.js";
import { guardedFetch } from "../connectors/guarded-fetch.js";
import { HttpClient, type HttpClientOptions } from "../connectors/http.js";
import {
  GOOGLE_CALENDAR_SCOPES,
  googleOAuthConfig,
  MICROSOFT_CALENDAR_SCOPES,
  microsoftOAuthConfig,
  type OAuthClientConfig,
  type TokenSet,
} from "../connectors/oauth.js";
import { ConnectorError } from "../connectors/types.js";
import type { AnyHandle } from "../db.js";
import type { PushChannels } from "../push.js";
import type { OAuthProvider } from "../tables.js";

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

export interface OAuthDeps {
  db: AnyHandle;
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

export function tokensFrom(credentials: OAuthCredentials): TokenSet {
  return {
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken,
    expiresAtEpochMs: Date.parse(credentials.expiresAt),
    scopes: credentials.scopes ?? [],
  };
}

export function credentialsFrom(tokens: TokenSet, previousRefreshToken?: string): OAuthCredentials {
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

export type ProviderKit = ReturnType<typeof providerKit>;

/** OAuth clients, HTTP clients and endpoints for the configured providers. */
export function providerKit(deps: OAuthDeps) {
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
