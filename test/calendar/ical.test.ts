import { describe, expect, it } from "vitest";
import {
  busyIntervals,
  type EpochMsInterval,
  expandOccurrences,
  type ICalendar,
  parseICalendar,
} from "../../src/calendar/index.js";

/** Wraps VEVENT (and other) lines into a calendar with CRLF line ends. */
function ics(...lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ally//Test//EN", ...lines, "END:VCALENDAR"]
    .join("\r\n")
    .concat("\r\n");
}

function parse(text: string, source = "test.ics"): ICalendar {
  const result = parseICalendar(text, source);
  if (!result.ok) throw new Error(result.error.message);
  return result.calendar;
}

function window(startIso: string, endIso: string): EpochMsInterval {
  return { startEpochMs: Date.parse(startIso), endEpochMs: Date.parse(endIso) };
}

function starts(calendar: ICalendar, w: EpochMsInterval, zone = "Europe/Berlin"): string[] {
  return expandOccurrences(calendar, w, { zone }).occurrences.map((o) =>
    new Date(o.startEpochMs).toISOString(),
  );
}

describe("parsing", () => {
  it("unfolds folded lines and unescapes text", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:fold-1",
        "SUMMARY:Interview\\, round 2\\; with \\\\ Ann",
        " e and Bob\\nsecond line",
        "DTSTART:20260302T090000Z",
        "DTEND:20260302T100000Z",
        "END:VEVENT",
      ),
    );
    expect(cal.events[0]?.summary).toBe("Interview, round 2; with \\ Anne and Bob\nsecond line");
  });

  it("reads LF-only files and quoted parameter values", () => {
    const text = [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:lf-1",
      'DTSTART;TZID="Europe/Berlin";X-NOTE="a;b:c":20260302T090000',
      "DURATION:PT45M",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\n");
    // Mon 2 Mar 2026, 09:00–09:45 Berlin = 08:00–08:45 UTC
    const { occurrences } = expandOccurrences(
      parse(text),
      window("2026-03-02T00:00Z", "2026-03-03T00:00Z"),
      { zone: "UTC" },
    );
    expect(occurrences.map((o) => [o.startEpochMs, o.endEpochMs])).toEqual([
      [Date.parse("2026-03-02T08:00Z"), Date.parse("2026-03-02T08:45Z")],
    ]);
  });

  it("reports a broken event with file, line and UID and keeps the others", () => {
    const result = parseICalendar(
      ics(
        "BEGIN:VEVENT",
        "UID:broken-1",
        "DTSTART:2026-03-02 09:00",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:good-1",
        "DTSTART:20260302T090000Z",
        "END:VEVENT",
      ),
      "alice.ics",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.calendar.events.map((e) => e.uid)).toEqual(["good-1"]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ source: "alice.ics", line: 4, uid: "broken-1" });
  });

  it("rejects a file that is not iCalendar, naming the file", () => {
    const result = parseICalendar("<html><body>Not found</body></html>", "bob.ics");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.source).toBe("bob.ics");
    expect(result.error.message).toContain("bob.ics");
  });

  it("ignores VTODO and VJOURNAL for busy time", () => {
    const cal = parse(
      ics(
        "BEGIN:VTODO",
        "UID:todo-1",
        "DTSTART:20260302T090000Z",
        "DUE:20260302T100000Z",
        "END:VTODO",
        "BEGIN:VJOURNAL",
        "UID:journal-1",
        "DTSTART:20260302T090000Z",
        "END:VJOURNAL",
      ),
    );
    expect(cal.events).toHaveLength(0);
  });

  it("reads DTEND before DTSTART as swapped and reports it", () => {
    const result = parseICalendar(
      ics(
        "BEGIN:VEVENT",
        "UID:swap-1",
        "DTSTART;TZID=Europe/Paris:20231218T234500",
        "DTEND;TZID=Europe/Paris:20231218T233000",
        "END:VEVENT",
      ),
      "swap.ics",
    );
    if (!result.ok) throw new Error("not parsed");
    expect(result.problems[0]?.message).toContain("DTEND is before DTSTART");
    // 18 Dec 2023, 23:30–23:45 Paris = 22:30–22:45 UTC
    const { busy } = busyIntervals(
      result.calendar,
      window("2023-12-18T00:00Z", "2023-12-19T00:00Z"),
      {
        zone: "UTC",
      },
    );
    expect(busy).toEqual([window("2023-12-18T22:30Z", "2023-12-18T22:45Z")].map(toInterval));
  });
});

