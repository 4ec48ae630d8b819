/**
 * Benchmark 2: recurrence expansion. 20,000 generated series (DTSTART up to 5 years back, TZIDs
 * across DST zones, a FREQ mix with BYDAY/BYMONTHDAY/BYSETPOS, some with COUNT/UNTIL/EXDATE)
 * expanded over windows of 14, 28 and 90 days by Ally's expander, by rrule.js and by ical.js,
 * with a differential check that all three give the same occurrences; then cost against series
 * age.
 *
 * rrule.js and ical.js are given each series in floating local time (DTSTART without TZID, UNTIL
 * converted to the series' local time) and their wall-clock results are turned into instants
 * with Temporal afterwards, outside the timed section: ical.js has no IANA zone data (a TZID
 * without a VTIMEZONE reads as floating), and rrule.js's TZID support returns wall-clock times
 * whose meaning depends on the process TZ. Ally is given the real thing (TZID, UNTIL in UTC) and
 * returns instants, zone conversion included in its time.
 */
import ICAL from "ical.js";
import rrulePkg from "rrule";
import {
  expandOccurrences,
  type ICalendar,
  type Occurrence,
  parseICalendar,
} from "../src/calendar/index.js";
import { collectGarbage, median, now, progress, round } from "./measure.js";
import { Prng } from "./prng.js";
import {
  calendarText,
  DAY_MS,
  dayNumberOf,
  localText,
  randomRule,
  syncDay,
  utcText,
  vevent,
  zonedEpochMs,
} from "./series.js";

const { rrulestr } = rrulePkg;
type RRuleSetLike = ReturnType<typeof rrulestr>;

const ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Santiago",
  "America/Sao_Paulo",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Paris",
  "Europe/Helsinki",
  "Australia/Sydney",
  "Australia/Adelaide",
  "Pacific/Auckland",
  "Asia/Tehran",
  "Asia/Jerusalem",
  "Asia/Tokyo",
  "UTC",
];

/** Windows start here: Monday 2 March 2026, 00:00 UTC (DST changes follow in March/April). */
const ANCHOR_DAY = dayNumberOf(2026, 3, 2);
const ANCHOR_MS = ANCHOR_DAY * DAY_MS;

export interface Series {
  uid: string;
  zone: string;
  template: string;
  /** Local DTSTART as "local ms" (wall clock read as UTC). */
  startLocalMs: number;
  durationMinutes: number;
  /** VEVENT for Ally: TZID (or Z for UTC), UNTIL in UTC. */
  zonedText: string;
  /** VEVENT for rrule.js and ical.js: floating local time throughout. */
  floatingText: string;
  /** DTSTART/RRULE/EXDATE lines for rrulestr. */
  rruleText: string;
}

