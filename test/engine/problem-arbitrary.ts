/**
 * fast-check arbitrary for small random engine problems, sized so that the brute-force oracle
 * answers in milliseconds: 2–6 participants across zones with DST (Lord Howe shifts by 30
 * minutes), ranges up to 3 days that often contain a DST change or an ISO week boundary,
 * awkward grids (7 and 45 minutes do not divide an hour or a day evenly), 1–3 sessions.
 */
import fc from "fast-check";
import type {
  EngineParticipant,
  EngineProblem,
  LoadLimits,
  MinuteInterval,
  Weekday,
  WorkingHoursSpan,
} from "../../src/engine/types.js";
import { at } from "./build-problem.js";

export const ZONES = [
  "America/New_York",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "UTC",
] as const;

/** UTC midnights near which ranges are drawn: DST changes, ISO week boundaries, plain days. */
export const BASE_DAYS = [
  at("2026-03-08T00:00:00Z"), // US spring forward (02:00 → 03:00 New York)
  at("2026-03-29T00:00:00Z"), // EU spring forward (02:00 → 03:00 Berlin)
  at("2026-04-05T00:00:00Z"), // Lord Howe falls back half an hour (02:00 → 01:30)
  at("2026-10-04T00:00:00Z"), // Lord Howe springs forward half an hour (02:00 → 02:30)
  at("2026-10-25T00:00:00Z"), // EU fall back (03:00 → 02:00 Berlin)
  at("2026-11-01T00:00:00Z"), // US fall back (02:00 → 01:00 New York)
  at("2026-12-01T00:00:00Z"), // an ordinary Tuesday
  at("2027-01-03T00:00:00Z"), // Sunday: ISO week 2026-W53 ends, 2027-W01 begins
] as const;

const WEEKDAY_LIST: Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** `arb` in `present` of `present + absent` cases, else undefined (shrinks towards undefined). */
function sometimes<T>(arb: fc.Arbitrary<T>, present: number, absent: number) {
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: absent },
    { arbitrary: arb, weight: present },
  );
}

