/**
 * iMIP invitations and the stored event: every file Ally writes parses in Ally's own reader and
 * in ical.js to the same event; escaping and folding hold for any text (property test); replies
 * as Google, Outlook and Apple send them are read, and anything else is a clear error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { parseComponents, property, unescapeText } from "../../src/calendar/content-lines.js";
import { parseICalendar } from "../../src/calendar/ical.js";
import {
  buildCalendarObject,
  buildInvitation,
  foldLine,
  type InterviewEvent,
  type InvitationMethod,
  normaliseText,
  paramText,
  parseReply,
  sessionUid,
} from "../../src/calendar/imip.js";

// Wed 25 Nov 2026, 11:00 UTC: when the invitation is written.
const DTSTAMP = Date.UTC(2026, 10, 25, 11, 0);
// Tue 1 Dec 2026, 17:00–18:00 UTC
const START = Date.UTC(2026, 11, 1, 17, 0);
const END = Date.UTC(2026, 11, 1, 18, 0);

function buildEvent(overrides: Partial<InterviewEvent> = {}): InterviewEvent {
  return {
    uid: sessionUid("bkg_7Hq2", 0, "ally.example.com"),
    sequence: 0,
    time: { startEpochMs: START, endEpochMs: END },
    summary: "Interview: Staff Engineer (technical)",
    description: "Technical interview with Fox Mulder, then Q&A; bring a laptop.\nSee you!",
    location: "Room 4, floor 2; Café Zürich",
    url: "https://ally.example.com/b/bkg_7Hq2",
    organizer: { email: "ally@ally.example.com", name: "Ally for Acme" },
    attendees: [
      { email: "dana.scully@example.com", name: "Dana Scully" },
      { email: "fox@acme.example", name: 'Fox "Spooky" Mulder, PhD', role: "REQ-PARTICIPANT" },
      { email: "walter@acme.example", role: "OPT-PARTICIPANT" },
    ],
    ...overrides,
  };
}

/** The event as Ally's own reader sees it: the typed reader plus the raw properties. */
function readWithAlly(text: string) {
  const parsed = parseICalendar(text, "invite.ics");
  if (!parsed.ok) throw new Error(parsed.error.message);
  expect(parsed.problems).toEqual([]);
  expect(parsed.calendar.events).toHaveLength(1);
  const event = parsed.calendar.events[0];
  const { roots, problems } = parseComponents(text);
  expect(problems).toEqual([]);
  const calendar = roots[0];
  const vevent = calendar?.components.find((c) => c.name === "VEVENT");
  if (event === undefined || calendar === undefined || vevent === undefined) {
    throw new Error("no event");
  }
  const text_ = (name: string) => {
    const p = property(vevent, name);
    return p === undefined ? undefined : unescapeText(p.value);
  };
  const people = (name: string) =>
    vevent.properties
      .filter((p) => p.name === name)
      .map((p) => ({
        email: p.value.replace(/^mailto:/i, ""),
        cn: p.params.CN?.[0],
        role: p.params.ROLE?.[0],
        partstat: p.params.PARTSTAT?.[0],
        rsvp: p.params.RSVP?.[0],
      }));
  return {
    method: property(calendar, "METHOD")?.value,
    uid: event.uid,
    sequence: event.sequence,
    cancelled: event.cancelled,
    startEpochMs: event.start.local * 1000,
    endEpochMs: (event.end?.local ?? Number.NaN) * 1000,
    summary: event.summary,
    description: text_("DESCRIPTION"),
    location: text_("LOCATION"),
    url: property(vevent, "URL")?.value,
    status: property(vevent, "STATUS")?.value,
    dtstamp: property(vevent, "DTSTAMP")?.value,
    organizer: people("ORGANIZER")[0],
    attendees: people("ATTENDEE"),
  };
}

/** The same, as ical.js (Mozilla's reader) sees it. */
function readWithIcalJs(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevents = calendar.getAllSubcomponents("vevent");
  expect(vevents).toHaveLength(1);
  const vevent = vevents[0] as ICAL.Component;
  const event = new ICAL.Event(vevent);
  const person = (p: ICAL.Property) => ({
    email: String(p.getFirstValue()).replace(/^mailto:/i, ""),
    cn: (p.getParameter("cn") as string | undefined) ?? undefined,
    role: (p.getParameter("role") as string | undefined) ?? undefined,
    partstat: (p.getParameter("partstat") as string | undefined) ?? undefined,
    rsvp: (p.getParameter("rsvp") as string | undefined) ?? undefined,
  });
  const organizer = vevent.getFirstProperty("organizer");
  return {
    method: (calendar.getFirstPropertyValue("method") as string | null) ?? undefined,
    uid: event.uid,
    sequence: event.sequence,
    cancelled: vevent.getFirstPropertyValue("status") === "CANCELLED",
    startEpochMs: event.startDate.toUnixTime() * 1000,
    endEpochMs: event.endDate.toUnixTime() * 1000,
    summary: event.summary,
    description: event.description ?? undefined,
    location: event.location ?? undefined,
    url: (vevent.getFirstPropertyValue("url") as string | null) ?? undefined,
    status: (vevent.getFirstPropertyValue("status") as string | null) ?? undefined,
    dtstamp: (vevent.getFirstPropertyValue("dtstamp") as ICAL.Time).toICALString(),
    organizer: organizer === null ? undefined : person(organizer),
    attendees: vevent.getAllProperties("attendee").map(person),
  };
}