/** A series; `ageDays` fixes the DTSTART age, and `plain` leaves out COUNT, UNTIL and EXDATE. */
export function makeSeries(
  prng: Prng,
  index: number,
  ageDays: number | undefined,
  plain: boolean,
): Series {
  const zone = prng.pick(ZONES);
  const rule = randomRule(prng);
  const age = ageDays ?? prng.int(1, 5 * 365);
  const startDay = syncDay(rule, ANCHOR_DAY - age);
  // Office hours on a 15-minute grid; 2% at 02:30, inside a spring-forward gap on DST days.
  const minute =
    rule.hour !== undefined
      ? rule.hour * 60 + 15 * prng.int(0, 3)
      : prng.chance(0.02)
        ? 150
        : 6 * 60 + 15 * prng.int(0, 56);
  const durationMinutes = prng.pick([15, 30, 30, 45, 60, 60, 90]);
  let zonedRule = rule.rrule;
  let floatingRule = rule.rrule;
  const zonedExtra: string[] = [];
  const floatingExtra: string[] = [];
  if (!plain) {
    const end = prng.weighted([
      [70, "open"],
      [15, "count"],
      [15, "until"],
    ]);
    if (end === "count") {
      const count = prng.int(5, 400);
      zonedRule += `;COUNT=${count}`;
      floatingRule += `;COUNT=${count}`;
    } else if (end === "until") {
      const untilDay = startDay + prng.int(30, 6 * 365);
      const untilLocal = untilDay * DAY_MS + (23 * 60 + 59) * 60_000 + 59_000;
      zonedRule += `;UNTIL=${utcText(zone === "UTC" ? untilLocal : zonedEpochMs(zone, untilLocal))}`;
      floatingRule += `;UNTIL=${localText(untilDay, 23 * 60 + 59, 59)}`;
    }
    if (prng.chance(0.2)) {
      const dates: string[] = [];
      for (let k = prng.int(1, 3); k > 0; k--) {
        dates.push(localText(syncDay(rule, ANCHOR_DAY + prng.int(-3, 90)), minute));
      }
      zonedExtra.push(
        zone === "UTC"
          ? `EXDATE:${dates.map((d) => `${d}Z`).join(",")}`
          : `EXDATE;TZID=${zone}:${dates.join(",")}`,
      );
      floatingExtra.push(`EXDATE:${dates.join(",")}`);
    }
  }
  const start = localText(startDay, minute);
  const uid = `s${index}@bench.ally`;
  const zonedStart = zone === "UTC" ? `DTSTART:${start}Z` : `DTSTART;TZID=${zone}:${start}`;
  const common = [`UID:${uid}`, "DTSTAMP:20260101T000000Z", `DURATION:PT${durationMinutes}M`];
  return {
    uid,
    zone,
    template: rule.template,
    startLocalMs: startDay * DAY_MS + minute * 60_000,
    durationMinutes,
    zonedText: vevent([...common, zonedStart, `RRULE:${zonedRule}`, ...zonedExtra]),
    floatingText: vevent([
      ...common,
      `DTSTART:${start}`,
      `RRULE:${floatingRule}`,
      ...floatingExtra,
    ]),
    rruleText: [`DTSTART:${start}`, `RRULE:${floatingRule}`, ...floatingExtra].join("\n"),
  };
}

function allyCalendar(series: readonly Series[]): ICalendar {
  const parsed = parseICalendar(calendarText(series.map((s) => s.zonedText)), "bench.ics");
  if (!parsed.ok) throw new Error(`bench series do not parse: ${parsed.error.message}`);
  if (parsed.problems.length > 0) {
    throw new Error(`bench series: ${parsed.problems[0]?.message} (${parsed.problems[0]?.uid})`);
  }
  return parsed.calendar;
}

interface Window {
  days: number;
  startEpochMs: number;
  endEpochMs: number;
}

const windowOf = (days: number, startMs = ANCHOR_MS): Window => ({
  days,
  startEpochMs: startMs,
  endEpochMs: startMs + days * DAY_MS,
});

/** Occurrence starts (epoch ms) per UID that start inside the window. */
type Starts = Map<string, number[]>;

function push(map: Starts, uid: string, start: number): void {
  const list = map.get(uid);
  if (list === undefined) map.set(uid, [start]);
  else list.push(start);
}

/** Ally is timed as the median of this many runs (its runs are milliseconds long). */
const ALLY_REPEATS = 7;

/**
 * Times Ally's expansion of a window. `warm`: the same calendar object every run (Ally keeps
 * per-rule caches on it). `cold`: a freshly parsed calendar every run (parsing untimed), so
 * each timed run is the first expansion of that calendar.
 */
