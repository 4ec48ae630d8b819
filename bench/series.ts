/**
 * Recurring-series generation shared by the benchmarks: RRULE templates with a matching-day
 * predicate (so that DTSTART is always an instance of its rule, as RFC 5545 asks), civil-date
 * helpers, local-to-instant conversion, and iCalendar text.
 */
import { Temporal } from "temporal-polyfill";
import type { Prng } from "./prng.js";

export const DAY_MS = 86_400_000;
const CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

/** A calendar day: day number since 1970-01-01 and its civil fields. */
export interface CivilDay {
  dayNumber: number;
  year: number;
  month: number;
  day: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  daysInMonth: number;
}

export function civil(dayNumber: number): CivilDay {
  const d = new Date(dayNumber * DAY_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  return {
    dayNumber,
    year,
    month,
    day: d.getUTCDate(),
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

export const dayNumberOf = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) / DAY_MS;

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** iCalendar local DATE-TIME text, e.g. 20260302T093000. */
export function localText(dayNumber: number, minuteOfDay: number, second = 0): string {
  const c = civil(dayNumber);
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${pad(c.year, 4)}${pad(c.month)}${pad(c.day)}T${pad(h)}${pad(m)}${pad(second)}`;
}

/** iCalendar UTC DATE-TIME text of an instant, e.g. 20260302T143000Z. */
export function utcText(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/**
 * Epoch ms of a local wall-clock time in an IANA zone, by Temporal (RFC 5545 reading: a time in
 * a spring gap moves forward, a repeated time is the first one). Independent of Ally's code.
 */
export function zonedEpochMs(zone: string, localMs: number): number {
  const d = new Date(localMs);
  return Temporal.PlainDateTime.from({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  })
    .toZonedDateTime(zone, { disambiguation: "compatible" })
    .toInstant().epochMilliseconds;
}

const noonOffsets = new Map<string, number>();

/**
 * Epoch ms of a local time on a day, using the zone's offset at local noon of that day (cached).
 * Exact for times away from the night-time DST switch, which is all that office hours need.
 */
export function officeEpochMs(zone: string, dayNumber: number, minuteOfDay: number): number {
  const key = `${zone}/${dayNumber}`;
  let offset = noonOffsets.get(key);
  if (offset === undefined) {
    const noon = dayNumber * DAY_MS + 12 * 3_600_000;
    offset = noon - zonedEpochMs(zone, noon);
    noonOffsets.set(key, offset);
  }
  return dayNumber * DAY_MS + minuteOfDay * 60_000 - offset;
}

/** Local day number of an instant in a zone. */
export function localDayNumber(zone: string, epochMs: number): number {
  const z = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
  return dayNumberOf(z.year, z.month, z.day);
}

export interface RuleShape {
  template: string;
  /** RRULE without COUNT/UNTIL. */
  rrule: string;
  /** Whether a day is an instance day of the rule (ignoring INTERVAL phase). */
  matches(day: CivilDay): boolean;
  /** Fixed hour when the rule has BYHOUR (DTSTART must be at the first one). */
  hour?: number;
}

const wd = (n: number): string => CODES[n - 1] as string;
const nthOk = (c: CivilDay, n: number): boolean =>
  n > 0 ? Math.ceil(c.day / 7) === n : c.day + 7 > c.daysInMonth;
const isWorkday = (c: CivilDay): boolean => c.weekday <= 5;

/** A random rule from the frequency mix used by the expansion benchmark. */
export function randomRule(prng: Prng): RuleShape {
  const kind = prng.weighted<string>([
    [10, "daily"],
    [10, "daily-workdays"],
    [5, "daily-byhour"],
    [22, "weekly"],
    [10, "weekly-biweekly"],
    [10, "monthly-bymonthday"],
    [10, "monthly-nth-weekday"],
    [8, "monthly-bysetpos"],
    [5, "quarterly-nth-weekday"],
    [6, "yearly-bymonthday"],
    [4, "yearly-last-sunday"],
  ]);
  switch (kind) {
    case "daily": {
      const interval = prng.weighted([
        [4, 1],
        [1, 2],
        [1, 3],
      ]);
      return {
        template: kind,
        rrule: interval === 1 ? "FREQ=DAILY" : `FREQ=DAILY;INTERVAL=${interval}`,
        matches: () => true,
      };
    }
    case "daily-workdays":
      return { template: kind, rrule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", matches: isWorkday };
    case "daily-byhour":
      return {
        template: kind,
        rrule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,14",
        matches: isWorkday,
        hour: 9,
      };
    case "weekly": {
      const days = prng.sample([1, 2, 3, 4, 5, 6, 7], prng.int(1, 3)).sort((a, b) => a - b);
      return {
        template: kind,
        rrule: `FREQ=WEEKLY;BYDAY=${days.map(wd).join(",")}`,
        matches: (c) => days.includes(c.weekday),
      };
    }
    case "weekly-biweekly": {
      const day = prng.int(1, 5);
      return {
        template: kind,
        rrule: `FREQ=WEEKLY;INTERVAL=2;BYDAY=${wd(day)}`,
        matches: (c) => c.weekday === day,
      };
    }
    case "monthly-bymonthday": {
      const day = prng.weighted([
        [6, prng.int(1, 28)],
        [2, -1],
        [1, 31],
      ]);
      return {
        template: kind,
        rrule: `FREQ=MONTHLY;BYMONTHDAY=${day}`,
        matches: (c) => (day > 0 ? c.day === day : c.day === c.daysInMonth),
      };
    }
    case "monthly-nth-weekday":
    case "quarterly-nth-weekday": {
      const n = prng.pick([1, 2, 3, 4, -1]);
      const day = prng.int(1, 5);
      const interval = kind === "monthly-nth-weekday" ? "" : ";INTERVAL=3";
      return {
        template: kind,
        rrule: `FREQ=MONTHLY${interval};BYDAY=${n}${wd(day)}`,
        matches: (c) => c.weekday === day && nthOk(c, n),
      };
    }
    case "monthly-bysetpos": {
      const pos = prng.pick([1, -1]);
      return {
        template: kind,
        rrule: `FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=${pos}`,
        matches: (c) =>
          isWorkday(c) &&
          (pos === 1
            ? c.day === 1 || (c.weekday === 1 && c.day <= 3)
            : c.day === c.daysInMonth || (c.weekday === 5 && c.day >= c.daysInMonth - 2)),
      };
    }
    case "yearly-bymonthday": {
      const month = prng.int(1, 12);
      const day = prng.int(1, 28);
      return {
        template: kind,
        rrule: `FREQ=YEARLY;BYMONTH=${month};BYMONTHDAY=${day}`,
        matches: (c) => c.month === month && c.day === day,
      };
    }
    default: {
      const month = prng.pick([3, 10]);
      return {
        template: "yearly-last-sunday",
        rrule: `FREQ=YEARLY;BYMONTH=${month};BYDAY=-1SU`,
        matches: (c) => c.month === month && c.weekday === 7 && c.day + 7 > c.daysInMonth,
      };
    }
  }
}

/** The first day at or after `dayNumber` that matches the rule. */
export function syncDay(rule: RuleShape, dayNumber: number): number {
  let d = dayNumber;
  while (!rule.matches(civil(d))) d++;
  return d;
}

/** Escapes nothing: the generated texts need no escaping. One VCALENDAR around VEVENT bodies. */
export function calendarText(events: readonly string[]): string {
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ally//bench//EN\r\n${events.join("")}END:VCALENDAR\r\n`;
}

export function vevent(lines: readonly string[]): string {
  return `BEGIN:VEVENT\r\n${lines.map((l) => `${l}\r\n`).join("")}END:VEVENT\r\n`;
}
