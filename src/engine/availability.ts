/**
 * When can one interviewer hold one session? The answer is a normalised list of allowed start
 * minutes, built from interval algebra rather than by testing every candidate start:
 *
 * - working hours: a session of `d` minutes fits a span `[ws, we)` when it starts in `[ws, we - d]`;
 * - busy time with buffer `b`: a busy `[bs, be)` forbids starts in `[bs - d - b + 1, be + b)`,
 *   i.e. exactly those where `[start - b, start + d + b)` overlaps it;
 * - load: days (and ISO weeks) already at the limit forbid every start on them.
 */
import { MINUTES_PER_DAY } from "./civil.js";
import { intersect, normalise, subtract } from "./intervals.js";
import { instantOfLocal, isoWeekKey, localDayOf, parseClock } from "./local-time.js";
import { type EngineParticipant, type MinuteInterval, WEEKDAYS } from "./types.js";
import { type ZoneRules, zoneRules } from "./zone.js";

/** What is known about one participant over a horizon, independent of session length. */
export interface ParticipantCalendar {
  participant: EngineParticipant;
  rules: ZoneRules;
  /** Working-hours spans as instants, each with the end of the local day it belongs to. */
  spans: WorkingSpan[];
  /** Merged busy time. */
  busy: MinuteInterval[];
  /** Local days and weeks already at their limit, as instants. */
  overLimit: MinuteInterval[];
  /** Interviews per local day number and per ISO week key. */
  interviewsPerDay: Map<number, number>;
  interviewsPerWeek: Map<number, number>;
}

/** A span of working time; sessions in it must start before `dayEnd` (its local day's end). */
export interface WorkingSpan extends MinuteInterval {
  dayEnd: number;
}

const ALWAYS: WorkingSpan = {
  start: Number.MIN_SAFE_INTEGER,
  end: Number.MAX_SAFE_INTEGER,
  dayEnd: Number.MAX_SAFE_INTEGER,
};

/** Local day numbers that touch `[horizon.start, horizon.end)` in the zone, with a day either side. */
function localDays(rules: ZoneRules, horizon: MinuteInterval): number[] {
  const first = localDayOf(rules, horizon.start) - 1;
  const last = localDayOf(rules, horizon.end) + 1;
  const days: number[] = [];
  for (let day = first; day <= last; day++) days.push(day);
  return days;
}

/**
 * Working-hours spans as instants for each local day of the horizon. Each span belongs to the
 * local day it starts on; "24:00" and overnight spans (end <= start) end on the next local day.
 */
export function workingSpans(
  participant: EngineParticipant,
  rules: ZoneRules,
  horizon: MinuteInterval,
): WorkingSpan[] {
  if (participant.workingHours === undefined) return [ALWAYS];
  const spans: WorkingSpan[] = [];
  for (const day of localDays(rules, horizon)) {
    const weekday = WEEKDAYS[(((day + 3) % 7) + 7) % 7] as string;
    const dayEnd = instantOfLocal(rules, (day + 1) * MINUTES_PER_DAY);
    for (const span of participant.workingHours) {
      if (!(span.days as string[]).includes(weekday)) continue;
      const startClock = parseClock(span.start) ?? 0;
      const endClock = parseClock(span.end) ?? 0;
      const localStart = day * MINUTES_PER_DAY + startClock;
      const localEnd =
        day * MINUTES_PER_DAY + endClock + (endClock <= startClock ? MINUTES_PER_DAY : 0);
      const start = instantOfLocal(rules, localStart);
      const end = instantOfLocal(rules, localEnd);
      if (end > start) spans.push({ start, end, dayEnd });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

export function prepareParticipant(
  participant: EngineParticipant,
  horizon: MinuteInterval,
): ParticipantCalendar {
  const rules = zoneRules(participant.timeZone);
  const interviewsPerDay = new Map<number, number>();
  const interviewsPerWeek = new Map<number, number>();
  for (const interview of participant.interviews) {
    const day = localDayOf(rules, interview.start);
    const week = isoWeekKey(day);
    interviewsPerDay.set(day, (interviewsPerDay.get(day) ?? 0) + 1);
    interviewsPerWeek.set(week, (interviewsPerWeek.get(week) ?? 0) + 1);
  }
  const overLimit: MinuteInterval[] = [];
  const perDay = participant.limits?.perDay;
  const perWeek = participant.limits?.perWeek;
  if (perDay !== undefined || perWeek !== undefined) {
    for (const day of localDays(rules, horizon)) {
      const full =
        (perDay !== undefined && (interviewsPerDay.get(day) ?? 0) + 1 > perDay) ||
        (perWeek !== undefined && (interviewsPerWeek.get(isoWeekKey(day)) ?? 0) + 1 > perWeek);
      if (full) {
        overLimit.push({
          start: instantOfLocal(rules, day * MINUTES_PER_DAY),
          end: instantOfLocal(rules, (day + 1) * MINUTES_PER_DAY),
        });
      }
    }
  }
  return {
    participant,
    rules,
    spans: workingSpans(participant, rules, horizon),
    busy: normalise([...participant.busy, ...participant.interviews]),
    overLimit: normalise(overLimit),
    interviewsPerDay,
    interviewsPerWeek,
  };
}

/**
 * Starts allowed by working hours alone for a session of `durationMinutes`: inside one span,
 * starting on the local day the span belongs to.
 */
export function startsWithinHours(
  calendar: ParticipantCalendar,
  durationMinutes: number,
): MinuteInterval[] {
  return normalise(
    calendar.spans
      .map((span) => ({
        start: span.start,
        end: Math.min(span.end - durationMinutes + 1, span.dayEnd),
      }))
      .filter((interval) => interval.end > interval.start),
  );
}

/** Starts forbidden by busy time (with buffers on both sides of the session). */
export function startsBlockedByBusy(
  calendar: ParticipantCalendar,
  durationMinutes: number,
  bufferMinutes: number,
): MinuteInterval[] {
  return normalise(
    calendar.busy.map((busy) => ({
      start: busy.start - durationMinutes - bufferMinutes + 1,
      end: busy.end + bufferMinutes,
    })),
  );
}

/** Every start at which this participant can hold a session of this length, inside `allowed`. */
export function allowedStarts(
  calendar: ParticipantCalendar,
  durationMinutes: number,
  bufferMinutes: number,
  allowed: MinuteInterval[],
): MinuteInterval[] {
  const inHours = intersect(allowed, startsWithinHours(calendar, durationMinutes));
  const free = subtract(inHours, startsBlockedByBusy(calendar, durationMinutes, bufferMinutes));
  return subtract(free, calendar.overLimit);
}
