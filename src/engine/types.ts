/**
 * The scheduling engine's data model. Pure data: no clock, no I/O.
 *
 * Time inside the engine is integer epoch minutes (minutes since 1970-01-01T00:00Z).
 * Every interval is half-open, `[start, end)`: adjacent intervals do not overlap, so an
 * event ending at 10:00 does not block a session starting at 10:00.
 *
 * The edge (CLI, API) converts RFC 3339 instants to minutes conservatively, so that the
 * engine's integer answers equal the exact ones: busy starts round down and busy ends round
 * up; range, candidate windows and "now" round inwards (starts up, ends down).
 */

/** Integer minutes since 1970-01-01T00:00:00Z. */
export type EpochMinutes = number;

/** Half-open interval `[start, end)` of epoch minutes; `start <= end`. */
export interface MinuteInterval {
  start: EpochMinutes;
  end: EpochMinutes;
}

/** RFC 5545 weekday codes, Monday first as in ISO 8601. */
export type Weekday = "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU";
export const WEEKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/**
 * A span of local wall-clock time on the given weekdays, in the participant's zone.
 * `start` and `end` are "HH:MM"; `end` may be "24:00". When `end <= start` the span runs
 * overnight and ends on the next local day.
 */
export interface WorkingHoursSpan {
  days: Weekday[];
  start: string;
  end: string;
}

export interface LoadLimits {
  /** Interviews per local day (participant's zone), including those this option adds. */
  perDay?: number;
  /** Interviews per ISO week (Monday to Sunday, local), including those this option adds. */
  perWeek?: number;
}

export interface EngineParticipant {
  id: string;
  /** IANA zone: working hours, per-day and per-week limits are read in it. */
  timeZone: string;
  /** Omitted means available at any time; an empty list means never available. */
  workingHours?: WorkingHoursSpan[];
  /** Everything that blocks this person: explicit busy, interviews, calendar events. Any order; may overlap. */
  busy: MinuteInterval[];
  /** Interviews already booked; they count towards `limits` (by the local day and week they start in). */
  interviews: MinuteInterval[];
  limits?: LoadLimits;
}

export interface EngineSession {
  id: string;
  durationMinutes: number;
  /** Pool of participant ids to choose `count` distinct interviewers from. */
  interviewers: string[];
  count: number;
}

export interface EngineCandidate {
  timeZone?: string;
  /** Omitted means any time. The whole block must lie inside one window. */
  available?: MinuteInterval[];
}

export type SessionOrder = "fixed" | "any";

export interface EngineProblem {
  /** "Now", already rounded up to a whole minute. */
  now: EpochMinutes;
  /** Every session lies inside this range. */
  range: MinuteInterval;
  /** The organiser's IANA zone: the start grid is aligned to its local midnight. */
  timeZone: string;
  granularityMinutes: number;
  minNoticeMinutes: number;
  bufferMinutes: number;
  order: SessionOrder;
  maxGapMinutes: number;
  /** How many ranked options to return. */
  limit: number;
  participants: EngineParticipant[];
  candidate?: EngineCandidate;
  sessions: EngineSession[];
}

export interface ScheduledSession {
  id: string;
  start: EpochMinutes;
  end: EpochMinutes;
  interviewers: string[];
}

/** One feasible way to hold the interview: a start per session and its interviewers. */
export interface SlotOption {
  start: EpochMinutes;
  end: EpochMinutes;
  /** Higher is better, in [0, 1]. */
  score: number;
  /** In chronological order. */
  sessions: ScheduledSession[];
}
