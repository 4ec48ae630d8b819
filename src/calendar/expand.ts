/**
 * Occurrences of a calendar's events in a window, and busy time (spec/slots.md, point 6).
 *
 * A series is expanded in its own wall-clock time (the DTSTART zone; the participant's zone
 * for all-day and floating series; UTC for UTC series) on plain integers, and each start is
 * turned into an instant through cached zone offsets. Overrides (RECURRENCE-ID) replace the
 * instance they name, wherever they moved it; RANGE=THISANDFUTURE shifts the rest of the series.
 */
import { type ZoneRules, zoneRules } from "../engine/zone.js";
import type {
  CalendarEvent,
  CalendarProblem,
  EpochMsInterval,
  ICalendar,
  NominalDuration,
  TimeValue,
} from "./ical.js";
import { timeValueToEpochMs } from "./ical.js";
import {
  defaultUntilLocalSeconds,
  expandRecurrence,
  needsFullCount,
  type RecurrenceRule,
  SECONDS_PER_DAY,
} from "./recurrence.js";

export interface Occurrence {
  uid: string;
  summary?: string;
  startEpochMs: number;
  endEpochMs: number;
  /** Date-only DTSTART. */
  allDay: boolean;
  /** TRANSP:TRANSPARENT. */
  transparent: boolean;
  /** STATUS:CANCELLED. */
  cancelled: boolean;
  /** Epoch ms of the original (RECURRENCE-ID) start, for instances of a recurring series. */
  recurrenceId?: number;
}

export interface ExpandOptions {
  /** IANA zone for all-day and floating times (the participant's zone). */
  zone: string;
}

/** 14 hours: no zone is further from UTC, so a local bound widened by it is safe. */
const MAX_OFFSET_SECONDS = 14 * 3600;

interface Length {
  /** Calendar days added in local time. */
  days: number;
  /** Exact milliseconds added after that. */
  exactMs: number;
}

const DAY_MS = 86_400_000;
const offsetCaches = new WeakMap<ZoneRules, Map<number, number>>();

/**
 * `zone.localToEpochMs` with a per-zone memo of local days that have no offset change within
 * two days either side (nearly all of them): those convert with one map lookup.
 */
function localConverter(zone: ZoneRules): (localMs: number) => number {
  let cache = offsetCaches.get(zone);
  if (cache === undefined) {
    cache = new Map();
    offsetCaches.set(zone, cache);
  }
  const days = cache;
  return (localMs) => {
    const day = Math.floor(localMs / DAY_MS);
    let offset = days.get(day);
    if (offset === undefined) {
      const before = zone.offsetMsAt((day - 2) * DAY_MS);
      const after = zone.offsetMsAt((day + 3) * DAY_MS);
      offset = before === after ? before : Number.NaN;
      days.set(day, offset);
    }
    return Number.isNaN(offset) ? zone.localToEpochMs(localMs) : localMs - offset;
  };
}

function frameOf(start: TimeValue, participant: ZoneRules, utc: ZoneRules): ZoneRules {
  if (start.kind === "zoned") return start.zone;
  if (start.kind === "utc") return utc;
  return participant;
}

/** A time value in the local seconds of `frame`. */
function toFrameLocal(value: TimeValue, frame: ZoneRules, participant: ZoneRules): number {
  if (value.kind === "zoned" && value.zone === frame) return value.local;
  if (value.kind === "date" || value.kind === "floating") return value.local;
  const epochMs = timeValueToEpochMs(value, participant);
  return Math.floor((epochMs + frame.offsetMsAt(epochMs)) / 1000);
}

function lengthOf(event: CalendarEvent, participant: ZoneRules): Length {
  const start = event.start;
  if (event.end !== undefined) {
    if (start.kind === "date" && event.end.kind === "date") {
      return { days: Math.round((event.end.local - start.local) / SECONDS_PER_DAY), exactMs: 0 };
    }
    const ms = timeValueToEpochMs(event.end, participant) - timeValueToEpochMs(start, participant);
    return { days: 0, exactMs: Math.max(0, ms) };
  }
  if (event.duration !== undefined) return durationLength(event.duration);
  // RFC 5545 3.6.1: no DTEND and no DURATION: one day for a date, else no time at all.
  return start.kind === "date" ? { days: 1, exactMs: 0 } : { days: 0, exactMs: 0 };
}

