/**
 * When can one interviewer hold one session? The answer is a normalised list of allowed start
 * minutes, built from interval algebra rather than by testing every candidate start:
 *
 * - working hours: a session of `d` minutes fits a span `[ws, we)` when it starts in `[ws, we - d]`;
 * - busy time with buffer `b`: a busy `[bs, be)` forbids starts in `[bs - d - b + 1, be + b)`,
 *   i.e. exactly those where `[start - b, start + d + b)` overlaps it;
 * - load: days (and ISO weeks) already at the limit forbid every start on them.
 *
 * `allowedStarts` states this with the list operations of intervals.ts; the solver uses
 * `allowedGridRuns`, the same set read on the start grid, computed in one sweep over the
 * person's spans, busy time and full days without building intermediate lists.
 */
import { MINUTES_PER_DAY, MS_PER_DAY } from "./civil.js";
import { lowerBoundFrom } from "./grid.js";
import { intersect, isNormalised, normalise, subtract } from "./intervals.js";
import { instantOfLocal, isoWeekKey, localDayOf, parseClock } from "./local-time.js";
import { type EngineParticipant, type MinuteInterval, WEEKDAYS } from "./types.js";
import { type ZoneRules, zoneRules } from "./zone.js";

/** What is known about one participant over a horizon, independent of session length. */
export interface ParticipantCalendar {
  participant: EngineParticipant;
  rules: ZoneRules;
  /** Working-hours spans as instants, each with the end of the local day it belongs to. */
  spans: WorkingSpan[];
  /** Merged busy time (may be the participant's own list when it was already merged). */
  busy: readonly MinuteInterval[];
  /** Local days and weeks already at their limit, as instants. */
  overLimit: MinuteInterval[];
  /** Interviews per local day number and per ISO week key. */
  interviewsPerDay: ReadonlyMap<number, number>;
  interviewsPerWeek: ReadonlyMap<number, number>;
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
  // Parse each span once: its weekdays as a bit mask (bit 0 = Monday) and its clock minutes.
  const parsed = participant.workingHours.map((span) => {
    let weekdayMask = 0;
    for (const day of span.days) weekdayMask |= 1 << WEEKDAYS.indexOf(day);
    return {
      weekdayMask,
      startClock: parseClock(span.start) ?? 0,
      endClock: parseClock(span.end) ?? 0,
    };
  });
  const spans: WorkingSpan[] = [];
  let sorted = true;
  const first = localDayOf(rules, horizon.start) - 1;
  const last = localDayOf(rules, horizon.end) + 1;
  // Most horizons see no offset change at all: then one question answers for every day.
  const horizonOffsetMs = rules.constantOffsetMs?.(
    (first - 1) * MS_PER_DAY,
    (last + 3) * MS_PER_DAY,
  );
  for (let day = first; day <= last; day++) {
    const weekdayBit = 1 << ((((day + 3) % 7) + 7) % 7);
    // Every local minute read below lies in [day, day + 2) local days. When the offset is the
    // same from a day before to a day after that, each one is simply local minus that offset
    // (what instantOfLocal answers then, without asking for offsets minute by minute).
    const offsetMs =
      horizonOffsetMs ?? rules.constantOffsetMs?.((day - 1) * MS_PER_DAY, (day + 3) * MS_PER_DAY);
    let dayEnd: number | undefined;
    for (const { weekdayMask, startClock, endClock } of parsed) {
      if ((weekdayMask & weekdayBit) === 0) continue;
      dayEnd ??= instantWithOffset(rules, offsetMs, (day + 1) * MINUTES_PER_DAY);
      const localStart = day * MINUTES_PER_DAY + startClock;
      const localEnd =
        day * MINUTES_PER_DAY + endClock + (endClock <= startClock ? MINUTES_PER_DAY : 0);
      const start = instantWithOffset(rules, offsetMs, localStart);
      const end = instantWithOffset(rules, offsetMs, localEnd);
      if (end <= start) continue;
      const previous = spans[spans.length - 1];
      if (previous !== undefined && previous.start > start) sorted = false;
      spans.push({ start, end, dayEnd });
    }
  }
  return sorted ? spans : spans.sort((a, b) => a.start - b.start);
}

/** `instantOfLocal`, or local minus `offsetMs` when the offset is known to be constant around it. */
function instantWithOffset(
  rules: ZoneRules,
  offsetMs: number | undefined,
  localMinute: number,
): number {
  return offsetMs === undefined
    ? instantOfLocal(rules, localMinute)
    : (localMinute * 60_000 - offsetMs) / 60_000;
}

/** Interview counts of someone with no interviews (shared, never written). */
const NO_COUNTS: ReadonlyMap<number, number> = new Map();

export function prepareParticipant(
  participant: EngineParticipant,
  horizon: MinuteInterval,
): ParticipantCalendar {
  const rules = zoneRules(participant.timeZone);
  const hasInterviews = participant.interviews.length > 0;
  const interviewsPerDay = hasInterviews ? new Map<number, number>() : NO_COUNTS;
  const interviewsPerWeek = hasInterviews ? new Map<number, number>() : NO_COUNTS;
  for (const interview of participant.interviews) {
    const day = localDayOf(rules, interview.start);
    const week = isoWeekKey(day);
    (interviewsPerDay as Map<number, number>).set(day, (interviewsPerDay.get(day) ?? 0) + 1);
    (interviewsPerWeek as Map<number, number>).set(week, (interviewsPerWeek.get(week) ?? 0) + 1);
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
    busy: mergedBusy(participant),
    overLimit: overLimit.length === 0 ? overLimit : normalise(overLimit),
    interviewsPerDay,
    interviewsPerWeek,
  };
}

