/**
 * RFC 5545 recurrence rules (RRULE): parsing and expansion.
 *
 * Expansion works on "local seconds": a wall-clock date-time read as if it were UTC, counted in
 * seconds since 1970-01-01T00:00. All arithmetic is on plain integers (day numbers and seconds
 * of day); turning local seconds into instants is the caller's business (see `expand.ts`), so
 * the same code serves floating, zoned, UTC and all-day series.
 *
 * Expansion does not walk from DTSTART when it does not have to: without COUNT it jumps to the
 * period that contains the window start; with COUNT and a rule whose periods all hold the same
 * number of instances it counts whole periods arithmetically. WEEKLY, MONTHLY and YEARLY
 * periods are walked day by day and time by time over the window only, and all work is charged
 * to a budget (`ExpansionBudget`): a hostile rule stops with the budget marked exhausted
 * instead of listing millions of candidates.
 */
import { civilFromDays, daysFromCivil, isoWeekday } from "../engine/civil.js";

export type Frequency =
  | "SECONDLY"
  | "MINUTELY"
  | "HOURLY"
  | "DAILY"
  | "WEEKLY"
  | "MONTHLY"
  | "YEARLY";

/** One BYDAY entry: ISO weekday (1 = Monday … 7 = Sunday) and its ordinal (0 = every). */
export interface WeekdayNum {
  weekday: number;
  ordinal: number;
}

/** RRULE UNTIL as written: a local (or UTC, when `utc`) date-time in local seconds. */
export interface RecurrenceUntil {
  localSeconds: number;
  utc: boolean;
  dateOnly: boolean;
}

/** A parsed RRULE. BY* lists are as written (negative values count from the end). */
export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: RecurrenceUntil;
  bySecond?: readonly number[];
  byMinute?: readonly number[];
  byHour?: readonly number[];
  byDay?: readonly WeekdayNum[];
  byMonthDay?: readonly number[];
  byYearDay?: readonly number[];
  byWeekNo?: readonly number[];
  byMonth?: readonly number[];
  bySetPos?: readonly number[];
  /** Week start, ISO weekday (1 = Monday, the default). */
  wkst: number;
}

/**
 * A parsed rule, with the parts that were left out because RFC 5545 does not know them (a typo
 * such as "UNTL=20191023"), as written; x-name parts and RFC 7529's RSCALE/SKIP are not listed.
 */
export type RuleParseResult =
  | { ok: true; rule: RecurrenceRule; unknownParts?: readonly string[] }
  | { ok: false; error: string };

const FREQUENCIES: readonly Frequency[] = [
  "SECONDLY",
  "MINUTELY",
  "HOURLY",
  "DAILY",
  "WEEKLY",
  "MONTHLY",
  "YEARLY",
];
const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

export const SECONDS_PER_DAY = 86_400;

/** Local seconds of a calendar date-time. @example localSeconds(1970, 1, 2) // 86400 */
export function localSeconds(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  return daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
}

/**
 * Reads an iCalendar DATE or DATE-TIME ("19970902", "19970902T090000", "…Z").
 * @example parseDateTimeText("19970902T090000Z") // { localSeconds: 873190800, utc: true, dateOnly: false }
 */
