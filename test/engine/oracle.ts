/**
 * A brute-force oracle for the slot engine: the feasibility rules of `spec/slots.md`, written
 * as literally as possible, to check `src/engine` against in tests.
 *
 * Nothing here is clever. Every start minute of the range is tried; orders, gaps and
 * interviewer assignments are enumerated; every zone question goes to Temporal. The only
 * shortcuts are memoised Temporal answers and pruning a partial block by a rule that the
 * complete block would break too. Every option found is re-checked by `isFeasibleOption`.
 *
 * Working hours are read as span instances: a span listed for a weekday starts on each local
 * day with that weekday, at its local start time, and ends at its local end time on that day,
 * or on the next day when `end <= start` (overnight) or `end` is "24:00". Local times are
 * turned into instants with Temporal's "compatible" disambiguation (a skipped time moves
 * forward by the gap, a repeated time is the first occurrence). A session must lie inside one
 * instance of the local day the session starts on (spec rule 5: "one working-hours span, on
 * the local day it starts"), so an overnight span serves sessions that start before midnight.
 */
import { Temporal } from "temporal-polyfill";
import type {
  EngineParticipant,
  EngineProblem,
  EngineSession,
  MinuteInterval,
  ScheduledSession,
  SlotOption,
  Weekday,
  WorkingHoursSpan,
} from "../../src/engine/types.js";

const MS_PER_MINUTE = 60_000;
const ISO_WEEKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

interface LocalReading {
  /** hour * 60 + minute of the wall-clock time. */
  minuteOfDay: number;
  /** "YYYY-MM-DD" local date. */
  date: string;
  /** "YYYY-Www" ISO week of the local date. */
  week: string;
}

const readings = new Map<string, Map<number, LocalReading>>();

/** Wall-clock reading of an epoch minute in a zone, straight from Temporal (memoised). */
export function localReading(timeZone: string, minute: number): LocalReading {
  let zone = readings.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    readings.set(timeZone, zone);
  }
  let reading = zone.get(minute);
  if (reading === undefined) {
    const zoned = Temporal.Instant.fromEpochMilliseconds(minute * MS_PER_MINUTE).toZonedDateTimeISO(
      timeZone,
    );
    reading = {
      minuteOfDay: zoned.hour * 60 + zoned.minute,
      date: zoned.toPlainDate().toString(),
      week: `${zoned.yearOfWeek}-W${zoned.weekOfYear}`,
    };
    zone.set(minute, reading);
  }
  return reading;
}

/** Epoch minute of a local date plus `minuteOfDay` (may be 1440 = next midnight), "compatible". */
function localToMinute(timeZone: string, date: Temporal.PlainDate, minuteOfDay: number): number {
  const day = date.add({ days: Math.floor(minuteOfDay / 1440) });
  const rest = minuteOfDay % 1440;
  const zoned = day
    .toPlainDateTime({ hour: Math.floor(rest / 60), minute: rest % 60 })
    .toZonedDateTime(timeZone, { disambiguation: "compatible" });
  return zoned.epochMilliseconds / MS_PER_MINUTE;
}

