/**
 * OAuth 2.0 for the Google and Microsoft calendar connectors: the authorization-code flow with
 * PKCE (RFC 7636, S256 only) and `state`, the refresh-token grant, and revocation (RFC 7009,
 * Google only; Microsoft has no revocation endpoint for a delegated refresh token).
 *
 * Endpoints come in as configuration so tests point them at a local server. Token values never
 * appear in error messages. `accessTokenProvider` is the one place a connector's access token
 * is refreshed: connectors take `() => Promise<string>` and never see a refresh token.
 */

import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { describeUrl, type HttpClient, type HttpResponse, providerErrorSummary } from "./http.js";
import { ConnectorError } from "./types.js";

export interface OAuthClientConfig {
  /** "Google", "Microsoft": named in messages. */
  provider: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 endpoint; absent when the provider has none. */
  revocationEndpoint?: string;
  clientId: string;
  /** Confidential web client; sent in the body (client_secret_post). */
  clientSecret?: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Provider-specific authorization parameters (`access_type=offline`, `prompt=consent`). */
  authorizationParams: Readonly<Record<string, string>>;
}

/**
 * Google's narrowest scopes for Ally: free/busy of the user's calendars, and events (create,
 * change, delete, list for sync), without access to calendar settings or sharing.
 */
export const GOOGLE_CALENDAR_SCOPES = [
  "https://www.googleapis.com/auth/calendar.freebusy",
  "https://www.googleapis.com/auth/calendar.events",
] as const;

/** Microsoft Graph delegated scopes: a refresh token (`offline_access`) and the user's calendars. */
export const MICROSOFT_CALENDAR_SCOPES = ["offline_access", "Calendars.ReadWrite"] as const;