export function parseDateTimeText(
  text: string,
): { localSeconds: number; utc: boolean; dateOnly: boolean } | undefined {
  const fast = parseDateTimeDigits(text);
  if (fast !== undefined) return fast;
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (m[4] === undefined) {
    return { localSeconds: localSeconds(year, month, day), utc: false, dateOnly: true };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  // RFC 5545 allows a leap second (60); read it as 59.
  const second = Math.min(59, Number(m[6] ?? "0"));
  if (hour > 23 || minute > 59) return undefined;
  return {
    localSeconds: localSeconds(year, month, day, hour, minute, second),
    utc: m[7] !== undefined,
    dateOnly: false,
  };
}

/** Value of `length` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `parseDateTimeText` for the forms calendar programs write ("20260302", "20260302T090000",
 * "…Z"), read digit by digit; undefined for anything else (the regular expression decides).
 */
function parseDateTimeDigits(
  text: string,
): { localSeconds: number; utc: boolean; dateOnly: boolean } | undefined {
  const n = text.length;
  if (n !== 8 && n !== 15 && n !== 16) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 4, 2);
  const day = digitsAt(text, 6, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (n === 8) return { localSeconds: localSeconds(year, month, day), utc: false, dateOnly: true };
  const t = text.charCodeAt(8);
  if (t !== 84 && t !== 116) return undefined; // T or t
  const hour = digitsAt(text, 9, 2);
  const minute = digitsAt(text, 11, 2);
  const second = digitsAt(text, 13, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0) return undefined;
  let utc = false;
  if (n === 16) {
    const z = text.charCodeAt(15);
    if (z !== 90 && z !== 122) return undefined; // Z or z
    utc = true;
  }
  // RFC 5545 allows a leap second (60); read it as 59.
  return {
    localSeconds: localSeconds(year, month, day, hour, minute, Math.min(59, second)),
    utc,
    dateOnly: false,
  };
}

function parseIntList(value: string, min: number, max: number, allowNegative: boolean): number[] {
  const out: number[] = [];
  for (const part of value.split(",")) {
    const t = part.trim();
    if (t === "") continue;
    if (!/^[+-]?\d+$/.test(t)) throw new Error(`not a number: ${t}`);
    const n = Number(t);
    const abs = Math.abs(n);
    if (n < 0 && !allowNegative) throw new Error(`negative value not allowed: ${t}`);
    if (abs < min || abs > max) throw new Error(`value out of range: ${t}`);
    if (!out.includes(n)) out.push(n);
  }
  if (out.length === 0) throw new Error("empty list");
  return out;
}

/**
 * Parses an RRULE value (without the "RRULE:" name).
 * @example parseRecurrenceRule("FREQ=WEEKLY;BYDAY=MO,WE")
 */
export function parseRecurrenceRule(text: string): RuleParseResult {
  // Calendars repeat the same few rules; each caller gets its own copy of the parsed one.
  const known = ruleMemo.get(text);
  const result = known ?? parseRuleText(text);
  if (known === undefined) {
    if (ruleMemo.size >= RULE_MEMO_SIZE) ruleMemo.clear();
    ruleMemo.set(text, result);
  }
  if (!result.ok) return result;
  return result.unknownParts === undefined
    ? { ok: true, rule: copyRule(result.rule) }
    : { ok: true, rule: copyRule(result.rule), unknownParts: result.unknownParts };
}

const RULE_MEMO_SIZE = 4096;
const ruleMemo = new Map<string, RuleParseResult>();

/** A copy that shares the (read-only) BY* lists. */
function copyRule(rule: RecurrenceRule): RecurrenceRule {
  const copy = { ...rule };
  if (rule.until !== undefined) copy.until = { ...rule.until };
  return copy;
}

function parseRuleText(text: string): RuleParseResult {
  let freq: Frequency | undefined;
  const rule: Omit<RecurrenceRule, "freq"> = { interval: 1, wkst: 1 };
  let unknownParts: string[] | undefined;
  try {
    for (const part of text.trim().split(";")) {
      if (part.trim() === "") continue;
      const eq = part.indexOf("=");
      if (eq < 0) throw new Error(`rule part without value: ${part}`);
      const name = part.slice(0, eq).trim().toUpperCase();
      const value = part
        .slice(eq + 1)
        .trim()
        .toUpperCase();
      switch (name) {
        case "FREQ":
          if (!(FREQUENCIES as readonly string[]).includes(value)) {
            throw new Error(`unknown FREQ ${value}`);
          }
          freq = value as Frequency;
          break;
        case "INTERVAL": {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 1) throw new Error(`bad INTERVAL ${value}`);
          rule.interval = n;
          break;
        }
        case "COUNT": {
          const n = Number(value);
          if (!Number.isInteger(n)) throw new Error(`bad COUNT ${value}`);
          // Seen in the wild: COUNT=-1 next to UNTIL, meaning "no count".
          if (n >= 0) rule.count = n;
          break;
        }
        case "UNTIL": {
          const until = parseDateTimeText(value);
          if (until === undefined) throw new Error(`bad UNTIL ${value}`);
          rule.until = until;
          break;
        }
        case "BYSECOND":
          rule.bySecond = parseIntList(value, 0, 60, false).map((s) => Math.min(s, 59));
          break;
        case "BYMINUTE":
          rule.byMinute = parseIntList(value, 0, 59, false);
          break;
        case "BYHOUR":
          rule.byHour = parseIntList(value, 0, 23, false);
          break;
        case "BYMONTHDAY":
          rule.byMonthDay = parseIntList(value, 1, 31, true);
          break;
        case "BYYEARDAY":
          rule.byYearDay = parseIntList(value, 1, 366, true);
          break;
        case "BYWEEKNO":
          rule.byWeekNo = parseIntList(value, 1, 53, true);
          break;
        case "BYMONTH":
          rule.byMonth = parseIntList(value, 1, 12, false);
          break;
        case "BYSETPOS":
          rule.bySetPos = parseIntList(value, 1, 366, true);
          break;
        case "WKST": {
          const i = WEEKDAY_CODES.indexOf(value);
          if (i < 0) throw new Error(`bad WKST ${value}`);
          rule.wkst = i + 1;
          break;
        }
        case "BYDAY": {
          const days: WeekdayNum[] = [];
          for (const item of value.split(",")) {
            const t = item.trim();
            if (t === "") continue;
            const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(t);
            if (m === null) throw new Error(`bad BYDAY ${t}`);
            const ordinal = m[1] === undefined ? 0 : Number(m[1]);
            if (Math.abs(ordinal) > 53) throw new Error(`bad BYDAY ${t}`);
            const weekday = WEEKDAY_CODES.indexOf(m[2] as string) + 1;
            if (!days.some((d) => d.weekday === weekday && d.ordinal === ordinal)) {
              days.push({ weekday, ordinal });
            }
          }
          if (days.length === 0) throw new Error("empty BYDAY");
          rule.byDay = days;
          break;
        }
        case "RSCALE":
        case "SKIP":
          // RFC 7529: read as the Gregorian default.
          break;
        default:
          // RFC 5545 3.3.10 allows x-name rule parts; anything else is left out and reported.
          if (!name.startsWith("X-")) {
            unknownParts ??= [];
            unknownParts.push(part.trim());
          }
          break;
      }
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (freq === undefined) return { ok: false, error: "RRULE without FREQ" };
  return unknownParts === undefined
    ? { ok: true, rule: { freq, ...rule } }
    : { ok: true, rule: { freq, ...rule }, unknownParts };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] as number);
}

/** First day of week 1 of `year` for weeks starting on `wkst` (RFC 5545: ≥ 4 days in the year). */
function week1Start(year: number, wkst: number): number {
  const jan1 = daysFromCivil(year, 1, 1);
  const offset = (isoWeekday(jan1) - wkst + 7) % 7;
  const weekStart = jan1 - offset;
  return 7 - offset >= 4 ? weekStart : weekStart + 7;
}

/** The week-numbering year that `day` belongs to, for weeks starting on `wkst`. */
function weekYear(day: number, wkst: number): number {
  const { year } = civilFromDays(day);
  if (day >= week1Start(year + 1, wkst)) return year + 1;
  if (day < week1Start(year, wkst)) return year - 1;
  return year;
}

const FREQ_INDEX: Record<Frequency, number> = {
  SECONDLY: 0,
  MINUTELY: 1,
  HOURLY: 2,
  DAILY: 3,
  WEEKLY: 4,
  MONTHLY: 5,
  YEARLY: 6,
};
const F_SECONDLY = 0;
const F_MINUTELY = 1;
const F_HOURLY = 2;
const F_DAILY = 3;
const F_WEEKLY = 4;
const F_MONTHLY = 5;
const F_YEARLY = 6;