function durationLength(d: NominalDuration): Length {
  return { days: d.days, exactMs: d.seconds * 1000 };
}

function endOf(
  startLocal: number,
  startMs: number,
  length: Length,
  frame: ZoneRules,
  toEpochMs: (localMs: number) => number = (l) => frame.localToEpochMs(l),
): number {
  if (length.days === 0) return startMs + length.exactMs;
  return toEpochMs((startLocal + length.days * SECONDS_PER_DAY) * 1000) + length.exactMs;
}

function lengthBoundMs(length: Length): number {
  return length.days * 86_400_000 + length.exactMs + 2 * MAX_OFFSET_SECONDS * 1000;
}

function overlaps(start: number, end: number, window: EpochMsInterval): boolean {
  if (end > start) return start < window.endEpochMs && end > window.startEpochMs;
  return start >= window.startEpochMs && start < window.endEpochMs;
}

/** Full instance lists of COUNT rules that cannot be counted arithmetically, per DTSTART. */
const fullListCache = new WeakMap<RecurrenceRule, Map<string, number[]>>();

function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function ruleStarts(
  rule: RecurrenceRule,
  dtLocal: number,
  dateOnly: boolean,
  until: number,
  from: number,
  to: number,
): number[] {
  if (!needsFullCount(rule, dtLocal, dateOnly)) {
    return expandRecurrence(rule, dtLocal, {
      dateOnly,
      untilLocalSeconds: until,
      fromLocalSeconds: from,
      toLocalSeconds: to,
    });
  }
  let perStart = fullListCache.get(rule);
  if (perStart === undefined) {
    perStart = new Map();
    fullListCache.set(rule, perStart);
  }
  const key = `${dtLocal}/${dateOnly}/${until}`;
  let all = perStart.get(key);
  if (all === undefined) {
    all = expandRecurrence(rule, dtLocal, {
      dateOnly,
      untilLocalSeconds: until,
      toLocalSeconds: Number.MAX_SAFE_INTEGER,
    });
    perStart.set(key, all);
  }
  return all.slice(lowerBound(all, from), lowerBound(all, to));
}

interface OverrideInfo {
  event: CalendarEvent;
  /** RECURRENCE-ID in the series' local seconds. */
  ridLocal: number;
  ridDateOnly: boolean;
}

interface SeriesContext {
  participant: ZoneRules;
  utc: ZoneRules;
  window: EpochMsInterval;
  out: Occurrence[];
}

function makeOccurrence(
  event: CalendarEvent,
  startEpochMs: number,
  endEpochMs: number,
  recurrenceId: number | undefined,
  allDay: boolean,
): Occurrence {
  const o: Occurrence = {
    uid: event.uid,
    startEpochMs,
    endEpochMs,
    allDay,
    transparent: event.transparent,
    cancelled: event.cancelled,
  };
  if (event.summary !== undefined) o.summary = event.summary;
  if (recurrenceId !== undefined) o.recurrenceId = recurrenceId;
  return o;
}

/** Emits a single (non-recurring) event or an override, if it meets the window. */
function emitSingle(event: CalendarEvent, recurrenceId: number | undefined, ctx: SeriesContext) {
  const frame = frameOf(event.start, ctx.participant, ctx.utc);
  const startMs = timeValueToEpochMs(event.start, ctx.participant);
  const end = endOf(event.start.local, startMs, lengthOf(event, ctx.participant), frame);
  if (overlaps(startMs, end, ctx.window)) {
    ctx.out.push(makeOccurrence(event, startMs, end, recurrenceId, event.start.kind === "date"));
  }
}

