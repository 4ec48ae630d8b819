/**
 * Whether a pool member can stand in for an interviewer who declined: the engine's own rules
 * for exactly the booked time (working hours in the member's zone, busy time, booked slots,
 * daily and weekly limits). Pure: plain facts in, a yes or no out.
 */
import { describe, expect, it } from "vitest";
import { fitsExactly, type InterviewerFacts } from "../../src/booking/problem.js";

const at = (iso: string) => Date.parse(iso);
// Fri 4 Dec 2026 10:00–11:00 UTC, decided on Tue 1 Dec 14:00 UTC.
const SESSION = { start: at("2026-12-04T10:00:00Z"), end: at("2026-12-04T11:00:00Z") };
const NOW = at("2026-12-01T14:00:00Z");

function member(overrides: Partial<InterviewerFacts> = {}): InterviewerFacts {
  return {
    userId: "user_finn",
    timeZone: "UTC",
    workingHours: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" }],
    perDayLimit: null,
    perWeekLimit: null,
    busy: [],
    booked: [],
    ...overrides,
  };
}

describe("a stand-in for a booked session", () => {
  it("fits when free inside working hours and under the limits", () => {
    expect(fitsExactly(member(), SESSION, "UTC", NOW)).toBe(true);
  });

  it("does not fit outside working hours read in the member's own zone", () => {
    // 10:00 UTC is 02:00 in Los Angeles.
    expect(fitsExactly(member({ timeZone: "America/Los_Angeles" }), SESSION, "UTC", NOW)).toBe(
      false,
    );
  });

  it("does not fit when the calendar or another booked interview overlaps the time", () => {
    const overlap = { start: at("2026-12-04T10:30:00Z"), end: at("2026-12-04T11:30:00Z") };
    expect(fitsExactly(member({ busy: [overlap] }), SESSION, "UTC", NOW)).toBe(false);
    expect(fitsExactly(member({ booked: [overlap] }), SESSION, "UTC", NOW)).toBe(false);
  });

  it("does not fit past the per-day or per-week limit", () => {
    const sameDay = { start: at("2026-12-04T14:00:00Z"), end: at("2026-12-04T15:00:00Z") };
    const monday = { start: at("2026-11-30T14:00:00Z"), end: at("2026-11-30T15:00:00Z") };
    expect(fitsExactly(member({ perDayLimit: 1, booked: [sameDay] }), SESSION, "UTC", NOW)).toBe(
      false,
    );
    expect(fitsExactly(member({ perDayLimit: 2, booked: [sameDay] }), SESSION, "UTC", NOW)).toBe(
      true,
    );
    expect(fitsExactly(member({ perWeekLimit: 1, booked: [monday] }), SESSION, "UTC", NOW)).toBe(
      false,
    );
  });
});