function flags(values: readonly number[] | undefined, size: number): Uint8Array | undefined {
  if (values === undefined) return undefined;
  const out = new Uint8Array(size);
  for (const v of values) if (v >= 0 && v < size) out[v] = 1;
  return out;
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A rule prepared for one DTSTART: defaults filled in, lists turned into lookup tables. */
class CompiledRule {
  readonly freq: number;
  readonly interval: number;
  readonly dateOnly: boolean;
  readonly dtstart: number;
  readonly dtDay: number;
  readonly dtYear: number;
  readonly dtMonth: number;
  readonly dtDayOfMonth: number;
  readonly dtWeekday: number;
  readonly wkst: number;
  readonly months: Uint8Array | undefined;
  readonly monthList: number[] | undefined;
  readonly monthDays: readonly number[] | undefined;
  readonly yearDays: readonly number[] | undefined;
  readonly weekNos: readonly number[] | undefined;
  /** Plain weekday flags (index 1..7) from BYDAY, ordinals ignored. */
  readonly weekdayFlags: Uint8Array | undefined;
  readonly byDay: readonly WeekdayNum[] | undefined;
  readonly byDayHasOrdinals: boolean;
  readonly hourFlags: Uint8Array | undefined;
  readonly minuteFlags: Uint8Array | undefined;
  readonly secondFlags: Uint8Array | undefined;
  /** Hours, minutes and seconds for day-level frequencies (BY* or DTSTART's). */
  readonly hours: number[];
  readonly minutes: number[];
  readonly seconds: number[];
  /** `hours × minutes × seconds`: the candidates each day of a day-level period holds. */
  readonly timesPerDay: number;
  readonly setPos: readonly number[] | undefined;
  /** Seconds between period starts for sub-daily frequencies. */
  readonly stepSeconds: number;
  /** Period 0: year, month index, week start day, day, or first second. */
  readonly base: number;
  /** Instances in every period when that number is the same for all periods, else -1. */
  readonly perPeriod: number;
  readonly hasDayFilter: boolean;
  /**
   * COUNT without walking: every run of `cyclePeriods` consecutive periods (after period 0)
   * holds `perCycle` instances; `cyclePeriods` is 0 when that is not known to hold.
   */
  readonly cyclePeriods: number;
  readonly perCycle: number;
  /** Reused day list of a WEEKLY period. */
  private readonly dayScratch: number[] = [];

  constructor(rule: RecurrenceRule, dtstart: number, dateOnly: boolean) {
    this.freq = FREQ_INDEX[rule.freq];
    this.interval = rule.interval;
    this.dateOnly = dateOnly;
    this.dtstart = dtstart;
    const dtDay = Math.floor(dtstart / SECONDS_PER_DAY);
    const sod = dtstart - dtDay * SECONDS_PER_DAY;
    const civil = civilFromDays(dtDay);
    this.dtDay = dtDay;
    this.dtYear = civil.year;
    this.dtMonth = civil.month;
    this.dtDayOfMonth = civil.day;
    this.dtWeekday = isoWeekday(dtDay);
    this.wkst = rule.wkst;
    this.monthList = rule.byMonth === undefined ? undefined : sortedUnique(rule.byMonth);
    this.months = flags(rule.byMonth, 13);
    this.monthDays = rule.byMonthDay;
    this.yearDays = rule.byYearDay;
    this.weekNos = rule.byWeekNo;
    this.byDay = rule.byDay;
    this.weekdayFlags = rule.byDay === undefined ? undefined : new Uint8Array(8);
    if (rule.byDay !== undefined && this.weekdayFlags !== undefined) {
      for (const d of rule.byDay) this.weekdayFlags[d.weekday] = 1;
    }
    this.byDayHasOrdinals = rule.byDay?.some((d) => d.ordinal !== 0) ?? false;
    const timeParts = !dateOnly;
    this.hourFlags = timeParts ? flags(rule.byHour, 24) : undefined;
    this.minuteFlags = timeParts ? flags(rule.byMinute, 60) : undefined;
    this.secondFlags = timeParts ? flags(rule.bySecond, 60) : undefined;
    const dtHour = Math.floor(sod / 3600);
    const dtMinute = Math.floor((sod % 3600) / 60);
    const dtSecond = sod % 60;
    this.hours = timeParts && rule.byHour ? sortedUnique(rule.byHour) : [dtHour];
    this.minutes = timeParts && rule.byMinute ? sortedUnique(rule.byMinute) : [dtMinute];
    this.seconds = timeParts && rule.bySecond ? sortedUnique(rule.bySecond) : [dtSecond];
    this.timesPerDay = this.hours.length * this.minutes.length * this.seconds.length;
    this.setPos = rule.bySetPos;
    this.hasDayFilter =
      this.months !== undefined ||
      this.monthDays !== undefined ||
      this.yearDays !== undefined ||
      this.weekdayFlags !== undefined ||
      (this.weekNos !== undefined && this.freq !== F_YEARLY);

    const unit = this.freq === F_SECONDLY ? 1 : this.freq === F_MINUTELY ? 60 : 3600;
    this.stepSeconds = unit * this.interval;
    switch (this.freq) {
      case F_YEARLY:
        this.base = this.dtYear;
        if (this.weekNos !== undefined) {
          // libical: the years of a BYWEEKNO rule are week-numbering years, counted from the one
          // DTSTART belongs to when DTSTART is itself an instance, else from its calendar year.
          const wy = weekYear(dtDay, this.wkst);
          if (wy !== this.dtYear && this.yearlyDays(wy).includes(dtDay)) this.base = wy;
        }
        break;
      case F_MONTHLY:
        this.base = this.dtYear * 12 + this.dtMonth - 1;
        break;
      case F_WEEKLY:
        this.base = dtDay - ((this.dtWeekday - this.wkst + 7) % 7);
        break;
      case F_DAILY:
        this.base = dtDay;
        break;
      default:
        this.base = dtstart - (dtstart % unit);
    }
    this.perPeriod = this.computePerPeriod();
    const times = this.hours.length * this.minutes.length * this.seconds.length;
    if (this.perPeriod >= 0) {
      this.cyclePeriods = 1;
      this.perCycle = this.perPeriod;
    } else if (
      this.freq === F_DAILY &&
      this.weekdayFlags !== undefined &&
      !this.byDayHasOrdinals &&
      this.months === undefined &&
      this.monthDays === undefined &&
      this.yearDays === undefined &&
      this.weekNos === undefined &&
      this.setPos === undefined
    ) {
      // Weekday-filtered days: 7 consecutive periods meet each weekday once (or, when the
      // interval is a multiple of 7, every period falls on the same weekday).
      if (this.interval % 7 === 0) {
        this.cyclePeriods = 1;
        this.perCycle = this.weekdayFlags[isoWeekday(this.base)] === 1 ? times : 0;
      } else {
        let weekdays = 0;
        for (let i = 1; i <= 7; i++) weekdays += this.weekdayFlags[i] as number;
        this.cyclePeriods = 7;
        this.perCycle = weekdays * times;
      }
    } else {
      this.cyclePeriods = 0;
      this.perCycle = 0;
    }
  }

  /**
   * Days a month of at least `minLength` days yields from BYMONTHDAY / BYDAY (or DTSTART's day):
   * the fewest, and whether every such month yields exactly that many. Undefined when unknown.
   */
  private monthShape(minLength: number): { minDays: number; fixed: boolean } | undefined {
    const monthDays = this.monthDays;
    const byDay = this.byDay;
    if (monthDays !== undefined && byDay !== undefined) return undefined;
    if (monthDays !== undefined) {
      // Positions p (from the start) and q (from the end) name different days when p + |q| ≤ L.
      for (const p of monthDays) {
        if (Math.abs(p) > minLength) return undefined;
        if (p > 0) for (const q of monthDays) if (q < 0 && p - q > minLength) return undefined;
      }
      return { minDays: monthDays.length, fixed: true };
    }
    if (byDay !== undefined) {
      if (!this.byDayHasOrdinals) {
        let weekdays = 0;
        for (let i = 1; i <= 7; i++) weekdays += (this.weekdayFlags as Uint8Array)[i] as number;
        return { minDays: 4 * weekdays, fixed: false };
      }
      // Every month has 4 or 5 of each weekday: nth and -mth of one weekday differ if n + m ≤ 4.
      for (const a of byDay) {
        if (a.ordinal === 0 || Math.abs(a.ordinal) > 4) return undefined;
        for (const b of byDay) {
          if (a.weekday === b.weekday && a.ordinal > 0 && b.ordinal < 0) {
            if (a.ordinal - b.ordinal > 4) return undefined;
          }
        }
      }
      return { minDays: byDay.length, fixed: true };
    }
    return this.dtDayOfMonth <= minLength ? { minDays: 1, fixed: true } : undefined;
  }

  /** Instances per period for MONTHLY and YEARLY rules when all periods hold the same number. */
  private monthlyOrYearlyPerPeriod(times: number): number {
    if (this.yearDays !== undefined || this.weekNos !== undefined) return -1;
    let minCandidates = 0;
    let fixed = true;
    if (this.freq === F_MONTHLY) {
      if (this.months !== undefined) return -1;
      const shape = this.monthShape(28);
      if (shape === undefined) return -1;
      minCandidates = shape.minDays * times;
      fixed = shape.fixed;
    } else {
      if (this.months === undefined && this.monthDays === undefined) {
        // One day a year (DTSTART's month and day), unless that is 29 February.
        if (this.byDay !== undefined || (this.dtMonth === 2 && this.dtDayOfMonth === 29)) return -1;
        minCandidates = times;
      } else {
        for (const month of this.monthList ?? [this.dtMonth]) {
          const shape = this.monthShape(month === 2 ? 28 : (MONTH_LENGTHS[month - 1] as number));
          if (shape === undefined) return -1;
          minCandidates += shape.minDays * times;
          fixed &&= shape.fixed;
        }
      }
    }
    const setPos = this.setPos;
    if (setPos === undefined) return fixed ? minCandidates : -1;
    // BYSETPOS keeps the same number in every period when each position exists in the smallest
    // period and no position from the start and one from the end can name the same candidate.
    for (const p of setPos) {
      if (Math.abs(p) > minCandidates) return -1;
      if (p > 0) for (const q of setPos) if (q < 0 && p - q - 1 >= minCandidates) return -1;
    }
    return setPos.length;
  }

  private computePerPeriod(): number {
    const times = this.hours.length * this.minutes.length * this.seconds.length;
    if (this.freq >= F_MONTHLY) return this.monthlyOrYearlyPerPeriod(times);
    if (
      this.setPos !== undefined ||
      this.months !== undefined ||
      this.monthDays !== undefined ||
      this.yearDays !== undefined ||
      this.weekNos !== undefined
    ) {
      return -1;
    }
    switch (this.freq) {
      case F_SECONDLY:
        return this.hourFlags || this.minuteFlags || this.secondFlags || this.weekdayFlags ? -1 : 1;
      case F_MINUTELY:
        return this.hourFlags || this.minuteFlags || this.weekdayFlags ? -1 : this.seconds.length;
      case F_HOURLY:
        return this.hourFlags || this.weekdayFlags ? -1 : this.minutes.length * this.seconds.length;
      case F_DAILY:
        return this.weekdayFlags ? -1 : times;
      case F_WEEKLY: {
        if (this.byDayHasOrdinals) return -1;
        let weekdays = 0;
        for (let i = 1; i <= 7; i++) if (this.weekdayFlags?.[i]) weekdays++;
        return (this.weekdayFlags ? weekdays : 1) * times;
      }
      default:
        return this.monthlyOrYearlyPerPeriod(times);
    }
  }

  /** Whether a day passes the BY* parts that only limit (for DAILY and finer, and WEEKLY). */
  dayPasses(day: number): boolean {
    if (this.weekdayFlags !== undefined && this.weekdayFlags[isoWeekday(day)] !== 1) return false;
    if (this.months === undefined && this.monthDays === undefined && this.yearDays === undefined) {
      return this.weekNos === undefined || this.weekNoPasses(day);
    }
    const c = civilFromDays(day);
    if (this.months !== undefined && this.months[c.month] !== 1) return false;
    if (this.monthDays !== undefined) {
      const len = daysInMonth(c.year, c.month);
      let ok = false;
      for (const md of this.monthDays) {
        if ((md > 0 ? md : len + md + 1) === c.day) {
          ok = true;
          break;
        }
      }
      if (!ok) return false;
    }
    if (this.yearDays !== undefined && !this.yearDayPasses(day, c.year)) return false;
    return this.weekNos === undefined || this.weekNoPasses(day);
  }

  private yearDayPasses(day: number, year: number): boolean {
    const yearStart = daysFromCivil(year, 1, 1);
    const len = isLeapYear(year) ? 366 : 365;
    const n = day - yearStart + 1;
    for (const yd of this.yearDays ?? []) if ((yd > 0 ? yd : len + yd + 1) === n) return true;
    return false;
  }

  private weekNoPasses(day: number): boolean {
    const wy = weekYear(day, this.wkst);
    const start = week1Start(wy, this.wkst);
    const count = (week1Start(wy + 1, this.wkst) - start) / 7;
    const n = Math.floor((day - start) / 7) + 1;
    for (const w of this.weekNos ?? []) if ((w > 0 ? w : count + w + 1) === n) return true;
    return false;
  }

  /** Days in [start, end) that match BYDAY (with ordinals counted inside the range). */
  private byDayInRange(start: number, end: number): number[] {
    const out: number[] = [];
    if (!this.byDayHasOrdinals) {
      // Plain weekdays: one ascending walk, so the period needs no sort.
      const f = this.weekdayFlags as Uint8Array;
      let wd = isoWeekday(start);
      for (let d = start; d < end; d++) {
        if (f[wd] === 1) out.push(d);
        wd = wd === 7 ? 1 : wd + 1;
      }
      return out;
    }
    for (const { weekday, ordinal } of this.byDay ?? []) {
      const first = start + ((weekday - isoWeekday(start) + 7) % 7);
      if (ordinal === 0) {
        for (let d = first; d < end; d += 7) out.push(d);
      } else if (ordinal > 0) {
        const d = first + (ordinal - 1) * 7;
        if (d < end) out.push(d);
      } else {
        const last = end - 1 - ((isoWeekday(end - 1) - weekday + 7) % 7);
        const d = last + (ordinal + 1) * 7;
        if (d >= start) out.push(d);
      }
    }
    return out;
  }

  private monthDaysIn(year: number, month: number, monthStart: number): number[] {
    const len = daysInMonth(year, month);
    let days: number[];
    if (this.monthDays !== undefined) {
      days = [];
      for (const md of this.monthDays) {
        const n = md > 0 ? md : len + md + 1;
        if (n >= 1 && n <= len) days.push(monthStart + n - 1);
      }
      if (this.byDay !== undefined) {
        if (this.byDayHasOrdinals) {
          const allowed = new Set(this.byDayInRange(monthStart, monthStart + len));
          days = days.filter((d) => allowed.has(d));
        } else {
          const f = this.weekdayFlags as Uint8Array;
          days = days.filter((d) => f[isoWeekday(d)] === 1);
        }
      }
    } else if (this.byDay !== undefined) {
      days = this.byDayInRange(monthStart, monthStart + len);
    } else {
      days = this.dtDayOfMonth <= len ? [monthStart + this.dtDayOfMonth - 1] : [];
    }
    return days;
  }

  /** Days of a YEARLY period (a calendar year, or a week-numbering year with BYWEEKNO). */
  yearlyDays(year: number): number[] {
    let days: number[];
    let needMonth = true;
    let needMonthDay = true;
    let needYearDay = true;
    let needWeekday = true;
    if (this.weekNos !== undefined) {
      const start = week1Start(year, this.wkst);
      const count = (week1Start(year + 1, this.wkst) - start) / 7;
      days = [];
      // Without BYDAY the weekday comes from DTSTART, unless BYMONTHDAY/BYYEARDAY pick days.
      const anyWeekday = this.monthDays !== undefined || this.yearDays !== undefined;
      for (const w of this.weekNos) {
        const n = w > 0 ? w : count + w + 1;
        if (n < 1 || n > count) continue;
        const ws = start + (n - 1) * 7;
        for (let d = ws; d < ws + 7; d++) {
          const wd = isoWeekday(d);
          if (
            this.weekdayFlags ? this.weekdayFlags[wd] === 1 : anyWeekday || wd === this.dtWeekday
          ) {
            days.push(d);
          }
        }
      }
      needWeekday = false;
    } else if (this.yearDays !== undefined) {
      const yearStart = daysFromCivil(year, 1, 1);
      const len = isLeapYear(year) ? 366 : 365;
      days = [];
      for (const yd of this.yearDays) {
        const n = yd > 0 ? yd : len + yd + 1;
        if (n >= 1 && n <= len) days.push(yearStart + n - 1);
      }
      needYearDay = false;
    } else if (this.months !== undefined || this.monthDays !== undefined) {
      // libical: BYMONTHDAY without BYMONTH in a YEARLY rule means DTSTART's month.
      const months = this.monthList ?? [this.dtMonth];
      days = [];
      for (const m of months) {
        const ms = daysFromCivil(year, m, 1);
        for (const d of this.monthDaysIn(year, m, ms)) days.push(d);
      }
      needMonth = false;
      needMonthDay = false;
      needWeekday = false;
    } else if (this.byDay !== undefined) {
      days = this.byDayInRange(daysFromCivil(year, 1, 1), daysFromCivil(year + 1, 1, 1));
      needWeekday = false;
    } else {
      days =
        this.dtDayOfMonth <= daysInMonth(year, this.dtMonth)
          ? [daysFromCivil(year, this.dtMonth, this.dtDayOfMonth)]
          : [];
      needMonth = false;
      needMonthDay = false;
    }
    if (
      (needMonth && this.months !== undefined) ||
      (needMonthDay && this.monthDays !== undefined) ||
      (needYearDay && this.yearDays !== undefined) ||
      (needWeekday && this.weekdayFlags !== undefined)
    ) {
      days = days.filter((d) => {
        if (needWeekday && this.weekdayFlags && this.weekdayFlags[isoWeekday(d)] !== 1) {
          return false;
        }
        const c = civilFromDays(d);
        if (needMonth && this.months && this.months[c.month] !== 1) return false;
        if (needMonthDay && this.monthDays) {
          const len = daysInMonth(c.year, c.month);
          if (!this.monthDays.some((md) => (md > 0 ? md : len + md + 1) === c.day)) return false;
        }
        if (needYearDay && this.yearDays && !this.yearDayPasses(d, c.year)) return false;
        return true;
      });
    }
    return days;
  }

  /** Appends the day's times (BYHOUR × BYMINUTE × BYSECOND, or DTSTART's) to `out`. */
  private writeTimes(day: number, out: Candidates): void {
    const dayStart = day * SECONDS_PER_DAY;
    const hours = this.hours;
    const minutes = this.minutes;
    const seconds = this.seconds;
    if (hours.length === 1 && minutes.length === 1 && seconds.length === 1) {
      out.values[out.size++] =
        dayStart +
        (hours[0] as number) * 3600 +
        (minutes[0] as number) * 60 +
        (seconds[0] as number);
      return;
    }
    for (const h of hours) {
      for (const m of minutes) {
        const hm = dayStart + h * 3600 + m * 60;
        for (const s of seconds) out.values[out.size++] = hm + s;
      }
    }
  }

  /** Local seconds where period k starts (no instance of period k is earlier). */
  periodStart(k: number): number {
    switch (this.freq) {
      case F_YEARLY: {
        const year = this.base + k * this.interval;
        const jan1 = daysFromCivil(year, 1, 1);
        return (
          (this.weekNos ? Math.min(jan1, week1Start(year, this.wkst)) : jan1) * SECONDS_PER_DAY
        );
      }
      case F_MONTHLY: {
        const mi = this.base + k * this.interval;
        const year = Math.floor(mi / 12);
        return daysFromCivil(year, mi - year * 12 + 1, 1) * SECONDS_PER_DAY;
      }
      case F_WEEKLY:
        return (this.base + k * 7 * this.interval) * SECONDS_PER_DAY;
      case F_DAILY:
        return (this.base + k * this.interval) * SECONDS_PER_DAY;
      default:
        return this.base + k * this.stepSeconds;
    }
  }

  /** Index of the first period that may hold an instance at or after local second `t`. */
  periodIndexAt(t: number): number {
    const day = Math.floor(t / SECONDS_PER_DAY);
    let k: number;
    switch (this.freq) {
      case F_YEARLY:
        k = Math.floor((civilFromDays(day).year - 1 - this.base) / this.interval);
        break;
      case F_MONTHLY: {
        const c = civilFromDays(day);
        k = Math.floor((c.year * 12 + c.month - 1 - this.base) / this.interval);
        break;
      }
      case F_WEEKLY:
        k = Math.floor((day - this.base) / (7 * this.interval));
        break;
      case F_DAILY:
        k = Math.floor((day - this.base) / this.interval);
        break;
      default:
        k = Math.floor((t - this.base) / this.stepSeconds);
    }
    return Math.max(0, k);
  }

  /**
   * The days of WEEKLY, MONTHLY and YEARLY period k, ascending and without repeats (at most a
   * year's worth); each holds `timesPerDay` candidates, before BYSETPOS picks among them.
   */
  periodDays(k: number): number[] {
    const freq = this.freq;
    let days: number[];
    if (freq === F_WEEKLY) {
      const ws = this.base + k * 7 * this.interval;
      days = this.dayScratch;
      days.length = 0;
      for (let d = ws; d < ws + 7; d++) {
        if (this.weekdayFlags === undefined) {
          if (isoWeekday(d) !== this.dtWeekday) continue;
          if (this.hasDayFilter && !this.dayPasses(d)) continue;
        } else if (!this.dayPasses(d)) continue;
        days.push(d);
      }
    } else if (freq === F_MONTHLY) {
      const mi = this.base + k * this.interval;
      const year = Math.floor(mi / 12);
      const month = mi - year * 12 + 1;
      if (this.months !== undefined && this.months[month] !== 1) return [];
      days = this.monthDaysIn(year, month, daysFromCivil(year, month, 1));
      if (this.yearDays !== undefined || this.weekNos !== undefined) {
        days = days.filter((d) => {
          if (this.yearDays && !this.yearDayPasses(d, year)) return false;
          return this.weekNos === undefined || this.weekNoPasses(d);
        });
      }
    } else {
      days = this.yearlyDays(this.base + k * this.interval);
    }
    // Most BY* expansions come out ascending already (weeks, plain weekdays, one month day).
    if (days.length > 1) sortAscending(days);
    let w = 0;
    for (let r = 0; r < days.length; r++) {
      if (w === 0 || days[r] !== days[w - 1]) days[w++] = days[r] as number;
    }
    days.length = w;
    return days;
  }

  /**
   * Writes the candidates of period k into `out` (ascending), BYSETPOS applied. Returns the
   * index of the next period to look at (more than k + 1 when whole days can be skipped).
   */
  candidates(k: number, out: Candidates): number {
    out.size = 0;
    let next = k + 1;
    const freq = this.freq;
    if (freq >= F_DAILY) {
      let days: number[];
      if (freq === F_DAILY) {
        const day = this.base + k * this.interval;
        if (this.hasDayFilter && !this.dayPasses(day)) {
          if (this.months !== undefined) {
            const c = civilFromDays(day);
            if (this.months[c.month] !== 1) {
              const nextMonth =
                c.month === 12
                  ? daysFromCivil(c.year + 1, 1, 1)
                  : daysFromCivil(c.year, c.month + 1, 1);
              next = Math.max(next, Math.ceil((nextMonth - this.base) / this.interval));
            }
          }
          return next;
        }
        this.writeTimes(day, out);
        if (this.setPos !== undefined && out.size > 0) applySetPos(out, this.setPos);
        return next;
      }
      days = this.periodDays(k);
      if (days.length * this.timesPerDay > MAX_CANDIDATES_PER_PERIOD) {
        out.overflow = true;
        return next;
      }
      for (const day of days) this.writeTimes(day, out);
    } else {
      const start = this.base + k * this.stepSeconds;
      const day = Math.floor(start / SECONDS_PER_DAY);
      if (this.hasDayFilter && !this.dayPasses(day)) {
        const nextDay = (day + 1) * SECONDS_PER_DAY;
        return Math.max(next, Math.ceil((nextDay - this.base) / this.stepSeconds));
      }
      const sod = start - day * SECONDS_PER_DAY;
      const hour = Math.floor(sod / 3600);
      if (this.hourFlags !== undefined && this.hourFlags[hour] !== 1) {
        const nextHour = day * SECONDS_PER_DAY + (hour + 1) * 3600;
        return Math.max(next, Math.ceil((nextHour - this.base) / this.stepSeconds));
      }
      if (freq === F_HOURLY) {
        for (const m of this.minutes) {
          for (const s of this.seconds) out.values[out.size++] = start + m * 60 + s;
        }
      } else {
        const minute = Math.floor((sod % 3600) / 60);
        if (this.minuteFlags !== undefined && this.minuteFlags[minute] !== 1) {
          const nextMinute = start - (sod % 60) + 60;
          return Math.max(next, Math.ceil((nextMinute - this.base) / this.stepSeconds));
        }
        if (freq === F_MINUTELY) {
          for (const s of this.seconds) out.values[out.size++] = start + s;
        } else {
          if (this.secondFlags !== undefined && this.secondFlags[sod % 60] !== 1) return next;
          out.values[out.size++] = start;
        }
      }
    }
    if (this.setPos !== undefined && out.size > 0) applySetPos(out, this.setPos);
    return next;
  }
}

/** A reusable list of candidate instants: `values[0..size)`. */
interface Candidates {
  values: number[];
  size: number;
  /** Set when a period held more than MAX_CANDIDATES_PER_PERIOD candidates (none written). */
  overflow?: boolean;
}

/**
 * The most candidates one period may hold when it must be listed whole (BYSETPOS picks among
 * them, or COUNT is counted from period 0): a YEARLY rule with every BYMONTH, BYMONTHDAY,
 * BYHOUR, BYMINUTE and BYSECOND holds 32 million.
 */
export const MAX_CANDIDATES_PER_PERIOD = 100_000;

/**
 * Work allowed for expansions: one unit per period looked at, per day skipped and per
 * candidate instant made. Shared by the series of one calendar read; when it runs out (or a
 * period holds too many candidates), `exhausted` is set and the expansion stops.
 */
export interface ExpansionBudget {
  remaining: number;
  exhausted: boolean;
}

/** A budget of `units`. @example expansionBudget(500_000) */
export function expansionBudget(units: number): ExpansionBudget {
  return { remaining: units, exhausted: false };
}

/** Sorts a short, mostly ascending list in place (insertion sort; a native sort when long). */
function sortAscending(values: number[]): void {
  const n = values.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if ((values[i] as number) < (values[i - 1] as number)) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  if (n > 48) {
    values.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > v) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = v;
  }
}