export interface ProviderClientOptions {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

/**
 * Google's OAuth client. `access_type=offline` asks for a refresh token; `prompt=consent`
 * makes Google issue one again when the user reconnects (it otherwise only does so on first
 * consent).
 */
export function googleOAuthConfig(
  options: ProviderClientOptions & {
    /** Default https://accounts.google.com */
    accountsBaseUrl?: string;
    /** Default https://oauth2.googleapis.com */
    tokenBaseUrl?: string;
  },
): OAuthClientConfig {
  const accounts = trimSlash(options.accountsBaseUrl ?? "https://accounts.google.com");
  const tokens = trimSlash(options.tokenBaseUrl ?? "https://oauth2.googleapis.com");
  return {
    provider: "Google",
    authorizationEndpoint: `${accounts}/o/oauth2/v2/auth`,
    tokenEndpoint: `${tokens}/token`,
    revocationEndpoint: `${tokens}/revoke`,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    redirectUri: options.redirectUri,
    scopes: GOOGLE_CALENDAR_SCOPES,
    authorizationParams: {
      access_type: "offline",
      prompt: "consent",
      include_granted_scopes: "true",
    },
  };
}

/**
 * Microsoft identity platform (v2 endpoints). `tenant` is `common` for work, school and
 * personal accounts, `organizations` for work and school only, or a tenant id.
 */
export function microsoftOAuthConfig(
  options: ProviderClientOptions & {
    tenant?: string;
    /** Default https://login.microsoftonline.com */
    authorityBaseUrl?: string;
  },
): OAuthClientConfig {
  const authority = `${trimSlash(options.authorityBaseUrl ?? "https://login.microsoftonline.com")}/${encodeURIComponent(options.tenant ?? "common")}`;
  return {
    provider: "Microsoft",
    authorizationEndpoint: `${authority}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    redirectUri: options.redirectUri,
    scopes: MICROSOFT_CALENDAR_SCOPES,
    authorizationParams: { response_mode: "query", prompt: "select_account" },
  };
}

/** base64url without padding (RFC 7636 appendix A). */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/**
 * The S256 code challenge for a verifier: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 4.2).
 *
 * @example pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
 */
export function pkceChallenge(verifier: string): string {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new RangeError("a PKCE verifier is 43 to 128 unreserved characters (RFC 7636 4.1)");
  }
  return base64url(createHash("sha256").update(verifier, "ascii").digest());
}

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: "S256";
}

/** A fresh verifier (32 random bytes, 43 characters) and its S256 challenge. */
export function createPkcePair(random: (size: number) => Uint8Array = randomBytes): PkcePair {
  const verifier = base64url(random(32));
  return { verifier, challenge: pkceChallenge(verifier), method: "S256" };
}

/** An unguessable `state` value binding the callback to the browser session that started it. */
export function createState(random: (size: number) => Uint8Array = randomBytes): string {
  return base64url(random(24));
}

/**
 * Where to send the user to consent. Keep `state` and the PKCE verifier server-side with the
 * user's session; compare `state` on the callback before exchanging the code.
 */
export function authorizationUrl(
  config: OAuthClientConfig,
  params: { state: string; codeChallenge: string; loginHint?: string },
): string {
  const url = new URL(config.authorizationEndpoint);
  const query = url.searchParams;
  query.set("client_id", config.clientId);
  query.set("redirect_uri", config.redirectUri);
  query.set("response_type", "code");
  query.set("scope", config.scopes.join(" "));
  query.set("state", params.state);
  query.set("code_challenge", params.codeChallenge);
  query.set("code_challenge_method", "S256");
  for (const [key, value] of Object.entries(config.authorizationParams)) query.set(key, value);
  if (params.loginHint !== undefined) query.set("login_hint", params.loginHint);
  return url.toString();
}

/** Tokens from the token endpoint. Store `refreshToken` encrypted; never log any of them. */
export interface TokenSet {
  accessToken: string;
  /** Absent when the provider kept the previous one (Google on refresh). */
  refreshToken?: string;
  expiresAtEpochMs: number;
  /** As granted, which may be fewer than asked for (Google's granular consent). */
  scopes: string[];
}

/** Exchanges an authorization code (from the callback) for tokens. Not retried on 5xx: a code is single use. */
export async function exchangeCode(
  config: OAuthClientConfig,
  http: HttpClient,
  params: { code: string; codeVerifier: string; now?: () => number },
): Promise<TokenSet> {
  const form = clientForm(config);
  form.set("grant_type", "authorization_code");
  form.set("code", params.code);
  form.set("code_verifier", params.codeVerifier);
  form.set("redirect_uri", config.redirectUri);
  if (config.provider === "Microsoft") form.set("scope", config.scopes.join(" "));
  return tokenRequest(config, http, form, false, params.now ?? Date.now);
}

/** Trades a refresh token for a new access token (and, at Microsoft, a new refresh token). */
export async function refreshTokens(
  config: OAuthClientConfig,
  http: HttpClient,
  params: { refreshToken: string; now?: () => number },
): Promise<TokenSet> {
  const form = clientForm(config);
  form.set("grant_type", "refresh_token");
  form.set("refresh_token", params.refreshToken);
  if (config.provider === "Microsoft") form.set("scope", config.scopes.join(" "));
  return tokenRequest(config, http, form, true, params.now ?? Date.now);
}

/**
 * Revokes a grant (RFC 7009); pass the refresh token to end the whole grant. A token the
 * provider no longer knows (400 `invalid_token`) counts as revoked.
 */
export async function revokeToken(
  config: OAuthClientConfig,
  http: HttpClient,
  token: string,
): Promise<void> {
  if (config.revocationEndpoint === undefined) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${config.provider} has no revocation endpoint; remove Ally from the account's app permissions instead`,
    );
  }
  const request = {
    method: "POST" as const,
    url: config.revocationEndpoint,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
    idempotent: true,
  };
  const response = await http.send(request);
  if (response.status >= 200 && response.status < 300) return;
  if (response.status === 400 && oauthError(response)?.error === "invalid_token") return;
  throw new ConnectorError(
    response.status >= 500 ? "CALENDAR_UNREACHABLE" : "CALENDAR_INVALID",
    `${config.provider} refused to revoke the grant (${response.status} at ${describeUrl(request.url)}): ${providerErrorSummary(response.text)}`,
  );
}

function clientForm(config: OAuthClientConfig): URLSearchParams {
  const form = new URLSearchParams();
  form.set("client_id", config.clientId);
  if (config.clientSecret !== undefined) form.set("client_secret", config.clientSecret);
  return form;
}

interface OAuthErrorBody {
  error: string;
  description: string | undefined;
  /** Microsoft's AADSTS numbers (`error_codes`). */
  codes: number[];
}

/** A JSON object, as token endpoints answer. */
const jsonObject = z.record(z.string(), z.unknown());

function oauthError(response: HttpResponse): OAuthErrorBody | undefined {
  try {
    const body = jsonObject.parse(JSON.parse(response.text));
    if (typeof body.error !== "string") return undefined;
    const codes = Array.isArray(body.error_codes)
      ? body.error_codes.filter((code): code is number => typeof code === "number")
      : [];
    const description =
      typeof body.error_description === "string" ? body.error_description : undefined;
    return { error: body.error, description, codes };
  } catch {
    return undefined;
  }
}

