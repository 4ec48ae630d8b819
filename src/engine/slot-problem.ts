/**
 * The slot problem file (`../shared/spec/slots.md`): validation of the JSON shape into typed
 * input, and conversion to the engine's minute-based `EngineProblem`. Pure: calendar files are
 * read elsewhere and their busy time handed in.
 *
 * Every error names the field at fault, as a path like `participants[1].timeZone`.
 */
import { Temporal } from "temporal-polyfill";
import { parseClock } from "./local-time.js";
import {
  type EngineProblem,
  type LoadLimits,
  type MinuteInterval,
  type SessionOrder,
  WEEKDAYS,
  type Weekday,
  type WorkingHoursSpan,
} from "./types.js";
import { isValidTimeZone } from "./zone.js";

/** Half-open interval of exact instants in epoch milliseconds. */
export interface MsInterval {
  startEpochMs: number;
  endEpochMs: number;
}

export interface ParticipantInput {
  id: string;
  timeZone: string;
  workingHours?: WorkingHoursSpan[];
  busy: MsInterval[];
  calendars: string[];
  interviews: MsInterval[];
  limits?: LoadLimits;
}

export interface SessionInput {
  id: string;
  durationMinutes: number;
  interviewers: string[];
  count: number;
}

export interface SlotProblemInput {
  /** Undefined when the file gives no "now"; the caller supplies the clock's. */
  nowEpochMs?: number;
  range: MsInterval;
  timeZone: string;
  granularityMinutes: number;
  minNoticeMinutes: number;
  bufferMinutes: number;
  order: SessionOrder;
  maxGapMinutes: number;
  limit: number;
  participants: ParticipantInput[];
  candidate?: { timeZone?: string; available?: MsInterval[] };
  sessions: SessionInput[];
}

export interface FieldError {
  /** Path of the field at fault, e.g. `participants[1].timeZone`; empty for the whole file. */
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: FieldError };

class InvalidField extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: Json, field: string): Record<string, Json> {
  if (!isObject(value)) throw new InvalidField(field, "must be an object");
  return value;
}

function array(value: Json, field: string): Json[] {
  if (!Array.isArray(value)) throw new InvalidField(field, "must be an array");
  return value;
}

function string(value: Json, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidField(field, "must be a non-empty string");
  }
  return value;
}

/**
 * The largest value each number of a problem may take. Larger ones describe no real interview
 * and would only make the engine (or the calendar reading around it) do absurd work.
 */
export const SLOT_PROBLEM_MAXIMA = {
  granularityMinutes: 1440, // one day
  minNoticeMinutes: 527_040, // 366 days
  bufferMinutes: 1440,
  maxGapMinutes: 10_080, // one week
  limit: 1000,
  durationMinutes: 1440,
  count: 100,
  perDay: 1000,
  perWeek: 1000,
  /** The range, in days. */
  rangeDays: 366,
  sessions: 50,
} as const;

function integer(value: Json, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidField(field, `must be an integer of at least ${min}`);
  }
  if (value > max) throw new InvalidField(field, `must be at most ${max}`);
  return value;
}

function instant(value: Json, field: string): number {
  if (typeof value !== "string") {
    throw new InvalidField(field, "must be an RFC 3339 instant such as 2026-12-01T14:00:00Z");
  }
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new InvalidField(
      field,
      `"${value}" is not an RFC 3339 instant with an offset or Z (e.g. 2026-12-01T14:00:00Z)`,
    );
  }
  try {
    return Temporal.Instant.from(value).epochMilliseconds;
  } catch {
    throw new InvalidField(field, `"${value}" is not a valid instant`);
  }
}

function interval(value: Json, field: string): MsInterval {
  const o = object(value, field);
  const startEpochMs = instant(o.start, `${field}.start`);
  const endEpochMs = instant(o.end, `${field}.end`);
  if (endEpochMs < startEpochMs) throw new InvalidField(`${field}.end`, "is before start");
  return { startEpochMs, endEpochMs };
}

function intervals(value: Json, field: string): MsInterval[] {
  if (value === undefined) return [];
  return array(value, field).map((item, i) => interval(item, `${field}[${i}]`));
}

function zone(value: Json, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  const name = string(value, field);
  if (!isValidTimeZone(name)) throw new InvalidField(field, `unknown time zone "${name}"`);
  return name;
}

