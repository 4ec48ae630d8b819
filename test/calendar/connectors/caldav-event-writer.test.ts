/**
 * Writing Ally's events to a real Radicale: an event written is read back as busy time by the
 * CalDAV source; an update keeps the object and raises SEQUENCE; someone else's change shows as
 * a new ETag and is overwritten; delete removes it (twice is fine); a server that is gone, or
 * that hangs up mid-write, is CALENDAR_UNREACHABLE.
 */
import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { CalDavSource } from "../../../src/calendar/connectors/caldav.js";
import { CalDavEventWriter } from "../../../src/calendar/connectors/caldav-event-writer.js";
import { ConnectorError } from "../../../src/calendar/connectors/types.js";
import { parseICalendar } from "../../../src/calendar/ical.js";
import { type InterviewEvent, sessionUid } from "../../../src/calendar/imip.js";
import { connectorCode } from "../../support/failures.js";
import {
  RADICALE_CREDENTIALS as credentials,
  getObject,
  makeCalendar,
  putObject,
  RADICALE_AUTHORIZATION,
  RADICALE_PASSWORD,
  RADICALE_USER,
  radicaleCalendar,
  radicaleOrSkip,
  startRadicale,
} from "./radicale.js";

const command = radicaleOrSkip("the CalDAV writer tests");

// Wed 25 Nov 2026, 11:00 UTC
const DTSTAMP = Date.UTC(2026, 10, 25, 11);
// Tue 1 – Thu 3 Dec 2026, UTC
const WEEK = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 3) };

let serial = 0;
function buildEvent(overrides: Partial<InterviewEvent> = {}): InterviewEvent {
  serial += 1;
  return {
    uid: sessionUid(`bkg_writer${serial}`, 0, "ally.test"),
    sequence: 0,
    // Tue 1 Dec 2026, 17:00–18:00 UTC
    time: { startEpochMs: Date.UTC(2026, 11, 1, 17), endEpochMs: Date.UTC(2026, 11, 1, 18) },
    summary: "Interview: Staff Engineer (technical)",
    location: "Room 4, floor 2",
    organizer: { email: "ally@ally.test", name: "Ally" },
    attendees: [{ email: "dana@example.com", name: "Dana Scully" }],
    ...overrides,
  };
}

