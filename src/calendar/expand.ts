/**
 * Occurrences of a calendar's events in a window, and busy time (spec/slots.md, point 6).
 *
 * A series is expanded in its own wall-clock time (the DTSTART zone; the participant's zone
 * for all-day and floating series; UTC for UTC series) on plain integers, and each start is
 * turned into an instant through cached zone offsets. Overrides (RECURRENCE-ID) replace the
 * instance they name, wherever they moved it; RANGE=THISANDFUTURE shifts the rest of the series.
 * An override older than its series (lower SEQUENCE) for an instance the series no longer has
 * is left out.
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
  type ExpansionBudget,
  expandCompiled,
  expansionBudget,
  type PreparedRule,
  preparedNeedsFullCount,
  prepareRule,
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

/**
 * `zone.localToEpochMs` with a per-zone memo of local days that have no offset change within
 * two days either side (nearly all of them): those convert with one map lookup, and a run of
 * starts on the same day with none.
 */
class LocalConverter {
  readonly #zone: ZoneRules;
  readonly #fixedOffsetMs: number | undefined;
  /** Local day → offset ms, or NaN when an offset change is near. */
  readonly #offsetByDay = new Map<number, number>();
  #lastDay = Number.NaN;
  #lastOffsetMs = Number.NaN;

  constructor(zone: ZoneRules, fixedOffsetMs: number | undefined) {
    this.#zone = zone;
    this.#fixedOffsetMs = fixedOffsetMs;
  }