function workingHours(value: Json, field: string): WorkingHoursSpan[] | undefined {
  if (value === undefined) return undefined;
  return array(value, field).map((item, i) => {
    const path = `${field}[${i}]`;
    const o = object(item, path);
    const days = array(o.days, `${path}.days`).map((day, d) => {
      if (typeof day !== "string" || !(WEEKDAYS as string[]).includes(day)) {
        throw new InvalidField(`${path}.days[${d}]`, "must be one of MO, TU, WE, TH, FR, SA, SU");
      }
      return day as Weekday;
    });
    const clock = (v: Json, f: string): string => {
      if (typeof v !== "string" || parseClock(v) === undefined) {
        throw new InvalidField(f, 'must be a local time "HH:MM" between 00:00 and 24:00');
      }
      return v;
    };
    return { days, start: clock(o.start, `${path}.start`), end: clock(o.end, `${path}.end`) };
  });
}

function limits(value: Json, field: string): LoadLimits | undefined {
  if (value === undefined) return undefined;
  const o = object(value, field);
  const result: LoadLimits = {};
  if (o.perDay !== undefined) {
    result.perDay = integer(o.perDay, `${field}.perDay`, 0, SLOT_PROBLEM_MAXIMA.perDay);
  }
  if (o.perWeek !== undefined) {
    result.perWeek = integer(o.perWeek, `${field}.perWeek`, 0, SLOT_PROBLEM_MAXIMA.perWeek);
  }
  return result;
}

/**
 * Validates a parsed JSON value as a slot problem.
 * @example parseSlotProblem(JSON.parse(text)) // { ok: true, value: { range, sessions, … } }
 */
export function parseSlotProblem(json: Json): Parsed<SlotProblemInput> {
  try {
    return { ok: true, value: readProblem(json) };
  } catch (error) {
    if (error instanceof InvalidField) {
      return { ok: false, error: { field: error.field, message: error.message } };
    }
    throw error;
  }
}

function readProblem(json: Json): SlotProblemInput {
  const root = object(json, "");
  const range = interval(root.range, "range");
  if (range.endEpochMs <= range.startEpochMs)
    throw new InvalidField("range.end", "must be after range.start");
  if (range.endEpochMs - range.startEpochMs > SLOT_PROBLEM_MAXIMA.rangeDays * 86_400_000) {
    throw new InvalidField(
      "range.end",
      `must be at most ${SLOT_PROBLEM_MAXIMA.rangeDays} days after range.start`,
    );
  }
  const timeZone = zone(root.timeZone, "timeZone", "UTC");
  const order = root.order ?? "fixed";
  if (order !== "fixed" && order !== "any")
    throw new InvalidField("order", 'must be "fixed" or "any"');

  const participantIds = new Set<string>();
  const participants = array(root.participants ?? [], "participants").map((item, i) => {
    const path = `participants[${i}]`;
    const o = object(item, path);
    const id = string(o.id, `${path}.id`);
    if (participantIds.has(id))
      throw new InvalidField(`${path}.id`, `duplicate participant id "${id}"`);
    participantIds.add(id);
    const participant: ParticipantInput = {
      id,
      timeZone: zone(o.timeZone, `${path}.timeZone`, timeZone),
      busy: intervals(o.busy, `${path}.busy`),
      calendars:
        o.calendars === undefined
          ? []
          : array(o.calendars, `${path}.calendars`).map((c, k) =>
              string(c, `${path}.calendars[${k}]`),
            ),
      interviews: intervals(o.interviews, `${path}.interviews`),
    };
    const hours = workingHours(o.workingHours, `${path}.workingHours`);
    if (hours !== undefined) participant.workingHours = hours;
    const participantLimits = limits(o.limits, `${path}.limits`);
    if (participantLimits !== undefined) participant.limits = participantLimits;
    return participant;
  });

  const sessionIds = new Set<string>();
  const sessionList = array(root.sessions, "sessions");
  if (sessionList.length === 0)
    throw new InvalidField("sessions", "must list at least one session");
  if (sessionList.length > SLOT_PROBLEM_MAXIMA.sessions) {
    throw new InvalidField(
      "sessions",
      `must list at most ${SLOT_PROBLEM_MAXIMA.sessions} sessions`,
    );
  }
  const sessions = sessionList.map((item, i): SessionInput => {
    const path = `sessions[${i}]`;
    const o = object(item, path);
    const id = string(o.id, `${path}.id`);
    if (sessionIds.has(id)) throw new InvalidField(`${path}.id`, `duplicate session id "${id}"`);
    sessionIds.add(id);
    const interviewers = array(o.interviewers ?? [], `${path}.interviewers`).map((ref, k) => {
      const name = string(ref, `${path}.interviewers[${k}]`);
      if (!participantIds.has(name)) {
        throw new InvalidField(`${path}.interviewers[${k}]`, `unknown interviewer "${name}"`);
      }
      return name;
    });
    return {
      id,
      durationMinutes: integer(
        o.durationMinutes,
        `${path}.durationMinutes`,
        1,
        SLOT_PROBLEM_MAXIMA.durationMinutes,
      ),
      interviewers,
      count: integer(o.count, `${path}.count`, 0, SLOT_PROBLEM_MAXIMA.count, 1),
    };
  });

  let candidate: SlotProblemInput["candidate"];
  if (root.candidate !== undefined) {
    const o = object(root.candidate, "candidate");
    candidate = {};
    if (o.timeZone !== undefined) candidate.timeZone = zone(o.timeZone, "candidate.timeZone");
    if (o.available !== undefined)
      candidate.available = intervals(o.available, "candidate.available");
  }

  const problem: SlotProblemInput = {
    range,
    timeZone,
    granularityMinutes: integer(root.granularityMinutes, "granularityMinutes", 1, 1440, 15),
    minNoticeMinutes: integer(
      root.minNoticeMinutes,
      "minNoticeMinutes",
      0,
      SLOT_PROBLEM_MAXIMA.minNoticeMinutes,
      0,
    ),
    bufferMinutes: integer(
      root.bufferMinutes,
      "bufferMinutes",
      0,
      SLOT_PROBLEM_MAXIMA.bufferMinutes,
      0,
    ),
    order,
    maxGapMinutes: integer(
      root.maxGapMinutes,
      "maxGapMinutes",
      0,
      SLOT_PROBLEM_MAXIMA.maxGapMinutes,
      0,
    ),
    limit: integer(root.limit, "limit", 0, SLOT_PROBLEM_MAXIMA.limit, 10),
    participants,
    sessions,
  };
  if (root.now !== undefined) problem.nowEpochMs = instant(root.now, "now");
  if (candidate !== undefined) problem.candidate = candidate;
  return problem;
}

