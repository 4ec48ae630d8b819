/**
 * The Google Calendar connector against a local server that answers with the shapes documented
 * at developers.google.com/calendar/api/v3/reference (freeBusy.query, events.list with sync
 * tokens, events.insert/patch/delete). The last test runs against the real API when
 * credentials are in the environment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  GoogleCalendar,
  type GoogleChanges,
  isGoogleRateLimited,
} from "../../../src/calendar/connectors/google.js";
import { HttpClient } from "../../../src/calendar/connectors/http.js";
import {
  accessTokenProvider,
  googleOAuthConfig,
  type TokenSet,
} from "../../../src/calendar/connectors/oauth.js";
import { connectorError } from "../../support/failures.js";
import { FakeProvider, jsonBody, testHttpClient } from "./fake-providers.js";

// Tue 1 Dec 2026, 00:00–24:00 UTC.
const DAY = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 2) };
const utc = (hour: number, minute = 0) => Date.UTC(2026, 11, 1, hour, minute);

describe("Google Calendar connector against a local server", () => {
  let fake: FakeProvider;
  let sleeps: number[];
  let google: (calendarIds?: string[]) => GoogleCalendar;

  beforeEach(async () => {
    fake = await FakeProvider.start();
    const client = testHttpClient("Google Calendar", { isRateLimited: isGoogleRateLimited });
    sleeps = client.sleeps;
    google = (calendarIds = ["primary"]) =>
      new GoogleCalendar({
        http: client.http,
        accessToken: async () => "ya29.test-access",
        calendarIds,
        baseUrl: `${fake.baseUrl}/calendar/v3`,
      });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("asks freeBusy for the chosen calendars and merges, sorts and clips their busy time", async () => {
    fake.on("POST", "/calendar/v3/freeBusy", {
      body: {
        kind: "calendar#freeBusy",
        timeMin: "2026-12-01T00:00:00.000Z",
        timeMax: "2026-12-02T00:00:00.000Z",
        calendars: {
          primary: {
            busy: [
              { start: "2026-12-01T14:00:00Z", end: "2026-12-01T15:00:00Z" },
              { start: "2026-11-30T23:00:00Z", end: "2026-12-01T01:00:00Z" },
            ],
          },
          "team@group.calendar.google.com": {
            busy: [
              // 15:00+01:00 is 14:00Z: touches and extends the 14:00–15:00 block.
              { start: "2026-12-01T15:30:00+01:00", end: "2026-12-01T16:30:00+01:00" },
            ],
          },
        },
      },
    });
    const read = await google(["primary", "team@group.calendar.google.com"]).busy(DAY, {
      zone: "Europe/Berlin",
    });
    expect(read).toEqual({
      busy: [
        { startEpochMs: utc(0), endEpochMs: utc(1) },
        { startEpochMs: utc(14), endEpochMs: utc(15, 30) },
      ],
      warnings: [],
    });
    const [request] = fake.calls("POST", "/calendar/v3/freeBusy");
    expect(request?.headers.authorization).toBe("Bearer ya29.test-access");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(jsonBody(request)).toEqual({
      timeMin: "2026-12-01T00:00:00.000Z",
      timeMax: "2026-12-02T00:00:00.000Z",
      items: [{ id: "primary" }, { id: "team@group.calendar.google.com" }],
    });
  });

  it("asks at most 50 calendars per freeBusy query", async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `c${i}@group.calendar.google.com`);
    fake.on("POST", "/calendar/v3/freeBusy", (request) => {
      const items = (jsonBody(request) as { items: { id: string }[] }).items;
      return {
        body: { calendars: Object.fromEntries(items.map(({ id }) => [id, { busy: [] }])) },
      };
    });
    expect((await google(ids).busy(DAY)).busy).toEqual([]);
    const sizes = fake
      .calls("POST", "/calendar/v3/freeBusy")
      .map((request) => (jsonBody(request) as { items: unknown[] }).items.length);
    expect(sizes).toEqual([50, 1]);
  });

  it("fails instead of showing free time for a calendar freeBusy could not read", async () => {
    fake.on("POST", "/calendar/v3/freeBusy", {
      body: {
        calendars: { "gone@example.com": { errors: [{ domain: "global", reason: "notFound" }] } },
      },
    });
    const error = await connectorError(google(["gone@example.com"]).busy(DAY));
    expect(error.code).toBe("CALENDAR_NOT_FOUND");
  });

  it("pages through a full sync and returns the sync token of the last page", async () => {
    fake.on("GET", "/calendar/v3/calendars/primary/events", (request) =>
      request.query.get("pageToken") === null
        ? {
            body: {
              kind: "calendar#events",
              nextPageToken: "page-2",
              items: [
                {
                  id: "evt1",
                  status: "confirmed",
                  summary: "Standup",
                  start: { dateTime: "2026-12-01T09:00:00+01:00", timeZone: "Europe/Berlin" },
                  end: { dateTime: "2026-12-01T09:15:00+01:00", timeZone: "Europe/Berlin" },
                  recurringEventId: "series1",
                },
              ],
            },
          }
        : {
            body: {
              kind: "calendar#events",
              nextSyncToken: "sync-1",
              items: [
                {
                  id: "evt2",
                  status: "confirmed",
                  transparency: "transparent",
                  start: { date: "2026-12-02" },
                  end: { date: "2026-12-03" },
                },
                { id: "evt3", status: "cancelled" },
              ],
            },
          },
    );
    const changes = await google().listChanges("primary", {
      fullSyncFromEpochMs: DAY.startEpochMs,
      pageSize: 1,
    });
    expect(changes).toEqual<GoogleChanges>({
      kind: "changes",
      nextSyncToken: "sync-1",
      events: [
        {
          id: "evt1",
          status: "confirmed",
          transparent: false,
          summary: "Standup",
          recurringEventId: "series1",
          start: { kind: "instant", epochMs: utc(8), timeZone: "Europe/Berlin" },
          end: { kind: "instant", epochMs: utc(8, 15), timeZone: "Europe/Berlin" },
        },
        {
          id: "evt2",
          status: "confirmed",
          transparent: true,
          start: { kind: "date", date: "2026-12-02" },
          end: { kind: "date", date: "2026-12-03" },
        },
        { id: "evt3", status: "cancelled", transparent: false },
      ],
    });
    const [first, second] = fake.calls("GET", "/calendar/v3/calendars/primary/events");
    expect(Object.fromEntries(first?.query ?? [])).toEqual({
      singleEvents: "true",
      maxResults: "1",
      showDeleted: "true",
      timeMin: "2026-12-01T00:00:00.000Z",
    });
    expect(second?.query.get("pageToken")).toBe("page-2");
    expect(second?.headers.authorization).toBe("Bearer ya29.test-access");
  });

  it("syncs incrementally with the stored token, and asks for a full resync on 410", async () => {
    fake.on("GET", "/calendar/v3/calendars/primary/events", (request) =>
      request.query.get("syncToken") === "sync-1"
        ? { body: { items: [], nextSyncToken: "sync-2" } }
        : {
            status: 410,
            body: {
              error: {
                errors: [
                  {
                    domain: "global",
                    reason: "fullSyncRequired",
                    message: "Sync token is no longer valid, a full sync is required.",
                  },
                ],
                code: 410,
                message: "Sync token is no longer valid, a full sync is required.",
              },
            },
          },
    );
    const calendar = google();
    expect(await calendar.listChanges("primary", { syncToken: "sync-1" })).toEqual({
      kind: "changes",
      events: [],
      nextSyncToken: "sync-2",
    });
    expect(await calendar.listChanges("primary", { syncToken: "expired" })).toEqual({
      kind: "full-resync-needed",
    });
    const incremental = fake.calls("GET", "/calendar/v3/calendars/primary/events")[0];
    expect(incremental?.query.has("timeMin")).toBe(false);
    expect(incremental?.query.has("showDeleted")).toBe(false);
  });

  it("reports a malformed events page as CALENDAR_INVALID", async () => {
    fake.on("GET", "/calendar/v3/calendars/primary/events", [
      { body: '{"items": [' },
      { body: { items: [{ id: "x", start: { dateTime: "yesterday" }, end: {} }] } },
      { body: { items: [] } },
    ]);
    const calendar = google();
    for (let i = 0; i < 3; i++) {
      expect((await connectorError(calendar.listChanges("primary"))).code).toBe("CALENDAR_INVALID");
    }
  });

  it("retries a 5xx and Google's 403 rateLimitExceeded, then reads", async () => {
    fake.on("POST", "/calendar/v3/freeBusy", [
      { status: 500, body: { error: { code: 500, message: "Backend Error" } } },
      {
        status: 403,
        body: {
          error: {
            code: 403,
            message: "Rate Limit Exceeded",
            errors: [{ domain: "usageLimits", reason: "rateLimitExceeded" }],
          },
        },
      },
      { status: 429, headers: { "retry-after": "5" }, body: { error: { code: 429 } } },
      { body: { calendars: { primary: { busy: [] } } } },
    ]);
    expect(await google().busy(DAY)).toEqual({ busy: [], warnings: [] });
    expect(sleeps).toEqual([250, 500, 5000]);
  });

  it("reports a refused access token as CALENDAR_AUTH_FAILED", async () => {
    fake.on("POST", "/calendar/v3/freeBusy", {
      status: 401,
      body: { error: { code: 401, message: "Invalid Credentials", status: "UNAUTHENTICATED" } },
    });
    const error = await connectorError(google().busy(DAY));
    expect(error.code).toBe("CALENDAR_AUTH_FAILED");
    expect(error.message).not.toContain("ya29");
  });

  it("asks for a new token once after a 401 and repeats the request with it", async () => {
    fake.on("POST", "/calendar/v3/freeBusy", (request) =>
      request.headers.authorization === "Bearer ya29.second"
        ? { body: { calendars: { primary: { busy: [] } } } }
        : { status: 401, body: { error: { code: 401, message: "Invalid Credentials" } } },
    );
    const asked: (string | undefined)[] = [];
    const calendar = new GoogleCalendar({
      http: testHttpClient("Google Calendar").http,
      accessToken: async (options) => {
        asked.push(options?.rejected);
        return options?.rejected === undefined ? "ya29.first" : "ya29.second";
      },
      calendarIds: ["primary"],
      baseUrl: `${fake.baseUrl}/calendar/v3`,
    });
    expect((await calendar.busy(DAY)).busy).toEqual([]);
    expect(asked).toEqual([undefined, "ya29.first"]);
    expect(fake.requests).toHaveLength(2);
  });

  it("creates, patches and deletes an event with attendees and sendUpdates", async () => {
    const path = "/calendar/v3/calendars/recruiting%40example.com/events";
    fake.on("POST", "/calendar/v3/calendars/recruiting@example.com/events", {
      body: {
        kind: "calendar#event",
        id: "new1",
        etag: '"3181"',
        htmlLink: "https://www.google.com/calendar/event?eid=x",
      },
    });
    fake.on("PATCH", "/calendar/v3/calendars/recruiting@example.com/events/new1", {
      body: { id: "new1", etag: '"3182"' },
    });
    fake.on("DELETE", "/calendar/v3/calendars/recruiting@example.com/events/new1", [
      { status: 204 },
      { status: 410, body: { error: { code: 410, message: "Resource has been deleted" } } },
    ]);
    const calendar = google();
    const created = await calendar.createEvent(
      "recruiting@example.com",
      {
        summary: "Interview: Dana Lee",
        description: "Loop 1 of 2",
        time: { startEpochMs: utc(14), endEpochMs: utc(15) },
        timeZone: "Europe/Berlin",
        attendees: [
          { email: "dana@example.org", displayName: "Dana Lee" },
          { email: "sam@example.com", optional: true },
        ],
      },
      { sendUpdates: "all" },
    );
    expect(created).toEqual({
      id: "new1",
      etag: '"3181"',
      htmlLink: "https://www.google.com/calendar/event?eid=x",
    });
    const insert = fake.requests[0];
    expect(insert?.rawPath).toBe(path);
    expect(insert?.query.get("sendUpdates")).toBe("all");
    expect(jsonBody(insert)).toEqual({
      summary: "Interview: Dana Lee",
      description: "Loop 1 of 2",
      start: { dateTime: "2026-12-01T14:00:00.000Z", timeZone: "Europe/Berlin" },
      end: { dateTime: "2026-12-01T15:00:00.000Z", timeZone: "Europe/Berlin" },
      attendees: [
        { email: "dana@example.org", displayName: "Dana Lee" },
        { email: "sam@example.com", optional: true },
      ],
    });

    await calendar.patchEvent(
      "recruiting@example.com",
      "new1",
      { time: { startEpochMs: utc(16), endEpochMs: utc(17) } },
      { sendUpdates: "externalOnly" },
    );
    const patch = fake.requests[1];
    expect(patch?.query.get("sendUpdates")).toBe("externalOnly");
    expect(jsonBody(patch)).toEqual({
      start: { dateTime: "2026-12-01T16:00:00.000Z", timeZone: "UTC" },
      end: { dateTime: "2026-12-01T17:00:00.000Z", timeZone: "UTC" },
    });

    await calendar.deleteEvent("recruiting@example.com", "new1", { sendUpdates: "all" });
    // Already deleted (410) counts as deleted.
    await calendar.deleteEvent("recruiting@example.com", "new1", { sendUpdates: "all" });
    expect(fake.requests[2]?.query.get("sendUpdates")).toBe("all");
    expect(fake.unexpected).toEqual([]);
  });

  it("retries a create that carries its own id, reading it back on 409", async () => {
    fake.on("POST", "/calendar/v3/calendars/primary/events", [
      { status: 503 },
      {
        status: 409,
        body: { error: { code: 409, message: "The requested identifier already exists." } },
      },
    ]);
    fake.on("GET", "/calendar/v3/calendars/primary/events/ally0interview01", {
      body: { id: "ally0interview01", etag: '"1"' },
    });
    const created = await google().createEvent(
      "primary",
      {
        id: "ally0interview01",
        summary: "Interview",
        time: { startEpochMs: utc(14), endEpochMs: utc(15) },
        attendees: [],
      },
      { sendUpdates: "none" },
    );
    expect(created).toEqual({ id: "ally0interview01", etag: '"1"' });
    expect((jsonBody(fake.requests[0]) as { id: string }).id).toBe("ally0interview01");
  });
});

const real = {
  clientId: process.env.ALLY_TEST_GOOGLE_CLIENT_ID,
  clientSecret: process.env.ALLY_TEST_GOOGLE_CLIENT_SECRET,
  refreshToken: process.env.ALLY_TEST_GOOGLE_REFRESH_TOKEN,
};
const haveReal =
  real.clientId !== undefined && real.clientSecret !== undefined && real.refreshToken !== undefined;

describe("Google Calendar connector against the real API", () => {
  it.skipIf(!haveReal)(
    haveReal
      ? "refreshes, reads busy time and a full sync of the primary calendar"
      : "skipped: set ALLY_TEST_GOOGLE_CLIENT_ID, ALLY_TEST_GOOGLE_CLIENT_SECRET and ALLY_TEST_GOOGLE_REFRESH_TOKEN to run against Google (CI never has them)",
    async () => {
      const http = new HttpClient({
        service: "Google Calendar",
        isRateLimited: isGoogleRateLimited,
      });
      const config = googleOAuthConfig({
        clientId: real.clientId ?? "",
        clientSecret: real.clientSecret ?? "",
        redirectUri: "http://127.0.0.1/unused",
      });
      let stored: TokenSet = {
        accessToken: "",
        refreshToken: real.refreshToken ?? "",
        expiresAtEpochMs: 0,
        scopes: [],
      };
      const accessToken = accessTokenProvider({
        config,
        http,
        store: {
          load: async () => stored,
          save: async (tokens) => {
            stored = tokens;
          },
        },
      });
      const calendar = new GoogleCalendar({ http, accessToken, calendarIds: ["primary"] });
      const now = Date.now();
      const week = { startEpochMs: now, endEpochMs: now + 7 * 86_400_000 };
      const read = await calendar.busy(week, { zone: "UTC" });
      for (const interval of read.busy) {
        expect(interval.startEpochMs).toBeGreaterThanOrEqual(week.startEpochMs);
        expect(interval.endEpochMs).toBeLessThanOrEqual(week.endEpochMs);
      }
      const changes = await calendar.listChanges("primary", { fullSyncFromEpochMs: now });
      expect(changes.kind).toBe("changes");
    },
  );
});
