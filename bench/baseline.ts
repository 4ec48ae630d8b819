/**
 * The comparison baseline: a loop scheduler written the way it is usually written. For every
 * 15-minute candidate start it walks the sessions in order; for each session it tries the pool
 * members in turn, makes Date objects for the slot, reads their local time with
 * Intl.DateTimeFormat for the working-hours test, checks every busy interval with a nested loop,
 * and takes the first free people (greedy assignment).
 *
 * What it cannot express, compared with Ally: exact staffing (greedy assignment can give a
 * person to an early session whom a later session needed, and then misses a feasible start);
 * sessions in any order; gaps between sessions; per-day and per-week interview limits. The
 * benchmark queries use none of the last three, so only the first makes answers differ.
 */
import type { WorkingHoursSpan } from "../src/engine/types.js";
import type { Interviewer, LoopQuery, MsInterval } from "./org.js";

interface PeerBusy {
  start: Date;
  end: Date;
}

interface PeerPerson {
  id: string;
  timeZone: string;
  workingHours: WorkingHoursSpan[];
  busy: PeerBusy[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAY_CODE: Record<string, string> = {
  Mon: "MO",
  Tue: "TU",
  Wed: "WE",
  Thu: "TH",
  Fri: "FR",
  Sat: "SA",
  Sun: "SU",
};

interface LocalParts {
  date: string;
  weekday: string;
  minutes: number;
}

function localParts(date: Date, zone: string): LocalParts {
  let y = "";
  let mo = "";
  let d = "";
  let weekday = "";
  let hour = 0;
  let minute = 0;
  for (const part of formatter(zone).formatToParts(date)) {
    switch (part.type) {
      case "year":
        y = part.value;
        break;
      case "month":
        mo = part.value;
        break;
      case "day":
        d = part.value;
        break;
      case "weekday":
        weekday = WEEKDAY_CODE[part.value] ?? "";
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        minute = Number(part.value);
        break;
    }
  }
  return { date: `${y}-${mo}-${d}`, weekday, minutes: hour * 60 + minute };
}

const toMinutes = (text: string): number => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));

function withinWorkingHours(person: PeerPerson, start: Date, end: Date): boolean {
  const s = localParts(start, person.timeZone);
  const e = localParts(end, person.timeZone);
  const sameDay = s.date === e.date;
  for (const span of person.workingHours) {
    if (!span.days.includes(s.weekday as WorkingHoursSpan["days"][number])) continue;
    const spanStart = toMinutes(span.start);
    const spanEnd = toMinutes(span.end);
    if (s.minutes < spanStart) continue;
    if (sameDay && e.minutes <= spanEnd) return true;
    if (!sameDay && e.minutes === 0 && spanEnd === 1440) return true;
  }
  return false;
}

function isFree(person: PeerPerson, start: Date, end: Date, bufferMs: number): boolean {
  if (!withinWorkingHours(person, start, end)) return false;
  const from = start.getTime() - bufferMs;
  const to = end.getTime() + bufferMs;
  for (const b of person.busy) {
    if (b.start.getTime() < to && b.end.getTime() > from) return false;
  }
  return true;
}

function busyInRange(busy: readonly MsInterval[], from: number, to: number): PeerBusy[] {
  const out: PeerBusy[] = [];
  for (const b of busy) {
    if (b.endEpochMs > from && b.startEpochMs < to) {
      out.push({ start: new Date(b.startEpochMs), end: new Date(b.endEpochMs) });
    }
  }
  return out;
}

export interface PeerSlot {
  startEpochMs: number;
  /** Interviewer ids per session, in session order. */
  interviewers: string[][];
}

/**
 * Every start the baseline finds feasible, ascending. With `exact`, staffing is decided by an
 * exact matching instead of greedily (used only to check the two implementations agree).
 */
export function peerSlots(
  query: LoopQuery,
  people: readonly Interviewer[],
  exact = false,
): PeerSlot[] {
  const bufferMs = query.bufferMinutes * 60_000;
  const persons = new Map<number, PeerPerson>();
  for (const index of query.pool) {
    const iv = people[index] as Interviewer;
    persons.set(index, {
      id: iv.id,
      timeZone: iv.timeZone,
      workingHours: iv.workingHours,
      busy: busyInRange(iv.busyMs, query.rangeStartMs - bufferMs, query.rangeEndMs + bufferMs),
    });
  }
  const total = query.sessions.reduce((n, s) => n + s.durationMinutes, 0) * 60_000;
  const earliest = query.nowMs + query.minNoticeMinutes * 60_000;
  const step = query.granularityMinutes * 60_000;
  const slots: PeerSlot[] = [];
  for (let t = query.rangeStartMs; t + total <= query.rangeEndMs; t += step) {
    if (t < earliest) continue;
    if (
      query.candidate !== undefined &&
      !query.candidate.available.some((w) => w.startEpochMs <= t && t + total <= w.endEpochMs)
    ) {
      continue;
    }
    const slot = exact
      ? exactSlot(query, persons, t, bufferMs)
      : greedySlot(query, persons, t, bufferMs);
    if (slot !== undefined) slots.push(slot);
  }
  return slots;
}

function greedySlot(
  query: LoopQuery,
  persons: Map<number, PeerPerson>,
  t: number,
  bufferMs: number,
): PeerSlot | undefined {
  const used = new Set<string>();
  const interviewers: string[][] = [];
  let s = t;
  for (const session of query.sessions) {
    const chosen: string[] = [];
    for (const index of session.interviewers) {
      const person = persons.get(index) as PeerPerson;
      if (used.has(person.id)) continue;
      const start = new Date(s);
      const end = new Date(s + session.durationMinutes * 60_000);
      if (isFree(person, start, end, bufferMs)) {
        chosen.push(person.id);
        if (chosen.length === session.count) break;
      }
    }
    if (chosen.length < session.count) return undefined;
    for (const id of chosen) used.add(id);
    interviewers.push(chosen);
    s += session.durationMinutes * 60_000;
  }
  return { startEpochMs: t, interviewers };
}

/** The same availability test, with staffing by augmenting paths (exact). */
function exactSlot(
  query: LoopQuery,
  persons: Map<number, PeerPerson>,
  t: number,
  bufferMs: number,
): PeerSlot | undefined {
  const free: string[][] = [];
  let s = t;
  for (const session of query.sessions) {
    const list: string[] = [];
    for (const index of session.interviewers) {
      const person = persons.get(index) as PeerPerson;
      const end = new Date(s + session.durationMinutes * 60_000);
      if (isFree(person, new Date(s), end, bufferMs)) list.push(person.id);
    }
    if (list.length < session.count) return undefined;
    free.push(list);
    s += session.durationMinutes * 60_000;
  }
  const seats: number[] = [];
  query.sessions.forEach((session, i) => {
    for (let c = 0; c < session.count; c++) seats.push(i);
  });
  const holder = new Map<string, number>();
  const occupant: string[] = [];
  const augment = (seat: number, seen: Set<string>): boolean => {
    for (const id of free[seats[seat] as number] as string[]) {
      if (seen.has(id)) continue;
      seen.add(id);
      const held = holder.get(id);
      if (held === undefined || augment(held, seen)) {
        holder.set(id, seat);
        occupant[seat] = id;
        return true;
      }
    }
    return false;
  };
  for (let seat = 0; seat < seats.length; seat++) {
    if (!augment(seat, new Set())) return undefined;
  }
  const interviewers: string[][] = query.sessions.map(() => []);
  seats.forEach((session, seat) => {
    (interviewers[session] as string[]).push(occupant[seat] as string);
  });
  return { startEpochMs: t, interviewers };
}
