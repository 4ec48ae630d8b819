/**
 * A generated organisation for the loop benchmark: interviewers in many zones with working
 * hours, one-off busy blocks and recurring series (iCalendar), the series expanded once with
 * Ally's calendar code into "materialised" busy time; and the loop queries asked of it.
 */
import { busyIntervals, parseICalendar } from "../src/calendar/index.js";
import type { MinuteInterval, Weekday, WorkingHoursSpan } from "../src/engine/types.js";
import { Prng } from "./prng.js";
import {
  calendarText,
  civil,
  DAY_MS,
  dayNumberOf,
  localText,
  officeEpochMs,
  type RuleShape,
  syncDay,
  utcText,
  vevent,
} from "./series.js";

export type Region = "americas" | "emea" | "apac";

export const REGION_ZONES: Record<Region, readonly string[]> = {
  americas: [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
  ],
  emea: [
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Helsinki",
    "Africa/Johannesburg",
    "Asia/Dubai",
  ],
  apac: [
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
  ],
};

const ORGANISER_ZONES: Record<Region, readonly string[]> = {
  americas: ["America/New_York", "America/Los_Angeles"],
  emea: ["Europe/London", "Europe/Berlin"],
  apac: ["Asia/Singapore", "Australia/Sydney"],
};

const REGIONS: readonly Region[] = ["americas", "emea", "apac"];
const ALL_ZONES = REGIONS.flatMap((r) => REGION_ZONES[r]);

/** Monday 2 March 2026: ranges start at local midnight of this day (US DST starts on 8 March). */
export const RANGE_DAY = dayNumberOf(2026, 3, 2);
/** Busy time is materialised for this window, which covers every range (up to 28 days). */
export const MATERIALISED = {
  startEpochMs: (RANGE_DAY - 3) * DAY_MS,
  endEpochMs: (RANGE_DAY + 32) * DAY_MS,
};

export interface MsInterval {
  startEpochMs: number;
  endEpochMs: number;
}

export interface Interviewer {
  id: string;
  region: Region;
  timeZone: string;
  workingHours: WorkingHoursSpan[];
  /** The recurring series, as an iCalendar file. */
  ics: string;
  /** Materialised busy time (one-off blocks and expanded series): sorted, merged, whole minutes. */
  busyMs: MsInterval[];
  /** The same in epoch minutes. */
  busyMinutes: MinuteInterval[];
}

const WORKDAYS: Weekday[] = ["MO", "TU", "WE", "TH", "FR"];
const CODE_OF: Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

function randomHours(prng: Prng): WorkingHoursSpan[] {
  const shape = prng.weighted([
    [70, "single"],
    [20, "split"],
    [10, "four-day"],
  ]);
  const start = prng.pick([8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60]);
  if (shape === "split") {
    return [
      { days: WORKDAYS, start: clock(start), end: "12:00" },
      { days: WORKDAYS, start: "13:00", end: clock(start + 8 * 60 + 30) },
    ];
  }
  const end = start + prng.pick([8 * 60, 8 * 60 + 30, 9 * 60]);
  const days: Weekday[] =
    shape === "four-day" ? prng.pick([WORKDAYS.slice(0, 4), WORKDAYS.slice(1)]) : WORKDAYS;
  return [{ days, start: clock(start), end: clock(end) }];
}

const minutesOf = (text: string): number => Number(text.slice(0, 2)) * 60 + Number(text.slice(3));