function expandSeries(master: CalendarEvent, overrides: CalendarEvent[], ctx: SeriesContext) {
  const { participant, window } = ctx;
  const frame = frameOf(master.start, participant, ctx.utc);
  const dateOnly = master.start.kind === "date";
  const dtLocal = master.start.local;
  const length = lengthOf(master, participant);
  const recurring = master.rrules.length > 0 || master.rdates.length > 0;
  const toEpochMs = localConverter(frame);

  // Overrides keyed by their RECURRENCE-ID in this series' local time; on duplicates the
  // highest SEQUENCE (then the later one in the file) wins.
  const byRid = new Map<number, OverrideInfo>();
  const ridDays = new Map<number, OverrideInfo>();
  const futures: OverrideInfo[] = [];
  for (const ov of overrides) {
    const rid = ov.recurrenceId as TimeValue;
    const info: OverrideInfo = {
      event: ov,
      // An all-day series is matched on the RECURRENCE-ID's own calendar date (Outlook writes
      // it as a date-time in its zone).
      ridLocal: dateOnly
        ? Math.floor(rid.local / SECONDS_PER_DAY) * SECONDS_PER_DAY
        : toFrameLocal(rid, frame, participant),
      ridDateOnly: rid.kind === "date",
    };
    const existing = byRid.get(info.ridLocal);
    if (existing !== undefined && existing.event.sequence > ov.sequence) continue;
    byRid.set(info.ridLocal, info);
    if (info.ridDateOnly && !dateOnly) {
      ridDays.set(Math.floor(info.ridLocal / SECONDS_PER_DAY), info);
    }
  }
  for (const info of byRid.values()) if (info.event.thisAndFuture) futures.push(info);
  futures.sort((a, b) => a.ridLocal - b.ridLocal);

  // Local bounds wide enough for any offset, the event's length and THISANDFUTURE shifts.
  let shiftMarginMs = 0;
  for (const f of futures) {
    const shift = Math.abs(
      timeValueToEpochMs(f.event.start, participant) - frame.localToEpochMs(f.ridLocal * 1000),
    );
    const fLen = lengthOf(f.event, participant);
    shiftMarginMs = Math.max(shiftMarginMs, shift + lengthBoundMs(fLen));
  }
  let maxLengthMs = lengthBoundMs(length);
  for (const rd of master.rdates) {
    if (rd.end !== undefined) {
      const l = timeValueToEpochMs(rd.end, participant) - timeValueToEpochMs(rd.value, participant);
      maxLengthMs = Math.max(maxLengthMs, l + 2 * MAX_OFFSET_SECONDS * 1000);
    } else if (rd.duration !== undefined) {
      maxLengthMs = Math.max(maxLengthMs, lengthBoundMs(durationLength(rd.duration)));
    }
  }
  const from =
    Math.floor((window.startEpochMs - maxLengthMs - shiftMarginMs) / 1000) - MAX_OFFSET_SECONDS;
  const to = Math.ceil((window.endEpochMs + shiftMarginMs) / 1000) + MAX_OFFSET_SECONDS + 1;

  // Starts in local seconds, and RDATE periods' own lengths.
  let starts: number[];
  let periodEnds: Map<number, number> | undefined;
  if (!recurring) {
    starts = dtLocal >= from && dtLocal < to ? [dtLocal] : [];
  } else {
    starts = dtLocal >= from && dtLocal < to ? [dtLocal] : [];
    for (const rule of master.rrules) {
      let until = defaultUntilLocalSeconds(rule, dateOnly);
      if (rule.until?.utc && frame !== ctx.utc) {
        const ms = rule.until.localSeconds * 1000;
        if (dateOnly) {
          // Outlook ends an all-day series at the organizer's local midnight written in UTC:
          // keep the day that UNTIL falls on anywhere on Earth.
          const day = Math.floor((rule.until.localSeconds + MAX_OFFSET_SECONDS) / SECONDS_PER_DAY);
          until = day * SECONDS_PER_DAY;
        } else {
          until = Math.floor((ms + frame.offsetMsAt(ms)) / 1000);
        }
      }
      for (const s of ruleStarts(rule, dtLocal, dateOnly, until, from, to)) starts.push(s);
    }
    for (const rd of master.rdates) {
      const s = toFrameLocal(rd.value, frame, participant);
      if (s < from || s >= to) continue;
      starts.push(s);
      if (rd.end !== undefined || rd.duration !== undefined) {
        periodEnds ??= new Map();
        const startMs = frame.localToEpochMs(s * 1000);
        const endMs =
          rd.end !== undefined
            ? timeValueToEpochMs(rd.end, participant)
            : endOf(s, startMs, durationLength(rd.duration as NominalDuration), frame);
        periodEnds.set(s, endMs - startMs);
      }
    }
    if (starts.length > 1) {
      starts.sort((a, b) => a - b);
      let w = 1;
      for (let r = 1; r < starts.length; r++) {
        if (starts[r] !== starts[w - 1]) starts[w++] = starts[r] as number;
      }
      starts.length = w;
    }
  }

  let exact: Set<number> | undefined;
  let exDays: Set<number> | undefined;
  for (const ex of master.exdates) {
    if (ex.kind === "date" && !dateOnly) {
      exDays ??= new Set();
      exDays.add(Math.floor(ex.local / SECONDS_PER_DAY));
    } else {
      exact ??= new Set();
      exact.add(toFrameLocal(ex, frame, participant));
    }
  }

  const out = ctx.out;
  const hasOverrides = byRid.size > 0;
  for (const s of starts) {
    if (exact?.has(s)) continue;
    if (exDays?.has(Math.floor(s / SECONDS_PER_DAY))) continue;
    if (hasOverrides) {
      if (byRid.has(s)) continue;
      const dayOverride = ridDays.get(Math.floor(s / SECONDS_PER_DAY));
      if (dayOverride !== undefined) continue;
    }
    const originalMs = toEpochMs(s * 1000);
    let event = master;
    let startMs = originalMs;
    let endMs: number;
    let future: OverrideInfo | undefined;
    for (let i = futures.length - 1; i >= 0 && hasOverrides; i--) {
      const f = futures[i] as OverrideInfo;
      if (f.ridLocal < s) {
        future = f;
        break;
      }
    }
    if (future !== undefined) {
      // RFC 5545 3.8.4.4: THISANDFUTURE applies the override's shift and length to later instances.
      event = future.event;
      const fStart = timeValueToEpochMs(future.event.start, participant);
      startMs = originalMs + (fStart - frame.localToEpochMs(future.ridLocal * 1000));
      const fLen = lengthOf(future.event, participant);
      endMs =
        fLen.days === 0
          ? startMs + fLen.exactMs
          : startMs +
            (endOf(
              future.event.start.local,
              fStart,
              fLen,
              frameOf(future.event.start, participant, ctx.utc),
            ) -
              fStart);
    } else {
      const periodLength = periodEnds?.get(s);
      endMs =
        periodLength !== undefined
          ? startMs + periodLength
          : endOf(s, startMs, length, frame, toEpochMs);
    }
    if (!overlaps(startMs, endMs, window)) continue;
    out.push(makeOccurrence(event, startMs, endMs, recurring ? originalMs : undefined, dateOnly));
  }
  for (const info of byRid.values()) {
    emitSingle(info.event, frame.localToEpochMs(info.ridLocal * 1000), ctx);
  }
}