const pad = (n: number): string => String(n).padStart(2, "0");
const clock = (minuteOfDay: number): string =>
  `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;

/** A minute of the local day, usually on a quarter hour. */
const minuteOfDayArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 95 }).map((q) => q * 15), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 1439 }), weight: 1 },
);

const spanArb: fc.Arbitrary<WorkingHoursSpan> = fc
  .record({
    days: fc.subarray(WEEKDAY_LIST, { minLength: 1 }),
    start: minuteOfDayArb,
    end: fc.oneof(fc.constant(1440), minuteOfDayArb),
  })
  .map(({ days, start, end }) => ({ days, start: clock(start), end: clock(end) }));

/** Offset from the base day in minutes, usually on a 5-minute step. */
const offsetArb = (minMinutes: number, maxMinutes: number): fc.Arbitrary<number> =>
  fc.oneof(
    {
      arbitrary: fc
        .integer({ min: Math.ceil(minMinutes / 5), max: Math.floor(maxMinutes / 5) })
        .map((k) => k * 5),
      weight: 3,
    },
    { arbitrary: fc.integer({ min: minMinutes, max: maxMinutes }), weight: 1 },
  );

const intervalArb = (
  maxLength: number,
  minStart = -1440,
  maxStart = 4 * 1440,
): fc.Arbitrary<MinuteInterval> =>
  fc
    .record({
      start: offsetArb(minStart, maxStart),
      // Zero-length intervals block nothing; they are worth drawing on purpose.
      length: fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: maxLength }), weight: 9 },
      ),
    })
    .map(({ start, length }) => ({ start, end: start + length }));

const interviewArb: fc.Arbitrary<MinuteInterval> = fc
  .record({
    start: offsetArb(-9 * 1440, 5 * 1440),
    length: fc.constantFrom(30, 45, 60),
  })
  .map(({ start, length }) => ({ start, end: start + length }));

/** A limit of 0 means no interviews at all, not "no limit". */
const limitsArb: fc.Arbitrary<LoadLimits> = fc.record({
  perDay: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  perWeek: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
});

const participantArb = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  workingHours: sometimes(
    fc.oneof(
      { arbitrary: fc.array(spanArb, { minLength: 1, maxLength: 3 }), weight: 9 },
      { arbitrary: fc.constant<WorkingHoursSpan[]>([]), weight: 1 },
    ),
    1,
    1,
  ),
  busy: fc.array(intervalArb(240), { maxLength: 4 }),
  interviews: fc.array(interviewArb, { maxLength: 3 }),
  limits: sometimes(limitsArb, 1, 2),
});

const sessionArb = fc.record({
  durationMinutes: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 6 }).map((q) => q * 15), weight: 3 },
    { arbitrary: fc.integer({ min: 15, max: 90 }), weight: 1 },
  ),
  pool: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
  count: fc.oneof(
    { arbitrary: fc.constant(1), weight: 3 },
    { arbitrary: fc.constant(2), weight: 1 },
  ),
});

/** Windows one after another, each starting up to 30 minutes before or after the last ends. */
const windowChainArb: fc.Arbitrary<MinuteInterval[]> = fc
  .record({
    start: offsetArb(-120, 1440),
    links: fc.array(
      fc.record({
        shift: fc.oneof(fc.constant(0), fc.integer({ min: -30, max: 30 })),
        length: fc.integer({ min: 30, max: 600 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ start, links }) => {
    const windows: MinuteInterval[] = [];
    let end = start;
    for (const { shift, length } of links) {
      windows.push({ start: end + shift, end: end + shift + length });
      end += shift + length;
    }
    return windows;
  });

const candidateArb = fc.record({
  timeZone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  available: sometimes(
    fc.oneof(
      { arbitrary: fc.array(intervalArb(1440, -240, 2880), { maxLength: 3 }), weight: 1 },
      { arbitrary: windowChainArb, weight: 2 },
    ),
    3,
    1,
  ),
});

const rawProblemArb = fc.record({
  base: fc.constantFrom(...BASE_DAYS),
  rangeStart: offsetArb(-1440, 1440),
  rangeLength: fc.integer({ min: 60, max: 3 * 1440 }),
  nowOffset: fc.integer({ min: -3000, max: 600 }),
  timeZone: fc.constantFrom(...ZONES),
  granularityMinutes: fc.constantFrom(5, 15, 30, 45, 60, 7),
  minNoticeMinutes: fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 600 }), weight: 2 },
    { arbitrary: fc.constant(1440), weight: 1 },
  ),
  bufferMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
  order: fc.constantFrom("fixed" as const, "any" as const),
  maxGapMinutes: fc.oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 60 }), weight: 2 },
  ),
  limit: fc.integer({ min: 1, max: 10 }),
  participants: fc.array(participantArb, { minLength: 2, maxLength: 6 }),
  candidate: sometimes(candidateArb, 1, 1),
  sessions: fc.array(sessionArb, { minLength: 1, maxLength: 3 }),
});

const shift = (interval: MinuteInterval, by: number): MinuteInterval => ({
  start: interval.start + by,
  end: interval.end + by,
});

/** Small random engine problems; every interviewer id names a participant. */
export const problemArb: fc.Arbitrary<EngineProblem> = rawProblemArb.map((raw) => {
  const participants: EngineParticipant[] = raw.participants.map((p, index) => {
    const interviews = p.interviews.map((i) => shift(i, raw.base));
    const person: EngineParticipant = {
      id: `p${index}`,
      timeZone: p.timeZone,
      // The engine's `busy` already holds the interviews (the edge merges them).
      busy: [...p.busy.map((b) => shift(b, raw.base)), ...interviews],
      interviews,
    };
    if (p.workingHours !== undefined) person.workingHours = p.workingHours;
    if (p.limits !== undefined) person.limits = p.limits;
    return person;
  });
  const rangeStart = raw.base + raw.rangeStart;
  const problem: EngineProblem = {
    now: rangeStart + raw.nowOffset,
    range: { start: rangeStart, end: rangeStart + raw.rangeLength },
    timeZone: raw.timeZone,
    granularityMinutes: raw.granularityMinutes,
    minNoticeMinutes: raw.minNoticeMinutes,
    bufferMinutes: raw.bufferMinutes,
    order: raw.order,
    maxGapMinutes: raw.maxGapMinutes,
    limit: raw.limit,
    participants,
    sessions: raw.sessions.map((s, index) => ({
      id: `s${index}`,
      durationMinutes: s.durationMinutes,
      interviewers: [...new Set(s.pool.map((k) => `p${k % participants.length}`))],
      count: s.count,
    })),
  };
  if (raw.candidate !== undefined) {
    const candidate: NonNullable<EngineProblem["candidate"]> = {};
    if (raw.candidate.timeZone !== undefined) candidate.timeZone = raw.candidate.timeZone;
    if (raw.candidate.available !== undefined) {
      // Windows are drawn relative to the range start, so that they usually meet the range.
      candidate.available = raw.candidate.available.map((w) => shift(w, rangeStart));
    }
    problem.candidate = candidate;
  }
  return problem;
});
