/**
 * Google and Microsoft calendar connections from the web page, end to end on every database,
 * through the HTTP app, against local servers speaking Google's and Microsoft's documented
 * OAuth and calendar shapes (fake-providers.ts). The fake token endpoints check the PKCE
 * verifier against the challenge the browser was sent with, so a wrong verifier fails as it
 * would at Google.
 *
 * A member presses "Connect", is sent to the provider with an S256 challenge, a state and the
 * narrowest scopes, and comes back; a bad, expired, reused or someone else's state, a refusal
 * and a failed exchange are refused with a message and store nothing; a good answer makes a
 * healthy connection with busy time from the primary calendar; choosing calendars changes what
 * the next sync reads; an expired access token is refreshed during a sync and resealed; a
 * revoked grant turns the connection unhealthy with one email; a disconnect revokes the grant
 * at Google (and at Microsoft, which has none, only deletes the tokens).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHash } from "../../src/accounts/tokens.js";
import { buildDeps } from "../../src/app/compose.js";
import { pkceChallenge } from "../../src/calendar/connectors/oauth.js";
import { OAUTH_STATE_TTL_MS, SCOPES } from "../../src/calendar/oauth-connections.js";
import { fixedClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createApp } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  type Person,
  send,
  snapshot,
  T0,
  testConfig,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";
import {
  FakeProvider,
  formBody,
  jsonBody,
  type RecordedRequest,
} from "./connectors/fake-providers.js";

const HOUR = 3_600_000;
const PUBLIC_URL = "https://ally.test";

// The account's calendars at Google.
const PRIMARY = "dana@example.com";
const TEAM = "team@group.calendar.google.com";
const HOLIDAYS = "en.uk#holiday@group.v.calendar.google.com";
// Wed 2 Dec 2026 10:00–11:00 UTC in the primary calendar; Thu 3 Dec 15:00–16:00 in Team;
// Fri 4 Dec all day in Holidays.
const BUSY_AT_GOOGLE: Record<string, Array<{ start: string; end: string }>> = {
  [PRIMARY]: [{ start: "2026-12-02T10:00:00Z", end: "2026-12-02T11:00:00Z" }],
  [TEAM]: [{ start: "2026-12-03T15:00:00Z", end: "2026-12-03T16:00:00Z" }],
  [HOLIDAYS]: [{ start: "2026-12-04T00:00:00Z", end: "2026-12-05T00:00:00Z" }],
};

// Microsoft: the default calendar has Mon 7 Dec 2026 09:00–10:30 UTC busy.
const MS_DEFAULT = "AAMkADdefault=";
const MS_BIRTHDAYS = "AAMkADbirthdays=";

/**
 * The provider's side of the authorization-code grant: codes the person "consented" to, with
 * the challenge the authorisation request carried; live access tokens; revoked refresh tokens.
 */
class FakeGrants {
  readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  readonly liveAccess = new Set<string>();
  readonly revokedRefresh = new Set<string>();
  /** The scopes granted with the next code exchange (Google lets people untick some). */
  grantedScope: string | undefined;
  private issued = 0;

  constructor(
    private readonly prefix: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly rotatesRefreshTokens: boolean,
  ) {}

  /** Token endpoint (RFC 6749 4.1.3, 6; RFC 7636 4.6). */
  token = (request: RecordedRequest) => {
    const form = new URLSearchParams(request.body);
    const bad = (error: string) => ({ status: 400, body: { error } });
    if (
      form.get("client_id") !== this.clientId ||
      form.get("client_secret") !== this.clientSecret
    ) {
      return { status: 401, body: { error: "invalid_client" } };
    }
    this.issued += 1;
    const n = this.issued;
    if (form.get("grant_type") === "authorization_code") {
      const code = form.get("code") ?? "";
      const granted = this.codes.get(code);
      this.codes.delete(code);
      if (granted === undefined) return bad("invalid_grant");
      if (form.get("redirect_uri") !== granted.redirectUri) return bad("invalid_grant");
      const verifier = form.get("code_verifier") ?? "";
      if (
        !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) ||
        pkceChallenge(verifier) !== granted.challenge
      ) {
        return bad("invalid_grant");
      }
      const access = `${this.prefix}-access-${n}`;
      this.liveAccess.add(access);
      return {
        body: {
          access_token: access,
          refresh_token: `${this.prefix}-refresh-${n}`,
          expires_in: 3600,
          token_type: "Bearer",
          ...(this.grantedScope === undefined ? {} : { scope: this.grantedScope }),
        },
      };
    }
    if (form.get("grant_type") === "refresh_token") {
      const refresh = form.get("refresh_token") ?? "";
      if (this.revokedRefresh.has(refresh) || !refresh.startsWith(`${this.prefix}-refresh-`)) {
        return bad("invalid_grant");
      }
      const access = `${this.prefix}-access-refreshed-${n}`;
      this.liveAccess.clear();
      this.liveAccess.add(access);
      return {
        body: {
          access_token: access,
          expires_in: 3600,
          token_type: "Bearer",
          ...(this.rotatesRefreshTokens ? { refresh_token: `${this.prefix}-refresh-${n}` } : {}),
        },
      };
    }
    return bad("unsupported_grant_type");
  };

  authorised(request: RecordedRequest): boolean {
    const header = String(request.headers.authorization ?? "");
    return this.liveAccess.has(header.replace(/^Bearer /, ""));
  }
}

/**
 * Google's events.list, reduced to what incremental sync needs: each calendar has a version
 * that a test bumps when an event changes; a sync token names the version it was issued at,
 * and one the test expired answers 410 as Google does.
 */
