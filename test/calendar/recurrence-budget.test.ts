/**
 * Hostile recurrence rules cost what the window holds, not what the rule could make: a YEARLY
 * rule with every BYMONTH, BYMONTHDAY, BYHOUR, BYMINUTE and BYSECOND (32 million candidates a
 * year) is walked lazily over the window, and a series that would take more than Ally's work
 * budget is skipped and named as a problem. Assertions are on work counters and problems,
 * never on elapsed time.
 */
import { describe, expect, it } from "vitest";
import { busyIntervals, SERIES_WORK } from "../../src/calendar/expand.js";
import { parseICalendar } from "../../src/calendar/ical.js";
import {
  expandRecurrence,
  expansionBudget,
  localSeconds,
  parseRecurrenceRule,
} from "../../src/calendar/recurrence.js";

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).join(",");
const HOSTILE = `FREQ=YEARLY;BYMONTH=${range(1, 12)};BYMONTHDAY=${range(1, 31)};BYHOUR=${range(0, 23)};BYMINUTE=${range(0, 59)};BYSECOND=${range(0, 59)}`;

function rule(text: string) {
  const parsed = parseRecurrenceRule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rule;
}

function calendarOf(events: string[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Ally tests//EN",
    ...events,
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

function event(uid: string, rrule?: string, start = "20260101T090000Z"): string {
  return [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    `DTSTART:${start}`,
    "DURATION:PT1S",
    ...(rrule === undefined ? [] : [`RRULE:${rrule}`]),
    "END:VEVENT",
  ].join("\r\n");
}

describe("a YEARLY rule with every BY* value", () => {
  it("over a one-day window makes that day's instances within a small work budget", () => {
    const budget = expansionBudget(10_000_000);
    // Wed 2 Dec 2026, the whole day (local seconds)
    const from = localSeconds(2026, 12, 2);
    const starts = expandRecurrence(rule(HOSTILE), localSeconds(2026, 1, 1), {
      fromLocalSeconds: from,
      toLocalSeconds: from + 86_400,
      budget,
    });
    expect(starts).toHaveLength(86_400);
    expect(starts[0]).toBe(from);
    expect(starts.at(-1)).toBe(from + 86_399);
    const work = 10_000_000 - budget.remaining;
    expect(work).toBeGreaterThan(0);
    expect(work).toBeLessThan(200_000);
    expect(budget.exhausted).toBe(false);
  });

  it("with COUNT counts the days before the window without making their instances", () => {
    const budget = expansionBudget(10_000_000);
    // 5,000,000 seconds from 1 Jan 2026 00:00 end on Sat 27 Feb 2026, 20:53:19.
    const starts = expandRecurrence(rule(`${HOSTILE};COUNT=5000000`), localSeconds(2026, 1, 1), {
      fromLocalSeconds: localSeconds(2026, 2, 27, 20),
      budget,
    });
    expect(starts).toHaveLength(3_200);
    expect(starts.at(-1)).toBe(localSeconds(2026, 2, 27, 20, 53, 19));
    expect(10_000_000 - budget.remaining).toBeLessThan(200_000);
  });

  it("stops with the budget marked exhausted when BYSETPOS needs a whole year listed", () => {
    const budget = expansionBudget(10_000_000);
    const from = localSeconds(2026, 12, 2);
    const starts = expandRecurrence(rule(`${HOSTILE};BYSETPOS=1,-1`), localSeconds(2026, 1, 1), {
      fromLocalSeconds: from,
      toLocalSeconds: from + 86_400,
      budget,
    });
    expect(budget.exhausted).toBe(true);
    expect(starts).toEqual([]);
  });

  it("stops at the budget when the window holds more than it allows", () => {
    const budget = expansionBudget(50_000);
    const starts = expandRecurrence(rule(HOSTILE), localSeconds(2026, 1, 1), {
      fromLocalSeconds: localSeconds(2026, 12, 2),
      toLocalSeconds: localSeconds(2026, 12, 9),
      budget,
    });
    expect(budget.exhausted).toBe(true);
    expect(starts.length).toBeLessThanOrEqual(50_000);
  });
});

describe("busy time of a calendar with hostile series", () => {
  // Tue 1 – Tue 15 Dec 2026 UTC: two weeks of every second is over one series' budget.
  const window = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 15) };

  it("skips each series over the budget, naming file, line and UID, and keeps the others", () => {
    const parsed = parseICalendar(
      calendarOf([
        event("meeting-1", undefined, "20261202T100000Z"),
        event("hostile-1", HOSTILE),
        event("hostile-2", `${HOSTILE};BYSETPOS=1`),
        event("weekly-1", "FREQ=WEEKLY;BYDAY=TH;BYHOUR=14;BYMINUTE=0;BYSECOND=0"),
      ]),
      "dana.ics",
    );
    if (!parsed.ok) throw new Error(parsed.error.message);
    const { busy, problems } = busyIntervals(parsed.calendar, window, { zone: "UTC" });
    expect(problems).toEqual([
      expect.objectContaining({ source: "dana.ics", line: 10, uid: "hostile-1" }),
      expect.objectContaining({ source: "dana.ics", line: 17, uid: "hostile-2" }),
    ]);
    expect(problems[0]?.message).toMatch(/^event skipped: its recurrence rule/);
    // The single meeting and the two Thursdays at 14:00 are still busy.
    expect(busy).toEqual([
      { startEpochMs: Date.UTC(2026, 11, 2, 10), endEpochMs: Date.UTC(2026, 11, 2, 10, 0, 1) },
      { startEpochMs: Date.UTC(2026, 11, 3, 14), endEpochMs: Date.UTC(2026, 11, 3, 14, 0, 1) },
      { startEpochMs: Date.UTC(2026, 11, 10, 14), endEpochMs: Date.UTC(2026, 11, 10, 14, 0, 1) },
    ]);
    // A second read skips them again without expanding them.
    const again = busyIntervals(parsed.calendar, window, { zone: "UTC" });
    expect(again.problems.map((p) => p.uid)).toEqual(["hostile-1", "hostile-2"]);
    expect(SERIES_WORK).toBeLessThan(14 * 86_400);
  });
});