function allyExpand(
  calendar: ICalendar | (() => ICalendar),
  window: Window,
  repeats = ALLY_REPEATS,
): { ms: number; starts: Starts; returned: number } {
  const times: number[] = [];
  let occurrences: Occurrence[] = [];
  for (let r = 0; r < repeats; r++) {
    const cal = typeof calendar === "function" ? calendar() : calendar;
    collectGarbage();
    const t0 = now();
    occurrences = expandOccurrences(cal, window, { zone: "UTC" }).occurrences;
    times.push(now() - t0);
  }
  const ms = median(times);
  const starts: Starts = new Map();
  for (const o of occurrences) {
    if (o.startEpochMs >= window.startEpochMs) push(starts, o.uid, o.startEpochMs);
  }
  return { ms, starts, returned: occurrences.length };
}

/** 14 hours: no zone is further from UTC. Library queries are widened by it in local time. */
const PAD_MS = 14 * 3_600_000;

function rruleExpand(
  sets: readonly { series: Series; set: RRuleSetLike }[],
  window: Window,
): { ms: number; starts: Starts } {
  const raw: Date[][] = [];
  const after = new Date(window.startEpochMs - PAD_MS);
  const before = new Date(window.endEpochMs + PAD_MS);
  collectGarbage();
  const t0 = now();
  for (const { set } of sets) raw.push(set.between(after, before, true));
  const ms = now() - t0;
  const starts: Starts = new Map();
  sets.forEach(({ series }, i) => {
    for (const d of raw[i] as Date[]) {
      const instant = series.zone === "UTC" ? d.getTime() : zonedEpochMs(series.zone, d.getTime());
      if (instant >= window.startEpochMs && instant < window.endEpochMs)
        push(starts, series.uid, instant);
    }
  });
  return { ms, starts };
}

function icalExpand(
  events: readonly { series: Series; event: ICAL.Event }[],
  window: Window,
): { ms: number; starts: Starts } {
  const raw: number[][] = [];
  const from = window.startEpochMs - PAD_MS;
  const to = window.endEpochMs + PAD_MS;
  collectGarbage();
  const t0 = now();
  for (const { event } of events) {
    const list: number[] = [];
    const iterator = event.iterator();
    for (let t = iterator.next(); t; t = iterator.next()) {
      const local = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
      if (local >= to) break;
      if (local >= from) list.push(local);
    }
    raw.push(list);
  }
  const ms = now() - t0;
  const starts: Starts = new Map();
  events.forEach(({ series }, i) => {
    for (const local of raw[i] as number[]) {
      const instant = series.zone === "UTC" ? local : zonedEpochMs(series.zone, local);
      if (instant >= window.startEpochMs && instant < window.endEpochMs)
        push(starts, series.uid, instant);
    }
  });
  return { ms, starts };
}

function countOf(starts: Starts): number {
  let n = 0;
  for (const list of starts.values()) n += list.length;
  return n;
}

export interface Mismatch {
  library: string;
  window: number;
  uid: string;
  template: string;
  zone: string;
  rule: string;
  onlyAlly: string[];
  onlyLibrary: string[];
}

function compare(
  library: string,
  series: readonly Series[],
  ally: Starts,
  other: Starts,
  window: Window,
  out: Mismatch[],
): number {
  let differing = 0;
  for (const s of series) {
    const a = new Set(ally.get(s.uid) ?? []);
    const b = new Set(other.get(s.uid) ?? []);
    const onlyAlly = [...a].filter((x) => !b.has(x));
    const onlyLibrary = [...b].filter((x) => !a.has(x));
    if (onlyAlly.length === 0 && onlyLibrary.length === 0) continue;
    differing++;
    if (out.filter((m) => m.library === library).length < 5) {
      out.push({
        library,
        window: window.days,
        uid: s.uid,
        template: s.template,
        zone: s.zone,
        rule: s.zonedText
          .split("\r\n")
          .filter((l) => /^(DTSTART|RRULE|EXDATE)/.test(l))
          .join(" "),
        onlyAlly: onlyAlly.slice(0, 3).map((x) => new Date(x).toISOString()),
        onlyLibrary: onlyLibrary.slice(0, 3).map((x) => new Date(x).toISOString()),
      });
    }
  }
  return differing;
}