const eventVersions: Record<string, number> = { [PRIMARY]: 1, [TEAM]: 1, [HOLIDAYS]: 1 };
const expiredSyncTokens = new Set<string>();

function eventsList(calendarId: string, query: URLSearchParams) {
  const version = eventVersions[calendarId] ?? 1;
  const nextSyncToken = `sync-${calendarId}-v${version}-${Math.random().toString(36).slice(2)}`;
  const syncToken = query.get("syncToken");
  if (syncToken === null) return { body: { kind: "calendar#events", items: [], nextSyncToken } };
  if (expiredSyncTokens.has(syncToken)) {
    return {
      status: 410,
      body: {
        error: { code: 410, message: "Sync token is no longer valid, a full sync is required." },
      },
    };
  }
  const since = Number(/-v(\d+)-/.exec(syncToken)?.[1] ?? 0);
  const items =
    since < version
      ? [
          {
            id: `changed-${version}`,
            status: "confirmed",
            start: { dateTime: "2026-12-03T15:00:00Z" },
            end: { dateTime: "2026-12-03T17:00:00Z" },
          },
        ]
      : [];
  return { body: { kind: "calendar#events", items, nextSyncToken } };
}

const unauthorised = {
  status: 401,
  body: { error: { code: 401, message: "Invalid Credentials" } },
};

