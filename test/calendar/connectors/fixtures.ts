/**
 * Calendars shared by the connector tests, and the busy time each should give.
 * The weekly series: Mondays 10:00–11:00 Berlin (UTC+1 in March 2026), four times from Mon 2 Mar;
 * the 9 Mar instance moved to 14:00–15:00; the 16 Mar instance cancelled.
 */

export const SERIES_ICS = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Ally tests//EN
BEGIN:VEVENT
UID:weekly-sync@ally.test
DTSTAMP:20260201T000000Z
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T110000
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly sync
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync@ally.test
DTSTAMP:20260201T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000
DTSTART;TZID=Europe/Berlin:20260309T140000
DTEND;TZID=Europe/Berlin:20260309T150000
SUMMARY:Weekly sync (moved)
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync@ally.test
DTSTAMP:20260201T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260316T100000
DTSTART;TZID=Europe/Berlin:20260316T100000
DTEND;TZID=Europe/Berlin:20260316T110000
STATUS:CANCELLED
SUMMARY:Weekly sync (cancelled)
END:VEVENT
END:VCALENDAR
`.replaceAll("\n", "\r\n");

function calendar(...lines: string[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Ally tests//EN",
    ...lines,
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

const OFFSITE_EVENT = [
  "BEGIN:VEVENT",
  "UID:offsite@ally.test",
  "DTSTAMP:20260201T000000Z",
  "DTSTART;VALUE=DATE:20260304",
  "DTEND;VALUE=DATE:20260305",
  "SUMMARY:Team offsite",
  "END:VEVENT",
];
const FOCUS_EVENT = [
  "BEGIN:VEVENT",
  "UID:focus@ally.test",
  "DTSTAMP:20260201T000000Z",
  "DTSTART:20260305T130000Z",
  "DTEND:20260305T150000Z",
  "TRANSP:TRANSPARENT",
  "SUMMARY:Focus time (free)",
  "END:VEVENT",
];

/** Wed 4 Mar 2026, all day. */
export const OFFSITE_ICS = calendar(...OFFSITE_EVENT);
/** Thu 5 Mar 2026, 13:00–15:00 UTC, transparent: free. */
export const FOCUS_ICS = calendar(...FOCUS_EVENT);

/** The series, the offsite and the focus time in one file. */
export const COMBINED_ICS = `${SERIES_ICS.replace("END:VCALENDAR\r\n", "")}${[...OFFSITE_EVENT, ...FOCUS_EVENT, "END:VCALENDAR", ""].join("\r\n")}`;

// Mon 2 Mar – Mon 30 Mar 2026, UTC
export const MARCH = {
  startEpochMs: Date.parse("2026-03-02T00:00:00Z"),
  endEpochMs: Date.parse("2026-03-30T00:00:00Z"),
};

const interval = (start: string, end: string) => ({
  startEpochMs: Date.parse(start),
  endEpochMs: Date.parse(end),
});

/** SERIES_ICS in MARCH: the moved instance counts at its new time, the cancelled one not at all. */
export const SERIES_BUSY = [
  interval("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
  interval("2026-03-09T13:00:00Z", "2026-03-09T14:00:00Z"),
  interval("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z"),
];

/** The offsite read in New York: Wed 4 Mar 00:00–24:00 EST. */
export const OFFSITE_NEW_YORK = interval("2026-03-04T05:00:00Z", "2026-03-05T05:00:00Z");
/** The offsite read in UTC. */
export const OFFSITE_UTC = interval("2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z");