function toInterval(w: EpochMsInterval): EpochMsInterval {
  return { startEpochMs: w.startEpochMs, endEpochMs: w.endEpochMs };
}

describe("time zones", () => {
  it("uses a VTIMEZONE block for a TZID that is not an IANA name", () => {
    const cal = parse(
      ics(
        "BEGIN:VTIMEZONE",
        "TZID:My Office Time",
        "BEGIN:STANDARD",
        "DTSTART:16010101T030000",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "UID:vtz-1",
        "DTSTART;TZID=My Office Time:20260320T090000",
        "DTEND;TZID=My Office Time:20260320T100000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "END:VEVENT",
      ),
    );
    // Fri 20 Mar 2026 09:00 +01:00, then 27 Mar +01:00, then 3 Apr +02:00 (DST from 29 Mar)
    expect(starts(cal, window("2026-03-01T00:00Z", "2026-05-01T00:00Z"), "UTC")).toEqual([
      "2026-03-20T08:00:00.000Z",
      "2026-03-27T08:00:00.000Z",
      "2026-04-03T07:00:00.000Z",
    ]);
  });

  it("reads Windows zone names as Outlook writes them", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:win-1",
        "DTSTART;TZID=Eastern Standard Time:20260706T090000",
        "DTEND;TZID=Eastern Standard Time:20260706T100000",
        "END:VEVENT",
      ),
    );
    // Mon 6 Jul 2026, 09:00 New York (EDT, -04:00) = 13:00 UTC
    expect(starts(cal, window("2026-07-06T00:00Z", "2026-07-07T00:00Z"))).toEqual([
      "2026-07-06T13:00:00.000Z",
    ]);
  });

  it("reads a TZID that ends in an IANA name", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:moz-1",
        "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260706T090000",
        "END:VEVENT",
      ),
    );
    // 09:00 Berlin summer time (+02:00) = 07:00 UTC
    expect(starts(cal, window("2026-07-06T00:00Z", "2026-07-07T00:00Z"), "UTC")).toEqual([
      "2026-07-06T07:00:00.000Z",
    ]);
  });

  it("moves a local time in the spring gap forward and takes the earlier of two in the overlap", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:gap-1",
        "DTSTART;TZID=Europe/Berlin:20260329T023000",
        "DURATION:PT30M",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:overlap-1",
        "DTSTART;TZID=Europe/Berlin:20261025T023000",
        "DURATION:PT30M",
        "END:VEVENT",
      ),
    );
    // Sun 29 Mar 2026 02:30 does not exist in Berlin: read with +01:00 = 01:30 UTC (03:30 CEST).
    // Sun 25 Oct 2026 02:30 happens twice: the first (+02:00) = 00:30 UTC.
    expect(starts(cal, window("2026-03-01T00:00Z", "2026-11-01T00:00Z"), "UTC")).toEqual([
      "2026-03-29T01:30:00.000Z",
      "2026-10-25T00:30:00.000Z",
    ]);
  });

  it("keeps a zoned weekly series at the same wall-clock time across DST", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:dst-1",
        "DTSTART;TZID=America/New_York:20260302T090000",
        "DTEND;TZID=America/New_York:20260302T093000",
        "RRULE:FREQ=WEEKLY;COUNT=2",
        "END:VEVENT",
      ),
    );
    // Mon 2 Mar 2026 09:00 EST = 14:00 UTC; Mon 9 Mar 09:00 EDT = 13:00 UTC
    expect(starts(cal, window("2026-03-01T00:00Z", "2026-04-01T00:00Z"), "UTC")).toEqual([
      "2026-03-02T14:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });

  it("reads floating times in the participant's zone even when the calendar names an X-WR-TIMEZONE", () => {
    const cal = parse(
      ics(
        "X-WR-TIMEZONE:America/Los_Angeles",
        "BEGIN:VEVENT",
        "UID:xwr-1",
        "DTSTART:20260706T090000",
        "DTEND:20260706T100000",
        "END:VEVENT",
      ),
    );
    // Slot contract: a floating time is read in the participant's zone.
    // 09:00 Berlin (CEST, +02:00) = 07:00 UTC
    expect(starts(cal, window("2026-07-06T00:00Z", "2026-07-07T00:00Z"), "Europe/Berlin")).toEqual([
      "2026-07-06T07:00:00.000Z",
    ]);
  });

  it("reads floating times in X-WR-TIMEZONE when asked to, as Google and Apple clients do", () => {
    const text = ics(
      "X-WR-TIMEZONE:America/Los_Angeles",
      "BEGIN:VEVENT",
      "UID:xwr-1",
      "DTSTART:20260706T090000",
      "END:VEVENT",
    );
    const result = parseICalendar(text, "xwr.ics", { applyXWrTimeZone: true });
    if (!result.ok) throw new Error(result.error.message);
    // 09:00 Los Angeles (PDT, -07:00) = 16:00 UTC, whatever the participant's zone
    expect(
      starts(result.calendar, window("2026-07-06T00:00Z", "2026-07-07T00:00Z"), "Europe/Berlin"),
    ).toEqual(["2026-07-06T16:00:00.000Z"]);
  });
});

