import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { type DeadlineFacts, deadlineFlag, dueAt } from "../../src/privacy/deadlines.js";

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const iso = (ms: number | null) =>
  ms === null ? null : Temporal.Instant.fromEpochMilliseconds(ms).toString();

function verifiedAt(receivedIso: string, jurisdiction: DeadlineFacts["jurisdiction"] = "gdpr") {
  return {
    jurisdiction,
    receivedAtMs: at(receivedIso),
    verifiedAtMs: at(receivedIso),
    extended: false,
  };
}

describe("GDPR deadline: one calendar month from receipt", () => {
  it.each([
    // received → due
    ["2027-01-15T10:00:00Z", "2027-02-15T10:00:00Z"],
    ["2027-01-31T10:00:00Z", "2027-02-28T10:00:00Z"], // February lacks the 31st
    ["2028-01-31T10:00:00Z", "2028-02-29T10:00:00Z"], // a leap year
    ["2027-03-31T23:30:00Z", "2027-04-30T23:30:00Z"],
    ["2027-12-31T00:00:00Z", "2028-01-31T00:00:00Z"], // across the year
    ["2027-08-31T12:00:00Z", "2027-09-30T12:00:00Z"],
  ])("a request received %s is due %s", (received, due) => {
    expect(iso(dueAt(verifiedAt(received)))).toBe(due);
  });

  it.each([
    ["2027-01-15T10:00:00Z", "2027-04-15T10:00:00Z"],
    ["2026-11-30T09:00:00Z", "2027-02-28T09:00:00Z"], // three months on, clamped once
    ["2027-05-31T09:00:00Z", "2027-08-31T09:00:00Z"],
  ])(
    "extended with notice, a request received %s is due %s (two further months)",
    (received, due) => {
      expect(iso(dueAt({ ...verifiedAt(received), extended: true }))).toBe(due);
    },
  );

  it("does not run while the identity is unverified, and starts when it is verified", () => {
    const facts = { ...verifiedAt("2027-01-10T08:00:00Z"), verifiedAtMs: null };
    expect(dueAt(facts)).toBeNull();
    expect(deadlineFlag(facts, at("2027-06-01T00:00:00Z"))).toBe("paused");
    // Verified four days later: the four days do not count.
    const verified = { ...facts, verifiedAtMs: at("2027-01-14T08:00:00Z") };
    expect(iso(dueAt(verified))).toBe("2027-02-14T08:00:00Z");
  });

  it("falls on the same wall time one (or three) calendar months later, its day clamped to the month", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at("2020-01-01T00:00:00Z"), max: at("2040-01-01T00:00:00Z") }),
        fc.boolean(),
        (startMs, extended) => {
          const due = dueAt({
            jurisdiction: "gdpr",
            receivedAtMs: startMs,
            verifiedAtMs: startMs,
            extended,
          }) as number;
          const start = Temporal.Instant.fromEpochMilliseconds(startMs).toZonedDateTimeISO("UTC");
          const end = Temporal.Instant.fromEpochMilliseconds(due).toZonedDateTimeISO("UTC");
          const months = extended ? 3 : 1;
          expect(due).toBeGreaterThan(startMs);
          // Same wall time, `months` later in the calendar, day clamped to the month's length.
          const expectedMonth = start.toPlainDate().toPlainYearMonth().add({ months });
          expect(end.toPlainDate().toPlainYearMonth().equals(expectedMonth)).toBe(true);
          expect(end.day).toBe(Math.min(start.day, expectedMonth.daysInMonth));
          expect(end.toPlainTime().equals(start.toPlainTime())).toBe(true);
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });
});

describe("CCPA deadline: 45 days, extendable by 45", () => {
  it("is 45 days after verification, or 90 when extended", () => {
    // Thu 14 Jan 2027, 10:00 UTC
    const facts = verifiedAt("2027-01-14T10:00:00Z", "ccpa");
    expect(iso(dueAt(facts))).toBe("2027-02-28T10:00:00Z");
    expect(iso(dueAt({ ...facts, extended: true }))).toBe("2027-04-14T10:00:00Z");
  });
});

describe("deadline flags", () => {
  // Received and verified Mon 1 Feb 2027, 09:00 UTC; due Mon 1 Mar 2027, 09:00 UTC.
  const facts = verifiedAt("2027-02-01T09:00:00Z");
  it.each([
    ["2027-02-10T00:00:00Z", "on-time"],
    ["2027-02-22T08:59:59Z", "on-time"],
    ["2027-02-22T09:00:00Z", "near-due"], // seven days before
    ["2027-03-01T08:59:59Z", "near-due"],
    ["2027-03-01T09:00:00Z", "overdue"],
    ["2027-07-01T00:00:00Z", "overdue"],
  ])("at %s the request is %s", (now, flag) => {
    expect(deadlineFlag(facts, at(now))).toBe(flag);
  });
});