function byStart(a: Occurrence, b: Occurrence): number {
  return a.startEpochMs - b.startEpochMs;
}

/**
 * Sorts by start; equal starts keep the order of the events in the file (stable). A comparator
 * sort of many objects is slow, so starts are packed with their index into one float key and
 * sorted natively when that is exact.
 */
function sortOccurrences(list: Occurrence[]): void {
  const n = list.length;
  if (n < 64) {
    list.sort(byStart);
    return;
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const o of list) {
    if (o.startEpochMs < min) min = o.startEpochMs;
    if (o.startEpochMs > max) max = o.startEpochMs;
  }
  const scale = 2 ** Math.ceil(Math.log2(n + 1));
  if ((max - min + 1) * scale >= Number.MAX_SAFE_INTEGER) {
    list.sort(byStart);
    return;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = ((list[i] as Occurrence).startEpochMs - min) * scale + i;
  keys.sort();
  const copy = list.slice();
  for (let i = 0; i < n; i++) list[i] = copy[(keys[i] as number) % scale] as Occurrence;
}

interface Grouped {
  masters: CalendarEvent[];
  overrides: Map<string, CalendarEvent[]>;
}

const groupCache = new WeakMap<ICalendar, { events: CalendarEvent[]; grouped: Grouped }>();

function group(calendar: ICalendar): Grouped {
  const cached = groupCache.get(calendar);
  if (cached !== undefined && cached.events === calendar.events) return cached.grouped;
  const masters: CalendarEvent[] = [];
  const masterIndex = new Map<string, number>();
  const overrides = new Map<string, CalendarEvent[]>();
  for (const event of calendar.events) {
    if (event.recurrenceId === undefined) {
      // The same event written twice (same UID and start): the highest SEQUENCE, then the
      // later one, wins.
      const key = `${event.uid}\u0000${event.start.kind}\u0000${event.start.local}`;
      const at = masterIndex.get(key);
      if (at === undefined) {
        masterIndex.set(key, masters.length);
        masters.push(event);
      } else if ((masters[at] as CalendarEvent).sequence <= event.sequence) {
        masters[at] = event;
      }
    } else {
      let list = overrides.get(event.uid);
      if (list === undefined) {
        list = [];
        overrides.set(event.uid, list);
      }
      list.push(event);
    }
  }
  const grouped = { masters, overrides };
  groupCache.set(calendar, { events: calendar.events, grouped });
  return grouped;
}

/**
 * Occurrences that overlap `window` (start < window end and end > window start), plus
 * zero-length ones with window start <= start < window end, sorted by start. Date-only and
 * floating times are read in `options.zone` (IANA) unless the calendar says otherwise
 * (X-WR-TIMEZONE for floating times).
 *
 * @example
 * // Busy week of Mon 2 Mar 2026 in Berlin
 * expandOccurrences(calendar, { startEpochMs: Date.UTC(2026, 2, 2), endEpochMs: Date.UTC(2026, 2, 9) }, { zone: "Europe/Berlin" })
 * @throws RangeError when `options.zone` is not an IANA zone.
 */
export function expandOccurrences(
  calendar: ICalendar,
  window: EpochMsInterval,
  options: ExpandOptions,
): { occurrences: Occurrence[]; problems: CalendarProblem[] } {
  const participant = zoneRules(options.zone);
  const ctx: SeriesContext = { participant, utc: zoneRules("UTC"), window, out: [] };
  const problems: CalendarProblem[] = [];
  if (window.endEpochMs <= window.startEpochMs) return { occurrences: [], problems };
  const { masters, overrides } = group(calendar);
  const claimed = new Set<string>();
  for (const master of masters) {
    const own = overrides.get(master.uid);
    if (own !== undefined) claimed.add(master.uid);
    expandSeries(master, own ?? [], ctx);
  }
  // Overrides whose series is not in this calendar stand on their own.
  for (const [uid, list] of overrides) {
    if (claimed.has(uid)) continue;
    for (const ov of list) {
      emitSingle(ov, timeValueToEpochMs(ov.recurrenceId as TimeValue, participant), ctx);
    }
  }
  sortOccurrences(ctx.out);
  return { occurrences: ctx.out, problems };
}

/**
 * Busy time: occurrences that are neither transparent nor cancelled, clipped to the window,
 * merged and sorted. Intervals are half-open; zero-length occurrences are busy for nothing.
 */
export function busyIntervals(
  calendar: ICalendar,
  window: EpochMsInterval,
  options: ExpandOptions,
): { busy: EpochMsInterval[]; problems: CalendarProblem[] } {
  const { occurrences, problems } = expandOccurrences(calendar, window, options);
  const busy: EpochMsInterval[] = [];
  for (const o of occurrences) {
    if (o.transparent || o.cancelled) continue;
    const start = Math.max(o.startEpochMs, window.startEpochMs);
    const end = Math.min(o.endEpochMs, window.endEpochMs);
    if (end <= start) continue;
    const last = busy[busy.length - 1];
    if (last !== undefined && start <= last.endEpochMs) {
      if (end > last.endEpochMs) last.endEpochMs = end;
    } else {
      busy.push({ startEpochMs: start, endEpochMs: end });
    }
  }
  return { busy, problems };
}
