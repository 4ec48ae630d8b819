/**
 * Fuzzing calendar files: random documents built from real and broken pieces (hostile RRULEs,
 * deep nesting of unknown components, long and folded lines, stray END lines, junk) are read
 * and expanded over two weeks without a throw, answering only the documented result and
 * problems, with busy time bounded by the calendar's work budget. Fixed seed, bounded runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { busyIntervals, CALENDAR_WORK, expandOccurrences } from "../../src/calendar/expand.js";
import { parseICalendar } from "../../src/calendar/ical.js";
import { rruleText, validRruleText } from "./rrule-arbitraries.js";

const stampOf = ([y, m, d, h, z]: [number, number, number, number, string]) =>
  `${y}${String(m).padStart(2, "0")}${String(d).padStart(2, "0")}T${String(h).padStart(2, "0")}0000${z}`;
const stamp = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 2020, max: 2027 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom("Z", ""),
      )
      .map(stampOf),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.constantFrom("Z", "", "X"),
      )
      .map(stampOf),
  },
);

const property = fc.oneof(
  stamp.map((s) => `DTSTART:${s}`),
  stamp.map((s) => `DTSTART;TZID=Europe/Berlin:${s}`),
  stamp.map((s) => `DTSTART;VALUE=DATE:${s.slice(0, 8)}`),
  stamp.map((s) => `DTEND:${s}`),
  fc.constantFrom("DURATION:PT1H", "DURATION:P1D", "DURATION:-PT5M", "DURATION:P9999999W"),
  rruleText.map((r) => `RRULE:${r}`),
  fc.array(stamp, { maxLength: 50 }).map((s) => `RDATE:${s.join(",")}`),
  fc.array(stamp, { maxLength: 50 }).map((s) => `EXDATE:${s.join(",")}`),
  stamp.map((s) => `RECURRENCE-ID:${s}`),
  stamp.map((s) => `RECURRENCE-ID;RANGE=THISANDFUTURE:${s}`),
  fc.constantFrom("TRANSP:TRANSPARENT", "STATUS:CANCELLED", "SEQUENCE:99999999999"),
  fc.string({ maxLength: 20 }).map((s) => `SUMMARY:${s}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `DESCRIPTION:${"x".repeat(n)}`),
  fc
    .integer({ min: 1, max: 200 })
    .map((n) => `DESCRIPTION:${"folded ".repeat(n)}`.match(/.{1,74}/g)?.join("\r\n ") ?? ""),
  fc.string({ maxLength: 60 }),
);

const uid = fc.constantFrom("a@x", "b@x", "c@x", "");
const vevent = fc
  .tuple(
    uid,
    stamp,
    fc.option(fc.oneof(validRruleText, rruleText), { freq: 4 }),
    fc.array(property, { maxLength: 8 }),
  )
  .map(([u, start, rrule, props]) => [
    "BEGIN:VEVENT",
    ...(u ? [`UID:${u}`] : []),
    `DTSTART:${start}`,
    ...(rrule === null ? [] : [`RRULE:${rrule}`]),
    ...props,
    "END:VEVENT",
  ]);

const nested = fc
  .integer({ min: 1, max: 2_000 })
  .map((depth) => [
    ...Array.from({ length: depth }, () => "BEGIN:X-DEEP"),
    ...Array.from({ length: depth }, () => "END:X-DEEP"),
  ]);

const block = fc.oneof(
  { weight: 6, arbitrary: vevent },
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 80 }), { maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(["END:VCALENDAR"], ["BEGIN:VEVENT"], ["END:VEVENT", "END:VEVENT"]),
  },
);

const document = fc
  .tuple(fc.array(block, { maxLength: 12 }), fc.constantFrom("\r\n", "\n"), fc.boolean())
  .map(([blocks, eol, wrapped]) =>
    [
      ...(wrapped ? ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fuzz//EN"] : []),
      ...blocks.flat(),
      ...(wrapped ? ["END:VCALENDAR"] : []),
    ].join(eol),
  );

// Tue 1 – Tue 15 Dec 2026 UTC
const WINDOW = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 15) };

describe("calendar files from hostile text", () => {
  it("read to a calendar or a problem, and expand to bounded busy time and named problems", () => {
    let recurring = 0;
    fc.assert(
      fc.property(
        document,
        fc.constantFrom("UTC", "Europe/Berlin", "Pacific/Kiritimati"),
        (text, zone) => {
          const parsed = parseICalendar(text, "fuzz.ics");
          if (!parsed.ok) {
            expect(parsed.error).toMatchObject({ source: "fuzz.ics", message: expect.any(String) });
            return;
          }
          for (const problem of parsed.problems) expect(problem.source).toBe("fuzz.ics");
          if (parsed.calendar.events.some((e) => e.rrules.length > 0)) recurring++;
          const { busy, problems } = busyIntervals(parsed.calendar, WINDOW, { zone });
          expect(busy.length).toBeLessThanOrEqual(CALENDAR_WORK + parsed.calendar.events.length);
          for (const interval of busy) {
            expect(interval.startEpochMs).toBeGreaterThanOrEqual(WINDOW.startEpochMs);
            expect(interval.endEpochMs).toBeLessThanOrEqual(WINDOW.endEpochMs);
            expect(interval.endEpochMs).toBeGreaterThan(interval.startEpochMs);
          }
          for (const problem of problems) {
            expect(problem).toMatchObject({ source: "fuzz.ics", message: expect.any(String) });
          }
          const occurrences = expandOccurrences(parsed.calendar, WINDOW, { zone });
          expect(occurrences.problems.map((p) => p.uid)).toEqual(problems.map((p) => p.uid));
        },
      ),
      { seed: 20_261_201, numRuns: 150, interruptAfterTimeLimit: 15_000 },
    );
    // The generator reaches the expansion, not only the reader.
    expect(recurring).toBeGreaterThan(20);
  }, 60_000);
});