function bothReaders(text: string) {
  const ally = readWithAlly(text);
  const icalJs = readWithIcalJs(text);
  expect(icalJs).toEqual(ally);
  return ally;
}

describe("building an invitation", () => {
  it("writes a REQUEST that Ally's reader and ical.js read as the same interview", () => {
    const text = buildInvitation("REQUEST", buildEvent(), { dtstampEpochMs: DTSTAMP });
    expect(bothReaders(text)).toEqual({
      method: "REQUEST",
      uid: "bkg_7Hq2-1@ally.example.com",
      sequence: 0,
      cancelled: false,
      startEpochMs: START,
      endEpochMs: END,
      summary: "Interview: Staff Engineer (technical)",
      description: "Technical interview with Fox Mulder, then Q&A; bring a laptop.\nSee you!",
      location: "Room 4, floor 2; Café Zürich",
      url: "https://ally.example.com/b/bkg_7Hq2",
      status: "CONFIRMED",
      dtstamp: "20261125T110000Z",
      organizer: {
        email: "ally@ally.example.com",
        cn: "Ally for Acme",
        role: undefined,
        partstat: undefined,
        rsvp: undefined,
      },
      attendees: [
        {
          email: "dana.scully@example.com",
          cn: "Dana Scully",
          role: "REQ-PARTICIPANT",
          partstat: "NEEDS-ACTION",
          rsvp: "TRUE",
        },
        {
          email: "fox@acme.example",
          cn: "Fox 'Spooky' Mulder, PhD",
          role: "REQ-PARTICIPANT",
          partstat: "NEEDS-ACTION",
          rsvp: "TRUE",
        },
        {
          email: "walter@acme.example",
          cn: undefined,
          role: "OPT-PARTICIPANT",
          partstat: "NEEDS-ACTION",
          rsvp: "TRUE",
        },
      ],
    });
  });

  it("writes a CANCEL with the same UID, a higher SEQUENCE and STATUS:CANCELLED", () => {
    const text = buildInvitation("CANCEL", buildEvent({ sequence: 2 }), {
      dtstampEpochMs: DTSTAMP,
    });
    const read = bothReaders(text);
    expect(read).toMatchObject({
      method: "CANCEL",
      uid: "bkg_7Hq2-1@ally.example.com",
      sequence: 2,
      cancelled: true,
      status: "CANCELLED",
    });
    // A cancellation asks for no answer.
    expect(read.attendees.map((a) => [a.email, a.partstat, a.rsvp])).toEqual([
      ["dana.scully@example.com", undefined, undefined],
      ["fox@acme.example", undefined, undefined],
      ["walter@acme.example", undefined, undefined],
    ]);
  });

  it("stores a plain event without METHOD, with server-side scheduling turned off", () => {
    const text = buildCalendarObject(buildEvent(), { dtstampEpochMs: DTSTAMP });
    const read = bothReaders(text);
    expect(read.method).toBeUndefined();
    expect(read.status).toBe("CONFIRMED");
    expect(text).toContain(";SCHEDULE-AGENT=CLIENT:mailto:dana.scully@example.com\r\n");
  });

  it("ends every line with CRLF, folds at 75 octets and starts with VCALENDAR", () => {
    const text = buildInvitation(
      "REQUEST",
      buildEvent({ description: "Ünïcödé ✓ 🎉 ".repeat(30) }),
      { dtstampEpochMs: DTSTAMP },
    );
    expect(text.startsWith("BEGIN:VCALENDAR\r\nPRODID:")).toBe(true);
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const line of text.split("\r\n")) {
      expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
    }
    expect(bothReaders(text).description).toBe("Ünïcödé ✓ 🎉 ".repeat(30));
  });

  it("gives each session of a loop its own UID from the booking's", () => {
    expect([0, 1, 2].map((n) => sessionUid("bkg_7Hq2", n, "ally.example.com"))).toEqual([
      "bkg_7Hq2-1@ally.example.com",
      "bkg_7Hq2-2@ally.example.com",
      "bkg_7Hq2-3@ally.example.com",
    ]);
  });

  it("refuses an event that ends before it starts, an address with a line break, a UID that needs escaping or a script URL", () => {
    const options = { dtstampEpochMs: DTSTAMP };
    expect(() =>
      buildInvitation(
        "REQUEST",
        buildEvent({ time: { startEpochMs: END, endEpochMs: START } }),
        options,
      ),
    ).toThrow(/end after it starts/);
    expect(() =>
      buildInvitation(
        "REQUEST",
        buildEvent({ attendees: [{ email: "dana@example.com\r\nATTENDEE:mailto:x@y.z" }] }),
        options,
      ),
    ).toThrow(/not an email address/);
    expect(() => buildInvitation("REQUEST", buildEvent({ uid: "a,b@host" }), options)).toThrow(
      /UID/,
    );
    expect(() =>
      buildInvitation("REQUEST", buildEvent({ url: "javascript:alert(1)" }), options),
    ).toThrow(/http/);
  });
});

