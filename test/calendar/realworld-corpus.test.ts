/**
 * Real-world calendar corpus: `.ics` files shaped like the exports of Google Calendar,
 * Outlook/Exchange, Apple Calendar, Fastmail, Thunderbird, Nextcloud, Lotus Notes and others,
 * each with a hand-computed `.expected.json` of busy time (UTC, merged, sorted, clipped to the
 * window). The expectations were reasoned out from RFC 5545 and the zone rules, not produced
 * by Ally, so this corpus catches Ally's mistakes rather than freezing them.
 *
 * Conventions the expectations follow (RFC 5545 and spec/slots.md point 6):
 * - an ambiguous local time (autumn overlap) is its first occurrence; a nonexistent one
 *   (spring gap) is read with the offset before the gap, so it moves forward;
 * - every instance of a series lasts the exact DTEND − DTSTART of the first one; a DURATION
 *   in days is nominal (P1D is the same wall-clock time next day);
 * - all-day and floating times are read in the fixture's `zone`; an all-day event is busy
 *   from local midnight to local midnight (23 or 25 hours on DST days);
 * - no DTEND and no DURATION: one day for a date, nothing for a date-time;
 * - UNTIL is inclusive; TRANSP:TRANSPARENT and STATUS:CANCELLED (also on an override) are free.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { busyIntervals, type EpochMsInterval, parseICalendar } from "../../src/calendar/index.js";

interface RfcInterval {
  start: string;
  end: string;
}

interface Expected {
  /** IANA zone in which all-day and floating times are read. */
  zone: string;
  window: RfcInterval;
  busy: RfcInterval[];
  /** Number of problems (parse + expansion) the file must report, when given. */
  problems?: number;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "ics");

/**
 * Fixtures Ally is known to get wrong, each with the reason. A listed fixture is run with
 * `it.fails`, so it turns red once fixed and must then leave this list.
 */
const EXPECTED_FAILURES: Readonly<Record<string, string>> = {};

function epochMs(rfc3339: string): number {
  return Temporal.Instant.from(rfc3339).epochMilliseconds;
}

function rfc3339(epochMilliseconds: number): string {
  return Temporal.Instant.fromEpochMilliseconds(epochMilliseconds).toString();
}

function toRfc(interval: EpochMsInterval): RfcInterval {
  return { start: rfc3339(interval.startEpochMs), end: rfc3339(interval.endEpochMs) };
}

const fixtureNames = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".ics"))
  .sort();

function readExpected(icsName: string): Expected {
  const path = join(FIXTURES, icsName.replace(/\.ics$/, ".expected.json"));
  return JSON.parse(readFileSync(path, "utf8")) as Expected;
}

describe("real-world calendar corpus", () => {
  it("has a healthy number of fixtures, each with a well-formed expectation", () => {
    expect(fixtureNames.length).toBeGreaterThanOrEqual(20);
    for (const name of fixtureNames) {
      const expected = readExpected(name);
      // The zone must be one Temporal knows.
      Temporal.Now.zonedDateTimeISO(expected.zone);
      const windowStart = epochMs(expected.window.start);
      const windowEnd = epochMs(expected.window.end);
      expect(windowStart, name).toBeLessThan(windowEnd);
      let previousEnd = Number.NEGATIVE_INFINITY;
      for (const interval of expected.busy) {
        const start = epochMs(interval.start);
        const end = epochMs(interval.end);
        // Sorted, merged (no touching neighbours), non-empty, inside the window.
        expect(start, `${name} ${interval.start}`).toBeGreaterThan(previousEnd);
        expect(start, `${name} ${interval.start}`).toBeLessThan(end);
        expect(start, `${name} ${interval.start}`).toBeGreaterThanOrEqual(windowStart);
        expect(end, `${name} ${interval.end}`).toBeLessThanOrEqual(windowEnd);
        previousEnd = end;
      }
    }
  });

  it("lists only existing fixtures as expected failures", () => {
    for (const name of Object.keys(EXPECTED_FAILURES)) expect(fixtureNames).toContain(name);
  });

  for (const name of fixtureNames) {
    const reason = EXPECTED_FAILURES[name];
    const test = reason === undefined ? it : it.fails;
    test(`${name}: busy time matches the hand-computed expectation${reason ? ` (known failure: ${reason})` : ""}`, () => {
      const expected = readExpected(name);
      const text = readFileSync(join(FIXTURES, name), "utf8");
      const parsed = parseICalendar(text, name);
      if (!parsed.ok) throw new Error(`${name} did not parse: ${parsed.error.message}`);
      const window = {
        startEpochMs: epochMs(expected.window.start),
        endEpochMs: epochMs(expected.window.end),
      };
      const { busy, problems } = busyIntervals(parsed.calendar, window, { zone: expected.zone });
      expect(busy.map(toRfc)).toEqual(expected.busy);
      if (expected.problems !== undefined) {
        const all = [...parsed.problems, ...problems];
        expect(
          all.map((p) => `${p.line ?? "?"}: ${p.message}`),
          `${name} problems`,
        ).toHaveLength(expected.problems);
      }
    });
  }
});