for (const database of await testDatabases()) {
  describe(`Google and Microsoft calendar connections on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let other: Organisation;
    let dana: Person;
    let google: FakeProvider;
    let microsoft: FakeProvider;
    let googleGrants: FakeGrants;
    let microsoftGrants: FakeGrants;
    const logs: string[] = [];
    /** The Google connection made by the good callback. */
    let connectionId = "";

    beforeAll(async () => {
      // The Google account as it was before any test changed it (each database starts over).
      Object.assign(eventVersions, { [PRIMARY]: 1, [TEAM]: 1, [HOLIDAYS]: 1 });
      expiredSyncTokens.clear();
      BUSY_AT_GOOGLE[TEAM] = [{ start: "2026-12-03T15:00:00Z", end: "2026-12-03T16:00:00Z" }];
      google = await FakeProvider.start();
      microsoft = await FakeProvider.start();
      googleGrants = new FakeGrants("g", "ally-google-client", "google-client-secret", false);
      microsoftGrants = new FakeGrants(
        "m",
        "ally-microsoft-client",
        "microsoft-client-secret",
        true,
      );
      google
        .on("POST", "/token", googleGrants.token)
        .on("POST", "/revoke", { status: 200, body: {} })
        .on("GET", "/v1/userinfo", (request) =>
          googleGrants.authorised(request)
            ? { body: { sub: "1234567890", email: PRIMARY, email_verified: true } }
            : unauthorised,
        )
        .on("GET", "/calendar/v3/users/me/calendarList", (request) =>
          googleGrants.authorised(request)
            ? {
                body: {
                  kind: "calendar#calendarList",
                  items: [
                    { id: PRIMARY, summary: PRIMARY, primary: true, accessRole: "owner" },
                    { id: TEAM, summary: "Team", accessRole: "writer" },
                    {
                      id: HOLIDAYS,
                      summary: "Holidays in the United Kingdom",
                      accessRole: "reader",
                    },
                  ],
                },
              }
            : unauthorised,
        )
        .on("POST", "/calendar/v3/freeBusy", (request) => {
          if (!googleGrants.authorised(request)) return unauthorised;
          const asked = jsonBody(request) as {
            timeMin: string;
            timeMax: string;
            items: { id: string }[];
          };
          return {
            body: {
              kind: "calendar#freeBusy",
              timeMin: asked.timeMin,
              timeMax: asked.timeMax,
              calendars: Object.fromEntries(
                asked.items.map(({ id }) => [id, { busy: BUSY_AT_GOOGLE[id] ?? [] }]),
              ),
            },
          };
        });
      for (const id of [PRIMARY, TEAM, HOLIDAYS]) {
        google.on("GET", `/calendar/v3/calendars/${id}/events`, (request) =>
          googleGrants.authorised(request) ? eventsList(id, request.query) : unauthorised,
        );
        google.on("POST", `/calendar/v3/calendars/${id}/events/watch`, (request) => {
          if (!googleGrants.authorised(request)) return unauthorised;
          const asked = jsonBody(request) as { id: string };
          return {
            body: {
              kind: "api#channel",
              id: asked.id,
              resourceId: `resource-${id}`,
              expiration: String(world.clock.now() + 7 * 24 * HOUR),
            },
          };
        });
      }
      google.on("POST", "/calendar/v3/channels/stop", (request) =>
        googleGrants.authorised(request) ? { status: 204 } : unauthorised,
      );
      let subscriptions = 0;
      microsoft.on("POST", "/v1.0/subscriptions", (request) => {
        if (!microsoftGrants.authorised(request)) return unauthorised;
        subscriptions += 1;
        const id = `sub-${subscriptions}`;
        microsoft.on("DELETE", `/v1.0/subscriptions/${id}`, { status: 204 });
        const asked = jsonBody(request) as { expirationDateTime: string };
        return { status: 201, body: { id, expirationDateTime: asked.expirationDateTime } };
      });
      microsoft
        .on("POST", "/common/oauth2/v2.0/token", microsoftGrants.token)
        .on("GET", "/v1.0/me", (request) =>
          microsoftGrants.authorised(request)
            ? { body: { mail: null, userPrincipalName: "dana@contoso.example" } }
            : unauthorised,
        )
        .on("GET", "/v1.0/me/calendars", (request) =>
          microsoftGrants.authorised(request)
            ? {
                body: {
                  value: [
                    { id: MS_DEFAULT, name: "Calendar", isDefaultCalendar: true },
                    { id: MS_BIRTHDAYS, name: "Birthdays", isDefaultCalendar: false },
                  ],
                },
              }
            : unauthorised,
        )
        .on("GET", `/v1.0/me/calendars/${MS_DEFAULT}/calendarView`, (request) =>
          microsoftGrants.authorised(request)
            ? {
                body: {
                  value: [
                    {
                      showAs: "busy",
                      isCancelled: false,
                      start: { dateTime: "2026-12-07T09:00:00.0000000", timeZone: "UTC" },
                      end: { dateTime: "2026-12-07T10:30:00.0000000", timeZone: "UTC" },
                    },
                  ],
                },
              }
            : unauthorised,
        );

      const { store, url, drop } = await database.create();
      const clock = fixedClock(T0);
      const config = testConfig({
        DATABASE_URL: url,
        PUBLIC_URL,
        GOOGLE_CLIENT_ID: "ally-google-client",
        GOOGLE_CLIENT_SECRET: "google-client-secret",
        MICROSOFT_CLIENT_ID: "ally-microsoft-client",
        MICROSOFT_CLIENT_SECRET: "microsoft-client-secret",
      });
      const deps = buildDeps(config, store, clock, MASTER_KEY, {
        providerEndpoints: {
          google: {
            accountsBaseUrl: google.baseUrl,
            tokenBaseUrl: google.baseUrl,
            userinfoUrl: `${google.baseUrl}/v1/userinfo`,
            apiBaseUrl: `${google.baseUrl}/calendar/v3`,
          },
          microsoft: {
            authorityBaseUrl: microsoft.baseUrl,
            graphBaseUrl: `${microsoft.baseUrl}/v1.0`,
          },
        },
        providerHttp: { sleep: async () => {}, random: () => 0.5 },
        log: (line) => logs.push(line),
      });
      world = { store, url, clock, config, deps, ally: createApp(deps), drop };
      org = await createOrganisation(world, "Acme Calendars");
      other = await createOrganisation(world, "Globex Elsewhere");
      dana = org.interviewer;
    }, 60_000);

    afterAll(async () => {
      await google?.close();
      await microsoft?.close();
      await world?.drop();
    });

    /** Presses "Connect"; returns the consent address Ally sent the browser to. */
    async function connect(person: Person, provider: "google" | "microsoft") {
      const answer = await send(world.ally, "POST", `/app/calendars/connect/${provider}`, {
        as: viaSession(person),
        form: {},
        headers: { "sec-fetch-site": "same-origin" },
      });
      expect(answer.status, answer.text.slice(0, 300)).toBe(303);
      return new URL(answer.headers.get("location") ?? "");
    }

    /** The person consents at the provider: a code bound to the request's PKCE challenge. */
    function consent(authorise: URL, grants: FakeGrants, code: string) {
      grants.codes.set(code, {
        challenge: authorise.searchParams.get("code_challenge") ?? "",
        redirectUri: authorise.searchParams.get("redirect_uri") ?? "",
      });
      return authorise.searchParams.get("state") ?? "";
    }

    const callback = (person: Person, provider: string, query: Record<string, string>) =>
      send(
        world.ally,
        "GET",
        `/app/calendars/oauth/${provider}/callback?${new URLSearchParams(query)}`,
        { as: viaSession(person) },
      );

    const connectionCount = async () =>
      (await world.store.db.selectFrom("calendar_connections").select("id").execute()).length;

    const busyOf = async (id: string) =>
      (
        await world.store.db
          .selectFrom("busy_blocks")
          .select(["start_at", "end_at"])
          .where("connection_id", "=", id)
          .orderBy("start_at")
          .execute()
      ).map((b) => ({
        start: new Date(Number(b.start_at)).toISOString(),
        end: new Date(Number(b.end_at)).toISOString(),
      }));

    const lastFreeBusyIds = () =>
      (
        jsonBody(google.calls("POST", "/calendar/v3/freeBusy").at(-1)) as {
          items: { id: string }[];
        }
      ).items.map((item) => item.id);

    const rowOf = (id: string) =>
      world.store.db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();

    const allText = async () => JSON.stringify(await snapshot(world));

    it("shows a Connect button only for the providers that are set up, and says a server without one lacks it", async () => {
      const page = await send(world.ally, "GET", "/app/calendars", { as: viaSession(dana) });
      expect(page.text).toContain('action="/app/calendars/connect/google"');
      expect(page.text).toContain('action="/app/calendars/connect/microsoft"');
      const bare = createApp(
        buildDeps(
          testConfig({ DATABASE_URL: world.url, PUBLIC_URL }),
          world.store,
          world.clock,
          MASTER_KEY,
        ),
      );
      const plain = await send(bare, "GET", "/app/calendars", { as: viaSession(dana) });
      expect(plain.status).toBe(200);
      expect(plain.text).not.toContain("/app/calendars/connect/");
      const refused = await send(bare, "POST", "/app/calendars/connect/google", {
        as: viaSession(dana),
        form: {},
      });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain("Google Calendar is not set up on this Ally server");
      const returned = await send(
        bare,
        "GET",
        "/app/calendars/oauth/microsoft/callback?code=a-code&state=a-state",
        { as: viaSession(dana) },
      );
      expect(returned.status).toBe(409);
      expect(returned.text).toContain("Microsoft 365 is not set up on this Ally server");
    });

    it("sends the member to Google with an S256 challenge, a state and the narrowest scopes", async () => {
      const authorise = await connect(dana, "google");
      expect(`${authorise.origin}${authorise.pathname}`).toBe(`${google.baseUrl}/o/oauth2/v2/auth`);
      const q = authorise.searchParams;
      expect(q.get("response_type")).toBe("code");
      expect(q.get("client_id")).toBe("ally-google-client");
      expect(q.get("redirect_uri")).toBe(`${PUBLIC_URL}/app/calendars/oauth/google/callback`);
      expect(q.get("code_challenge_method")).toBe("S256");
      expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get("state")).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(q.get("access_type")).toBe("offline");
      expect(new Set(q.get("scope")?.split(" "))).toEqual(
        new Set([
          "https://www.googleapis.com/auth/calendar.freebusy",
          "https://www.googleapis.com/auth/calendar.events",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
          "openid",
          "email",
        ]),
      );
      // The state is kept only as a hash, the verifier only sealed.
      const states = await world.store.db.selectFrom("oauth_states").selectAll().execute();
      expect(states.length).toBeGreaterThan(0);
      expect(await allText()).not.toContain(q.get("state"));
      const mine = states.find((s) => s.user_id === dana.userId);
      expect(mine).toMatchObject({ provider: "google", organisation_id: dana.orgId });
      expect(Number(mine?.expires_at) - Number(mine?.created_at)).toBe(OAUTH_STATE_TTL_MS);
    });

    it("sends the member to Microsoft with offline_access Calendars.ReadWrite User.Read", async () => {
      const authorise = await connect(dana, "microsoft");
      expect(`${authorise.origin}${authorise.pathname}`).toBe(
        `${microsoft.baseUrl}/common/oauth2/v2.0/authorize`,
      );
      expect(authorise.searchParams.get("scope")).toBe(
        "offline_access Calendars.ReadWrite User.Read",
      );
      expect(authorise.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorise.searchParams.get("state")).not.toBeNull();
      expect(SCOPES.microsoft).toEqual(["offline_access", "Calendars.ReadWrite", "User.Read"]);
    });

    it("refuses a callback with an unknown state, storing nothing and calling no token endpoint", async () => {
      const authorise = await connect(dana, "google");
      consent(authorise, googleGrants, "code-for-a-forged-state");
      const before = await connectionCount();
      const tokenCalls = google.calls("POST", "/token").length;
      const answer = await callback(dana, "google", {
        code: "code-for-a-forged-state",
        state: "a-state-ally-never-issued-0123456789abcdef",
      });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("has expired or was already used");
      expect(await connectionCount()).toBe(before);
      expect(google.calls("POST", "/token").length).toBe(tokenCalls);
      const missing = await callback(dana, "google", { code: "code-for-a-forged-state" });
      expect(missing.status).toBe(400);
      expect(await connectionCount()).toBe(before);
    });

    it("refuses a callback after the state's ten minutes", async () => {
      const authorise = await connect(dana, "google");
      const state = consent(authorise, googleGrants, "code-too-late");
      world.clock.advance(OAUTH_STATE_TTL_MS + 1000);
      const before = await connectionCount();
      const answer = await callback(dana, "google", { code: "code-too-late", state });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("has expired or was already used");
      expect(await connectionCount()).toBe(before);
    });

    it("refuses a state started by another member, even of the same organisation", async () => {
      const authorise = await connect(dana, "google");
      const state = consent(authorise, googleGrants, "code-for-dana");
      const before = await connectionCount();
      const answer = await callback(org.owner, "google", { code: "code-for-dana", state });
      expect(answer.status).toBe(400);
      expect(await connectionCount()).toBe(before);
      // …nor one started for the other provider.
      const crossed = await callback(dana, "microsoft", { code: "code-for-dana", state });
      expect(crossed.status).toBe(400);
      expect(await connectionCount()).toBe(before);
    });

    it("says so when the member refuses at Google, and stores nothing", async () => {
      const authorise = await connect(dana, "google");
      const state = authorise.searchParams.get("state") ?? "";
      const before = await connectionCount();
      const answer = await callback(dana, "google", { error: "access_denied", state });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("You did not allow Ally to use your Google Calendar");
      expect(await connectionCount()).toBe(before);
    });

    it("says so when Google will not exchange the code, and stores nothing", async () => {
      const authorise = await connect(dana, "google");
      const state = authorise.searchParams.get("state") ?? "";
      const before = await connectionCount();
      const answer = await callback(dana, "google", { code: "a-code-google-never-issued", state });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("Ally could not connect Google Calendar");
      expect(answer.text).toContain("revoked or has expired");
      expect(answer.text).not.toContain("a-code-google-never-issued");
      expect(await connectionCount()).toBe(before);
    });

    it("refuses a grant without free/busy or events, storing nothing and revoking it", async () => {
      const authorise = await connect(dana, "google");
      const state = consent(authorise, googleGrants, "code-with-unticked-scopes");
      googleGrants.grantedScope = "openid email https://www.googleapis.com/auth/calendar.events";
      const revocations = google.calls("POST", "/revoke").length;
      const before = await connectionCount();
      try {
        const answer = await callback(dana, "google", { code: "code-with-unticked-scopes", state });
        expect(answer.status).toBe(400);
        expect(answer.text).toContain("Ally needs to see when you are busy");
      } finally {
        googleGrants.grantedScope = undefined;
      }
      expect(await connectionCount()).toBe(before);
      const revoked = google.calls("POST", "/revoke");
      expect(revoked.length).toBe(revocations + 1);
      expect(formBody(revoked.at(-1)).get("token")).toMatch(/^g-refresh-\d+$/);
    });

    it("connects Google: a healthy connection with busy time from the primary calendar", async () => {
      const authorise = await connect(dana, "google");
      const state = consent(authorise, googleGrants, "good-code");
      const answer = await callback(dana, "google", { code: "good-code", state });
      expect(answer.status, answer.text.slice(0, 500)).toBe(303);
      const location = answer.headers.get("location") ?? "";
      expect(location).toMatch(/^\/app\/calendars\/cal_[A-Za-z0-9_-]+\/calendars$/);
      connectionId = location.split("/")[3] as string;

      // The token request proved possession of the verifier (the fake checks it).
      const exchange = formBody(google.calls("POST", "/token").at(-1));
      expect(exchange.get("grant_type")).toBe("authorization_code");
      expect(pkceChallenge(exchange.get("code_verifier") ?? "")).toBe(
        authorise.searchParams.get("code_challenge"),
      );

      const connection = await world.deps.calendars.getConnection(dana.actor, connectionId);
      expect(connection).toMatchObject({
        provider: "google",
        status: "healthy",
        account: PRIMARY,
        lastError: null,
      });
      expect(lastFreeBusyIds()).toEqual([PRIMARY]);
      expect(await busyOf(connectionId)).toEqual([
        { start: "2026-12-02T10:00:00.000Z", end: "2026-12-02T11:00:00.000Z" },
      ]);
      const row = await rowOf(connectionId);
      expect(JSON.parse(row.calendars ?? "[]")).toEqual([
        { id: PRIMARY, name: PRIMARY, busy: true, receivesEvents: true },
        { id: TEAM, name: "Team", busy: false, receivesEvents: false },
        {
          id: HOLIDAYS,
          name: "Holidays in the United Kingdom",
          busy: false,
          receivesEvents: false,
        },
      ]);
      // Tokens are sealed; the state is gone (single use).
      const text = await allText();
      expect(text).not.toMatch(/g-access-|g-refresh-/);
      expect(
        await world.store.db
          .selectFrom("oauth_states")
          .select("id")
          .where("state_hash", "=", tokenHash(state))
          .execute(),
      ).toHaveLength(0);

      // Replaying the same answer is refused and makes no second connection.
      const before = await connectionCount();
      const replay = await callback(dana, "google", { code: "good-code", state });
      expect(replay.status).toBe(400);
      expect(replay.text).toContain("was already used");
      expect(await connectionCount()).toBe(before);

      const page = await send(world.ally, "GET", "/app/calendars", { as: viaSession(dana) });
      expect(page.text).toContain(PRIMARY);
      expect(page.text).not.toMatch(/g-access-|g-refresh-/);
    });

    it("offers the account's calendars as labelled checkboxes and radio buttons", async () => {
      const page = await send(world.ally, "GET", `/app/calendars/${connectionId}/calendars`, {
        as: viaSession(dana),
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain("<legend>Calendars that count as busy</legend>");
      expect(page.text).toContain("<legend>Calendar that receives Ally&#39;s events</legend>");
      expect(page.text).toMatch(
        /<input type="checkbox" id="field-busy" name="busy" value="dana@example.com" checked/,
      );
      expect(page.text).toMatch(
        /<input type="radio" id="field-receivesEvents" name="receivesEvents" value="dana@example.com" checked/,
      );
      expect(page.text).toContain('<label for="busy-1">Team</label>');
    });

    it("reads only the chosen calendars once the choice is saved", async () => {
      const answer = await send(world.ally, "POST", `/app/calendars/${connectionId}/calendars`, {
        as: viaSession(dana),
        form: { busy: [PRIMARY, TEAM], receivesEvents: TEAM },
      });
      expect(answer.status, answer.text.slice(0, 500)).toBe(303);
      expect(lastFreeBusyIds()).toEqual([PRIMARY, TEAM]);
      expect(await busyOf(connectionId)).toEqual([
        { start: "2026-12-02T10:00:00.000Z", end: "2026-12-02T11:00:00.000Z" },
        { start: "2026-12-03T15:00:00.000Z", end: "2026-12-03T16:00:00.000Z" },
      ]);
      // The next sync by the worker reads the same choice.
      await world.deps.calendars.syncConnection(connectionId);
      expect(lastFreeBusyIds()).toEqual([PRIMARY, TEAM]);

      // The JSON API shows and changes the same choice.
      const { token } = await apiTokenFor(world, dana);
      const shown = await send(
        world.ally,
        "GET",
        `/api/v1/calendar-connections/${connectionId}/calendars`,
        {
          as: viaToken(token),
        },
      );
      expect(shown.status).toBe(200);
      expect(shown.json()).toMatchObject({
        account: PRIMARY,
        calendars: [
          { id: PRIMARY, busy: true, receivesEvents: false },
          { id: TEAM, busy: true, receivesEvents: true },
          { id: HOLIDAYS, busy: false, receivesEvents: false },
        ],
      });
      const changed = await send(
        world.ally,
        "PUT",
        `/api/v1/calendar-connections/${connectionId}/calendars`,
        {
          as: viaToken(token),
          json: { busy: [HOLIDAYS], receivesEvents: PRIMARY },
        },
      );
      expect(changed.status, changed.text).toBe(200);
      expect(lastFreeBusyIds()).toEqual([HOLIDAYS]);
      expect(await busyOf(connectionId)).toEqual([
        { start: "2026-12-04T00:00:00.000Z", end: "2026-12-05T00:00:00.000Z" },
      ]);
      const back = await send(
        world.ally,
        "PUT",
        `/api/v1/calendar-connections/${connectionId}/calendars`,
        {
          as: viaToken(token),
          json: { busy: [PRIMARY, TEAM], receivesEvents: TEAM },
        },
      );
      expect(back.status).toBe(200);
    });

    it("watches each busy calendar at Ally's public address, and a change there makes it sync at once", async () => {
      const channels = await world.store.db
        .selectFrom("calendar_push_channels")
        .selectAll()
        .where("connection_id", "=", connectionId)
        .execute();
      expect(channels.map((c) => c.calendar_id).sort()).toEqual([PRIMARY, TEAM].sort());
      const watched = jsonBody(
        google.calls("POST", `/calendar/v3/calendars/${TEAM}/events/watch`).at(-1),
      ) as { id: string; type: string; address: string; token: string };
      expect(watched).toMatchObject({
        type: "web_hook",
        address: "https://ally.test/api/v1/hooks/calendar/google",
      });
      expect(channels.find((c) => c.calendar_id === TEAM)?.id).toBe(watched.id);
      expect(JSON.stringify(channels)).not.toContain(watched.token);
      // The calendars dropped from the choice in the last test had their channels stopped.
      const stopped = google
        .calls("POST", "/calendar/v3/channels/stop")
        .map((r) => (jsonBody(r) as { resourceId: string }).resourceId);
      expect(new Set(stopped)).toEqual(
        new Set([`resource-${PRIMARY}`, `resource-${TEAM}`, `resource-${HOLIDAYS}`]),
      );

      const notified = await world.ally.app.request("/api/v1/hooks/calendar/google", {
        method: "POST",
        headers: {
          "x-goog-channel-id": watched.id,
          "x-goog-channel-token": watched.token,
          "x-goog-resource-id": `resource-${TEAM}`,
          "x-goog-resource-state": "exists",
        },
      });
      expect(notified.status).toBe(204);
      expect(Number((await rowOf(connectionId)).next_attempt_at)).toBe(world.clock.now());
      await world.deps.calendars.syncConnection(connectionId);
    });

    it("refuses an unknown calendar or no receiving calendar, naming the field and changing nothing", async () => {
      const before = await snapshot(world);
      const unknown = await send(world.ally, "POST", `/app/calendars/${connectionId}/calendars`, {
        as: viaSession(dana),
        form: { busy: [PRIMARY, "someone-else@example.com"], receivesEvents: PRIMARY },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.text).toContain('href="#field-busy"');
      expect(unknown.text).toMatch(/id="field-busy"[^>]*aria-invalid="true"/);
      const none = await send(world.ally, "POST", `/app/calendars/${connectionId}/calendars`, {
        as: viaSession(dana),
        form: { busy: [PRIMARY] },
      });
      expect(none.status).toBe(422);
      expect(none.text).toContain('href="#field-receivesEvents"');
      const { token } = await apiTokenFor(world, dana);
      const api = await send(
        world.ally,
        "PUT",
        `/api/v1/calendar-connections/${connectionId}/calendars`,
        {
          as: viaToken(token),
          json: { busy: [], receivesEvents: "not-a-calendar-of-this-account" },
        },
      );
      expect(api.status).toBe(422);
      expect(api.json()).toMatchObject({
        error: { code: "VALIDATION_FAILED", field: "receivesEvents" },
      });
      const after = await snapshot(world);
      // API tokens were made (and used) above; nothing else changed.
      expect({ ...after, api_tokens: "", audit_log: "" }).toEqual({
        ...before,
        api_tokens: "",
        audit_log: "",
      });
    });

    it("answers 404 for another organisation's connection, and leaves it alone", async () => {
      const before = await snapshot(world);
      for (const person of [other.owner, other.interviewer]) {
        const page = await send(world.ally, "GET", `/app/calendars/${connectionId}/calendars`, {
          as: viaSession(person),
        });
        expect(page.status).toBe(404);
        expect(page.text).not.toContain(PRIMARY);
        const save = await send(world.ally, "POST", `/app/calendars/${connectionId}/calendars`, {
          as: viaSession(person),
          form: { busy: [PRIMARY], receivesEvents: PRIMARY },
        });
        expect(save.status).toBe(404);
        const remove = await send(world.ally, "POST", `/app/calendars/${connectionId}/delete`, {
          as: viaSession(person),
          form: { confirm: "yes" },
        });
        expect(remove.status).toBe(404);
      }
      const { token } = await apiTokenFor(world, other.owner);
      const api = await send(
        world.ally,
        "GET",
        `/api/v1/calendar-connections/${connectionId}/calendars`,
        {
          as: viaToken(token),
        },
      );
      expect(api.status).toBe(404);
      const after = await snapshot(world);
      expect({ ...after, api_tokens: "", audit_log: "" }).toEqual({
        ...before,
        api_tokens: "",
        audit_log: "",
      });
    });

    it("refreshes an expired access token during a sync and reseals the new tokens", async () => {
      const before = await rowOf(connectionId);
      const refreshes = () =>
        google
          .calls("POST", "/token")
          .filter((r) => formBody(r).get("grant_type") === "refresh_token");
      const refreshCount = refreshes().length;
      world.clock.advance(2 * HOUR); // past the hour the access token lasts
      const synced = await world.deps.calendars.syncConnection(connectionId);
      expect(synced.status).toBe("healthy");
      expect(refreshes().length).toBe(refreshCount + 1);
      const refresh = formBody(refreshes().at(-1));
      expect(refresh.get("refresh_token")).toMatch(/^g-refresh-\d+$/);
      const fresh = [...googleGrants.liveAccess][0] as string;
      expect(fresh).toMatch(/^g-access-refreshed-/);
      // The calendar read after the refresh carries the new token.
      expect(google.requests.at(-1)?.headers.authorization).toBe(`Bearer ${fresh}`);
      const after = await rowOf(connectionId);
      expect(after.credentials).not.toBe(before.credentials);
      const text = await allText();
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(refresh.get("refresh_token"));
      // The resealed token is used until it expires: no second refresh.
      await world.deps.calendars.syncConnection(connectionId);
      expect(refreshes().length).toBe(refreshCount + 1);
      expect(await busyOf(connectionId)).toHaveLength(2);
    });

    it("skips free/busy while Google's sync tokens report no change, and reads it when one does", async () => {
      const freeBusyCalls = () => google.calls("POST", "/calendar/v3/freeBusy").length;
      const listed = (id: string) => google.calls("GET", `/calendar/v3/calendars/${id}/events`);
      // The choice above was read in full, with a sync token taken for each busy calendar.
      const state = JSON.parse((await rowOf(connectionId)).sync_state ?? "{}");
      expect(state.google.calendars).toEqual([PRIMARY, TEAM]);
      expect(Object.keys(state.google.tokens)).toEqual([PRIMARY, TEAM]);

      world.clock.advance(15 * 60_000);
      let before = freeBusyCalls();
      const quiet = await world.deps.calendars.syncConnection(connectionId);
      expect(quiet.status).toBe("healthy");
      expect(freeBusyCalls()).toBe(before);
      expect(listed(TEAM).at(-1)?.query.get("syncToken")).toBe(state.google.tokens[TEAM]);
      expect(await busyOf(connectionId)).toHaveLength(2);
      const saved = JSON.parse((await rowOf(connectionId)).sync_state ?? "{}");
      expect(saved.google.tokens[TEAM]).not.toBe(state.google.tokens[TEAM]);

      // An event in Team moves: the next sync reads free/busy again.
      eventVersions[TEAM] = 2;
      BUSY_AT_GOOGLE[TEAM] = [{ start: "2026-12-03T15:00:00Z", end: "2026-12-03T17:00:00Z" }];
      world.clock.advance(15 * 60_000);
      before = freeBusyCalls();
      await world.deps.calendars.syncConnection(connectionId);
      expect(freeBusyCalls()).toBe(before + 1);
      expect(await busyOf(connectionId)).toContainEqual({
        start: "2026-12-03T15:00:00.000Z",
        end: "2026-12-03T17:00:00.000Z",
      });

      // An expired token (410) means a full read, not a failure.
      const current = JSON.parse((await rowOf(connectionId)).sync_state ?? "{}");
      expiredSyncTokens.add(current.google.tokens[PRIMARY]);
      world.clock.advance(15 * 60_000);
      before = freeBusyCalls();
      const resynced = await world.deps.calendars.syncConnection(connectionId);
      expect(resynced.status).toBe("healthy");
      expect(freeBusyCalls()).toBe(before + 1);
      expect(listed(PRIMARY).at(-1)?.query.get("syncToken")).toBeNull();
    });

    it("turns a connection whose grant was revoked unhealthy at once and emails its owner once", async () => {
      // Dana removes Ally at Google: the refresh token stops working.
      for (const request of google.calls("POST", "/token")) {
        const token = formBody(request).get("refresh_token");
        if (token !== null) googleGrants.revokedRefresh.add(token);
      }
      for (let n = 1; n < 20; n += 1) googleGrants.revokedRefresh.add(`g-refresh-${n}`);
      googleGrants.liveAccess.clear();
      world.clock.advance(2 * HOUR);
      // A revoked grant will not come back by trying again: unhealthy at the first failure.
      const first = await world.deps.calendars.syncConnection(connectionId);
      expect(first.status).toBe("unhealthy");
      expect(first.lastError).toContain("revoked or has expired");
      world.clock.advance(2 * 60_000);
      const second = await world.deps.calendars.syncConnection(connectionId);
      expect(second.status).toBe("unhealthy");
      world.clock.advance(HOUR);
      const third = await world.deps.calendars.syncConnection(connectionId);
      expect(third.status).toBe("unhealthy");
      const mails = await world.store.db
        .selectFrom("outbox")
        .select(["subject", "text_body"])
        .where("to_address", "=", dana.email)
        .where("kind", "=", "calendar-unhealthy")
        .execute();
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain("Google Calendar");
      expect(mails[0]?.text_body).not.toMatch(/g-access-|g-refresh-/);
      // The busy time of the last good sync is kept, and answers warn about it.
      const busy = await world.deps.calendars.busyFor(org.owner.actor, dana.userId, {
        start: Date.UTC(2026, 11, 2),
        end: Date.UTC(2026, 11, 4),
      });
      expect(busy.warnings.join(" ")).toContain("revoked or has expired");
    });

    it("revokes the grant at Google when disconnected, then deletes the row and its busy time", async () => {
      const revocations = google.calls("POST", "/revoke").length;
      const stored = (
        await world.store.db
          .selectFrom("calendar_connections")
          .select("credentials")
          .where("id", "=", connectionId)
          .executeTakeFirstOrThrow()
      ).credentials;
      expect(stored).not.toMatch(/g-refresh-/);
      const answer = await send(world.ally, "POST", `/app/calendars/${connectionId}/delete`, {
        as: viaSession(dana),
        form: { confirm: "yes" },
      });
      expect(answer.status).toBe(303);
      const revoked = google.calls("POST", "/revoke");
      expect(revoked.length).toBe(revocations + 1);
      expect(formBody(revoked.at(-1)).get("token")).toMatch(/^g-refresh-\d+$/);
      expect(await busyOf(connectionId)).toEqual([]);
      expect(
        await world.store.db
          .selectFrom("calendar_connections")
          .select("id")
          .where("id", "=", connectionId)
          .execute(),
      ).toEqual([]);
    });

    it("disconnects even when Google's revocation fails, logging a line without the token", async () => {
      const authorise = await connect(dana, "google");
      const state = consent(authorise, googleGrants, "second-good-code");
      const answer = await callback(dana, "google", { code: "second-good-code", state });
      expect(answer.status).toBe(303);
      const id = (answer.headers.get("location") ?? "").split("/")[3] as string;
      google.on("POST", "/revoke", { status: 503, body: { error: "backendError" } });
      const removed = await send(world.ally, "POST", `/app/calendars/${id}/delete`, {
        as: viaSession(dana),
        form: { confirm: "yes" },
      });
      expect(removed.status).toBe(303);
      expect(
        await world.store.db
          .selectFrom("calendar_connections")
          .select("id")
          .where("id", "=", id)
          .execute(),
      ).toEqual([]);
      const line = logs.find((l) => l.includes(id));
      expect(line).toContain("could not revoke the Google grant");
      expect(line).not.toMatch(/g-access-|g-refresh-/);
      google.on("POST", "/revoke", { status: 200, body: {} });
    });

    it("connects Microsoft 365: the default calendar's busy time, read through calendarView", async () => {
      const authorise = await connect(dana, "microsoft");
      const state = consent(authorise, microsoftGrants, "microsoft-code");
      const answer = await callback(dana, "microsoft", { code: "microsoft-code", state });
      expect(answer.status, answer.text.slice(0, 500)).toBe(303);
      const id = (answer.headers.get("location") ?? "").split("/")[3] as string;
      const exchange = formBody(microsoft.calls("POST", "/common/oauth2/v2.0/token").at(-1));
      expect(exchange.get("scope")).toBe("offline_access Calendars.ReadWrite User.Read");
      const connection = await world.deps.calendars.getConnection(dana.actor, id);
      expect(connection).toMatchObject({
        provider: "microsoft",
        status: "healthy",
        account: "dana@contoso.example",
      });
      expect(await busyOf(id)).toEqual([
        { start: "2026-12-07T09:00:00.000Z", end: "2026-12-07T10:30:00.000Z" },
      ]);
      expect(microsoft.calls("GET", `/v1.0/me/calendars/${MS_BIRTHDAYS}/calendarView`)).toEqual([]);

      // Microsoft rotates refresh tokens: the new one is resealed.
      const before = await rowOf(id);
      world.clock.advance(2 * HOUR);
      expect((await world.deps.calendars.syncConnection(id)).status).toBe("healthy");
      const after = await rowOf(id);
      expect(after.credentials).not.toBe(before.credentials);
      expect(await allText()).not.toMatch(/m-access-|m-refresh-/);

      // The default calendar is watched for changes through a Graph subscription.
      const subscribed = jsonBody(microsoft.calls("POST", "/v1.0/subscriptions").at(-1)) as {
        resource: string;
        notificationUrl: string;
        clientState: string;
      };
      expect(subscribed).toMatchObject({
        resource: `me/calendars/${MS_DEFAULT}/events`,
        notificationUrl: "https://ally.test/api/v1/hooks/calendar/microsoft",
      });
      expect(await allText()).not.toContain(subscribed.clientState);

      // Microsoft has no revocation endpoint: disconnecting deletes the tokens, after ending
      // the subscription.
      const requests = microsoft.requests.length;
      const removed = await send(world.ally, "POST", `/app/calendars/${id}/delete`, {
        as: viaSession(dana),
        form: { confirm: "yes" },
      });
      expect(removed.status).toBe(303);
      expect(microsoft.requests.slice(requests).map((r) => `${r.method} ${r.path}`)).toEqual([
        expect.stringMatching(/^DELETE \/v1\.0\/subscriptions\/sub-\d+$/),
      ]);
      expect(await connectionCount()).toBe(0);
      expect(microsoft.unexpected).toEqual([]);
      expect(google.unexpected).toEqual([]);
    });
  });
}

describe("the OAuth client settings", () => {
  it("needs both halves of a client and defaults the Microsoft tenant to common", () => {
    expect(loadConfig({ GOOGLE_CLIENT_ID: "id" })).toEqual({
      ok: false,
      errors: ["GOOGLE_CLIENT_SECRET: needed with GOOGLE_CLIENT_ID"],
    });
    expect(loadConfig({ MICROSOFT_CLIENT_SECRET: "secret" })).toEqual({
      ok: false,
      errors: ["MICROSOFT_CLIENT_ID: needed with MICROSOFT_CLIENT_SECRET"],
    });
    const both = loadConfig({ MICROSOFT_CLIENT_ID: "id", MICROSOFT_CLIENT_SECRET: "secret" });
    expect(both.ok && both.config.calendar).toEqual({
      syncMinutes: 15,
      allowPrivateHosts: false,
      google: undefined,
      microsoft: { clientId: "id", clientSecret: "secret", tenant: "common" },
    });
    const tenant = loadConfig({ MICROSOFT_TENANT: "not a tenant/../" });
    expect(tenant.ok).toBe(false);
  });
});