/** The 10 recurring series of one interviewer, as VEVENT texts. */
function seriesOf(prng: Prng, id: string, zone: string, hours: WorkingHoursSpan[]): string[] {
  const first = hours[0] as WorkingHoursSpan;
  const dayStart = minutesOf(first.start);
  const anyDay = (): number => prng.int(1, 5);
  const slot = (duration: number): number =>
    dayStart + 15 * prng.int(0, Math.max(0, Math.floor((7 * 60 - duration) / 15)));
  const shapes: { rule: RuleShape; duration: number; minute: number; extra?: string[] }[] = [];
  const weekly = (day: number): RuleShape => ({
    template: "weekly",
    rrule: `FREQ=WEEKLY;BYDAY=${CODE_OF[day - 1]}`,
    matches: (c) => c.weekday === day,
  });
  const workdays: RuleShape = {
    template: "workdays",
    rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    matches: (c) => c.weekday <= 5,
  };
  shapes.push({ rule: workdays, duration: 15, minute: dayStart + 30 }); // stand-up
  shapes.push({ rule: weekly(anyDay()), duration: 30, minute: slot(30) }); // 1:1
  const sync = anyDay();
  shapes.push({
    rule: { ...weekly(sync), rrule: `FREQ=WEEKLY;INTERVAL=2;BYDAY=${CODE_OF[sync - 1]}` },
    duration: 60,
    minute: slot(60),
  });
  const allHands = anyDay();
  shapes.push({
    rule: {
      template: "monthly",
      rrule: `FREQ=MONTHLY;BYDAY=1${CODE_OF[allHands - 1]}`,
      matches: (c) => c.weekday === allHands && c.day <= 7,
    },
    duration: 60,
    minute: slot(60),
  });
  const monthDay = prng.int(1, 28);
  shapes.push({
    rule: {
      template: "monthly",
      rrule: `FREQ=MONTHLY;BYMONTHDAY=${monthDay}`,
      matches: (c) => c.day === monthDay,
    },
    duration: 60,
    minute: slot(60),
  });
  shapes.push({
    rule: {
      template: "monthly",
      rrule: "FREQ=MONTHLY;BYDAY=-1FR",
      matches: (c) => c.weekday === 5 && c.day + 7 > c.daysInMonth,
    },
    duration: 45,
    minute: slot(45),
  });
  const focus = prng.sample([1, 2, 3, 4, 5], 2).sort();
  shapes.push({
    rule: {
      template: "weekly",
      rrule: `FREQ=WEEKLY;BYDAY=${focus.map((d) => CODE_OF[d - 1]).join(",")}`,
      matches: (c) => focus.includes(c.weekday),
    },
    duration: 120,
    minute: slot(120),
  });
  shapes.push({
    rule: workdays,
    duration: 60,
    minute: 12 * 60,
    extra: prng.chance(0.3) ? ["TRANSP:TRANSPARENT"] : [],
  }); // lunch
  shapes.push({
    rule: {
      template: "monthly",
      rrule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
      matches: (c) => c.weekday <= 5 && (c.day === 1 || (c.weekday === 1 && c.day <= 3)),
    },
    duration: 90,
    minute: slot(90),
  });
  shapes.push({ rule: weekly(anyDay()), duration: 45, minute: slot(45) }); // guild
  return shapes.map((shape, i) => {
    const startDay = syncDay(shape.rule, RANGE_DAY - prng.int(20, 3 * 365));
    let rrule = shape.rule.rrule;
    const lines: string[] = [];
    if (i === 9) {
      // A series that ends: by COUNT or UNTIL, some of them already over.
      rrule += prng.chance(0.5)
        ? `;COUNT=${prng.int(10, 200)}`
        : `;UNTIL=${utcText(officeEpochMs(zone, RANGE_DAY + prng.int(-60, 60), 23 * 60))}`;
    }
    if (prng.chance(0.3)) {
      const exdays: string[] = [];
      for (let k = 0; k < 2; k++) {
        const d = syncDay(shape.rule, RANGE_DAY + prng.int(0, 27));
        exdays.push(localText(d, shape.minute));
      }
      lines.push(`EXDATE;TZID=${zone}:${exdays.join(",")}`);
    }
    return vevent([
      `UID:${id}-series-${i}@bench.ally`,
      `DTSTAMP:20260101T000000Z`,
      `DTSTART;TZID=${zone}:${localText(startDay, shape.minute)}`,
      `DURATION:PT${shape.duration}M`,
      `RRULE:${rrule}`,
      ...lines,
      ...(shape.extra ?? []),
      `SUMMARY:series ${i}`,
    ]);
  });
}