describe("all-day and floating events", () => {
  it("makes an all-day event busy for the whole day in the participant's zone", () => {
    const cal = parse(
      ics("BEGIN:VEVENT", "UID:allday-1", "DTSTART;VALUE=DATE:20260302", "END:VEVENT"),
    );
    const { occurrences } = expandOccurrences(
      cal,
      window("2026-03-01T00:00Z", "2026-03-04T00:00Z"),
      { zone: "America/New_York" },
    );
    // Mon 2 Mar 2026 00:00–24:00 New York (EST) = 05:00 to 05:00 next day UTC; no DTEND → 1 day
    expect(occurrences).toEqual([
      expect.objectContaining({
        uid: "allday-1",
        allDay: true,
        startEpochMs: Date.parse("2026-03-02T05:00Z"),
        endEpochMs: Date.parse("2026-03-03T05:00Z"),
      }),
    ]);
  });

  it("reads floating times in the participant's zone", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:float-1",
        "DTSTART:20260302T090000",
        "DTEND:20260302T100000",
        "END:VEVENT",
      ),
    );
    // 09:00 Tokyo (+09:00) = 00:00 UTC
    expect(starts(cal, window("2026-03-01T00:00Z", "2026-03-04T00:00Z"), "Asia/Tokyo")).toEqual([
      "2026-03-02T00:00:00.000Z",
    ]);
  });

  it("gives a date-time event without DTEND no length, busy for nothing", () => {
    const cal = parse(ics("BEGIN:VEVENT", "UID:zero-1", "DTSTART:20260302T090000Z", "END:VEVENT"));
    const w = window("2026-03-02T00:00Z", "2026-03-03T00:00Z");
    const { occurrences } = expandOccurrences(cal, w, { zone: "UTC" });
    expect(occurrences).toHaveLength(1);
    expect(occurrences[0]?.endEpochMs).toBe(occurrences[0]?.startEpochMs);
    expect(busyIntervals(cal, w, { zone: "UTC" }).busy).toEqual([]);
  });
});