export interface EngineRate {
  seconds: number;
  occurrences: number;
  occurrencesPerSecond: number;
  microsecondsPerSeries: number;
}

const rate = (ms: number, occurrences: number, seriesCount: number): EngineRate => ({
  seconds: round(ms / 1000, 4),
  occurrences,
  occurrencesPerSecond: Math.round(occurrences / (ms / 1000)),
  microsecondsPerSeries: round((ms * 1000) / seriesCount, 2),
});

export interface RecurrenceResults {
  series: number;
  librarySubset: number;
  templates: Record<string, number>;
  windows: {
    days: number;
    /** Warm: the same calendar object every run. */
    ally: EngineRate;
    /** Cold: the first expansion of a freshly parsed calendar. */
    allyCold: EngineRate;
    allyOnSubset: EngineRate;
    rrule: EngineRate;
    icaljs: EngineRate;
    differingSeries: { rrule: number; icaljs: number };
  }[];
  mismatchSamples: Mismatch[];
  age: {
    ageDays: number;
    label: string;
    ally: EngineRate;
    rrule: EngineRate;
    icaljs: EngineRate;
  }[];
  ageSeries: number;
  ageLibrarySeries: number;
  allyFlatness: number;
}

export interface RecurrenceConfig {
  series: number;
  libraryEvery: number;
  ageSeries: number;
  ageLibrarySeries: number;
}

function librarySides(series: readonly Series[]) {
  const sets = series.map((s) => ({ series: s, set: rrulestr(s.rruleText, { forceset: true }) }));
  const component = new ICAL.Component(
    ICAL.parse(calendarText(series.map((s) => s.floatingText))) as unknown[],
  );
  const byUid = new Map(series.map((s) => [s.uid, s]));
  const events = component.getAllSubcomponents("vevent").map((v) => {
    const event = new ICAL.Event(v);
    return { series: byUid.get(event.uid) as Series, event };
  });
  return { sets, events };
}