/** 4–6 one-off busy blocks on every working day of the materialised window. */
function oneOffBlocks(prng: Prng, zone: string, hours: WorkingHoursSpan[]): MsInterval[] {
  const blocks: MsInterval[] = [];
  const firstDay = Math.floor(MATERIALISED.startEpochMs / DAY_MS);
  const lastDay = Math.ceil(MATERIALISED.endEpochMs / DAY_MS);
  for (let d = firstDay; d <= lastDay; d++) {
    const code = CODE_OF[civil(d).weekday - 1] as Weekday;
    const spans = hours.filter((h) => h.days.includes(code));
    if (spans.length === 0) continue;
    const from = minutesOf((spans[0] as WorkingHoursSpan).start);
    const to = minutesOf((spans[spans.length - 1] as WorkingHoursSpan).end);
    const n = prng.int(4, 6);
    for (let k = 0; k < n; k++) {
      const duration = prng.pick([15, 30, 30, 30, 45, 60, 60, 90, 120]);
      let minute = from - 60 + 15 * prng.int(0, Math.floor((to - from + 45 - duration) / 15));
      if (prng.chance(0.1)) minute += 5 * prng.int(1, 2);
      const start = officeEpochMs(zone, d, minute);
      blocks.push({ startEpochMs: start, endEpochMs: start + duration * 60_000 });
    }
  }
  return blocks;
}

function mergeSorted(intervals: MsInterval[]): MsInterval[] {
  intervals.sort((a, b) => a.startEpochMs - b.startEpochMs);
  const out: MsInterval[] = [];
  for (const i of intervals) {
    const last = out[out.length - 1];
    if (last !== undefined && i.startEpochMs <= last.endEpochMs) {
      if (i.endEpochMs > last.endEpochMs) last.endEpochMs = i.endEpochMs;
    } else out.push({ ...i });
  }
  return out;
}

export interface Organisation {
  interviewers: Interviewer[];
  /** Milliseconds spent parsing and expanding the iCalendar series (Ally). */
  materialiseMs: number;
  seriesCount: number;
  oneOffCount: number;
}

/** Builds the organisation; the series are parsed and expanded once with Ally's calendar code. */
export function buildOrganisation(size: number, seed: number, clockMs: () => number): Organisation {
  const prng = new Prng(seed);
  const interviewers: Interviewer[] = [];
  let materialiseMs = 0;
  let seriesCount = 0;
  let oneOffCount = 0;
  for (let i = 0; i < size; i++) {
    const region = prng.weighted<Region>([
      [45, "americas"],
      [35, "emea"],
      [20, "apac"],
    ]);
    const timeZone = prng.pick(REGION_ZONES[region]);
    const id = `iv${String(i).padStart(4, "0")}`;
    const workingHours = randomHours(prng);
    const events = seriesOf(prng, id, timeZone, workingHours);
    seriesCount += events.length;
    const ics = calendarText(events);
    const blocks = oneOffBlocks(prng, timeZone, workingHours);
    oneOffCount += blocks.length;
    const t0 = clockMs();
    const parsed = parseICalendar(ics, `${id}.ics`);
    if (!parsed.ok) throw new Error(`bench calendar ${id} does not parse: ${parsed.error.message}`);
    const { busy, problems } = busyIntervals(parsed.calendar, MATERIALISED, { zone: timeZone });
    materialiseMs += clockMs() - t0;
    if (parsed.problems.length > 0 || problems.length > 0) {
      throw new Error(`bench calendar ${id}: ${[...parsed.problems, ...problems][0]?.message}`);
    }
    const busyMs = mergeSorted([...blocks, ...busy]).map((b) => ({
      startEpochMs: Math.floor(b.startEpochMs / 60_000) * 60_000,
      endEpochMs: Math.ceil(b.endEpochMs / 60_000) * 60_000,
    }));
    interviewers.push({
      id,
      region,
      timeZone,
      workingHours,
      ics,
      busyMs,
      busyMinutes: busyMs.map((b) => ({
        start: b.startEpochMs / 60_000,
        end: b.endEpochMs / 60_000,
      })),
    });
  }
  return { interviewers, materialiseMs, seriesCount, oneOffCount };
}