describe("overrides, EXDATE and RDATE", () => {
  const series = [
    "BEGIN:VEVENT",
    "UID:series-1",
    "SUMMARY:Standup",
    "DTSTART;TZID=Europe/Berlin:20260302T090000",
    "DTEND;TZID=Europe/Berlin:20260302T091500",
    "RRULE:FREQ=DAILY;COUNT=5",
    "END:VEVENT",
  ];
  // Mon 2 – Fri 6 Mar 2026, 09:00 Berlin (+01:00) = 08:00 UTC
  const w = window("2026-03-01T00:00Z", "2026-03-10T00:00Z");

  it("moves an instance named by RECURRENCE-ID", () => {
    const cal = parse(
      ics(
        ...series,
        "BEGIN:VEVENT",
        "UID:series-1",
        "RECURRENCE-ID;TZID=Europe/Berlin:20260304T090000",
        "DTSTART;TZID=Europe/Berlin:20260304T140000",
        "DTEND;TZID=Europe/Berlin:20260304T150000",
        "END:VEVENT",
      ),
    );
    const { occurrences } = expandOccurrences(cal, w, { zone: "UTC" });
    expect(occurrences.map((o) => new Date(o.startEpochMs).toISOString())).toEqual([
      "2026-03-02T08:00:00.000Z",
      "2026-03-03T08:00:00.000Z",
      "2026-03-04T13:00:00.000Z",
      "2026-03-05T08:00:00.000Z",
      "2026-03-06T08:00:00.000Z",
    ]);
    expect(occurrences[2]?.recurrenceId).toBe(Date.parse("2026-03-04T08:00Z"));
  });

  it("shows a cancelled instance as cancelled and leaves it out of busy time", () => {
    const cal = parse(
      ics(
        ...series,
        "BEGIN:VEVENT",
        "UID:series-1",
        "RECURRENCE-ID:20260303T080000Z",
        "DTSTART:20260303T080000Z",
        "DTEND:20260303T081500Z",
        "STATUS:CANCELLED",
        "END:VEVENT",
      ),
    );
    const { occurrences } = expandOccurrences(cal, w, { zone: "UTC" });
    expect(occurrences.filter((o) => o.cancelled).map((o) => o.startEpochMs)).toEqual([
      Date.parse("2026-03-03T08:00Z"),
    ]);
    const { busy } = busyIntervals(cal, w, { zone: "UTC" });
    expect(busy.map((b) => new Date(b.startEpochMs).toISOString())).toEqual([
      "2026-03-02T08:00:00.000Z",
      "2026-03-04T08:00:00.000Z",
      "2026-03-05T08:00:00.000Z",
      "2026-03-06T08:00:00.000Z",
    ]);
  });

  it("shifts this and all later instances for RANGE=THISANDFUTURE", () => {
    const cal = parse(
      ics(
        ...series,
        "BEGIN:VEVENT",
        "UID:series-1",
        "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260304T090000",
        "DTSTART;TZID=Europe/Berlin:20260304T100000",
        "DTEND;TZID=Europe/Berlin:20260304T103000",
        "END:VEVENT",
      ),
    );
    const { occurrences } = expandOccurrences(cal, w, { zone: "UTC" });
    expect(
      occurrences.map((o) => [
        new Date(o.startEpochMs).toISOString(),
        (o.endEpochMs - o.startEpochMs) / 60_000,
      ]),
    ).toEqual([
      ["2026-03-02T08:00:00.000Z", 15],
      ["2026-03-03T08:00:00.000Z", 15],
      ["2026-03-04T09:00:00.000Z", 30],
      ["2026-03-05T09:00:00.000Z", 30],
      ["2026-03-06T09:00:00.000Z", 30],
    ]);
  });

  it("drops EXDATEs (several, comma lists, other zones, date-only) and adds RDATEs", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:ex-1",
        "DTSTART;TZID=Europe/Berlin:20260302T090000",
        "DURATION:PT1H",
        "RRULE:FREQ=DAILY;COUNT=6",
        "EXDATE;TZID=Europe/Berlin:20260303T090000,20260304T090000",
        "EXDATE:20260305T080000Z",
        "EXDATE;VALUE=DATE:20260306",
        "RDATE;TZID=America/New_York:20260309T120000",
        "RDATE;VALUE=PERIOD:20260310T080000Z/20260310T120000Z,20260311T080000Z/PT2H",
        "END:VEVENT",
      ),
    );
    const { occurrences } = expandOccurrences(
      cal,
      window("2026-03-01T00:00Z", "2026-03-20T00:00Z"),
      {
        zone: "UTC",
      },
    );
    expect(
      occurrences.map((o) => [
        new Date(o.startEpochMs).toISOString(),
        (o.endEpochMs - o.startEpochMs) / 3_600_000,
      ]),
    ).toEqual([
      ["2026-03-02T08:00:00.000Z", 1],
      ["2026-03-07T08:00:00.000Z", 1],
      // Mon 9 Mar 12:00 New York (EDT since 8 Mar) = 16:00 UTC
      ["2026-03-09T16:00:00.000Z", 1],
      ["2026-03-10T08:00:00.000Z", 4],
      ["2026-03-11T08:00:00.000Z", 2],
    ]);
  });

  it("expands several RRULEs of one event together", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:multi-1",
        "DTSTART:20260302T090000Z",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2",
        "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2",
        "END:VEVENT",
      ),
    );
    expect(starts(cal, window("2026-03-01T00:00Z", "2026-04-01T00:00Z"))).toEqual([
      "2026-03-02T09:00:00.000Z",
      "2026-03-04T09:00:00.000Z",
      "2026-03-09T09:00:00.000Z",
      "2026-03-11T09:00:00.000Z",
    ]);
  });

  it("merges busy time and skips transparent events", () => {
    const cal = parse(
      ics(
        "BEGIN:VEVENT",
        "UID:a",
        "DTSTART:20260302T090000Z",
        "DTEND:20260302T100000Z",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:b",
        "DTSTART:20260302T093000Z",
        "DTEND:20260302T110000Z",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:c",
        "DTSTART:20260302T120000Z",
        "DTEND:20260302T130000Z",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      ),
    );
    expect(
      busyIntervals(cal, window("2026-03-02T09:15Z", "2026-03-03T00:00Z"), { zone: "UTC" }).busy,
    ).toEqual([window("2026-03-02T09:15Z", "2026-03-02T11:00Z")].map(toInterval));
  });
});

