/**
 * The Google and Microsoft event writers against local servers speaking their documented
 * shapes: creates carry an id (Google) or transaction id (Graph) derived from the UID and no
 * attendees for the provider to mail; updates patch the same event; an event deleted on the
 * calendar is written again; removal deletes it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GoogleCalendar, isGoogleRateLimited } from "../../../src/calendar/connectors/google.js";
import { MicrosoftCalendar } from "../../../src/calendar/connectors/microsoft.js";
import {
  GoogleEventWriter,
  googleEventId,
  MicrosoftEventWriter,
} from "../../../src/calendar/connectors/provider-event-writers.js";
import { type InterviewEvent, sessionUid } from "../../../src/calendar/imip.js";
import { FakeProvider, jsonBody, testHttpClient } from "./fake-providers.js";

// Wed 25 Nov 2026, 11:00 UTC
const DTSTAMP = Date.UTC(2026, 10, 25, 11);

function buildEvent(overrides: Partial<InterviewEvent> = {}): InterviewEvent {
  return {
    uid: sessionUid("bkg_7Hq2", 0, "ally.test"),
    sequence: 0,
    // Tue 1 Dec 2026, 17:00–18:00 UTC
    time: { startEpochMs: Date.UTC(2026, 11, 1, 17), endEpochMs: Date.UTC(2026, 11, 1, 18) },
    summary: "Interview: Staff Engineer (technical)",
    description: "Bring a laptop.",
    location: "Room 4",
    url: "https://ally.test/b/bkg_7Hq2",
    organizer: { email: "ally@ally.test" },
    attendees: [{ email: "dana@example.com", name: "Dana Scully" }, { email: "fox@acme.test" }],
    ...overrides,
  };
}

describe("event writers over Google and Microsoft", () => {
  let fake: FakeProvider;

  beforeEach(async () => {
    fake = await FakeProvider.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("derives a base32hex Google id from the UID, one-to-one", () => {
    const id = googleEventId("bkg_7Hq2-1@ally.test");
    expect(id).toMatch(/^[0-9a-v]{5,1024}$/);
    expect(Buffer.from(id, "hex").toString("utf8")).toBe("bkg_7Hq2-1@ally.test");
  });

  it("creates, moves, re-creates and deletes a Google event without mailing anyone", async () => {
    const google = new GoogleCalendar({
      http: testHttpClient("Google Calendar", { isRateLimited: isGoogleRateLimited }).http,
      accessToken: async () => "ya29.test-access",
      calendarIds: ["primary"],
      baseUrl: `${fake.baseUrl}/calendar/v3`,
    });
    const id = googleEventId(buildEvent().uid);
    fake.on("POST", "/calendar/v3/calendars/interviews@group/events", {
      status: 200,
      body: { id, etag: '"1"' },
    });
    fake.on("PATCH", `/calendar/v3/calendars/interviews@group/events/${id}`, [
      { body: { id, etag: '"2"' } },
      { status: 404, body: { error: { code: 404, message: "Not Found" } } },
    ]);
    fake.on("DELETE", `/calendar/v3/calendars/interviews@group/events/${id}`, { status: 204 });
    const writer = new GoogleEventWriter(google, "interviews@group");

    const created = await writer.upsert(buildEvent(), { dtstampEpochMs: DTSTAMP });
    expect(created).toEqual({ ref: id, etag: '"1"', changedOnServer: false });
    const sent = fake.requests[0];
    expect(sent?.query.get("sendUpdates")).toBe("none");
    expect(jsonBody(sent)).toEqual({
      id,
      summary: "Interview: Staff Engineer (technical)",
      description:
        "Bring a laptop.\n\nhttps://ally.test/b/bkg_7Hq2\n\nAttendees: Dana Scully <dana@example.com>, fox@acme.test",
      location: "Room 4",
      start: { dateTime: "2026-12-01T17:00:00.000Z", timeZone: "UTC" },
      end: { dateTime: "2026-12-01T18:00:00.000Z", timeZone: "UTC" },
      attendees: [],
    });

    const moved = await writer.upsert(buildEvent({ sequence: 1 }), {
      dtstampEpochMs: DTSTAMP,
      existing: created,
    });
    expect(moved).toEqual({ ref: id, etag: '"2"', changedOnServer: false });
    // Deleted on the calendar meanwhile: written again.
    const again = await writer.upsert(buildEvent({ sequence: 2 }), {
      dtstampEpochMs: DTSTAMP,
      existing: moved,
    });
    expect(again).toEqual({ ref: id, etag: '"1"', changedOnServer: true });
    await writer.remove(again);
    expect(fake.requests.map((r) => r.method)).toEqual([
      "POST",
      "PATCH",
      "PATCH",
      "POST",
      "DELETE",
    ]);
    expect(fake.requests.every((r) => r.query.get("sendUpdates") === "none")).toBe(true);
    expect(fake.unexpected).toEqual([]);
  });

  it("creates with a transaction id, updates and deletes a Microsoft event without attendees", async () => {
    const graph = new MicrosoftCalendar({
      http: testHttpClient("Microsoft Graph").http,
      accessToken: async () => "eyJ0eXAi.graph-access.sig",
      scheduleId: "dana@contoso.com",
      baseUrl: `${fake.baseUrl}/v1.0`,
    });
    fake.on("POST", "/v1.0/me/calendar/events", {
      status: 201,
      body: { id: "AAMkNEW=", changeKey: "ck1" },
    });
    fake.on("PATCH", "/v1.0/me/events/AAMkNEW=", { body: { id: "AAMkNEW=", changeKey: "ck2" } });
    fake.on("DELETE", "/v1.0/me/events/AAMkNEW=", { status: 204 });
    const writer = new MicrosoftEventWriter(graph);

    const created = await writer.upsert(buildEvent(), { dtstampEpochMs: DTSTAMP });
    expect(created).toEqual({ ref: "AAMkNEW=", etag: "ck1", changedOnServer: false });
    expect(jsonBody(fake.requests[0])).toMatchObject({
      subject: "Interview: Staff Engineer (technical)",
      attendees: [],
      transactionId: "bkg_7Hq2-1@ally.test",
    });
    const moved = await writer.upsert(buildEvent({ sequence: 1 }), {
      dtstampEpochMs: DTSTAMP,
      existing: created,
    });
    expect(moved).toEqual({ ref: "AAMkNEW=", etag: "ck2", changedOnServer: false });
    await writer.remove(moved);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1.0/me/calendar/events",
      "PATCH /v1.0/me/events/AAMkNEW=",
      "DELETE /v1.0/me/events/AAMkNEW=",
    ]);
    expect(fake.unexpected).toEqual([]);
  });
});