/**
 * Busy time and interviews, merged. A busy list that is already normalised (as materialised
 * calendars are) is used as it is, without a copy.
 */
function mergedBusy(participant: EngineParticipant): readonly MinuteInterval[] {
  if (participant.interviews.length === 0 && isNormalised(participant.busy)) {
    return participant.busy;
  }
  return normalise([...participant.busy, ...participant.interviews]);
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

/** Reused output buffer of `allowedGridRuns` (grown on demand). */
let runScratch = new Int32Array(64);

/**
 * `allowedStarts` read on the start grid, as runs of grid indices `[from0, to0, from1, to1, …]`
 * (half-open, ascending, disjoint; touching runs may stay separate). Grid index g is inside a
 * run exactly when `grid[g]` is in `allowedStarts(calendar, durationMinutes, bufferMinutes,
 * [{ start: range.start, end: range.end - durationMinutes + 1 }])`.
 *
 * One sweep: working-hours stretches in order, minus busy time (with buffers), minus full days,
 * each free piece turned into grid indices by a forward search from the previous piece.
 */
export function allowedGridRuns(
  calendar: ParticipantCalendar,
  durationMinutes: number,
  bufferMinutes: number,
  range: MinuteInterval,
  grid: readonly number[],
): Int32Array {
  const sweep = new StartSweep(calendar, durationMinutes, bufferMinutes, grid);
  const lastStartEnd = range.end - durationMinutes + 1;
  // Working-hours stretches (spans are sorted by start), clipped to the range, merged when they
  // overlap or touch.
  let stretchFrom = 0;
  let stretchTo = 0;
  let open = false;
  for (const span of calendar.spans) {
    const from = Math.max(span.start, range.start);
    const to = Math.min(span.end - durationMinutes + 1, span.dayEnd, lastStartEnd);
    if (to <= from) continue;
    if (open && from <= stretchTo) {
      if (to > stretchTo) stretchTo = to;
      continue;
    }
    if (open) sweep.addFree(stretchFrom, stretchTo);
    stretchFrom = from;
    stretchTo = to;
    open = true;
  }
  if (open) sweep.addFree(stretchFrom, stretchTo);
  return runScratch.slice(0, sweep.runsLength);
}

/**
 * The state of one `allowedGridRuns` sweep. Every step takes ascending, disjoint pieces of
 * time, so the positions in the busy list, the full days and the grid only move forwards.
 */
class StartSweep {
  readonly #busy: readonly MinuteInterval[];
  readonly #overLimit: readonly MinuteInterval[];
  readonly #grid: readonly number[];
  readonly #bufferMinutes: number;
  /** A busy [bs, be) blocks starts in [bs - blockedBeforeMinutes, be + bufferMinutes). */
  readonly #blockedBeforeMinutes: number;
  #busyIndex = 0;
  #limitIndex = 0;
  #gridIndex = 0;
  /** Entries written to `runScratch`. */
  runsLength = 0;

  constructor(
    calendar: ParticipantCalendar,
    durationMinutes: number,
    bufferMinutes: number,
    grid: readonly number[],
  ) {
    this.#busy = calendar.busy;
    this.#overLimit = calendar.overLimit;
    this.#grid = grid;
    this.#bufferMinutes = bufferMinutes;
    this.#blockedBeforeMinutes = durationMinutes + bufferMinutes - 1;
  }

  /** Starts [from, to) within working hours, minus those blocked by busy time. */
  addFree(from: number, to: number): void {
    const busy = this.#busy;
    let cursor = from;
    let k = this.#busyIndex;
    while (k < busy.length && (busy[k] as MinuteInterval).end + this.#bufferMinutes <= cursor) k++;
    this.#busyIndex = k;
    for (; k < busy.length; k++) {
      const blocked = busy[k] as MinuteInterval;
      const blockedStart = blocked.start - this.#blockedBeforeMinutes;
      if (blockedStart >= to) break;
      if (blockedStart > cursor) this.#addOutsideLimits(cursor, blockedStart);
      const blockedEnd = blocked.end + this.#bufferMinutes;
      if (blockedEnd > cursor) cursor = blockedEnd;
    }
    if (cursor < to) this.#addOutsideLimits(cursor, to);
  }

  /** Free starts [from, to), minus the days over a limit. */
  #addOutsideLimits(from: number, to: number): void {
    const overLimit = this.#overLimit;
    if (overLimit.length === 0) {
      this.#addRun(from, to);
      return;
    }
    let cursor = from;
    let k = this.#limitIndex;
    while (k < overLimit.length && (overLimit[k] as MinuteInterval).end <= cursor) k++;
    this.#limitIndex = k;
    for (; k < overLimit.length; k++) {
      const full = overLimit[k] as MinuteInterval;
      if (full.start >= to) break;
      if (full.start > cursor) this.#addRun(cursor, full.start);
      if (full.end > cursor) cursor = full.end;
    }
    if (cursor < to) this.#addRun(cursor, to);
  }

  /** Allowed starts [from, to), as the grid indices inside it. */
  #addRun(from: number, to: number): void {
    const gridFrom = lowerBoundFrom(this.#grid, this.#gridIndex, from);
    const gridTo = lowerBoundFrom(this.#grid, gridFrom, to);
    this.#gridIndex = gridTo;
    if (gridTo === gridFrom) return;
    if (this.runsLength + 2 > runScratch.length) {
      const grown = new Int32Array(runScratch.length * 2);
      grown.set(runScratch);
      runScratch = grown;
    }
    runScratch[this.runsLength++] = gridFrom;
    runScratch[this.runsLength++] = gridTo;
  }
}