  toEpochMs(localMs: number): number {
    if (this.#fixedOffsetMs !== undefined) return localMs - this.#fixedOffsetMs;
    const day = Math.floor(localMs / DAY_MS);
    let offset: number | undefined;
    if (day === this.#lastDay) {
      offset = this.#lastOffsetMs;
    } else {
      offset = this.#offsetByDay.get(day);
      if (offset === undefined) {
        const before = this.#zone.offsetMsAt((day - 2) * DAY_MS);
        const after = this.#zone.offsetMsAt((day + 3) * DAY_MS);
        offset = before === after ? before : Number.NaN;
        this.#offsetByDay.set(day, offset);
      }
      this.#lastDay = day;
      this.#lastOffsetMs = offset;
    }
    return Number.isNaN(offset) ? this.#zone.localToEpochMs(localMs) : localMs - offset;
  }
}

const converters = new WeakMap<ZoneRules, LocalConverter>();

function converterFor(zone: ZoneRules, utc: ZoneRules): LocalConverter {
  let converter = converters.get(zone);
  if (converter === undefined) {
    converter = new LocalConverter(zone, zone === utc ? 0 : undefined);
    converters.set(zone, converter);
  }
  return converter;
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

function endOf(startLocal: number, startMs: number, length: Length, frame: ZoneRules): number {
  if (length.days === 0) return startMs + length.exactMs;
  return frame.localToEpochMs((startLocal + length.days * SECONDS_PER_DAY) * 1000) + length.exactMs;
}

function lengthBoundMs(length: Length): number {
  return length.days * 86_400_000 + length.exactMs + 2 * MAX_OFFSET_SECONDS * 1000;
}

function overlaps(start: number, end: number, window: EpochMsInterval): boolean {
  if (end > start) return start < window.endEpochMs && end > window.startEpochMs;
  return start >= window.startEpochMs && start < window.endEpochMs;
}

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

/** One RRULE of a series, prepared for its DTSTART. */
interface RulePlan {
  prepared: PreparedRule;
  count: number | undefined;
  /** UNTIL in the series' local seconds (inclusive); +Infinity without UNTIL. */
  untilLocalSeconds: number;
  /** COUNT that cannot be counted arithmetically: instances are walked from DTSTART. */
  walk: boolean;
  /** For `walk`: every instance from DTSTART up to `horizonLocalSeconds` (exclusive). */
  walked?: { horizonLocalSeconds: number; starts: number[] };
}

/**
 * Work one series may take in one read (see recurrence.ts ExpansionBudget): a rule with
 * an instance every minute over two months takes about 90,000. A series over it is skipped
 * and named in the problems, and stays skipped for later reads of the same calendar.
 */
export const SERIES_WORK = 500_000;
/** Work all series of one calendar may take in one read; the series past it are skipped. */
export const CALENDAR_WORK = 5_000_000;

interface OverrideInfo {
  event: CalendarEvent;
  /** RECURRENCE-ID in the series' local seconds. */
  ridLocal: number;
  ridDateOnly: boolean;
}

/** An event emitted as it stands (a single event or an override), with its times worked out. */
interface Single {
  event: CalendarEvent;
  startEpochMs: number;
  endEpochMs: number;
  recurrenceId: number | undefined;
}

/**
 * Everything about a series that does not depend on the window, worked out on its first
 * expansion for one participant zone and kept with the event: expanding the same calendar
 * again (another window, another query) only walks the rules. Plans are kept with the
 * calendar's grouping (see `group`); events are not changed after they are read.
 */
interface SeriesPlan {
  participant: ZoneRules;
  utc: ZoneRules;
  master: CalendarEvent;
  frame: ZoneRules;
  converter: LocalConverter;
  dateOnly: boolean;
  dtLocal: number;
  length: Length;
  recurring: boolean;
  rules: RulePlan[];
  /** RDATEs in local seconds, with a PERIOD's own length in ms (NaN: the event's length). */
  rdateLocals: number[];
  rdatePeriodMs: number[];
  exact: Set<number> | undefined;
  exDays: Set<number> | undefined;
  byRid: Map<number, OverrideInfo>;
  ridDays: Map<number, OverrideInfo> | undefined;
  /** THISANDFUTURE overrides by RECURRENCE-ID, ascending. */
  futures: OverrideInfo[];
  /** Local bounds are widened by these (event lengths, offsets, THISANDFUTURE shifts). */
  marginBeforeMs: number;
  marginAfterMs: number;
  /** Overrides, emitted as they stand after the series' own instances. */
  singles: Single[];
  /** Its rules took more than SERIES_WORK once: skipped from then on. */
  overBudget?: boolean;
}

const NO_OVERRIDES: readonly CalendarEvent[] = [];
const NO_NUMBERS: number[] = [];
const NO_FUTURES: OverrideInfo[] = [];
const NO_SINGLES: Single[] = [];

function singleOf(
  event: CalendarEvent,
  recurrenceId: number | undefined,
  participant: ZoneRules,
  utc: ZoneRules,
): Single {
  const frame = frameOf(event.start, participant, utc);
  const startMs = timeValueToEpochMs(event.start, participant);
  const endMs = endOf(event.start.local, startMs, lengthOf(event, participant), frame);
  return { event, startEpochMs: startMs, endEpochMs: endMs, recurrenceId };
}

/**
 * Overrides keyed by their RECURRENCE-ID in the series' local time; on duplicates the highest
 * SEQUENCE (then the later one in the file) wins.
 */
function overridesByRecurrenceId(
  overrides: readonly CalendarEvent[],
  dateOnly: boolean,
  frame: ZoneRules,
  participant: ZoneRules,
): Map<number, OverrideInfo> {
  const byRid = new Map<number, OverrideInfo>();
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
  }
  return byRid;
}

/** A bound on how long any instance lasts: the series' length, or an RDATE period's. */
function longestLengthBoundMs(
  master: CalendarEvent,
  length: Length,
  participant: ZoneRules,
): number {
  let maxLengthMs = lengthBoundMs(length);
  for (const rd of master.rdates) {
    if (rd.end !== undefined) {
      const l = timeValueToEpochMs(rd.end, participant) - timeValueToEpochMs(rd.value, participant);
      maxLengthMs = Math.max(maxLengthMs, l + 2 * MAX_OFFSET_SECONDS * 1000);
    } else if (rd.duration !== undefined) {
      maxLengthMs = Math.max(maxLengthMs, lengthBoundMs(durationLength(rd.duration)));
    }
  }
  return maxLengthMs;
}

/** Each RRULE prepared, with its UNTIL in the series' local time. */
function rulePlans(master: CalendarEvent, frame: ZoneRules, utc: ZoneRules): RulePlan[] {
  const dateOnly = master.start.kind === "date";
  const rules: RulePlan[] = [];
  for (const rule of master.rrules) {
    let until = defaultUntilLocalSeconds(rule, dateOnly);
    if (rule.until?.utc && frame !== utc) {
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
    const prepared = prepareRule(rule, master.start.local, dateOnly);
    rules.push({
      prepared,
      count: rule.count,
      untilLocalSeconds: until,
      walk: preparedNeedsFullCount(prepared, rule.count),
    });
  }
  return rules;
}

/** Each RDATE's start in the series' local time, and its period's length (NaN: none). */
function rdatePlans(
  master: CalendarEvent,
  frame: ZoneRules,
  participant: ZoneRules,
): { rdateLocals: number[]; rdatePeriodMs: number[] } {
  const rdateLocals: number[] = master.rdates.length === 0 ? NO_NUMBERS : [];
  const rdatePeriodMs: number[] = master.rdates.length === 0 ? NO_NUMBERS : [];
  for (const rd of master.rdates) {
    const s = toFrameLocal(rd.value, frame, participant);
    let periodMs = Number.NaN;
    if (rd.end !== undefined || rd.duration !== undefined) {
      const startMs = frame.localToEpochMs(s * 1000);
      const endMs =
        rd.end !== undefined
          ? timeValueToEpochMs(rd.end, participant)
          : endOf(s, startMs, durationLength(rd.duration as NominalDuration), frame);
      periodMs = endMs - startMs;
    }
    rdateLocals.push(s);
    rdatePeriodMs.push(periodMs);
  }
  return { rdateLocals, rdatePeriodMs };
}

/**
 * EXDATEs: exact local starts, and whole days (a date EXDATE on a date-time series excludes
 * every instance that day).
 */
function exclusionsOf(
  master: CalendarEvent,
  frame: ZoneRules,
  participant: ZoneRules,
): { exact: Set<number> | undefined; exDays: Set<number> | undefined } {
  const dateOnly = master.start.kind === "date";
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
  return { exact, exDays };
}

function planSeries(
  master: CalendarEvent,
  overrides: readonly CalendarEvent[],
  participant: ZoneRules,
  utc: ZoneRules,
): SeriesPlan {
  const frame = frameOf(master.start, participant, utc);
  const dateOnly = master.start.kind === "date";
  const dtLocal = master.start.local;
  const length = lengthOf(master, participant);

  const byRid = overridesByRecurrenceId(overrides, dateOnly, frame, participant);
  let ridDays: Map<number, OverrideInfo> | undefined;
  const futures: OverrideInfo[] = overrides.length === 0 ? NO_FUTURES : [];
  const maxLengthMs = longestLengthBoundMs(master, length, participant);
  const rules = rulePlans(master, frame, utc);
  const { rdateLocals, rdatePeriodMs } = rdatePlans(master, frame, participant);
  const { exact, exDays } = exclusionsOf(master, frame, participant);

  // An override written for an older revision of the series (lower SEQUENCE, RFC 5545
  // 3.8.7.4) whose instance the current revision no longer has (excluded by EXDATE, or not
  // generated by its RRULE/RDATE at all) is out of date and dropped, as the newer
  // python-recurring-ical-events does (its issues 148, 163 and 253). An override with a SEQUENCE
  // at least the master's is newer than the series and stays, as a deliberate re-add. Decided
  // once here, so expansion does not look at it again.
  for (const [ridLocal, info] of byRid) {
    if (info.event.sequence >= master.sequence) continue;
    const span = info.ridDateOnly && !dateOnly ? SECONDS_PER_DAY : 1;
    if (!isInstance(ridLocal, span, dtLocal, rules, rdateLocals, exact, exDays)) {
      byRid.delete(ridLocal);
    }
  }
  for (const info of byRid.values()) {
    if (info.ridDateOnly && !dateOnly) {
      ridDays ??= new Map();
      ridDays.set(Math.floor(info.ridLocal / SECONDS_PER_DAY), info);
    }
    if (info.event.thisAndFuture) futures.push(info);
  }
  futures.sort((a, b) => a.ridLocal - b.ridLocal);

  // Margins wide enough for any offset, the event's length and THISANDFUTURE shifts.
  let shiftMarginMs = 0;
  for (const f of futures) {
    const shift = Math.abs(
      timeValueToEpochMs(f.event.start, participant) - frame.localToEpochMs(f.ridLocal * 1000),
    );
    const fLen = lengthOf(f.event, participant);
    shiftMarginMs = Math.max(shiftMarginMs, shift + lengthBoundMs(fLen));
  }

  const singles: Single[] = byRid.size === 0 ? NO_SINGLES : [];
  for (const info of byRid.values()) {
    const rid = frame.localToEpochMs(info.ridLocal * 1000);
    singles.push(singleOf(info.event, rid, participant, utc));
  }

  const plan: SeriesPlan = {
    participant,
    utc,
    master,
    frame,
    converter: converterFor(frame, utc),
    dateOnly,
    dtLocal,
    length,
    recurring: master.rrules.length > 0 || master.rdates.length > 0,
    rules,
    rdateLocals,
    rdatePeriodMs,
    exact,
    exDays,
    byRid,
    ridDays,
    futures,
    marginBeforeMs: maxLengthMs + shiftMarginMs,
    marginAfterMs: shiftMarginMs,
    singles,
  };
  return plan;
}

/**
 * Whether the series has an instance (DTSTART, an RRULE or an RDATE start, not excluded by
 * EXDATE) at local seconds `from` (`span` 1), or on the day that starts there (`span` one day,
 * for a date RECURRENCE-ID of a date-time series), as the expansion loop would match it.
 */
function isInstance(
  from: number,
  span: number,
  dtLocal: number,
  rules: RulePlan[],
  rdateLocals: readonly number[],
  exact: Set<number> | undefined,
  exDays: Set<number> | undefined,
): boolean {
  const to = from + span;
  const candidates: number[] = [];
  if (dtLocal >= from && dtLocal < to) candidates.push(dtLocal);
  for (const s of rdateLocals) if (s >= from && s < to) candidates.push(s);
  // At most a day: bounded on its own, apart from the read's budget.
  const budget = expansionBudget(SERIES_WORK);
  for (const rule of rules) ruleStartsInto(rule, dtLocal, from, to, candidates, budget);
  for (const s of candidates) {
    if (exact?.has(s)) continue;
    if (exDays?.has(Math.floor(s / SECONDS_PER_DAY))) continue;
    return true;
  }
  return false;
}

/**
 * Where a series' instances go: occurrence objects, or (for busy time) the start and end of
 * each busy one, clipped to the window, in two number lists.
 */
interface Sink {
  window: EpochMsInterval;
  occurrences: Occurrence[] | undefined;
  busyStarts: number[];
  busyEnds: number[];
}

/** An occurrence with one fixed set of keys per case (no properties added afterwards). */
function makeOccurrence(
  event: CalendarEvent,
  startEpochMs: number,
  endEpochMs: number,
  recurrenceId: number | undefined,
  allDay: boolean,
): Occurrence {
  const { uid, summary, transparent, cancelled } = event;
  if (summary === undefined) {
    return recurrenceId === undefined
      ? { uid, startEpochMs, endEpochMs, allDay, transparent, cancelled }
      : { uid, startEpochMs, endEpochMs, allDay, transparent, cancelled, recurrenceId };
  }
  return recurrenceId === undefined
    ? { uid, startEpochMs, endEpochMs, allDay, transparent, cancelled, summary }
    : { uid, startEpochMs, endEpochMs, allDay, transparent, cancelled, summary, recurrenceId };
}

function emit(
  sink: Sink,
  event: CalendarEvent,
  startMs: number,
  endMs: number,
  recurrenceId: number | undefined,
  allDay: boolean,
): void {
  const window = sink.window;
  if (sink.occurrences !== undefined) {
    if (overlaps(startMs, endMs, window)) {
      sink.occurrences.push(makeOccurrence(event, startMs, endMs, recurrenceId, allDay));
    }
    return;
  }
  if (event.transparent || event.cancelled) return;
  const start = Math.max(startMs, window.startEpochMs);
  const end = Math.min(endMs, window.endEpochMs);
  if (end <= start) return;
  sink.busyStarts.push(start);
  sink.busyEnds.push(end);
}

/** Start times (local seconds) of one expansion; reused, never held across calls. */
const startsScratch: number[] = [];

function ruleStartsInto(
  rule: RulePlan,
  dtLocal: number,
  from: number,
  to: number,
  out: number[],
  budget: ExpansionBudget,
) {
  if (!rule.walk) {
    expandCompiled(
      rule.prepared,
      rule.count,
      from,
      to,
      rule.untilLocalSeconds,
      1_000_000,
      out,
      budget,
    );
    return;
  }
  let walked = rule.walked;
  if (walked === undefined || walked.horizonLocalSeconds < to) {
    const starts: number[] = [];
    expandCompiled(
      rule.prepared,
      rule.count,
      dtLocal,
      to,
      rule.untilLocalSeconds,
      1_000_000,
      starts,
      budget,
    );
    if (budget.exhausted) return;
    walked = { horizonLocalSeconds: to, starts };
    rule.walked = walked;
  }
  const all = walked.starts;
  for (let i = lowerBound(all, from), end = lowerBound(all, to); i < end; i++) {
    out.push(all[i] as number);
  }
}

/**
 * Emits the series' instances in the sink's window; false, emitting nothing of the series'
 * own instances, when its rules ran out of `budget`.
 */
function expandSeries(plan: SeriesPlan, sink: Sink, budget: ExpansionBudget): boolean {
  const window = sink.window;
  const from = Math.floor((window.startEpochMs - plan.marginBeforeMs) / 1000) - MAX_OFFSET_SECONDS;
  const to = Math.ceil((window.endEpochMs + plan.marginAfterMs) / 1000) + MAX_OFFSET_SECONDS + 1;
  const { master, dtLocal, dateOnly, length, recurring, frame, converter } = plan;

  // Starts in local seconds, ascending and without repeats.
  const starts = startsScratch;
  starts.length = 0;
  if (dtLocal >= from && dtLocal < to) starts.push(dtLocal);
  let periodEnds: Map<number, number> | undefined;
  if (recurring) {
    for (const rule of plan.rules) ruleStartsInto(rule, dtLocal, from, to, starts, budget);
    if (budget.exhausted) {
      starts.length = 0;
      return false;
    }
    const rdates = plan.rdateLocals;
    for (let i = 0; i < rdates.length; i++) {
      const s = rdates[i] as number;
      if (s < from || s >= to) continue;
      starts.push(s);
      const periodMs = plan.rdatePeriodMs[i] as number;
      if (!Number.isNaN(periodMs)) {
        periodEnds ??= new Map();
        periodEnds.set(s, periodMs);
      }
    }
    if (starts.length > 1) {
      let ascending = true;
      for (let r = 1; r < starts.length; r++) {
        if ((starts[r] as number) < (starts[r - 1] as number)) {
          ascending = false;
          break;
        }
      }
      if (!ascending) starts.sort((a, b) => a - b);
      let w = 1;
      for (let r = 1; r < starts.length; r++) {
        if (starts[r] !== starts[w - 1]) starts[w++] = starts[r] as number;
      }
      starts.length = w;
    }
  }

  const { exact, exDays, byRid, ridDays, futures } = plan;
  const hasOverrides = byRid.size > 0;
  const participant = plan.participant;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i] as number;
    if (exact?.has(s)) continue;
    if (exDays?.has(Math.floor(s / SECONDS_PER_DAY))) continue;
    if (hasOverrides) {
      if (byRid.has(s)) continue;
      if (ridDays?.get(Math.floor(s / SECONDS_PER_DAY)) !== undefined) continue;
    }
    const originalMs = converter.toEpochMs(s * 1000);
    let event = master;
    let startMs = originalMs;
    let endMs: number;
    let future: OverrideInfo | undefined;
    for (let f = futures.length - 1; f >= 0; f--) {
      const candidate = futures[f] as OverrideInfo;
      if (candidate.ridLocal < s) {
        future = candidate;
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
              frameOf(future.event.start, participant, plan.utc),
            ) -
              fStart);
    } else {
      const periodLength = periodEnds?.get(s);
      if (periodLength !== undefined) endMs = startMs + periodLength;
      else if (length.days === 0) endMs = startMs + length.exactMs;
      else endMs = converter.toEpochMs((s + length.days * SECONDS_PER_DAY) * 1000) + length.exactMs;
    }
    emit(sink, event, startMs, endMs, recurring ? originalMs : undefined, dateOnly);
  }
  for (const single of plan.singles) {
    emit(
      sink,
      single.event,
      single.startEpochMs,
      single.endEpochMs,
      single.recurrenceId,
      single.event.start.kind === "date",
    );
  }
  return true;
}

