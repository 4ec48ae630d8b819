import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  accessTokenProvider,
  authorizationUrl,
  createPkcePair,
  createState,
  exchangeCode,
  googleOAuthConfig,
  microsoftOAuthConfig,
  type OAuthClientConfig,
  pkceChallenge,
  refreshTokens,
  revokeToken,
  type TokenSet,
} from "../../../src/calendar/connectors/oauth.js";
import { connectorError } from "../../support/failures.js";
import { FakeProvider, formBody, testHttpClient } from "./fake-providers.js";

// Tue 1 Dec 2026, 12:00 UTC: the fake clock of testHttpClient and of these tests.
const NOW = Date.UTC(2026, 11, 1, 12);

describe("PKCE and state", () => {
  it("computes the S256 challenge of RFC 7636 appendix B", () => {
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes the appendix B verifier from its 32 octets", () => {
    const octets = Uint8Array.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
      105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    expect(createPkcePair(() => octets)).toEqual({
      verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
      challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      method: "S256",
    });
  });

  it("refuses verifiers outside RFC 7636 4.1 and makes fresh unguessable values", () => {
    expect(() => pkceChallenge("too-short")).toThrow(RangeError);
    const a = createPkcePair();
    const b = createPkcePair();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(createState()).not.toBe(createState());
  });
});