function applySetPos(c: Candidates, setPos: readonly number[]): void {
  const n = c.size;
  const picked: number[] = [];
  for (const p of setPos) {
    const i = p > 0 ? p - 1 : n + p;
    if (i >= 0 && i < n) picked.push(c.values[i] as number);
  }
  const unique = sortedUnique(picked);
  c.size = unique.length;
  for (let i = 0; i < unique.length; i++) c.values[i] = unique[i] as number;
}

export interface ExpandRecurrenceOptions {
  /** Only instances at or after this local second (default: DTSTART). */
  fromLocalSeconds?: number;
  /** Only instances before this local second (default: 400 years after DTSTART). */
  toLocalSeconds?: number;
  /** DTSTART is a DATE: BYHOUR, BYMINUTE and BYSECOND are ignored. */
  dateOnly?: boolean;
  /**
   * UNTIL in the same local time as DTSTART, inclusive. Defaults to the rule's UNTIL read as
   * local (a date-only UNTIL on a date-time series runs to the end of that day).
   */
  untilLocalSeconds?: number;
  /** Stop after this many instances are returned (a guard; default 1,000,000). */
  maxInstances?: number;
  /** Work allowed (see ExpansionBudget); 50 million units by default. */
  budget?: ExpansionBudget;
}

const compiledCache = new WeakMap<RecurrenceRule, CompiledRule>();