/**
 * Positions 0..n-1 ordered by `starts`; equal starts keep their order (stable). A counting
 * sort into about n buckets by start, then insertion sort inside each bucket: linear for the
 * spread-out starts of a calendar, and each series' starts need no comparison sort.
 */
function orderByStart(starts: ArrayLike<number>, n: number): Int32Array {
  const order = new Int32Array(n);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const s = starts[i] as number;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  if (n < 2 || min === max) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const buckets = n;
  const perMs = buckets / (max - min + 1);
  const bucketOf = new Int32Array(n);
  const first = new Int32Array(buckets + 1);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor(((starts[i] as number) - min) * perMs));
    bucketOf[i] = b;
    first[b + 1] = (first[b + 1] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) first[b + 1] = (first[b + 1] as number) + (first[b] as number);
  const cursor = first.slice(0, buckets);
  for (let i = 0; i < n; i++) {
    const b = bucketOf[i] as number;
    order[cursor[b] as number] = i;
    cursor[b] = (cursor[b] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) {
    const lo = first[b] as number;
    const hi = first[b + 1] as number;
    if (hi - lo < 2) continue;
    if (hi - lo > 32) {
      // A crowded bucket (starts far apart elsewhere): a stable comparison sort of its part.
      const part = Array.from(order.subarray(lo, hi));
      part.sort((x, y) => (starts[x] as number) - (starts[y] as number));
      order.set(part, lo);
      continue;
    }
    for (let i = lo + 1; i < hi; i++) {
      const v = order[i] as number;
      const key = starts[v] as number;
      let j = i - 1;
      while (j >= lo && (starts[order[j] as number] as number) > key) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = v;
    }
  }
  return order;
}