describe.skipIf(!command.ok)("writing events to CalDAV (Radicale)", () => {
  const caldav = radicaleCalendar(command, "interviews");

  it("writes an event at <uid>.ics that the CalDAV source reads as busy time", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    const event = buildEvent();
    const written = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    expect(written.ref).toBe(`${caldav.collection}${encodeURIComponent(event.uid)}.ics`);
    expect(written.etag).toMatch(/^"/);
    expect(written.changedOnServer).toBe(false);
    const read = await new CalDavSource(new URL(caldav.collection), credentials).busy(WEEK, {
      zone: "UTC",
    });
    expect(read.busy).toEqual([event.time]);
    const stored = await getObject(written.ref);
    expect(stored.text).not.toContain("METHOD:");
    const parsed = parseICalendar(stored.text, "stored.ics");
    expect(parsed.ok && parsed.calendar.events.map((e) => [e.uid, e.sequence])).toEqual([
      [event.uid, 0],
    ]);
  });

  it("updates the same object with a higher SEQUENCE and a new ETag", async () => {
    const own = `${caldav.server.baseUrl}${RADICALE_USER}/moves/`;
    await makeCalendar(own);
    const writer = new CalDavEventWriter(new URL(own), credentials);
    const event = buildEvent();
    const first = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    // Moved to Wed 2 Dec 2026, 09:00–10:00 UTC
    const moved = {
      ...event,
      sequence: 1,
      time: { startEpochMs: Date.UTC(2026, 11, 2, 9), endEpochMs: Date.UTC(2026, 11, 2, 10) },
    };
    const second = await writer.upsert(moved, { dtstampEpochMs: DTSTAMP + 1000, existing: first });
    expect(second.ref).toBe(first.ref);
    expect(second.etag).not.toBe(first.etag);
    expect(second.changedOnServer).toBe(false);
    expect(await writer.currentEtag(first.ref)).toBe(second.etag);
    const parsed = parseICalendar((await getObject(first.ref)).text, "stored.ics");
    expect(parsed.ok && parsed.calendar.events.map((e) => e.sequence)).toEqual([1]);
    const busy = await new CalDavSource(new URL(own), credentials).busy(WEEK, { zone: "UTC" });
    expect(busy.busy).toEqual([moved.time]);
  });

  it("sees someone else's change as a new ETag, and replaces it with Ally's version", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    const event = buildEvent();
    const written = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    const edited = (await getObject(written.ref)).text.replace(
      "SUMMARY:Interview: Staff Engineer (technical)",
      "SUMMARY:Interview (bring coffee)",
    );
    await putObject(written.ref, edited);
    const now = await writer.currentEtag(written.ref);
    expect(now).toBeDefined();
    expect(now).not.toBe(written.etag);

    const again = await writer.upsert(
      { ...event, sequence: 1 },
      { dtstampEpochMs: DTSTAMP, existing: written },
    );
    expect(again.changedOnServer).toBe(true);
    expect(again.ref).toBe(written.ref);
    expect((await getObject(written.ref)).text).toContain("SUMMARY:Interview: Staff Engineer");
  });

  it("writes the event again when someone deleted it from the calendar", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    const event = buildEvent();
    const written = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    await fetch(written.ref, {
      method: "DELETE",
      headers: { authorization: RADICALE_AUTHORIZATION },
    });
    const again = await writer.upsert(
      { ...event, sequence: 1 },
      { dtstampEpochMs: DTSTAMP, existing: written },
    );
    expect(again).toMatchObject({ ref: written.ref, changedOnServer: true });
    expect((await getObject(written.ref)).status).toBe(200);
  });

  it("replaces, rather than duplicates, an event a lost answer already created", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    const event = buildEvent();
    const first = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    // The caller never saw `first` and creates again.
    const retried = await writer.upsert(event, { dtstampEpochMs: DTSTAMP });
    expect(retried.ref).toBe(first.ref);
    expect(await writer.currentEtag(first.ref)).toBe(retried.etag);
  });

  it("deletes the event, and deleting it again is not an error", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    const written = await writer.upsert(buildEvent(), { dtstampEpochMs: DTSTAMP });
    await writer.remove(written);
    expect((await getObject(written.ref)).status).toBe(404);
    expect(await writer.currentEtag(written.ref)).toBeUndefined();
    await writer.remove(written);
  });

  it("reports a wrong password as CALENDAR_AUTH_FAILED", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), {
      username: RADICALE_USER,
      password: "wrong",
    });
    expect(await connectorCode(writer.upsert(buildEvent(), { dtstampEpochMs: DTSTAMP }))).toBe(
      "CALENDAR_AUTH_FAILED",
    );
  });

  it("refuses a reference outside its calendar, so credentials go nowhere else", async () => {
    const writer = new CalDavEventWriter(new URL(caldav.collection), credentials);
    expect(
      await connectorCode(
        writer.upsert(buildEvent(), {
          dtstampEpochMs: DTSTAMP,
          existing: { ref: "https://elsewhere.example/x.ics" },
        }),
      ),
    ).toBe("CALENDAR_INVALID");
  });

  it("reports a server that went away as CALENDAR_UNREACHABLE", async () => {
    if (!command.ok) return;
    const other = await startRadicale(command.argv);
    const url = `${other.baseUrl}${RADICALE_USER}/gone/`;
    await makeCalendar(url);
    await other.stop();
    const writer = new CalDavEventWriter(new URL(url), credentials, { timeoutMs: 2000 });
    expect(await connectorCode(writer.upsert(buildEvent(), { dtstampEpochMs: DTSTAMP }))).toBe(
      "CALENDAR_UNREACHABLE",
    );
  });

  it("reports a server that hangs up mid-write as CALENDAR_UNREACHABLE", async () => {
    const sockets = new Set<Socket>();
    // Reads the request head and part of the body, then drops the connection.
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.once("data", () => socket.destroy());
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", () => ready()));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const writer = new CalDavEventWriter(
        new URL(`http://127.0.0.1:${port}/dana/interviews/`),
        credentials,
        { timeoutMs: 2000 },
      );
      const error = await writer
        .upsert(buildEvent(), { dtstampEpochMs: DTSTAMP })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe("CALENDAR_UNREACHABLE");
      expect((error as ConnectorError).message).not.toContain(RADICALE_PASSWORD);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