describe("escaping and folding (property)", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc
      .array(
        fc.constantFrom(",", ";", "\\", "\n", "\r\n", "\r", ":", '"', "é", "🎉", "語", " ", "a"),
        {
          maxLength: 120,
        },
      )
      .map((parts) => parts.join("")),
  );

  it("reads back any summary, description, location and name in both readers", () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        anyText,
        anyText,
        fc.constantFrom<InvitationMethod>("REQUEST", "CANCEL"),
        (summary, description, location, name, method) => {
          const text = buildInvitation(
            method,
            buildEvent({
              summary,
              description,
              location,
              attendees: [{ email: "dana@example.com", name }],
            }),
            { dtstampEpochMs: DTSTAMP },
          );
          for (const line of text.split("\r\n")) {
            expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
          }
          const read = bothReaders(text);
          expect(read.summary).toBe(normaliseText(summary));
          expect(read.description).toBe(normaliseText(description));
          expect(read.location).toBe(normaliseText(location));
          const expectedName = paramText(name);
          expect(read.attendees[0]?.cn).toBe(expectedName.trim() === "" ? undefined : expectedName);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never splits a UTF-8 character when folding", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 400 }), (value) => {
        const line = `DESCRIPTION:${value.replace(/[\r\n]/g, "")}`;
        const folded = foldLine(line);
        const pieces = folded.slice(0, -2).split("\r\n ");
        for (const piece of pieces) {
          // A piece that ends inside a character would not survive a UTF-8 round trip.
          expect(Buffer.from(piece, "utf8").toString("utf8")).toBe(piece);
          expect(Buffer.byteLength(piece, "utf8")).toBeLessThanOrEqual(75);
        }
        expect(pieces.join("")).toBe(line);
      }),
      { numRuns: 300 },
    );
  });
});

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../fixtures/imip", name), "utf8");

describe("reading a reply", () => {
  it("reads Google Calendar's acceptance", () => {
    expect(parseReply(fixture("reply-google.ics"))).toEqual({
      ok: true,
      reply: {
        uid: "bkg_7Hq2-1@ally.example.com",
        sequence: 0,
        attendeeEmail: "dana.scully@gmail.com",
        partstat: "ACCEPTED",
      },
    });
  });

  it("reads Outlook's refusal, with its zone and Microsoft properties around it", () => {
    expect(parseReply(fixture("reply-outlook.ics"))).toEqual({
      ok: true,
      reply: {
        uid: "bkg_7Hq2-1@ally.example.com",
        sequence: 2,
        attendeeEmail: "fox.mulder@contoso.com",
        partstat: "DECLINED",
      },
    });
  });

  it("reads Apple Calendar's tentative answer, folded mid-parameter", () => {
    expect(parseReply(fixture("reply-apple.ics"))).toEqual({
      ok: true,
      reply: {
        uid: "bkg_7Hq2-1@ally.example.com",
        sequence: 1,
        attendeeEmail: "walter.skinner@icloud.com",
        partstat: "TENTATIVE",
      },
    });
  });

  it("refuses an answer about one occurrence", () => {
    expect(parseReply(fixture("reply-one-occurrence.ics"))).toEqual({
      ok: false,
      error: expect.stringContaining("RECURRENCE-ID"),
    });
  });

  it("refuses Ally's own invitation, which is not a reply", () => {
    const request = buildInvitation("REQUEST", buildEvent(), { dtstampEpochMs: DTSTAMP });
    expect(parseReply(request)).toEqual({
      ok: false,
      error: "not a reply to an invitation (METHOD is REQUEST, not REPLY)",
    });
  });

  it("refuses a reply whose attendee has not answered, and text that is not iCalendar", () => {
    const unanswered = fixture("reply-google.ics").replace(
      "PARTSTAT=ACCEPTED",
      "PARTSTAT=NEEDS-ACTION",
    );
    expect(parseReply(unanswered)).toEqual({
      ok: false,
      error: expect.stringContaining("PARTSTAT NEEDS-ACTION"),
    });
    expect(parseReply("Thanks, see you Tuesday!")).toEqual({
      ok: false,
      error: "not iCalendar data (no BEGIN:VCALENDAR)",
    });
    const noUid = fixture("reply-apple.ics").replace("UID:bkg_7Hq2-1@ally.example.com\r\n", "");
    expect(parseReply(noUid)).toEqual({ ok: false, error: "the reply's event has no UID" });
  });
});