const MS_PER_MINUTE = 60_000;
const floorMinute = (ms: number): number => Math.floor(ms / MS_PER_MINUTE);
const ceilMinute = (ms: number): number => Math.ceil(ms / MS_PER_MINUTE);

/** Busy time grows outwards to whole minutes: it blocks every minute it touches. */
function busyMinutes(i: MsInterval): MinuteInterval {
  return { start: floorMinute(i.startEpochMs), end: ceilMinute(i.endEpochMs) };
}

/** Windows shrink inwards to whole minutes: only whole minutes inside them are allowed. */
function windowMinutes(i: MsInterval): MinuteInterval {
  return { start: ceilMinute(i.startEpochMs), end: floorMinute(i.endEpochMs) };
}

/**
 * The engine's view of a problem. `calendarBusy` gives, per participant id, the busy time read
 * from their calendar files; `nowEpochMs` is used when the file gives no "now".
 */
export function toEngineProblem(
  input: SlotProblemInput,
  calendarBusy: ReadonlyMap<string, MsInterval[]>,
  nowEpochMs: number,
): EngineProblem {
  const problem: EngineProblem = {
    now: ceilMinute(input.nowEpochMs ?? nowEpochMs),
    range: windowMinutes(input.range),
    timeZone: input.timeZone,
    granularityMinutes: input.granularityMinutes,
    minNoticeMinutes: input.minNoticeMinutes,
    bufferMinutes: input.bufferMinutes,
    order: input.order,
    maxGapMinutes: input.maxGapMinutes,
    limit: input.limit,
    participants: input.participants.map((p) => {
      const participant: EngineProblem["participants"][number] = {
        id: p.id,
        timeZone: p.timeZone,
        busy: [...p.busy, ...(calendarBusy.get(p.id) ?? [])].map(busyMinutes),
        interviews: p.interviews.map(busyMinutes),
      };
      if (p.workingHours !== undefined) participant.workingHours = p.workingHours;
      if (p.limits !== undefined) participant.limits = p.limits;
      return participant;
    }),
    sessions: input.sessions.map((s) => ({ ...s })),
  };
  if (input.candidate !== undefined) {
    const candidate: NonNullable<EngineProblem["candidate"]> = {};
    if (input.candidate.timeZone !== undefined) candidate.timeZone = input.candidate.timeZone;
    if (input.candidate.available !== undefined) {
      candidate.available = input.candidate.available.map(windowMinutes);
    }
    problem.candidate = candidate;
  }
  return problem;
}
