/**
 * Pure helpers of the booking module: the engine problem for a request (from profiles,
 * materialised busy time and booked slots handed in), stable option ids, and the load-limit
 * check a booking repeats under its lock. No clock, no database: "now" and rows come in.
 */

import { createHash } from "node:crypto";
import { Temporal } from "temporal-polyfill";
import { RANGE_WIDENING_DAYS } from "../engine/explain.js";
import { bestOptions } from "../engine/index.js";
import type {
  EngineProblem,
  MinuteInterval,
  SlotOption,
  WorkingHoursSpan,
} from "../engine/types.js";
import { type CandidateHours, candidateHourWindows } from "./candidate-hours.js";
import type { Option, RequestSession } from "./schemas.js";

/** Half-open interval `[start, end)` of epoch milliseconds. */
export interface MsInterval {
  start: number;
  end: number;
}

export interface InterviewerFacts {
  userId: string;
  timeZone: string;
  workingHours: WorkingHoursSpan[];
  perDayLimit: number | null;
  perWeekLimit: number | null;
  /** Calendar busy time (materialised by the sync). */
  busy: MsInterval[];
  /** Active booked slots: they block and count towards the limits. */
  booked: MsInterval[];
}

/** A session with its interviewers resolved: all of `interviewerIds`, or `count` of a pool. */
export interface ResolvedSession {
  name: string;
  durationMinutes: number;
  candidates: string[];
  count: number;
}

export interface RequestShape {
  id: string;
  order: "fixed" | "any";
  maxGapMinutes: number;
  window: MsInterval;
  timeZone: string;
  /** The candidate's hours in `timeZone`; options lie inside them. Omitted: any time. */
  candidateHours?: CandidateHours;
  sessions: ResolvedSession[];
}

/** Start grid step, minimum notice and how many options a request shows. */
export const GRANULARITY_MINUTES = 15;
export const MIN_NOTICE_MINUTES = 60;
export const OPTION_LIMIT = 10;

const MS_PER_MINUTE = 60_000;
const floorMinute = (ms: number) => Math.floor(ms / MS_PER_MINUTE);
const ceilMinute = (ms: number) => Math.ceil(ms / MS_PER_MINUTE);
/** Busy time grows outwards to whole minutes; windows shrink inwards. */
const busyMinutes = (i: MsInterval): MinuteInterval => ({
  start: floorMinute(i.start),
  end: ceilMinute(i.end),
});

/**
 * The engine's problem for a request.
 * @example bestOptions(requestProblem(shape, facts, clock.now()))
 */
export function requestProblem(
  shape: RequestShape,
  interviewers: InterviewerFacts[],
  nowEpochMs: number,
): EngineProblem {
  const range = { start: ceilMinute(shape.window.start), end: floorMinute(shape.window.end) };
  return {
    now: ceilMinute(nowEpochMs),
    range,
    timeZone: shape.timeZone,
    granularityMinutes: GRANULARITY_MINUTES,
    minNoticeMinutes: MIN_NOTICE_MINUTES,
    bufferMinutes: 0,
    order: shape.order,
    maxGapMinutes: shape.maxGapMinutes,
    limit: OPTION_LIMIT,
    participants: interviewers.map((p) => {
      const participant: EngineProblem["participants"][number] = {
        id: p.userId,
        timeZone: p.timeZone,
        workingHours: p.workingHours,
        busy: [...p.busy, ...p.booked].map(busyMinutes),
        interviews: p.booked.map(busyMinutes),
      };
      const limits: { perDay?: number; perWeek?: number } = {};
      if (p.perDayLimit !== null) limits.perDay = p.perDayLimit;
      if (p.perWeekLimit !== null) limits.perWeek = p.perWeekLimit;
      if (limits.perDay !== undefined || limits.perWeek !== undefined) participant.limits = limits;
      return participant;
    }),
    candidate:
      shape.candidateHours === undefined
        ? { timeZone: shape.timeZone }
        : {
            timeZone: shape.timeZone,
            // Beyond the range too, so that "widen the window" is judged by the same hours.
            available: candidateHourWindows(
              { start: range.start, end: range.end + RANGE_WIDENING_DAYS * 1440 },
              shape.timeZone,
              shape.candidateHours,
            ),
          },
    sessions: shape.sessions.map((s, i) => ({
      id: String(i),
      durationMinutes: s.durationMinutes,
      interviewers: s.candidates,
      count: s.count,
    })),
  };
}

const rfc3339 = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * An option's id: a digest of the request and exactly what it books (sessions, times and
 * interviewers), so the same option gets the same id whenever it is computed.
 */
export function optionId(requestId: string, sessions: Option["sessions"]): string {
  const canonical = JSON.stringify([
    requestId,
    sessions.map((s) => [s.name, s.startsAt, s.endsAt, [...s.interviewerIds].sort()]),
  ]);
  return `opt_${createHash("sha256").update(canonical).digest("hex").slice(0, 20)}`;
}

