/**
 * When a data-subject request must be answered. Pure: instants in, instants out; "now" is an
 * argument.
 *
 * - GDPR art. 12(3): "without undue delay and in any event within one month of receipt",
 *   extendable "by two further months" when the person is told of the extension (and why)
 *   within the first month. A month is a calendar month; a day that the next month lacks is
 *   clamped to its last day (31 Jan → 28 Feb, or 29 Feb in a leap year).
 * - CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 days, extendable once by another 45 days with notice.
 * - The clock pauses while the person's identity is unverified: it starts when the identity is
 *   verified (a request verified at once, a signed-in member's, starts at receipt).
 *
 * Calendar arithmetic is done in UTC, the zone every stored instant is read in.
 */
import { Temporal } from "temporal-polyfill";

export type Jurisdiction = "gdpr" | "ccpa";

/** Days before the due instant from which a request is flagged as near due. */
export const NEAR_DUE_DAYS = 7;

export interface DeadlineFacts {
  jurisdiction: Jurisdiction;
  /** Epoch milliseconds when the request arrived. */
  receivedAtMs: number;
  /** Epoch milliseconds when the identity was verified; null while it is not. */
  verifiedAtMs: number | null;
  /** The person was told the answer will take longer (GDPR: two more months; CCPA: 45 days). */
  extended: boolean;
}

function plus(startMs: number, duration: Temporal.DurationLike): number {
  return Temporal.Instant.fromEpochMilliseconds(startMs)
    .toZonedDateTimeISO("UTC")
    .add(duration, { overflow: "constrain" })
    .toInstant().epochMilliseconds;
}

/**
 * The instant the answer is due, or null while the clock is paused (identity unverified).
 * @example dueAt({ jurisdiction: "gdpr", receivedAtMs: Date.UTC(2027, 0, 31), verifiedAtMs: Date.UTC(2027, 0, 31), extended: false })
 *   // → Date.UTC(2027, 1, 28): 31 Jan + one month is the last day of February
 */
export function dueAt(facts: DeadlineFacts): number | null {
  if (facts.verifiedAtMs === null) return null;
  // Time spent waiting for the person to prove who they are does not count.
  const startMs = Math.max(facts.receivedAtMs, facts.verifiedAtMs);
  if (facts.jurisdiction === "gdpr") return plus(startMs, { months: facts.extended ? 3 : 1 });
  return plus(startMs, { days: facts.extended ? 90 : 45 });
}

/** The last instant an extension may still be announced: the original deadline. */
export function extensionAllowedUntil(facts: DeadlineFacts): number | null {
  return dueAt({ ...facts, extended: false });
}

export type DeadlineFlag = "paused" | "on-time" | "near-due" | "overdue";

/** How an open request stands against its deadline at `nowMs`. */
export function deadlineFlag(facts: DeadlineFacts, nowMs: number): DeadlineFlag {
  const due = dueAt(facts);
  if (due === null) return "paused";
  if (nowMs >= due) return "overdue";
  const nearFrom = Temporal.Instant.fromEpochMilliseconds(due).subtract({
    hours: 24 * NEAR_DUE_DAYS,
  }).epochMilliseconds;
  return nowMs >= nearFrom ? "near-due" : "on-time";
}