/**
 * A rule prepared for one DTSTART, for callers that expand the same series many times (see
 * `expand.ts`): pass it to `expandCompiled`. (`expandRecurrence` keeps one per rule object.)
 */
export type PreparedRule = CompiledRule;

export function prepareRule(
  rule: RecurrenceRule,
  dtstartLocalSeconds: number,
  dateOnly: boolean,
): PreparedRule {
  return new CompiledRule(rule, dtstartLocalSeconds, dateOnly);
}

function compile(
  rule: RecurrenceRule,
  dtstartLocalSeconds: number,
  dateOnly: boolean,
): CompiledRule {
  const cached = compiledCache.get(rule);
  if (
    cached !== undefined &&
    cached.dtstart === dtstartLocalSeconds &&
    cached.dateOnly === dateOnly
  ) {
    return cached;
  }
  const compiled = new CompiledRule(rule, dtstartLocalSeconds, dateOnly);
  compiledCache.set(rule, compiled);
  return compiled;
}

/** UNTIL of a rule read in DTSTART's local time (see ExpandRecurrenceOptions.untilLocalSeconds). */
export function defaultUntilLocalSeconds(rule: RecurrenceRule, dateOnly: boolean): number {
  if (rule.until === undefined) return Number.POSITIVE_INFINITY;
  if (rule.until.dateOnly && !dateOnly) return rule.until.localSeconds + SECONDS_PER_DAY - 1;
  return rule.until.localSeconds;
}