async function tokenRequest(
  config: OAuthClientConfig,
  http: HttpClient,
  form: URLSearchParams,
  idempotent: boolean,
  now: () => number,
): Promise<TokenSet> {
  const request = {
    method: "POST" as const,
    url: config.tokenEndpoint,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: form.toString(),
    idempotent,
  };
  const requestedAt = now();
  const response = await http.send(request);
  if (response.status < 200 || response.status >= 300) throw tokenError(config, response);
  let body: Record<string, unknown>;
  try {
    body = jsonObject.parse(JSON.parse(response.text));
  } catch (cause) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${config.provider}'s token endpoint sent a body that is not JSON`,
      { cause },
    );
  }
  const accessToken = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof accessToken !== "string" || accessToken === "" || !Number.isFinite(expiresIn)) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${config.provider}'s token endpoint answered without access_token or expires_in`,
    );
  }
  if (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer") {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${config.provider}'s token endpoint issued a ${body.token_type} token, not a bearer token`,
    );
  }
  const tokens: TokenSet = {
    accessToken,
    // Counted from when the request was sent, so a slow answer errs on the early side.
    expiresAtEpochMs: requestedAt + expiresIn * 1000,
    scopes: typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : [],
  };
  if (typeof body.refresh_token === "string" && body.refresh_token !== "") {
    tokens.refreshToken = body.refresh_token;
  }
  return tokens;
}

/**
 * RFC 6749 5.2 errors. `invalid_grant` means the code or refresh token is no good any more
 * (revoked by the user, expired, password changed, consent withdrawn): the connection needs the
 * user to connect again. Microsoft adds AADSTS numbers (e.g. 70008 expired code, 700082 refresh
 * token expired through inactivity, 50173 grant expired after a password change), which the
 * message names; its description is not copied, as it carries trace ids.
 */
function tokenError(config: OAuthClientConfig, response: HttpResponse): ConnectorError {
  const body = oauthError(response);
  const aadsts = body?.codes.length
    ? ` (${body.codes.map((code) => `AADSTS${code}`).join(", ")})`
    : "";
  switch (body?.error) {
    case "invalid_grant":
      return new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `${config.provider} says the calendar grant was revoked or has expired${aadsts}; the calendar must be connected again`,
        { permanent: true },
      );
    case "interaction_required":
    case "consent_required":
      return new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `${config.provider} needs the user to sign in and consent again${aadsts}`,
        { permanent: true },
      );
    case "invalid_client":
    case "unauthorized_client":
      return new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `${config.provider} refused Ally's OAuth client (${body?.error})${aadsts}; check the client id, secret and redirect URI`,
        { permanent: true },
      );
    case undefined:
      break;
    default:
      return new ConnectorError(
        response.status >= 500 ? "CALENDAR_UNREACHABLE" : "CALENDAR_INVALID",
        `${config.provider}'s token endpoint answered ${response.status} ${body?.error}${aadsts}`,
      );
  }
  return new ConnectorError(
    response.status >= 500 ? "CALENDAR_UNREACHABLE" : "CALENDAR_INVALID",
    `${config.provider}'s token endpoint answered ${response.status}: ${providerErrorSummary(response.text)}`,
  );
}

/**
 * What connectors call for a bearer token. `rejected` is a token the provider just answered 401
 * to: the function then refreshes even if the token looked unexpired (revoked early, clock
 * skew), unless the stored token has already changed.
 */
export type AccessTokenSource = (options?: { rejected?: string }) => Promise<string>;

export interface TokenStore {
  /** The stored tokens, or undefined when the calendar is not connected. */
  load(): Promise<TokenSet | undefined>;
  /** Persist (encrypted) after every refresh; Microsoft rotates refresh tokens. */
  save(tokens: TokenSet): Promise<void>;
}

/**
 * The access-token function connectors take. Returns the stored access token while it has more
 * than `skewMs` left, otherwise refreshes once (concurrent callers share one refresh), saves
 * the new tokens (keeping the old refresh token when the provider sent none), and returns the
 * new access token; a `rejected` token forces the refresh. `invalid_grant` surfaces as CALENDAR_AUTH_FAILED for the health check.
 */
export function accessTokenProvider(params: {
  config: OAuthClientConfig;
  http: HttpClient;
  store: TokenStore;
  now?: () => number;
  skewMs?: number;
}): AccessTokenSource {
  const now = params.now ?? Date.now;
  const skewMs = params.skewMs ?? 60_000;
  let inFlight: Promise<string> | undefined;

  async function refresh(rejected: string | undefined): Promise<string> {
    const stored = await params.store.load();
    if (stored === undefined) {
      throw new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `no ${params.config.provider} calendar is connected`,
      );
    }
    const fresh = stored.expiresAtEpochMs - skewMs > now();
    if (fresh && stored.accessToken !== rejected) return stored.accessToken;
    if (stored.refreshToken === undefined) {
      throw new ConnectorError(
        "CALENDAR_AUTH_FAILED",
        `the ${params.config.provider} access token expired and there is no refresh token; the calendar must be connected again`,
      );
    }
    const issued = await refreshTokens(params.config, params.http, {
      refreshToken: stored.refreshToken,
      now,
    });
    const next: TokenSet = { ...issued, refreshToken: issued.refreshToken ?? stored.refreshToken };
    if (issued.scopes.length === 0) next.scopes = stored.scopes;
    await params.store.save(next);
    return next.accessToken;
  }

  return (options) => {
    inFlight ??= refresh(options?.rejected).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
