/**
 * The Microsoft 365 connector against a local server that answers with the shapes documented
 * at learn.microsoft.com/graph (calendar: getSchedule, event: delta on calendarView, events
 * create/update/cancel/delete). The last test runs against Graph when credentials are in the
 * environment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../../src/calendar/connectors/http.js";
import {
  graphDateTimeToEpochMs,
  MicrosoftCalendar,
} from "../../../src/calendar/connectors/microsoft.js";
import {
  accessTokenProvider,
  microsoftOAuthConfig,
  type TokenSet,
} from "../../../src/calendar/connectors/oauth.js";
import { connectorError } from "../../support/failures.js";
import { FakeProvider, jsonBody, testHttpClient } from "./fake-providers.js";

// Tue 1 Dec 2026, 00:00–24:00 UTC.
const DAY = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 2) };
const utc = (hour: number, minute = 0) => Date.UTC(2026, 11, 1, hour, minute);

function item(status: string, start: string, end: string, timeZone: string) {
  return {
    isPrivate: false,
    status,
    start: { dateTime: start, timeZone },
    end: { dateTime: end, timeZone },
  };
}

describe("Graph date-times", () => {
  it("reads Windows zone names, IANA names, UTC and Graph's tzone UTC", () => {
    // 06:00 Pacific Standard Time (UTC-8 in December) is 14:00Z.
    expect(
      graphDateTimeToEpochMs({
        dateTime: "2026-12-01T06:00:00.0000000",
        timeZone: "Pacific Standard Time",
      }),
    ).toBe(utc(14));
    expect(
      graphDateTimeToEpochMs({ dateTime: "2026-12-01T15:00:00", timeZone: "Europe/Berlin" }),
    ).toBe(utc(14));
    expect(
      graphDateTimeToEpochMs({ dateTime: "2026-12-01T14:00:00.0000000", timeZone: "UTC" }),
    ).toBe(utc(14));
    expect(
      graphDateTimeToEpochMs({
        dateTime: "2026-12-01T14:00:00",
        timeZone: "tzone://Microsoft/Utc",
      }),
    ).toBe(utc(14));
  });

  it("places a time in a spring-forward gap as RFC 5545 does, and refuses unknown zones", () => {
    // Sun 29 Mar 2026, 02:30 does not exist in Berlin: read as 03:30 CEST, which is 01:30Z.
    expect(
      graphDateTimeToEpochMs({
        dateTime: "2026-03-29T02:30:00",
        timeZone: "W. Europe Standard Time",
      }),
    ).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(
      graphDateTimeToEpochMs({
        dateTime: "2026-12-01T14:00:00",
        timeZone: "tzone://Microsoft/Custom",
      }),
    ).toBeUndefined();
    expect(graphDateTimeToEpochMs({ dateTime: "noon", timeZone: "UTC" })).toBeUndefined();
  });
});

describe("Microsoft 365 connector against a local server", () => {
  let fake: FakeProvider;
  let sleeps: number[];
  let graph: () => MicrosoftCalendar;

  beforeEach(async () => {
    fake = await FakeProvider.start();
    const client = testHttpClient("Microsoft Graph");
    sleeps = client.sleeps;
    graph = () =>
      new MicrosoftCalendar({
        http: client.http,
        accessToken: async () => "eyJ0eXAi.graph-access.sig",
        scheduleId: "dana@contoso.com",
        baseUrl: `${fake.baseUrl}/v1.0`,
      });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("reads busy time from getSchedule: busy, tentative, oof and unknown block; free and workingElsewhere do not", async () => {
    fake.on("POST", "/v1.0/me/calendar/getSchedule", {
      body: {
        "@odata.context":
          "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
        value: [
          {
            scheduleId: "Dana@contoso.com",
            availabilityView: "000000000000000000000000000000000000",
            scheduleItems: [
              // This server ignored the Prefer header and answered in a Windows zone.
              item(
                "busy",
                "2026-12-01T01:00:00.0000000",
                "2026-12-01T02:00:00.0000000",
                "Pacific Standard Time",
              ),
              item(
                "tentative",
                "2026-12-01T10:00:00.0000000",
                "2026-12-01T10:30:00.0000000",
                "UTC",
              ),
              item(
                "oof",
                "2026-12-01T21:00:00.0000000",
                "2026-12-02T03:00:00.0000000",
                "W. Europe Standard Time",
              ),
              item("free", "2026-12-01T12:00:00.0000000", "2026-12-01T13:00:00.0000000", "UTC"),
              item(
                "workingElsewhere",
                "2026-12-01T13:00:00.0000000",
                "2026-12-01T14:00:00.0000000",
                "UTC",
              ),
              item("unknown", "2026-12-01T16:00:00.0000000", "2026-12-01T16:15:00.0000000", "UTC"),
              item("Busy", "2026-11-30T23:00:00.0000000", "2026-12-01T00:30:00.0000000", "UTC"),
            ],
            workingHours: {},
          },
        ],
      },
    });
    const read = await graph().busy(DAY, { zone: "UTC" });
    expect(read).toEqual({
      busy: [
        { startEpochMs: utc(0), endEpochMs: utc(0, 30) },
        { startEpochMs: utc(9), endEpochMs: utc(10, 30) },
        { startEpochMs: utc(16), endEpochMs: utc(16, 15) },
        // 21:00 Berlin is 20:00Z; clipped at the end of the range.
        { startEpochMs: utc(20), endEpochMs: DAY.endEpochMs },
      ],
      warnings: [],
    });
    const [request] = fake.calls("POST", "/v1.0/me/calendar/getSchedule");
    expect(request?.headers.authorization).toBe("Bearer eyJ0eXAi.graph-access.sig");
    expect(request?.headers.prefer).toBe('outlook.timezone="UTC"');
    expect(jsonBody(request)).toEqual({
      schedules: ["dana@contoso.com"],
      startTime: { dateTime: "2026-12-01T00:00:00.000", timeZone: "UTC" },
      endTime: { dateTime: "2026-12-02T00:00:00.000", timeZone: "UTC" },
      availabilityViewInterval: 15,
    });
  });

  it("leaves out an item in a zone it cannot read and says so", async () => {
    fake.on("POST", "/v1.0/me/calendar/getSchedule", {
      body: {
        value: [
          {
            scheduleId: "dana@contoso.com",
            scheduleItems: [
              item("busy", "2026-12-01T09:00:00", "2026-12-01T10:00:00", "Mars Standard Time"),
            ],
          },
        ],
      },
    });
    const read = await graph().busy(DAY);
    expect(read.busy).toEqual([]);
    expect(read.warnings).toEqual([
      'Microsoft 365 calendar: a busy item has a time Ally cannot read (2026-12-01T09:00:00 in "Mars Standard Time"); left out',
    ]);
  });

  it("asks getSchedule in pieces of at most 31 days", async () => {
    fake.on("POST", "/v1.0/me/calendar/getSchedule", {
      body: { value: [{ scheduleId: "dana@contoso.com", scheduleItems: [] }] },
    });
    const range = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2027, 1, 1) };
    await graph().busy(range);
    const windows = fake.calls("POST", "/v1.0/me/calendar/getSchedule").map((request) => {
      const body = jsonBody(request) as {
        startTime: { dateTime: string };
        endTime: { dateTime: string };
      };
      return [body.startTime.dateTime, body.endTime.dateTime];
    });
    expect(windows).toEqual([
      ["2026-12-01T00:00:00.000", "2027-01-01T00:00:00.000"],
      ["2027-01-01T00:00:00.000", "2027-02-01T00:00:00.000"],
    ]);
  });

  it("fails on a schedule error instead of showing free time", async () => {
    fake.on("POST", "/v1.0/me/calendar/getSchedule", {
      body: {
        value: [
          {
            scheduleId: "dana@contoso.com",
            error: {
              message: "The user was not found.",
              responseCode: "ErrorMailRecipientNotFound",
            },
          },
        ],
      },
    });
    expect((await connectorError(graph().busy(DAY))).code).toBe("CALENDAR_NOT_FOUND");
  });

  it("retries 429 with Retry-After and a 503, then reads; reports malformed JSON and 401", async () => {
    fake.on("POST", "/v1.0/me/calendar/getSchedule", [
      {
        status: 429,
        headers: { "retry-after": "10" },
        body: { error: { code: "TooManyRequests" } },
      },
      { status: 503, body: { error: { code: "ServiceNotAvailable" } } },
      { body: { value: [{ scheduleId: "dana@contoso.com", scheduleItems: [] }] } },
      { body: '{"value": [{"scheduleId": ' },
      {
        status: 401,
        body: {
          error: { code: "InvalidAuthenticationToken", message: "Access token has expired." },
        },
      },
    ]);
    const calendar = graph();
    expect((await calendar.busy(DAY)).busy).toEqual([]);
    expect(sleeps).toEqual([10_000, 500]);
    expect((await connectorError(calendar.busy(DAY))).code).toBe("CALENDAR_INVALID");
    expect((await connectorError(calendar.busy(DAY))).code).toBe("CALENDAR_AUTH_FAILED");
  });

  it("reads busy time from calendarView of chosen calendars, for accounts without getSchedule", async () => {
    const base = fake.baseUrl;
    const event = (showAs: string, start: string, end: string, extra = {}) => ({
      showAs,
      isCancelled: false,
      start: { dateTime: start, timeZone: "UTC" },
      end: { dateTime: end, timeZone: "UTC" },
      ...extra,
    });
    fake.on("GET", "/v1.0/me/calendar/calendarView", (request) =>
      request.query.has("$skiptoken")
        ? {
            body: {
              value: [event("oof", "2026-12-01T16:00:00.0000000", "2026-12-01T17:00:00.0000000")],
            },
          }
        : {
            body: {
              "@odata.nextLink": `${base}/v1.0/me/calendar/calendarView?$skiptoken=p2`,
              value: [
                event("busy", "2026-12-01T09:00:00.0000000", "2026-12-01T10:00:00.0000000"),
                event("free", "2026-12-01T11:00:00.0000000", "2026-12-01T12:00:00.0000000"),
                event("busy", "2026-12-01T13:00:00.0000000", "2026-12-01T14:00:00.0000000", {
                  isCancelled: true,
                }),
              ],
            },
          },
    );
    fake.on("GET", "/v1.0/me/calendars/AAMkFamily=/calendarView", {
      body: {
        value: [event("tentative", "2026-12-01T09:30:00.0000000", "2026-12-01T10:30:00.0000000")],
      },
    });
    const calendar = new MicrosoftCalendar({
      http: testHttpClient("Microsoft Graph").http,
      accessToken: async () => "token",
      scheduleId: "dana@outlook.com",
      baseUrl: `${base}/v1.0`,
      busyFrom: "calendarView",
      busyCalendarIds: ["AAMkFamily="],
    });
    expect((await calendar.busy(DAY)).busy).toEqual([
      { startEpochMs: utc(9, 30), endEpochMs: utc(10, 30) },
    ]);

    const primary = new MicrosoftCalendar({
      http: testHttpClient("Microsoft Graph").http,
      accessToken: async () => "token",
      scheduleId: "dana@outlook.com",
      baseUrl: `${base}/v1.0`,
      busyFrom: "calendarView",
    });
    expect((await primary.busy(DAY)).busy).toEqual([
      { startEpochMs: utc(9), endEpochMs: utc(10) },
      { startEpochMs: utc(16), endEpochMs: utc(17) },
    ]);
    const [first] = fake.calls("GET", "/v1.0/me/calendar/calendarView");
    expect(Object.fromEntries(first?.query ?? [])).toEqual({
      startDateTime: "2026-12-01T00:00:00.000Z",
      endDateTime: "2026-12-02T00:00:00.000Z",
      $select: "showAs,isCancelled,start,end",
      $top: "100",
    });
    expect(first?.headers.prefer).toBe('outlook.timezone="UTC"');
    expect(fake.unexpected).toEqual([]);
  });

  it("follows nextLink to a deltaLink, then syncs from it; 410 asks for a full resync", async () => {
    const base = fake.baseUrl;
    fake.on("GET", "/v1.0/me/calendar/calendarView/delta", (request) => {
      if (request.query.has("startDateTime")) {
        return {
          body: {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
            "@odata.nextLink": `${base}/v1.0/me/calendar/calendarView/delta?$skiptoken=R0usmci39OQxqJrxK4`,
            value: [
              {
                "@odata.etag": 'W/"EZ9r3czxY0m2jz8c45czkwAAFXcvIw=="',
                id: "AAMkAGI2TAAA=",
                subject: "Interview loop",
                isAllDay: false,
                isCancelled: false,
                showAs: "busy",
                type: "singleInstance",
                start: { dateTime: "2026-12-01T14:00:00.0000000", timeZone: "UTC" },
                end: { dateTime: "2026-12-01T15:00:00.0000000", timeZone: "UTC" },
              },
            ],
          },
        };
      }
      if (request.query.get("$skiptoken") === "R0usmci39OQxqJrxK4") {
        return {
          body: {
            "@odata.deltaLink": `${base}/v1.0/me/calendar/calendarView/delta?$deltatoken=R0usmcMDNGg0J1E`,
            value: [
              { "@removed": { reason: "deleted" }, id: "AAMkAGI2TBBB=" },
              {
                id: "AAMkAGI2TCCC=",
                showAs: "workingElsewhere",
                type: "occurrence",
                seriesMasterId: "AAMkAGI2TMMM=",
                isAllDay: true,
                isCancelled: false,
                start: {
                  dateTime: "2026-12-02T00:00:00.0000000",
                  timeZone: "Pacific Standard Time",
                },
                end: { dateTime: "2026-12-03T00:00:00.0000000", timeZone: "Pacific Standard Time" },
              },
            ],
          },
        };
      }
      if (request.query.get("$deltatoken") === "R0usmcMDNGg0J1E") {
        return {
          body: {
            "@odata.deltaLink": `${base}/v1.0/me/calendar/calendarView/delta?$deltatoken=next`,
            value: [],
          },
        };
      }
      return {
        status: 410,
        body: {
          error: { code: "SyncStateNotFound", message: "The sync state generation is not found." },
        },
      };
    });

    const calendar = graph();
    const first = await calendar.listChanges({ window: DAY, pageSize: 50 });
    expect(first).toEqual({
      kind: "changes",
      deltaLink: `${base}/v1.0/me/calendar/calendarView/delta?$deltatoken=R0usmcMDNGg0J1E`,
      warnings: [],
      events: [
        {
          id: "AAMkAGI2TAAA=",
          removed: false,
          isAllDay: false,
          isCancelled: false,
          showAs: "busy",
          type: "singleInstance",
          subject: "Interview loop",
          start: utc(14),
          end: utc(15),
        },
        { id: "AAMkAGI2TBBB=", removed: true, isAllDay: false, isCancelled: false },
        {
          id: "AAMkAGI2TCCC=",
          removed: false,
          isAllDay: true,
          isCancelled: false,
          showAs: "workingElsewhere",
          type: "occurrence",
          seriesMasterId: "AAMkAGI2TMMM=",
          start: Date.UTC(2026, 11, 2, 8),
          end: Date.UTC(2026, 11, 3, 8),
        },
      ],
    });
    const [firstRequest, secondRequest] = fake.calls("GET", "/v1.0/me/calendar/calendarView/delta");
    expect(firstRequest?.query.get("startDateTime")).toBe("2026-12-01T00:00:00.000Z");
    expect(firstRequest?.query.get("endDateTime")).toBe("2026-12-02T00:00:00.000Z");
    expect(firstRequest?.headers.prefer).toBe('outlook.timezone="UTC", odata.maxpagesize=50');
    expect(secondRequest?.headers.authorization).toBe("Bearer eyJ0eXAi.graph-access.sig");

    if (first.kind !== "changes") throw new Error("expected changes");
    const second = await calendar.listChanges({ deltaLink: first.deltaLink });
    expect(second).toMatchObject({ kind: "changes", events: [] });
    expect(
      await calendar.listChanges({
        deltaLink: `${base}/v1.0/me/calendar/calendarView/delta?$deltatoken=expired`,
      }),
    ).toEqual({ kind: "full-resync-needed" });
  });

  it("never sends the token to a paging link on another host", async () => {
    fake.on("GET", "/v1.0/me/calendar/calendarView/delta", {
      body: { "@odata.nextLink": "https://attacker.example/steal?$skiptoken=x", value: [] },
    });
    const error = await connectorError(graph().listChanges({ window: DAY }));
    expect(error.code).toBe("CALENDAR_INVALID");
    expect(error.message).toContain("attacker.example");
    expect(fake.requests).toHaveLength(1);
  });

  it("creates, updates, cancels and deletes events with attendees", async () => {
    fake.on("POST", "/v1.0/me/calendar/events", [
      { status: 503 },
      {
        status: 201,
        body: {
          id: "AAMkNEW=",
          iCalUId: "040000008200E00074C5B7101A82E008",
          changeKey: "ck1",
          webLink: "https://outlook.office365.com/owa/?itemid=AAMkNEW%3D",
        },
      },
    ]);
    fake.on("PATCH", "/v1.0/me/events/AAMkNEW=", { body: { id: "AAMkNEW=", changeKey: "ck2" } });
    fake.on("POST", "/v1.0/me/events/AAMkNEW=/cancel", { status: 202 });
    fake.on("DELETE", "/v1.0/me/events/AAMkNEW=", [
      { status: 204 },
      { status: 404, body: { error: { code: "ErrorItemNotFound" } } },
    ]);
    const calendar = graph();

    const created = await calendar.createEvent({
      subject: "Interview: Dana Lee",
      body: "Loop 1 of 2",
      location: "Room 4",
      time: { startEpochMs: utc(14), endEpochMs: utc(15) },
      attendees: [
        { email: "dana@example.org", name: "Dana Lee" },
        { email: "sam@contoso.com", optional: true },
      ],
      transactionId: "7E163156-7762-4BEB-A1C6-729EA81755A7",
    });
    expect(created).toEqual({
      id: "AAMkNEW=",
      iCalUId: "040000008200E00074C5B7101A82E008",
      changeKey: "ck1",
      webLink: "https://outlook.office365.com/owa/?itemid=AAMkNEW%3D",
    });
    // Retried after the 503 because the transactionId makes the create idempotent.
    const creates = fake.calls("POST", "/v1.0/me/calendar/events");
    expect(creates).toHaveLength(2);
    expect(jsonBody(creates[1])).toEqual({
      subject: "Interview: Dana Lee",
      body: { contentType: "text", content: "Loop 1 of 2" },
      location: { displayName: "Room 4" },
      start: { dateTime: "2026-12-01T14:00:00.000", timeZone: "UTC" },
      end: { dateTime: "2026-12-01T15:00:00.000", timeZone: "UTC" },
      attendees: [
        { emailAddress: { address: "dana@example.org", name: "Dana Lee" }, type: "required" },
        { emailAddress: { address: "sam@contoso.com" }, type: "optional" },
      ],
      transactionId: "7E163156-7762-4BEB-A1C6-729EA81755A7",
    });

    expect(await calendar.updateEvent("AAMkNEW=", { subject: "Interview (moved)" })).toEqual({
      id: "AAMkNEW=",
      changeKey: "ck2",
    });
    expect(jsonBody(fake.calls("PATCH", "/v1.0/me/events/AAMkNEW=")[0])).toEqual({
      subject: "Interview (moved)",
    });

    await calendar.cancelEvent("AAMkNEW=", "The candidate withdrew.");
    expect(jsonBody(fake.calls("POST", "/v1.0/me/events/AAMkNEW=/cancel")[0])).toEqual({
      comment: "The candidate withdrew.",
    });
    await calendar.deleteEvent("AAMkNEW=");
    await calendar.deleteEvent("AAMkNEW=");
    expect(fake.unexpected).toEqual([]);
  });

  it("does not repeat a create without a transactionId after a 5xx", async () => {
    fake.on("POST", "/v1.0/me/calendar/events", [
      { status: 502 },
      { status: 201, body: { id: "x" } },
    ]);
    const error = await connectorError(
      graph().createEvent({
        subject: "Interview",
        time: { startEpochMs: utc(14), endEpochMs: utc(15) },
        attendees: [],
      }),
    );
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(fake.requests).toHaveLength(1);
  });
});

const real = {
  clientId: process.env.ALLY_TEST_MS_CLIENT_ID,
  clientSecret: process.env.ALLY_TEST_MS_CLIENT_SECRET,
  refreshToken: process.env.ALLY_TEST_MS_REFRESH_TOKEN,
  user: process.env.ALLY_TEST_MS_USER,
  tenant: process.env.ALLY_TEST_MS_TENANT,
};
const haveReal =
  real.clientId !== undefined && real.refreshToken !== undefined && real.user !== undefined;

describe("Microsoft 365 connector against Microsoft Graph", () => {
  it.skipIf(!haveReal)(
    haveReal
      ? "refreshes, reads busy time and a delta round of the user's calendar"
      : "skipped: set ALLY_TEST_MS_CLIENT_ID, ALLY_TEST_MS_REFRESH_TOKEN, ALLY_TEST_MS_USER (and ALLY_TEST_MS_CLIENT_SECRET, ALLY_TEST_MS_TENANT if needed) to run against Graph (CI never has them)",
    async () => {
      const http = new HttpClient({ service: "Microsoft Graph" });
      const config = microsoftOAuthConfig({
        clientId: real.clientId ?? "",
        ...(real.clientSecret === undefined ? {} : { clientSecret: real.clientSecret }),
        redirectUri: "http://localhost/unused",
        ...(real.tenant === undefined ? {} : { tenant: real.tenant }),
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
      const calendar = new MicrosoftCalendar({ http, accessToken, scheduleId: real.user ?? "" });
      const now = Date.now();
      const week = { startEpochMs: now, endEpochMs: now + 7 * 86_400_000 };
      const read = await calendar.busy(week, { zone: "UTC" });
      for (const interval of read.busy) {
        expect(interval.startEpochMs).toBeGreaterThanOrEqual(week.startEpochMs);
        expect(interval.endEpochMs).toBeLessThanOrEqual(week.endEpochMs);
      }
      const changes = await calendar.listChanges({ window: week });
      expect(changes.kind).toBe("changes");
    },
  );
});