export interface QuerySession {
  id: string;
  durationMinutes: number;
  /** Indices into the organisation's interviewers. */
  interviewers: number[];
  count: number;
}

/** One "when can this loop happen?" query. */
export interface LoopQuery {
  index: number;
  timeZone: string;
  rangeStartMs: number;
  rangeEndMs: number;
  nowMs: number;
  minNoticeMinutes: number;
  bufferMinutes: number;
  granularityMinutes: number;
  limit: number;
  /** Indices of the loop's pool (every session's interviewers come from it). */
  pool: number[];
  sessions: QuerySession[];
  candidate?: { timeZone: string; available: MsInterval[] };
}

const SESSIONS = [
  { id: "coding", durationMinutes: 45, count: 1 },
  { id: "system-design", durationMinutes: 60, count: 2 },
  { id: "behavioural", durationMinutes: 60, count: 1 },
  { id: "hiring-manager", durationMinutes: 30, count: 1 },
];

/** Loop queries: a pool drawn mostly from one region, a 4-session loop, a range of `days`. */
export function makeQueries(
  org: Organisation,
  count: number,
  seed: number,
  poolSize: (prng: Prng) => number,
  days: number,
): LoopQuery[] {
  const prng = new Prng(seed);
  const byRegion = new Map<Region, number[]>();
  org.interviewers.forEach((iv, i) => {
    const list = byRegion.get(iv.region) ?? [];
    list.push(i);
    byRegion.set(iv.region, list);
  });
  const everyone = org.interviewers.map((_, i) => i);
  const queries: LoopQuery[] = [];
  for (let q = 0; q < count; q++) {
    const region = prng.pick(REGIONS);
    const timeZone = prng.pick(ORGANISER_ZONES[region]);
    const size = poolSize(prng);
    const local = Math.round(size * 0.8);
    const chosen = new Set(prng.sample(byRegion.get(region) ?? [], local));
    while (chosen.size < size) chosen.add(prng.pick(everyone));
    const pool = [...chosen];
    const rangeStartMs = officeEpochMs(timeZone, RANGE_DAY, 0);
    const rangeEndMs = officeEpochMs(timeZone, RANGE_DAY + days, 0);
    const sessions = SESSIONS.map((s) => ({
      ...s,
      interviewers: prng.sample(pool, Math.max(4, Math.round(size * 0.4))),
    }));
    const query: LoopQuery = {
      index: q,
      timeZone,
      rangeStartMs,
      rangeEndMs,
      nowMs: rangeStartMs - 2 * DAY_MS + 9 * 3_600_000,
      minNoticeMinutes: 1440,
      bufferMinutes: prng.pick([0, 5, 10]),
      granularityMinutes: 15,
      limit: 10,
      pool,
      sessions,
    };
    if (prng.chance(0.5)) {
      const zone = prng.pick(ALL_ZONES);
      const available: MsInterval[] = [];
      for (let d = RANGE_DAY - 1; d <= RANGE_DAY + days; d++) {
        if (civil(d).weekday > 5) continue;
        available.push({
          startEpochMs: officeEpochMs(zone, d, 8 * 60),
          endEpochMs: officeEpochMs(zone, d, 20 * 60),
        });
      }
      query.candidate = { timeZone: zone, available };
    }
    queries.push(query);
  }
  return queries;
}
