/**
 * Test factories for engine problems: readable instants in, epoch minutes out.
 */
import type {
  EngineParticipant,
  EngineProblem,
  EngineSession,
  MinuteInterval,
} from "../../src/engine/types.js";

/** Epoch minutes of an RFC 3339 instant. @example at("1970-01-01T00:02:00Z") // 2 */
export function at(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms) || ms % 60_000 !== 0)
    throw new Error(`not a whole-minute instant: ${instant}`);
  return ms / 60_000;
}

/** Half-open interval between two RFC 3339 instants. */
export function between(start: string, end: string): MinuteInterval {
  return { start: at(start), end: at(end) };
}

/** RFC 3339 UTC text of epoch minutes, for readable failure messages. */
export function iso(minute: number): string {
  return new Date(minute * 60_000).toISOString().replace(":00.000Z", "Z");
}

/** A participant with no busy time, no working hours and no limits. */
export function buildParticipant(
  overrides: Partial<EngineParticipant> & { id: string },
): EngineParticipant {
  return { timeZone: "UTC", busy: [], interviews: [], ...overrides };
}

/** A one-interviewer session of 60 minutes. */
export function buildSession(overrides: Partial<EngineSession> & { id: string }): EngineSession {
  return { durationMinutes: 60, interviewers: [], count: 1, ...overrides };
}

/**
 * A problem on Tue 1 Dec 2026, 09:00–17:00 UTC, 15-minute grid in UTC, one 60-minute session
 * with alice, who is free all day; every field can be overridden.
 */
export function buildProblem(overrides: Partial<EngineProblem> = {}): EngineProblem {
  return {
    now: at("2026-11-25T09:00:00Z"),
    range: between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z"),
    timeZone: "UTC",
    granularityMinutes: 15,
    minNoticeMinutes: 0,
    bufferMinutes: 0,
    order: "fixed",
    maxGapMinutes: 0,
    limit: 10,
    participants: [buildParticipant({ id: "alice" })],
    sessions: [buildSession({ id: "tech", interviewers: ["alice"] })],
    ...overrides,
  };
}