/** The engine's option as the API shows it: RFC 3339 instants, sessions by name. */
export function toOption(shape: RequestShape, option: SlotOption): Option {
  const sessions = option.sessions.map((s) => ({
    name: shape.sessions[Number(s.id)]?.name ?? s.id,
    startsAt: rfc3339(s.start * MS_PER_MINUTE),
    endsAt: rfc3339(s.end * MS_PER_MINUTE),
    interviewerIds: [...s.interviewers],
  }));
  return {
    id: optionId(shape.id, sessions),
    startsAt: rfc3339(option.start * MS_PER_MINUTE),
    endsAt: rfc3339(option.end * MS_PER_MINUTE),
    score: Math.round(option.score * 1000) / 1000,
    sessions,
  };
}

/** One interviewer's hold on time: what a booking inserts as a booked slot. */
export interface SlotClaim {
  userId: string;
  sessionName: string;
  start: number;
  end: number;
}

/** The slots an option books: one per session and interviewer. */
export function claimsOf(option: Option): SlotClaim[] {
  return option.sessions.flatMap((s) =>
    s.interviewerIds.map((userId) => ({
      userId,
      sessionName: s.name,
      start: Date.parse(s.startsAt),
      end: Date.parse(s.endsAt),
    })),
  );
}

/** The local calendar day (`2026-12-01`) and ISO week (`2026-W49`) an instant starts in. */
export function localDayAndWeek(epochMs: number, timeZone: string): { day: string; week: string } {
  const date = Temporal.Instant.fromEpochMilliseconds(epochMs)
    .toZonedDateTimeISO(timeZone)
    .toPlainDate();
  const week = `${date.yearOfWeek}-W${String(date.weekOfYear).padStart(2, "0")}`;
  return { day: date.toString(), week };
}

export interface LimitFacts {
  userId: string;
  name: string;
  timeZone: string;
  perDayLimit: number | null;
  perWeekLimit: number | null;
  /** Starts of the person's other active booked slots (any nearby range covering the week). */
  bookedStarts: number[];
}

/**
 * The first per-day or per-week limit the new claims would break, as a sentence; undefined when
 * none. Each booked slot is one interview, counted in the local day and ISO week it starts in.
 */
export function limitViolation(person: LimitFacts, claims: SlotClaim[]): string | undefined {
  const mine = claims.filter((c) => c.userId === person.userId);
  if (mine.length === 0) return undefined;
  const existing = person.bookedStarts.map((s) => localDayAndWeek(s, person.timeZone));
  for (const claim of mine) {
    const { day, week } = localDayAndWeek(claim.start, person.timeZone);
    const added = mine.map((c) => localDayAndWeek(c.start, person.timeZone));
    if (person.perDayLimit !== null) {
      const count =
        existing.filter((e) => e.day === day).length + added.filter((a) => a.day === day).length;
      if (count > person.perDayLimit) {
        return `${person.name} would have ${count} interviews on ${day} (limit ${person.perDayLimit} a day)`;
      }
    }
    if (person.perWeekLimit !== null) {
      const count =
        existing.filter((e) => e.week === week).length +
        added.filter((a) => a.week === week).length;
      if (count > person.perWeekLimit) {
        return `${person.name} would have ${count} interviews in week ${week} (limit ${person.perWeekLimit} a week)`;
      }
    }
  }
  return undefined;
}

/** Sessions as stored, with their interviewers resolved (pools → current members). */
export function resolveSessions(
  sessions: RequestSession[],
  poolMembers: ReadonlyMap<string, string[]>,
): ResolvedSession[] {
  return sessions.map((s) =>
    s.interviewerIds !== undefined && s.interviewerIds.length > 0
      ? {
          name: s.name,
          durationMinutes: s.durationMinutes,
          candidates: s.interviewerIds,
          count: s.interviewerIds.length,
        }
      : {
          name: s.name,
          durationMinutes: s.durationMinutes,
          candidates: poolMembers.get(s.poolId ?? "") ?? [],
          count: s.count ?? 1,
        },
  );
}

/**
 * Whether one interviewer could take a booked session's exact time by the engine's own rules:
 * inside their working hours, clear of their busy time and booked slots, within their per-day
 * and per-week limits, with the usual notice. A replacement for someone who declined.
 * @example fitsExactly(facts, { start, end }, "Europe/Berlin", clock.now()) // true
 */
export function fitsExactly(
  person: InterviewerFacts,
  session: MsInterval,
  timeZone: string,
  nowEpochMs: number,
): boolean {
  const shape: RequestShape = {
    id: "replacement",
    order: "fixed",
    maxGapMinutes: 0,
    window: session,
    timeZone,
    sessions: [
      {
        name: "replacement",
        durationMinutes: Math.round((session.end - session.start) / MS_PER_MINUTE),
        candidates: [person.userId],
        count: 1,
      },
    ],
  };
  return bestOptions(requestProblem(shape, [person], nowEpochMs)).some(
    (o) => o.start * MS_PER_MINUTE === session.start,
  );
}