function byStart(a: Occurrence, b: Occurrence): number {
  return a.startEpochMs - b.startEpochMs;
}

/** Occurrences sorted by start; equal starts keep the order of the events in the file. */
function sortOccurrences(list: Occurrence[]): Occurrence[] {
  const n = list.length;
  if (n < 64) return list.sort(byStart);
  const starts = new Float64Array(n);
  for (let i = 0; i < n; i++) starts[i] = (list[i] as Occurrence).startEpochMs;
  const order = orderByStart(starts, n);
  const sorted: Occurrence[] = new Array(n);
  for (let i = 0; i < n; i++) sorted[i] = list[order[i] as number] as Occurrence;
  return sorted;
}

interface Grouped {
  masters: CalendarEvent[];
  overrides: Map<string, CalendarEvent[]>;
  /** Series plans per participant zone, by position in `masters`, made on first use. */
  plans: Map<ZoneRules, (SeriesPlan | undefined)[]>;
}

const groupCache = new WeakMap<ICalendar, { events: CalendarEvent[]; grouped: Grouped }>();

function group(calendar: ICalendar): Grouped {
  const cached = groupCache.get(calendar);
  if (cached !== undefined && cached.events === calendar.events) return cached.grouped;
  const masters: CalendarEvent[] = [];
  const firstByUid = new Map<string, number>();
  // Only for UIDs seen more than once: UID and start → position in `masters`.
  let byUidAndStart: Map<string, number> | undefined;
  const keyOf = (e: CalendarEvent) => `${e.uid}\u0000${e.start.kind}\u0000${e.start.local}`;
  const overrides = new Map<string, CalendarEvent[]>();
  for (const event of calendar.events) {
    if (event.recurrenceId === undefined) {
      const first = firstByUid.get(event.uid);
      if (first === undefined) {
        firstByUid.set(event.uid, masters.length);
        masters.push(event);
        continue;
      }
      // The same event written twice (same UID and start): the highest SEQUENCE, then the
      // later one, wins.
      byUidAndStart ??= new Map();
      const firstKey = keyOf(masters[first] as CalendarEvent);
      if (!byUidAndStart.has(firstKey)) byUidAndStart.set(firstKey, first);
      const key = keyOf(event);
      const at = byUidAndStart.get(key);
      if (at === undefined) {
        byUidAndStart.set(key, masters.length);
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
  const grouped: Grouped = { masters, overrides, plans: new Map() };
  groupCache.set(calendar, { events: calendar.events, grouped });
  return grouped;
}

function overBudget(calendar: ICalendar, master: CalendarEvent): CalendarProblem {
  return {
    source: calendar.source,
    line: master.line,
    uid: master.uid,
    message:
      "event skipped: its recurrence rule makes more instances than Ally expands for one event",
  };
}

/**
 * Expands every series of the calendar into `sink`, in file order, within CALENDAR_WORK; a
 * series that takes more than SERIES_WORK, or more than what is left, is skipped with a problem.
 */
function expandInto(
  calendar: ICalendar,
  participant: ZoneRules,
  sink: Sink,
  problems: CalendarProblem[],
): void {
  let calendarWork = CALENDAR_WORK;
  const utc = zoneRules("UTC");
  const { masters, overrides, plans } = group(calendar);
  let planList = plans.get(participant);
  if (planList === undefined) {
    planList = new Array(masters.length);
    plans.set(participant, planList);
  }
  const claimed = new Set<string>();
  for (let i = 0; i < masters.length; i++) {
    const master = masters[i] as CalendarEvent;
    const own = overrides.size === 0 ? undefined : overrides.get(master.uid);
    if (own !== undefined) claimed.add(master.uid);
    let plan = planList[i];
    if (plan === undefined) {
      plan = planSeries(master, own ?? NO_OVERRIDES, participant, utc);
      planList[i] = plan;
    }
    if (plan.overBudget === true) {
      problems.push(overBudget(calendar, master));
      continue;
    }
    const units = Math.min(SERIES_WORK, Math.max(0, calendarWork));
    const budget = expansionBudget(units);
    const expanded = expandSeries(plan, sink, budget);
    calendarWork -= units - Math.max(0, budget.remaining);
    if (!expanded) {
      if (units === SERIES_WORK) plan.overBudget = true;
      problems.push(overBudget(calendar, master));
    }
  }
  // Overrides whose series is not in this calendar stand on their own.
  if (claimed.size === overrides.size) return;
  for (const [uid, list] of overrides) {
    if (claimed.has(uid)) continue;
    for (const ov of list) {
      const rid = timeValueToEpochMs(ov.recurrenceId as TimeValue, participant);
      const single = singleOf(ov, rid, participant, utc);
      emit(sink, ov, single.startEpochMs, single.endEpochMs, rid, ov.start.kind === "date");
    }
  }
}

/**
 * Occurrences that overlap `window` (start < window end and end > window start), plus
 * zero-length ones with window start <= start < window end, sorted by start. Date-only and
 * floating times are read in `options.zone` (IANA). X-WR-TIMEZONE is not applied here: a
 * calendar read with `parseICalendar(text, source, { applyXWrTimeZone: true })` already has
 * its floating (and UTC) times in that zone; by default they stay in `options.zone`.
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
  const problems: CalendarProblem[] = [];
  if (window.endEpochMs <= window.startEpochMs) return { occurrences: [], problems };
  const occurrences: Occurrence[] = [];
  expandInto(
    calendar,
    participant,
    { window, occurrences, busyStarts: [], busyEnds: [] },
    problems,
  );
  return { occurrences: sortOccurrences(occurrences), problems };
}

/**
 * Busy time: occurrences that are neither transparent nor cancelled, clipped to the window,
 * merged and sorted. Intervals are half-open; zero-length occurrences are busy for nothing.
 * Works on start/end numbers, without making occurrence objects.
 */
export function busyIntervals(
  calendar: ICalendar,
  window: EpochMsInterval,
  options: ExpandOptions,
): { busy: EpochMsInterval[]; problems: CalendarProblem[] } {
  const participant = zoneRules(options.zone);
  const problems: CalendarProblem[] = [];
  const busy: EpochMsInterval[] = [];
  if (window.endEpochMs <= window.startEpochMs) return { busy, problems };
  const sink: Sink = { window, occurrences: undefined, busyStarts: [], busyEnds: [] };
  expandInto(calendar, participant, sink, problems);
  const { busyStarts, busyEnds } = sink;
  const order = orderByStart(busyStarts, busyStarts.length);
  let last: EpochMsInterval | undefined;
  for (let i = 0; i < order.length; i++) {
    const k = order[i] as number;
    const start = busyStarts[k] as number;
    const end = busyEnds[k] as number;
    if (last !== undefined && start <= last.endEpochMs) {
      if (end > last.endEpochMs) last.endEpochMs = end;
    } else {
      last = { startEpochMs: start, endEpochMs: end };
      busy.push(last);
    }
  }
  return { busy, problems };
}