describe("overrides of an older revision of a series", () => {
  // A newer revision of a series (higher SEQUENCE, RFC 5545 3.8.7.4) replaces the whole
  // master; an override written for the old revision whose instance the new one no longer has
  // is out of date. Calendars from python-recurring-ical-events' issues 148, 163 and 253.
  // July–August 2024 in New York (EDT, -04:00): all-day events run from 04:00Z to 04:00Z.
  const julyAugust = window("2024-07-01T04:00Z", "2024-09-01T04:00Z");
  const zone = "America/New_York";

  function occurrences(...lines: string[]): string[] {
    return expandOccurrences(parse(ics(...lines)), julyAugust, { zone }).occurrences.map(
      (o) =>
        `${new Date(o.startEpochMs).toISOString().slice(0, 10)}/${new Date(o.endEpochMs)
          .toISOString()
          .slice(0, 10)} ${o.summary ?? ""}`,
    );
  }

  const weeklyEvery3 = (sequence: number, ...extra: string[]) => [
    "BEGIN:VEVENT",
    "UID:111",
    "SUMMARY:series",
    "DTSTART;VALUE=DATE:20240729",
    "DTEND;VALUE=DATE:20240805",
    "RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=MO",
    ...extra,
    `SEQUENCE:${sequence}`,
    "END:VEVENT",
  ];
  const modification19Aug = (sequence: number) => [
    "BEGIN:VEVENT",
    "UID:111",
    "SUMMARY:moved",
    "RECURRENCE-ID;VALUE=DATE:20240819",
    "DTSTART;VALUE=DATE:20240819",
    "DTEND;VALUE=DATE:20240822",
    `SEQUENCE:${sequence}`,
    "END:VEVENT",
  ];

  it("drops a modification that a newer series excludes with EXDATE (issue 163)", () => {
    // Mon 29 Jul and Mon 19 Aug 2024 are instances; SEQUENCE 2 excludes 19 Aug, and the
    // SEQUENCE 1 modification of 19 Aug (19–22 Aug) goes with it.
    expect(
      occurrences(
        ...weeklyEvery3(1),
        ...modification19Aug(1),
        ...weeklyEvery3(2, "EXDATE;VALUE=DATE:20240819"),
      ),
    ).toEqual(["2024-07-29/2024-08-05 series"]);
  });

  it("drops an excluded modification written before the series, however it moved (issue 148, edge case 1)", () => {
    const series = (sequence: number, ...extra: string[]) => [
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:series",
      "DTSTART;VALUE=DATE:20240701",
      "DTEND;VALUE=DATE:20240708",
      "RRULE:FREQ=WEEKLY;UNTIL=20240801;INTERVAL=2;BYDAY=MO",
      ...extra,
      `SEQUENCE:${sequence}`,
      "END:VEVENT",
    ];
    const edit = [
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:edited",
      "RECURRENCE-ID;VALUE=DATE:20240715",
      "DTSTART;VALUE=DATE:20240702",
      "DTEND;VALUE=DATE:20240709",
      "SEQUENCE:2",
      "END:VEVENT",
    ];
    // Mondays 1, 15 and 29 Jul 2024; SEQUENCE 3 excludes 15 Jul, moved by SEQUENCE 2 to 2–9 Jul.
    expect(occurrences(...series(1), ...edit, ...series(3, "EXDATE;VALUE=DATE:20240715"))).toEqual([
      "2024-07-01/2024-07-08 series",
      "2024-07-29/2024-08-05 series",
    ]);
    // Without the EXDATE (issue 148, edge case 2) the modification stays.
    expect(occurrences(...series(1), ...edit, ...series(3))).toEqual([
      "2024-07-01/2024-07-08 series",
      "2024-07-02/2024-07-09 edited",
      "2024-07-29/2024-08-05 series",
    ]);
  });

  it("keeps an excluded modification whose SEQUENCE is not lower than the series' (a deliberate re-add)", () => {
    expect(
      occurrences(...modification19Aug(2), ...weeklyEvery3(2, "EXDATE;VALUE=DATE:20240819")),
    ).toEqual(["2024-07-29/2024-08-05 series", "2024-08-19/2024-08-22 moved"]);
  });

  it("drops an older modification of a date the newer series no longer has (issue 253)", () => {
    const old = (recurrenceId: string) => [
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:old",
      "DTSTART;VALUE=DATE:20240729",
      "DTEND;VALUE=DATE:20240804",
      `RECURRENCE-ID;VALUE=DATE:${recurrenceId}`,
      "SEQUENCE:1",
      "END:VEVENT",
    ];
    const current = [
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:current",
      "DTSTART;VALUE=DATE:20240701",
      "DTEND;VALUE=DATE:20240708",
      "RRULE:FREQ=WEEKLY;UNTIL=20240720;INTERVAL=2;BYDAY=MO",
      "SEQUENCE:2",
      "END:VEVENT",
    ];
    // The SEQUENCE 2 series has Mon 1 and 15 Jul 2024 only; 29 Jul is after its UNTIL.
    expect(occurrences(...old("20240729"), ...current)).toEqual([
      "2024-07-01/2024-07-08 current",
      "2024-07-15/2024-07-22 current",
    ]);
    // 15 Jul is still an instance: its older modification (moved to 29 Jul–4 Aug) stays.
    expect(occurrences(...old("20240715"), ...current)).toEqual([
      "2024-07-01/2024-07-08 current",
      "2024-07-29/2024-08-04 old",
    ]);
  });

  it("keeps modifications of dates outside the series when neither has a SEQUENCE", () => {
    const lines = [
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:series",
      "DTSTART;VALUE=DATE:20240701",
      "DTEND;VALUE=DATE:20240702",
      "RRULE:FREQ=WEEKLY;COUNT=2",
      "EXDATE;VALUE=DATE:20240708",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:extra",
      "RECURRENCE-ID;VALUE=DATE:20240710",
      "DTSTART;VALUE=DATE:20240710",
      "DTEND;VALUE=DATE:20240711",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:111",
      "SUMMARY:re-added",
      "RECURRENCE-ID;VALUE=DATE:20240708",
      "DTSTART;VALUE=DATE:20240709",
      "DTEND;VALUE=DATE:20240710",
      "END:VEVENT",
    ];
    // Mon 1 Jul 2024 remains; 8 Jul is excluded but re-added (moved to 9 Jul), 10 Jul is no
    // instance at all: with SEQUENCE 0 on both sides nothing says the overrides are old.
    expect(occurrences(...lines)).toEqual([
      "2024-07-01/2024-07-02 series",
      "2024-07-09/2024-07-10 re-added",
      "2024-07-10/2024-07-11 extra",
    ]);
  });

  it("checks a date-time override against the series' own instants, and keeps a moved one of a real instance", () => {
    const lines = [
      "BEGIN:VEVENT",
      "UID:dt-1",
      "SUMMARY:series",
      "DTSTART;TZID=America/New_York:20240701T090000",
      "DTEND;TZID=America/New_York:20240701T100000",
      "RRULE:FREQ=WEEKLY;COUNT=3",
      "RDATE;TZID=America/New_York:20240703T090000",
      "SEQUENCE:4",
      "END:VEVENT",
      // 8 Jul 09:00 New York = 13:00 UTC: an instance, moved to 11:00.
      "BEGIN:VEVENT",
      "UID:dt-1",
      "SUMMARY:moved",
      "RECURRENCE-ID:20240708T130000Z",
      "DTSTART;TZID=America/New_York:20240708T110000",
      "DTEND;TZID=America/New_York:20240708T120000",
      "SEQUENCE:1",
      "END:VEVENT",
      // 3 Jul 09:00: the RDATE instance, moved to 14:00.
      "BEGIN:VEVENT",
      "UID:dt-1",
      "SUMMARY:rdate moved",
      "RECURRENCE-ID;TZID=America/New_York:20240703T090000",
      "DTSTART;TZID=America/New_York:20240703T140000",
      "DTEND;TZID=America/New_York:20240703T150000",
      "SEQUENCE:1",
      "END:VEVENT",
      // 22 Jul 09:00: after COUNT=3 (1, 8, 15 Jul), so out of date.
      "BEGIN:VEVENT",
      "UID:dt-1",
      "SUMMARY:gone",
      "RECURRENCE-ID;TZID=America/New_York:20240722T090000",
      "DTSTART;TZID=America/New_York:20240722T090000",
      "DTEND;TZID=America/New_York:20240722T100000",
      "SEQUENCE:3",
      "END:VEVENT",
    ];
    const { occurrences: found } = expandOccurrences(parse(ics(...lines)), julyAugust, { zone });
    // New York is -04:00 in July.
    expect(found.map((o) => `${new Date(o.startEpochMs).toISOString()} ${o.summary}`)).toEqual([
      "2024-07-01T13:00:00.000Z series",
      "2024-07-03T18:00:00.000Z rdate moved",
      "2024-07-08T15:00:00.000Z moved",
      "2024-07-15T13:00:00.000Z series",
    ]);
  });
});