/** Whether the rule's instances must be counted from DTSTART one period at a time (COUNT). */
export function needsFullCount(rule: RecurrenceRule, dtstart: number, dateOnly = false): boolean {
  return rule.count !== undefined && compile(rule, dtstart, dateOnly).cyclePeriods === 0;
}

/** Whether a prepared rule with this COUNT must be walked from DTSTART (see needsFullCount). */
export function preparedNeedsFullCount(prepared: PreparedRule, count: number | undefined): boolean {
  return count !== undefined && prepared.cyclePeriods === 0;
}

const scratch: Candidates = { values: [], size: 0 };
const MAX_PERIODS = 5_000_000;
/** Work for one expansion when the caller brings no budget: far beyond any real calendar. */
const DEFAULT_WORK = 50_000_000;

/**
 * Start times (local seconds, ascending) of a rule's instances in [from, to). DTSTART itself
 * is included only when it matches the rule (as libical does; RFC 5545 adds it to the set
 * separately). COUNT counts from DTSTART.
 *
 * @example
 * // Daily at 09:00 from Tue 2 Sep 1997, three times
 * const r = parseRecurrenceRule("FREQ=DAILY;COUNT=3");
 * if (r.ok) expandRecurrence(r.rule, localSeconds(1997, 9, 2, 9)); // 2, 3 and 4 Sep 09:00
 */