function parseClock(text: string): number {
  const match = /^(\d\d):(\d\d)$/.exec(text);
  if (match === null) throw new Error(`bad wall-clock time ${text}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** One working-hours span on one local day, as instants. */
interface SpanInstance extends MinuteInterval {
  /** "YYYY-MM-DD": the local day the span belongs to (the day it starts on). */
  date: string;
}

const spanCache = new WeakMap<EngineParticipant, Map<string, SpanInstance[]>>();

/**
 * Every instance of the participant's working-hours spans that starts on a local day from two
 * days before the range's first local day to one day after its last.
 */
function spanInstances(problem: EngineProblem, person: EngineParticipant): SpanInstance[] {
  let perRange = spanCache.get(person);
  if (perRange === undefined) {
    perRange = new Map();
    spanCache.set(person, perRange);
  }
  const key = `${problem.range.start}/${problem.range.end}`;
  const cached = perRange.get(key);
  if (cached !== undefined) return cached;
  const spans: WorkingHoursSpan[] = person.workingHours ?? [];
  const first = Temporal.PlainDate.from(localReading(person.timeZone, problem.range.start).date);
  const last = Temporal.PlainDate.from(localReading(person.timeZone, problem.range.end).date);
  const instances: SpanInstance[] = [];
  for (
    let day = first.subtract({ days: 2 });
    Temporal.PlainDate.compare(day, last.add({ days: 1 })) <= 0;
    day = day.add({ days: 1 })
  ) {
    const weekday = ISO_WEEKDAYS[day.dayOfWeek - 1];
    for (const span of spans) {
      if (weekday === undefined || !span.days.includes(weekday)) continue;
      const startOfDay = parseClock(span.start);
      const endOfDay = parseClock(span.end);
      // "24:00" is 1440, the next midnight; end <= start runs overnight into the next day.
      const end = endOfDay <= startOfDay ? endOfDay + 1440 : endOfDay;
      instances.push({
        date: day.toString(),
        start: localToMinute(person.timeZone, day, startOfDay),
        end: localToMinute(person.timeZone, day, end),
      });
    }
  }
  perRange.set(key, instances);
  return instances;
}

/** Half-open overlap; an empty interval overlaps nothing. */
function overlaps(a: MinuteInterval, b: MinuteInterval): boolean {
  return Math.max(a.start, b.start) < Math.min(a.end, b.end);
}

function within(inner: MinuteInterval, outer: MinuteInterval): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** Why this person cannot sit in a session `[start, end)`, or null if they can. */
export function interviewerProblem(
  problem: EngineProblem,
  person: EngineParticipant,
  start: number,
  end: number,
): string | null {
  const session = { start, end };
  if (person.workingHours !== undefined) {
    const day = localReading(person.timeZone, start).date;
    const inside = spanInstances(problem, person).some(
      (span) => span.date === day && within(session, span),
    );
    if (!inside) return `${person.id}: outside working hours`;
  }
  const buffered = { start: start - problem.bufferMinutes, end: end + problem.bufferMinutes };
  for (const busy of [...person.busy, ...person.interviews]) {
    if (overlaps(buffered, busy)) return `${person.id}: busy ${busy.start}-${busy.end}`;
  }
  const limits = person.limits;
  if (limits !== undefined) {
    const here = localReading(person.timeZone, start);
    if (limits.perDay !== undefined) {
      const sameDay = person.interviews.filter(
        (interview) => localReading(person.timeZone, interview.start).date === here.date,
      ).length;
      if (sameDay + 1 > limits.perDay) return `${person.id}: perDay limit on ${here.date}`;
    }
    if (limits.perWeek !== undefined) {
      const sameWeek = person.interviews.filter(
        (interview) => localReading(person.timeZone, interview.start).week === here.week,
      ).length;
      if (sameWeek + 1 > limits.perWeek) return `${person.id}: perWeek limit in ${here.week}`;
    }
  }
  return null;
}

function onGrid(problem: EngineProblem, minute: number): boolean {
  return localReading(problem.timeZone, minute).minuteOfDay % problem.granularityMinutes === 0;
}

function participant(problem: EngineProblem, id: string): EngineParticipant | undefined {
  return problem.participants.find((person) => person.id === id);
}

/**
 * Why `option` is not a feasible answer to `problem`, or null if it is.
 * @example isFeasibleOption(problem, engineOption) // null, or "tech: outside range"
 */
export function isFeasibleOption(problem: EngineProblem, option: SlotOption): string | null {
  const sessions = option.sessions;
  const first = sessions[0];
  const last = sessions[sessions.length - 1];
  if (first === undefined || last === undefined) return "no sessions";
  if (sessions.length !== problem.sessions.length) return "wrong number of sessions";
  if (option.start !== first.start) return "option start is not the first session's start";
  if (option.end !== last.end) return "option end is not the last session's end";

  const seen = new Set<string>();
  for (const scheduled of sessions) {
    if (seen.has(scheduled.id)) return `session ${scheduled.id} twice`;
    seen.add(scheduled.id);
  }
  const listed = problem.sessions.map((session) => session.id);
  for (const id of listed) if (!seen.has(id)) return `session ${id} missing`;
  if (problem.order === "fixed" && sessions.some((s, i) => s.id !== listed[i])) {
    return "sessions not in the listed order";
  }

  // Rule 1: every session starts on the grid.
  for (const scheduled of sessions) {
    if (!Number.isInteger(scheduled.start) || !Number.isInteger(scheduled.end)) {
      return `${scheduled.id}: not whole minutes`;
    }
    if (!onGrid(problem, scheduled.start)) return `${scheduled.id}: off the grid`;
  }

  // Rule 2: notice applies to the first start.
  if (first.start < problem.now + problem.minNoticeMinutes) return "starts before notice";

  // Rule 4: the whole block inside one candidate window.
  const available = problem.candidate?.available;
  if (available !== undefined) {
    const block = { start: option.start, end: option.end };
    if (!available.some((window) => within(block, window))) return "outside candidate windows";
  }

  const taken = new Set<string>();
  for (const [index, scheduled] of sessions.entries()) {
    const spec = problem.sessions.find((session) => session.id === scheduled.id);
    if (spec === undefined) return `unknown session ${scheduled.id}`;
    const reason = scheduledProblem(problem, spec, scheduled);
    if (reason !== null) return reason;
    // Rule 3: chronological, each next start 0..maxGap after the previous end.
    const previous = sessions[index - 1];
    if (previous !== undefined) {
      const gap = scheduled.start - previous.end;
      if (gap < 0 || gap > problem.maxGapMinutes) return `${scheduled.id}: gap ${gap}`;
    }
    // Rule 5: nobody in two sessions of one option.
    for (const id of scheduled.interviewers) {
      if (taken.has(id)) return `${id} in two sessions`;
      taken.add(id);
    }
  }
  return null;
}

/** Rules that concern one session alone: range, duration and its interviewers. */
function scheduledProblem(
  problem: EngineProblem,
  spec: EngineSession,
  scheduled: ScheduledSession,
): string | null {
  const { id, start, end, interviewers } = scheduled;
  if (end - start !== spec.durationMinutes) return `${id}: wrong duration`;
  if (start < problem.range.start || end > problem.range.end) return `${id}: outside range`;
  if (interviewers.length !== spec.count) return `${id}: needs ${spec.count} interviewers`;
  if (new Set(interviewers).size !== interviewers.length) return `${id}: repeated interviewer`;
  for (const personId of interviewers) {
    if (!spec.interviewers.includes(personId)) return `${id}: ${personId} not in pool`;
    const person = participant(problem, personId);
    if (person === undefined) return `${id}: unknown participant ${personId}`;
    const reason = interviewerProblem(problem, person, start, end);
    if (reason !== null) return `${id}: ${reason}`;
  }
  return null;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const result: T[][] = [];
  for (const [index, item] of items.entries()) {
    const rest = [...items.slice(0, index), ...items.slice(index + 1)];
    for (const tail of permutations(rest)) result.push([item, ...tail]);
  }
  return result;
}

function combinations<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const result: T[][] = [];
  for (const [index, item] of items.entries()) {
    for (const tail of combinations(items.slice(index + 1), size - 1)) result.push([item, ...tail]);
  }
  return result;
}

/**
 * Every feasible option that starts at `start`, by brute force; stops after `max` options.
 * Orders, gaps and interviewers are enumerated; a partial block is dropped only when a rule
 * about the part already placed fails.
 */
export function oracleOptionsAt(problem: EngineProblem, start: number, max = 1): SlotOption[] {
  const found: SlotOption[] = [];
  if (start < problem.now + problem.minNoticeMinutes) return found;
  if (!onGrid(problem, start)) return found;
  const orders = problem.order === "any" ? permutations(problem.sessions) : [[...problem.sessions]];
  const available = problem.candidate?.available;

  const fitsPerson = (personId: string, from: number, to: number): boolean => {
    const person = participant(problem, personId);
    return person !== undefined && interviewerProblem(problem, person, from, to) === null;
  };

  const assign = (placed: ScheduledSession[], index: number, used: Set<string>): void => {
    if (found.length >= max) return;
    const session = placed[index];
    if (session === undefined) {
      const option: SlotOption = {
        start,
        end: placed[placed.length - 1]?.end ?? start,
        score: 0,
        sessions: placed.map((s) => ({ ...s, interviewers: [...s.interviewers] })),
      };
      const reason = isFeasibleOption(problem, option);
      if (reason !== null) throw new Error(`oracle built an infeasible option: ${reason}`);
      found.push(option);
      return;
    }
    const spec = problem.sessions.find((s) => s.id === session.id);
    if (spec === undefined) return;
    const free = spec.interviewers.filter(
      (id) => !used.has(id) && fitsPerson(id, session.start, session.end),
    );
    for (const chosen of combinations(free, spec.count)) {
      session.interviewers = chosen;
      assign(placed, index + 1, new Set([...used, ...chosen]));
    }
  };

  const place = (order: EngineSession[], placed: ScheduledSession[], at: number): void => {
    if (found.length >= max) return;
    const spec = order[placed.length];
    if (spec === undefined) {
      assign(
        placed.map((s) => ({ ...s })),
        0,
        new Set(),
      );
      return;
    }
    const end = at + spec.durationMinutes;
    if (at < problem.range.start || end > problem.range.end || !onGrid(problem, at)) return;
    if (available !== undefined && !available.some((w) => within({ start, end }, w))) return;
    const fitting = spec.interviewers.filter((id) => fitsPerson(id, at, end));
    if (new Set(fitting).size < spec.count) return;
    const next = [...placed, { id: spec.id, start: at, end, interviewers: [] }];
    if (placed.length + 1 === order.length) {
      place(order, next, end);
      return;
    }
    for (let gap = 0; gap <= problem.maxGapMinutes; gap++) place(order, next, end + gap);
  };

  for (const order of orders) place(order, [], start);
  return found;
}

/**
 * Every feasible block start, ascending, each once: `ally slots --all` by brute force.
 * @example oracleAllStarts(problem) // [29403840, 29403855]
 */
export function oracleAllStarts(problem: EngineProblem): number[] {
  const starts: number[] = [];
  for (let minute = problem.range.start; minute < problem.range.end; minute++) {
    if (oracleOptionsAt(problem, minute).length > 0) starts.push(minute);
  }
  return starts;
}