describe("unknown RRULE parts", () => {
  it("reports an unknown RRULE part with file, line and UID and expands with the parts it knows", () => {
    const result = parseICalendar(
      ics(
        "BEGIN:VEVENT",
        "UID:typo-1",
        "DTSTART:20191002T090000Z",
        "DTEND:20191002T100000Z",
        "RRULE:FREQ=WEEKLY;UNTL=20191023;X-ALLY-NOTE=1",
        "END:VEVENT",
      ),
      "typo.ics",
    );
    if (!result.ok) throw new Error(result.error.message);
    // Line 8: three header lines, BEGIN:VEVENT, UID, DTSTART, DTEND, then the RRULE.
    expect(result.problems).toEqual([
      {
        source: "typo.ics",
        line: 8,
        uid: "typo-1",
        message: expect.stringContaining('"UNTL=20191023"'),
      },
    ]);
    // Weekly from Wed 2 Oct 2019 09:00 UTC without end (UNTL is not UNTIL); X- parts are allowed.
    expect(starts(result.calendar, window("2019-10-01T00:00Z", "2019-11-01T00:00Z"))).toEqual([
      "2019-10-02T09:00:00.000Z",
      "2019-10-09T09:00:00.000Z",
      "2019-10-16T09:00:00.000Z",
      "2019-10-23T09:00:00.000Z",
      "2019-10-30T09:00:00.000Z",
    ]);
  });
});