export function expandRecurrence(
  rule: RecurrenceRule,
  dtstartLocalSeconds: number,
  options: ExpandRecurrenceOptions = {},
): number[] {
  const dateOnly = options.dateOnly ?? false;
  const c = compile(rule, dtstartLocalSeconds, dateOnly);
  const out: number[] = [];
  expandCompiled(
    c,
    rule.count,
    Math.max(dtstartLocalSeconds, options.fromLocalSeconds ?? dtstartLocalSeconds),
    options.toLocalSeconds ?? dtstartLocalSeconds + 400 * 366 * SECONDS_PER_DAY,
    options.untilLocalSeconds ?? defaultUntilLocalSeconds(rule, dateOnly),
    options.maxInstances ?? 1_000_000,
    out,
    options.budget,
  );
  return out;
}

/**
 * Appends the instances of a prepared rule in [fromLocalSeconds, toLocalSeconds) to `out`
 * (ascending), at most `maxInstances` of them; `untilLocalSeconds` is inclusive. Work is
 * charged to `budget`; when it runs out, or a period that must be listed whole holds more than
 * MAX_CANDIDATES_PER_PERIOD candidates, `budget.exhausted` is set and `out` holds a prefix.
 *
 * WEEKLY, MONTHLY and YEARLY periods without BYSETPOS are walked day by day and time by time,
 * in order: days before the window are skipped (with COUNT, counted as `timesPerDay` each) and
 * the walk stops at the window's end, so a rule with huge BY* lists costs only what the window
 * holds.
 */