describe("authorization URLs", () => {
  it("asks Google for offline access with the narrowest calendar scopes, state and S256", () => {
    const config = googleOAuthConfig({
      clientId: "client-1",
      clientSecret: "shh",
      redirectUri: "https://ally.example/connect/google/callback",
    });
    const url = new URL(authorizationUrl(config, { state: "st", codeChallenge: "ch" }));
    expect(`${url.origin}${url.pathname}`).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    const query = url.searchParams;
    expect(query.get("scope")).toBe(
      "https://www.googleapis.com/auth/calendar.freebusy https://www.googleapis.com/auth/calendar.events",
    );
    expect(query.get("access_type")).toBe("offline");
    expect(query.get("prompt")).toBe("consent");
    expect(query.get("response_type")).toBe("code");
    expect(query.get("state")).toBe("st");
    expect(query.get("code_challenge")).toBe("ch");
    expect(query.get("code_challenge_method")).toBe("S256");
    expect(query.get("redirect_uri")).toBe("https://ally.example/connect/google/callback");
    expect(query.has("client_secret")).toBe(false);
  });

  it("asks Microsoft's v2 endpoint for offline_access and Calendars.ReadWrite", () => {
    const config = microsoftOAuthConfig({
      clientId: "app-1",
      redirectUri: "https://ally.example/connect/microsoft/callback",
    });
    const url = new URL(authorizationUrl(config, { state: "st", codeChallenge: "ch" }));
    expect(`${url.origin}${url.pathname}`).toBe(
      "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    );
    expect(url.searchParams.get("scope")).toBe("offline_access Calendars.ReadWrite");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(config.tokenEndpoint).toBe("https://login.microsoftonline.com/common/oauth2/v2.0/token");
    expect(config.revocationEndpoint).toBeUndefined();
  });
});

describe("token endpoint against a local server", () => {
  let fake: FakeProvider;
  let google: OAuthClientConfig;
  let microsoft: OAuthClientConfig;
  beforeEach(async () => {
    fake = await FakeProvider.start();
    google = googleOAuthConfig({
      clientId: "client-1",
      clientSecret: "client-secret-1",
      redirectUri: "https://ally.example/cb",
      accountsBaseUrl: fake.baseUrl,
      tokenBaseUrl: fake.baseUrl,
    });
    microsoft = microsoftOAuthConfig({
      clientId: "app-1",
      clientSecret: "app-secret-1",
      redirectUri: "https://ally.example/cb",
      tenant: "organizations",
      authorityBaseUrl: fake.baseUrl,
    });
  });
  afterEach(async () => {
    expect(fake.unexpected).toEqual([]);
    await fake.close();
  });

  it("exchanges a code with its PKCE verifier for Google tokens", async () => {
    fake.on("POST", "/token", {
      body: {
        access_token: "ya29.access-1",
        expires_in: 3599,
        refresh_token: "1//refresh-1",
        scope:
          "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy",
        token_type: "Bearer",
      },
    });
    const { http } = testHttpClient("Google OAuth");
    const tokens = await exchangeCode(google, http, {
      code: "4/code-1",
      codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
      now: () => NOW,
    });
    expect(tokens).toEqual({
      accessToken: "ya29.access-1",
      refreshToken: "1//refresh-1",
      expiresAtEpochMs: NOW + 3_599_000,
      scopes: [
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.freebusy",
      ],
    });
    const request = fake.calls("POST", "/token")[0];
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(formBody(request))).toEqual({
      client_id: "client-1",
      client_secret: "client-secret-1",
      grant_type: "authorization_code",
      code: "4/code-1",
      code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
      redirect_uri: "https://ally.example/cb",
    });
  });

  it("does not retry a code exchange after a 5xx, since a code is single use", async () => {
    fake.on("POST", "/token", [{ status: 500 }, { body: { access_token: "a", expires_in: 1 } }]);
    const { http } = testHttpClient("Google OAuth");
    const error = await connectorError(
      exchangeCode(google, http, { code: "c", codeVerifier: "v" }),
    );
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a revoked Google grant (invalid_grant) as CALENDAR_AUTH_FAILED without the token", async () => {
    fake.on("POST", "/token", {
      status: 400,
      body: { error: "invalid_grant", error_description: "Token has been expired or revoked." },
    });
    const { http } = testHttpClient("Google OAuth");
    const error = await connectorError(
      refreshTokens(google, http, { refreshToken: "1//SECRET-REFRESH", now: () => NOW }),
    );
    expect(error.code).toBe("CALENDAR_AUTH_FAILED");
    expect(error.message).toMatch(/revoked or has expired/);
    expect(error.message).not.toContain("SECRET");
    expect(formBody(fake.calls("POST", "/token")[0]).get("grant_type")).toBe("refresh_token");
  });

  it("names Microsoft's AADSTS code for invalid_grant but not its trace ids", async () => {
    fake.on("POST", "/organizations/oauth2/v2.0/token", {
      status: 400,
      body: {
        error: "invalid_grant",
        error_description:
          "AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0000-trace\r\nCorrelation ID: 1111-corr",
        error_codes: [700082],
        trace_id: "0000-trace",
        correlation_id: "1111-corr",
      },
    });
    const { http } = testHttpClient("Microsoft OAuth");
    const error = await connectorError(
      refreshTokens(microsoft, http, { refreshToken: "M.SECRET" }),
    );
    expect(error.code).toBe("CALENDAR_AUTH_FAILED");
    expect(error.message).toContain("AADSTS700082");
    expect(error.message).not.toContain("trace");
    expect(error.message).not.toContain("SECRET");
    const form = formBody(fake.calls("POST", "/organizations/oauth2/v2.0/token")[0]);
    expect(form.get("scope")).toBe("offline_access Calendars.ReadWrite");
    expect(form.get("refresh_token")).toBe("M.SECRET");
  });

  it("retries a refresh after a 503 and after a 429 with Retry-After", async () => {
    fake.on("POST", "/token", [
      { status: 503 },
      { status: 429, headers: { "retry-after": "2" } },
      { body: { access_token: "ya29.access-2", expires_in: 3600, token_type: "Bearer" } },
    ]);
    const { http, sleeps } = testHttpClient("Google OAuth");
    const tokens = await refreshTokens(google, http, { refreshToken: "1//r", now: () => NOW });
    expect(tokens.accessToken).toBe("ya29.access-2");
    expect(tokens.refreshToken).toBeUndefined();
    expect(sleeps).toEqual([250, 2000]);
  });

  it("reports a token answer that is not JSON, or lacks the token, as CALENDAR_INVALID", async () => {
    fake.on("POST", "/token", [{ body: "<html>oops" }, { body: { expires_in: 3600 } }]);
    const { http } = testHttpClient("Google OAuth");
    expect((await connectorError(refreshTokens(google, http, { refreshToken: "r" }))).code).toBe(
      "CALENDAR_INVALID",
    );
    expect((await connectorError(refreshTokens(google, http, { refreshToken: "r" }))).code).toBe(
      "CALENDAR_INVALID",
    );
  });

  it("revokes a Google grant, treating an unknown token as already revoked", async () => {
    fake.on("POST", "/revoke", [
      { body: {} },
      {
        status: 400,
        body: { error: "invalid_token", error_description: "Token expired or revoked" },
      },
    ]);
    const { http } = testHttpClient("Google OAuth");
    await revokeToken(google, http, "1//refresh-1");
    await revokeToken(google, http, "1//refresh-1");
    expect(formBody(fake.calls("POST", "/revoke")[0]).get("token")).toBe("1//refresh-1");
    const error = await connectorError(revokeToken(microsoft, http, "x"));
    expect(error.code).toBe("CALENDAR_INVALID");
  });

  it("refreshes once for concurrent callers, keeps Google's refresh token and saves", async () => {
    fake.on("POST", "/token", {
      body: { access_token: "ya29.new", expires_in: 3600, token_type: "Bearer" },
    });
    const { http } = testHttpClient("Google OAuth");
    let stored: TokenSet = {
      accessToken: "ya29.old",
      refreshToken: "1//keep",
      expiresAtEpochMs: NOW + 30_000, // inside the 60 s skew: due for refresh
      scopes: ["https://www.googleapis.com/auth/calendar.events"],
    };
    const saved: TokenSet[] = [];
    const token = accessTokenProvider({
      config: google,
      http,
      now: () => NOW,
      store: {
        load: async () => stored,
        save: async (tokens) => {
          saved.push(tokens);
          stored = tokens;
        },
      },
    });
    expect(await Promise.all([token(), token()])).toEqual(["ya29.new", "ya29.new"]);
    expect(fake.calls("POST", "/token")).toHaveLength(1);
    expect(saved).toEqual([
      {
        accessToken: "ya29.new",
        refreshToken: "1//keep",
        expiresAtEpochMs: NOW + 3_600_000,
        scopes: ["https://www.googleapis.com/auth/calendar.events"],
      },
    ]);
    // Fresh now: no second request.
    expect(await token()).toBe("ya29.new");
    expect(fake.calls("POST", "/token")).toHaveLength(1);
  });

  it("refreshes an unexpired token the provider refused, but not one already replaced", async () => {
    fake.on("POST", "/token", {
      body: { access_token: "ya29.after-401", expires_in: 3600, token_type: "Bearer" },
    });
    const { http } = testHttpClient("Google OAuth");
    let stored: TokenSet = {
      accessToken: "ya29.revoked-early",
      refreshToken: "1//r",
      expiresAtEpochMs: NOW + 3_000_000,
      scopes: [],
    };
    const token = accessTokenProvider({
      config: google,
      http,
      now: () => NOW,
      store: {
        load: async () => stored,
        save: async (tokens) => {
          stored = tokens;
        },
      },
    });
    expect(await token()).toBe("ya29.revoked-early");
    expect(await token({ rejected: "ya29.revoked-early" })).toBe("ya29.after-401");
    // A second caller that saw the old token refused gets the new one without a refresh.
    expect(await token({ rejected: "ya29.revoked-early" })).toBe("ya29.after-401");
    expect(fake.calls("POST", "/token")).toHaveLength(1);
  });

  it("saves the rotated Microsoft refresh token", async () => {
    fake.on("POST", "/organizations/oauth2/v2.0/token", {
      body: {
        token_type: "Bearer",
        scope: "Calendars.ReadWrite",
        expires_in: 4000,
        access_token: "eyJ0eXAi.new.sig",
        refresh_token: "M.rotated",
      },
    });
    const { http } = testHttpClient("Microsoft OAuth");
    let stored: TokenSet = {
      accessToken: "old",
      refreshToken: "M.old",
      expiresAtEpochMs: NOW - 1,
      scopes: [],
    };
    const token = accessTokenProvider({
      config: microsoft,
      http,
      now: () => NOW,
      store: {
        load: async () => stored,
        save: async (tokens) => {
          stored = tokens;
        },
      },
    });
    expect(await token()).toBe("eyJ0eXAi.new.sig");
    expect(stored.refreshToken).toBe("M.rotated");
  });
});
