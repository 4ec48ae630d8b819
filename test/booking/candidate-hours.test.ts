/**
 * The candidate's reasonable hours as engine windows: inside them exactly when the local day is
 * one of the candidate's days and the local time is between from and until; checked against a
 * minute-by-minute oracle across zones and DST changes.
 */
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  type CandidateHours,
  candidateHoursSchema,
  candidateHourWindows,
  DEFAULT_CANDIDATE_HOURS,
  WEEKDAYS,
} from "../../src/booking/candidate-hours.js";

const minute = (iso: string) => Date.parse(iso) / 60_000;

/** Brute force: is this minute inside the candidate's hours? */
function oracle(at: number, zone: string, hours: CandidateHours): boolean {
  const local = Temporal.Instant.fromEpochMilliseconds(at * 60_000).toZonedDateTimeISO(zone);
  const day = WEEKDAYS[local.dayOfWeek - 1];
  const time = `${String(local.hour).padStart(2, "0")}:${String(local.minute).padStart(2, "0")}`;
  return (
    hours.days.includes(day as CandidateHours["days"][number]) &&
    time >= hours.start &&
    time < hours.end
  );
}

const inside = (windows: { start: number; end: number }[], at: number) =>
  windows.some((w) => w.start <= at && at < w.end);

describe("the candidate's hours", () => {
  it("keeps a New York candidate's options between 08:00 and 20:00 their time, on weekdays", () => {
    // Mon 7 Dec 2026 00:00 UTC to Mon 14 Dec 2026 00:00 UTC
    const range = { start: minute("2026-12-07T00:00:00Z"), end: minute("2026-12-14T00:00:00Z") };
    const windows = candidateHourWindows(range, "America/New_York", DEFAULT_CANDIDATE_HOURS);
    expect(windows).toHaveLength(5);
    // 08:00 in New York is 13:00 UTC in December.
    expect(windows[0]).toEqual({
      start: minute("2026-12-07T13:00:00Z"),
      end: minute("2026-12-08T01:00:00Z"),
    });
    expect(inside(windows, minute("2026-12-07T09:00:00Z"))).toBe(false); // 04:00 New York
  });

  it("agrees with the minute-by-minute oracle in any zone, across DST changes", () => {
    const zones = [
      "America/New_York",
      "Europe/Berlin",
      "Asia/Kolkata",
      "Australia/Lord_Howe",
      "UTC",
    ];
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
      .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    const hours = fc
      .tuple(time, time, fc.subarray([...WEEKDAYS], { minLength: 1 }))
      .filter(([a, b]) => a < b)
      .map(([start, end, days]) => ({ start, end, days }));
    // Ranges around the 2026 DST changes (March, October, November) and elsewhere.
    const rangeStart = fc.integer({
      min: minute("2026-03-01T00:00:00Z"),
      max: minute("2026-11-30T00:00:00Z"),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        hours,
        rangeStart,
        fc.integer({ min: 60, max: 10 * 1440 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (zone, h, start, length, samples) => {
          const range = { start, end: start + length };
          const windows = candidateHourWindows(range, zone, h);
          for (const w of windows) {
            expect(w.start).toBeGreaterThanOrEqual(range.start);
            expect(w.end).toBeLessThanOrEqual(range.end);
          }
          for (const s of samples) {
            const at = range.start + Math.floor(s * (length - 1));
            expect(inside(windows, at)).toBe(oracle(at, zone, h));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses hours that end before they start, naming the field", () => {
    const parsed = candidateHoursSchema.safeParse({ start: "18:00", end: "09:00", days: ["MO"] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("Candidate's hours: until must be after from");
    expect(
      candidateHoursSchema.safeParse({ start: "8am", end: "20:00", days: ["MO"] }).error?.issues[0]
        ?.message,
    ).toBe("Candidate's hours: from must be a time such as 08:00");
  });
});
