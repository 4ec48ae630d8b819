/**
 * Reading a reply (`shared/spec/understand.md`): the input and the reading, as plain data.
 *
 * Intervals are half-open (`end` exclusive) and written as RFC 3339 UTC instants at the edges;
 * inside, times are Temporal values in the sender's zone or the zone the message names.
 */
import { Temporal } from "temporal-polyfill";
import { z } from "zod";

export const INTENTS = [
  "accept",
  "propose",
  "decline",
  "reschedule",
  "cancel",
  "opt_out",
  "privacy_request",
  "question",
  "unknown",
] as const;
export type Intent = (typeof INTENTS)[number];

export const PRIVACY_REQUESTS = [
  "access",
  "erasure",
  "rectification",
  "portability",
  "restriction",
  "objection",
] as const;
export type PrivacyRequest = (typeof PRIVACY_REQUESTS)[number];

/** A half-open interval between two instants, as RFC 3339 UTC text. */
export type Interval = { start: string; end: string };

export type UnderstandInput = {
  now: string;
  timeZone: string;
  subject?: string;
  text: string;
  proposed?: Interval[];
  booked?: Interval;
};

export type Reading = {
  intent: Intent;
  choice?: number;
  windows: Interval[];
  unavailable: Interval[];
  timeZone?: string;
  privacyRequest?: PrivacyRequest;
  confidence: number;
};

function isInstant(text: string): boolean {
  try {
    Temporal.Instant.from(text);
    return true;
  } catch {
    return false;
  }
}

/** True when `name` is a zone Temporal knows. */
export function isTimeZone(name: string): boolean {
  try {
    Temporal.ZonedDateTime.from({ timeZone: name, year: 2026, month: 1, day: 1 });
    return true;
  } catch {
    return false;
  }
}

const instant = z.string().max(64).refine(isInstant, "must be an RFC 3339 instant");
const interval = z
  .object({ start: instant, end: instant })
  .refine(
    (w) =>
      Temporal.Instant.compare(Temporal.Instant.from(w.start), Temporal.Instant.from(w.end)) < 0,
    "start must be before end",
  );

/** The spec's input; unknown fields are ignored, as the contract may grow by adding fields. */
export const understandInputSchema = z.object({
  now: instant,
  timeZone: z.string().max(64).refine(isTimeZone, "must be an IANA time zone").default("UTC"),
  subject: z.string().optional(),
  text: z.string(),
  proposed: z.array(interval).max(50).optional(),
  booked: interval.optional(),
});