export function runRecurrenceBenchmark(config: RecurrenceConfig): RecurrenceResults {
  progress("recurrence: generating series");
  const prng = new Prng(5_545);
  const series: Series[] = [];
  for (let i = 0; i < config.series; i++) series.push(makeSeries(prng, i, undefined, false));
  const templates: Record<string, number> = {};
  for (const s of series) templates[s.template] = (templates[s.template] ?? 0) + 1;
  const subset = series.filter((_, i) => i % config.libraryEvery === 0);
  const subsetUids = new Set(subset.map((s) => s.uid));
  const windowDays = [14, 28, 90];

  // Ally first, on all series, before the libraries' objects fill the heap. The JIT is warmed
  // on other windows first; then each window is timed warm and cold (see allyExpand).
  const allyRates = new Map<number, EngineRate>();
  const allyColdRates = new Map<number, EngineRate>();
  const allyStarts = new Map<number, Starts>();
  {
    const calendar = allyCalendar(series);
    progress("recurrence: Ally warm-up");
    for (let k = 0; k < 6; k++)
      allyExpand(calendar, windowOf(28, ANCHOR_MS - (60 + 30 * k) * DAY_MS), 1);
    for (const days of windowDays) {
      progress(`recurrence: ${days}-day window, Ally`);
      const ally = allyExpand(calendar, windowOf(days));
      allyRates.set(days, rate(ally.ms, countOf(ally.starts), series.length));
      const cold = allyExpand(() => allyCalendar(series), windowOf(days), 3);
      allyColdRates.set(days, rate(cold.ms, countOf(cold.starts), series.length));
      const kept: Starts = new Map();
      for (const [uid, list] of ally.starts) if (subsetUids.has(uid)) kept.set(uid, list);
      allyStarts.set(days, kept);
    }
  }

  const subsetCalendar = allyCalendar(subset);
  const { sets, events } = librarySides(subset);
  progress("recurrence: libraries warm-up");
  rruleExpand(sets.slice(0, 50), windowOf(28, ANCHOR_MS - 60 * DAY_MS));
  icalExpand(events.slice(0, 50), windowOf(28, ANCHOR_MS - 60 * DAY_MS));

  const windows: RecurrenceResults["windows"] = [];
  const mismatchSamples: Mismatch[] = [];
  for (const days of windowDays) {
    const w = windowOf(days);
    const allySub = allyExpand(subsetCalendar, w);
    progress(`recurrence: ${days}-day window, rrule.js`);
    const rr = rruleExpand(sets, w);
    progress(`recurrence: ${days}-day window, ical.js`);
    const ic = icalExpand(events, w);
    const fromFull = allyStarts.get(days) as Starts;
    windows.push({
      days,
      ally: allyRates.get(days) as EngineRate,
      allyCold: allyColdRates.get(days) as EngineRate,
      allyOnSubset: rate(allySub.ms, countOf(allySub.starts), subset.length),
      rrule: rate(rr.ms, countOf(rr.starts), subset.length),
      icaljs: rate(ic.ms, countOf(ic.starts), subset.length),
      differingSeries: {
        rrule: compare("rrule.js", subset, fromFull, rr.starts, w, mismatchSamples),
        icaljs: compare("ical.js", subset, fromFull, ic.starts, w, mismatchSamples),
      },
    });
  }

  // Cost against age: the same rules, open-ended, DTSTART 1 month to 20 years back.
  const ages: [number, string][] = [
    [30, "1 month"],
    [365, "1 year"],
    [5 * 365, "5 years"],
    [20 * 365, "20 years"],
  ];
  const age: RecurrenceResults["age"] = [];
  const w = windowOf(28);
  const aged = ages.map(([ageDays]) => {
    const agePrng = new Prng(1_997);
    const list: Series[] = [];
    for (let i = 0; i < config.ageSeries; i++) list.push(makeSeries(agePrng, i, ageDays, true));
    return list;
  });
  // Ally: cold runs (fresh calendar each), interleaved across ages so that JIT and machine
  // noise hit every age alike; the median per age.
  const allyTimes: number[][] = ages.map(() => []);
  let allyResult: ReturnType<typeof allyExpand>[] = [];
  for (let round_ = 0; round_ < 9; round_++) {
    progress(`recurrence: age sweep, Ally round ${round_ + 1}/9`);
    allyResult = aged.map((list, k) => {
      const result = allyExpand(() => allyCalendar(list), w, 1);
      if (round_ >= 2) (allyTimes[k] as number[]).push(result.ms);
      return result;
    });
  }
  ages.forEach(([ageDays, label], k) => {
    progress(`recurrence: age ${label}, libraries`);
    const list = aged[k] as Series[];
    const libSeries = list.slice(0, config.ageLibrarySeries);
    const lib = librarySides(libSeries);
    const rr = rruleExpand(lib.sets, w);
    const ic = icalExpand(lib.events, w);
    const ally = allyResult[k] as ReturnType<typeof allyExpand>;
    age.push({
      ageDays,
      label,
      ally: rate(median(allyTimes[k] as number[]), countOf(ally.starts), list.length),
      rrule: rate(rr.ms, countOf(rr.starts), libSeries.length),
      icaljs: rate(ic.ms, countOf(ic.starts), libSeries.length),
    });
  });
  const first = age[0] as RecurrenceResults["age"][number];
  const last = age[age.length - 1] as RecurrenceResults["age"][number];
  return {
    series: series.length,
    librarySubset: subset.length,
    templates,
    windows,
    mismatchSamples,
    age,
    ageSeries: config.ageSeries,
    ageLibrarySeries: config.ageLibrarySeries,
    allyFlatness: round(last.ally.microsecondsPerSeries / first.ally.microsecondsPerSeries, 2),
  };
}