export function expandCompiled(
  c: PreparedRule,
  count: number | undefined,
  fromLocalSeconds: number,
  toLocalSeconds: number,
  untilLocalSeconds: number,
  maxInstances: number,
  out: number[],
  budget: ExpansionBudget = expansionBudget(DEFAULT_WORK),
): void {
  const dtstart = c.dtstart;
  const from = Math.max(dtstart, fromLocalSeconds);
  const to = toLocalSeconds;
  const until = untilLocalSeconds;
  if (count === 0 || from >= to || from > until || budget.exhausted) return;
  const limit = out.length + maxInstances;
  const spend = (units: number): boolean => {
    budget.remaining -= units;
    if (budget.remaining >= 0) return true;
    budget.exhausted = true;
    return false;
  };
  const overflowed = (): boolean => {
    if (scratch.overflow !== true) return false;
    scratch.overflow = false;
    budget.exhausted = true;
    return true;
  };

  let k = 0;
  let emitted = 0;
  if (count === undefined) {
    k = c.periodIndexAt(from);
  } else if (c.cyclePeriods > 0) {
    // Count the periods before the window arithmetically: period 0 exactly (DTSTART may be
    // late in it), then whole cycles, then the few periods left over one by one.
    const kWindow = c.periodIndexAt(from);
    if (kWindow >= 1) {
      c.candidates(0, scratch);
      if (overflowed() || !spend(1 + scratch.size)) return;
      let first = 0;
      for (let i = 0; i < scratch.size; i++) if ((scratch.values[i] as number) >= dtstart) first++;
      const cycles = Math.floor((kWindow - 1) / c.cyclePeriods);
      emitted = first + cycles * c.perCycle;
      for (let j = 1 + cycles * c.cyclePeriods; j < kWindow && emitted < count; j++) {
        c.candidates(j, scratch);
        if (overflowed() || !spend(1 + scratch.size)) return;
        emitted += scratch.size;
      }
      if (emitted >= count) return;
      k = kWindow;
    }
  }

  const lazyDays = c.freq >= F_WEEKLY && c.setPos === undefined;
  const dtDay = Math.floor(dtstart / SECONDS_PER_DAY);
  const fromDay = Math.floor(from / SECONDS_PER_DAY);
  const buffer = scratch;
  for (let iterations = 0; iterations < MAX_PERIODS; iterations++) {
    const periodStart = c.periodStart(k);
    if (periodStart >= to || periodStart > until) break;
    if (!spend(1)) return;
    if (lazyDays) {
      const days = c.periodDays(k);
      for (let d = 0; d < days.length; d++) {
        const day = days[d] as number;
        if (day < dtDay) continue;
        if (day < fromDay && day > dtDay) {
          // Wholly before the window and after DTSTART: every time of the day counts, none shows.
          if (!spend(1)) return;
          if (count === undefined) continue;
          emitted += c.timesPerDay;
          if (emitted >= count) return;
          continue;
        }
        const dayStart = day * SECONDS_PER_DAY;
        for (const h of c.hours) {
          for (const m of c.minutes) {
            const hm = dayStart + h * 3600 + m * 60;
            if (!spend(c.seconds.length)) return;
            for (const sec of c.seconds) {
              const v = hm + sec;
              if (v < dtstart) continue;
              if (v > until || v >= to) return;
              if (count !== undefined) {
                emitted++;
                if (emitted > count) return;
              }
              if (v >= from) {
                out.push(v);
                if (out.length >= limit) return;
              }
            }
          }
        }
      }
      if (count !== undefined && emitted >= count) break;
      k += 1;
      continue;
    }
    const next = c.candidates(k, buffer);
    if (overflowed() || !spend(buffer.size)) return;
    const values = buffer.values;
    for (let i = 0; i < buffer.size; i++) {
      const v = values[i] as number;
      if (v < dtstart) continue;
      if (v > until || v >= to) return;
      if (count !== undefined) {
        emitted++;
        if (emitted > count) return;
      }
      if (v >= from) {
        out.push(v);
        if (out.length >= limit) return;
      }
    }
    if (count !== undefined && emitted >= count) break;
    k = next;
  }
}
