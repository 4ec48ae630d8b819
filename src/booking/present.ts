/**
 * How the booking pages show time, and how they read the candidate's own times back. Pure:
 * instants come in as RFC 3339 text, zones as IANA names, and nothing reads a clock.
 *
 * Every range is half-open, `[startsAt, endsAt)`: adjacent ranges do not overlap, and two
 * ticked boxes that touch (morning, afternoon) become one range.
 */
import { Temporal } from "temporal-polyfill";
import { isValidTimeZone } from "../engine/zone.js";

/** Half-open range of instants, RFC 3339 (UTC, `Z`). */
export interface TimeRange {
  startsAt: string;
  endsAt: string;
}

const WEEKDAY_SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const WEEKDAY_LONG = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;
const MONTH_SHORT = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;
const MONTH_LONG = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

const pad = (n: number) => String(n).padStart(2, "0");

function zoned(instant: string, zone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(zone);
}

/** "10:00" */
function clock(time: Temporal.ZonedDateTime): string {
  return `${pad(time.hour)}:${pad(time.minute)}`;
}

/** "Tue 1 Dec" */
function shortDay(date: Temporal.PlainDate | Temporal.ZonedDateTime): string {
  return `${WEEKDAY_SHORT[date.dayOfWeek - 1]} ${date.day} ${MONTH_SHORT[date.month - 1]}`;
}

/** "Tuesday 1 December 2026", for a day's heading and legend. */
export function longDay(date: Temporal.PlainDate | string): string {
  const day = typeof date === "string" ? Temporal.PlainDate.from(date) : date;
  return `${WEEKDAY_LONG[day.dayOfWeek - 1]} ${day.day} ${MONTH_LONG[day.month - 1]} ${day.year}`;
}

/**
 * The local times of a range, without the day: "10:00–11:00"; a range that ends on a later
 * local day names it: "23:30–Wed 2 Dec, 00:30".
 */
export function timesOf(range: TimeRange, zone: string): string {
  return remembered(`t ${range.startsAt} ${range.endsAt} ${zone}`, () => workOutTimes(range, zone));
}

/** Recently formatted ranges: a booking page shows the same options on every view. */
const recentTexts = new Map<string, string>();
const RECENT_TEXTS = 5_000;

function remembered(key: string, work: () => string): string {
  let text = recentTexts.get(key);
  if (text === undefined) {
    text = work();
    if (recentTexts.size >= RECENT_TEXTS)
      recentTexts.delete(recentTexts.keys().next().value as string);
    recentTexts.set(key, text);
  }
  return text;
}

function workOutTimes(range: TimeRange, zone: string): string {
  const start = zoned(range.startsAt, zone);
  const end = zoned(range.endsAt, zone);
  const sameDay = Temporal.PlainDate.compare(start.toPlainDate(), end.toPlainDate()) === 0;
  // Ending exactly at the next midnight is still "that evening": 23:00–24:00.
  const endsAtMidnight =
    !sameDay &&
    end.hour === 0 &&
    end.minute === 0 &&
    Temporal.PlainDate.compare(start.toPlainDate().add({ days: 1 }), end.toPlainDate()) === 0;
  const endText = sameDay
    ? clock(end)
    : endsAtMidnight
      ? "24:00"
      : `${shortDay(end)}, ${clock(end)}`;
  return `${clock(start)}–${endText}`;
}

/**
 * A range as the candidate reads it, in their zone.
 * @example formatRange({ startsAt: "2026-12-01T09:00:00Z", endsAt: "2026-12-01T10:00:00Z" }, "Europe/Berlin")
 *   // "Tue 1 Dec, 10:00–11:00 (Europe/Berlin)"
 */
export function formatRange(range: TimeRange, zone: string): string {
  return remembered(
    `r ${range.startsAt} ${range.endsAt} ${zone}`,
    () => `${shortDay(zoned(range.startsAt, zone))}, ${timesOf(range, zone)} (${zone})`,
  );
}

export interface DayGroup<T> {
  /** The local date, "2026-12-01". */
  date: string;
  /** "Tuesday 1 December 2026" */
  heading: string;
  options: Array<{ option: T; times: string; label: string }>;
}

/**
 * Options grouped by the local day they start on in `zone`, days and options in time order.
 * @example groupByDay(options, "Asia/Tokyo")[0].heading // "Wednesday 2 December 2026"
 */
export function groupByDay<T extends TimeRange>(
  options: readonly T[],
  zone: string,
): DayGroup<T>[] {
  const sorted = [...options].sort(
    (a, b) =>
      Temporal.Instant.compare(
        Temporal.Instant.from(a.startsAt),
        Temporal.Instant.from(b.startsAt),
      ) ||
      Temporal.Instant.compare(Temporal.Instant.from(a.endsAt), Temporal.Instant.from(b.endsAt)),
  );
  const days: DayGroup<T>[] = [];
  for (const option of sorted) {
    const date = zoned(option.startsAt, zone).toPlainDate();
    const key = date.toString();
    let day = days.at(-1);
    if (day === undefined || day.date !== key) {
      day = { date: key, heading: longDay(date), options: [] };
      days.push(day);
    }
    day.options.push({ option, times: timesOf(option, zone), label: formatRange(option, zone) });
  }
  return days;
}

/** "UTC+01:00", "UTC−03:30", "UTC" */
function offsetLabel(offsetNanoseconds: number): string {
  if (offsetNanoseconds === 0) return "UTC";
  const minutes = Math.round(Math.abs(offsetNanoseconds) / 60e9);
  const sign = offsetNanoseconds > 0 ? "+" : "−";
  return `UTC${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export interface ZoneChoice {
  value: string;
  /** "Europe/Berlin (UTC+01:00)": the offset at the instant the options are about. */
  label: string;
}

let knownZones: readonly string[] | undefined;

/** Every zone name the runtime knows, once, with UTC, sorted; read once per process. */
function allZones(): readonly string[] {
  if (knownZones === undefined) {
    const names =
      typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    knownZones = [...new Set(["UTC", ...names])].sort();
  }
  return knownZones;
}

/**
 * Offsets per UTC day: zone → its offset all that day, or null when it changes during the day
 * (a transition day, computed at the instant each time). A zone whose offset is the same at
 * the first and the last instant of the day keeps it all day (no zone has two transitions that
 * cancel out within one day). A few recent days are kept.
 */
const offsetsByDay = new Map<string, Map<string, number | null>>();
const DAYS_KEPT = 8;

/** The offsets kept for the UTC `day` (YYYY-MM-DD), made empty when first asked for. */
function offsetsOn(day: string): Map<string, number | null> {
  let offsets = offsetsByDay.get(day);
  if (offsets === undefined) {
    offsets = new Map();
    offsetsByDay.set(day, offsets);
    if (offsetsByDay.size > DAYS_KEPT) {
      const oldest = offsetsByDay.keys().next().value;
      if (oldest !== undefined) offsetsByDay.delete(oldest);
    }
  }
  return offsets;
}

function offsetAt(
  instant: Temporal.Instant,
  day: string,
  offsets: Map<string, number | null>,
  zone: string,
): number {
  let offset = offsets.get(zone);
  if (offset === undefined) {
    const first = Temporal.Instant.from(`${day}T00:00:00Z`).toZonedDateTimeISO(zone);
    const last = Temporal.Instant.from(`${day}T23:59:59.999999999Z`).toZonedDateTimeISO(zone);
    offset = first.offsetNanoseconds === last.offsetNanoseconds ? first.offsetNanoseconds : null;
    offsets.set(zone, offset);
  }
  return offset ?? instant.toZonedDateTimeISO(zone).offsetNanoseconds;
}

/**
 * The zones a candidate can pick, alphabetically, each with its offset at `at` (RFC 3339); the
 * `first` zones (the one in use, the candidate's own) lead the list, once each. A name the
 * runtime does not know is left out rather than shown broken. The ~420 zones' offsets are
 * worked out once per day (`offsetAt`), not on every render.
 * @example zoneChoices("2026-12-01T14:00:00Z", ["Europe/Berlin"])[0]
 *   // { value: "Europe/Berlin", label: "Europe/Berlin (UTC+01:00)" }
 */
export function zoneChoices(at: string, first: readonly string[] = []): ZoneChoice[] {
  const instant = Temporal.Instant.from(at);
  const leading = [...new Set(first)].filter(isValidTimeZone);
  const rest = allZones().filter((zone) => !leading.includes(zone));
  const day = new Date(instant.epochMilliseconds).toISOString().slice(0, 10);
  const offsets = offsetsOn(day);
  return [...leading, ...rest].map((value) => ({
    value,
    label: `${value} (${offsetLabel(offsetAt(instant, day, offsets, value))})`,
  }));
}

/** Whether a zone name from a form or a cookie can be used. */
export function usableZone(zone: string | undefined): zone is string {
  return zone !== undefined && zone.length <= 64 && isValidTimeZone(zone);
}

// ---------------------------------------------------------------------------------------------
// "None of these work": the week grid

/** Parts of the day a candidate can tick, in their own local time (half-open). */
export const DAY_PARTS = [
  { id: "morning", label: "Morning", start: 9, end: 12 },
  { id: "afternoon", label: "Afternoon", start: 12, end: 17 },
  { id: "evening", label: "Evening", start: 17, end: 20 },
] as const;
export type DayPart = (typeof DAY_PARTS)[number]["id"];

export interface GridDay {
  /** "2026-12-01" */
  date: string;
  /** "Tuesday 1 December 2026" */
  legend: string;
  /** One checkbox value per part of the day: "2026-12-01/morning". */
  parts: Array<{ value: string; label: string; hours: string }>;
}

/**
 * The grid of `days` local days from `firstDate` ("2026-12-01"), each with its parts of day.
 * Checkbox values are `DATE/PART` (or `DATE/HH` for one hour, which `readWeekGrid` also reads).
 */
export function weekGrid(firstDate: string, days = 7): GridDay[] {
  const first = Temporal.PlainDate.from(firstDate);
  return Array.from({ length: days }, (_, index) => {
    const date = first.add({ days: index });
    const key = date.toString();
    return {
      date: key,
      legend: longDay(date),
      parts: DAY_PARTS.map((part) => ({
        value: `${key}/${part.id}`,
        label: part.label,
        hours: `${pad(part.start)}:00–${pad(part.end)}:00`,
      })),
    };
  });
}

export interface WeekGridInput {
  /** The ticked boxes' values. */
  ticked: readonly string[];
  /** What the candidate wrote; kept as written. */
  text: string;
  /** The candidate's zone: the grid's hours are local to it. */
  zone: string;
  /** The grid's first date and its number of days: ticks outside it are refused. */
  firstDate: string;
  days: number;
}

export interface CandidateTimes {
  /** Merged, in time order, half-open, UTC. */
  ranges: TimeRange[];
  text: string;
  zone: string;
}

export type GridResult =
  | { ok: true; value: CandidateTimes }
  | { ok: false; field: "ticked" | "text" | "zone"; message: string };

const TEXT_LIMIT = 2000;

/**
 * Reads the "none of these work" form: ticked parts of days (or single hours) in the
 * candidate's zone become merged UTC ranges. Local times that do not exist (a spring-forward
 * gap) move later, as RFC 5545 says for DTSTART in a gap.
 * @example readWeekGrid({ ticked: ["2026-12-01/morning", "2026-12-01/afternoon"], text: "",
 *   zone: "Europe/Berlin", firstDate: "2026-11-30", days: 7 })
 *   // ranges: [{ startsAt: "2026-12-01T08:00:00Z", endsAt: "2026-12-01T16:00:00Z" }]
 */
export function readWeekGrid(input: WeekGridInput): GridResult {
  if (!usableZone(input.zone)) {
    return { ok: false, field: "zone", message: "Choose a time zone from the list." };
  }
  const text = input.text.trim();
  if (text.length > TEXT_LIMIT) {
    return {
      ok: false,
      field: "text",
      message: `Please keep this under ${TEXT_LIMIT} characters.`,
    };
  }
  const first = Temporal.PlainDate.from(input.firstDate);
  const last = first.add({ days: input.days });
  const pieces: Array<{ start: Temporal.Instant; end: Temporal.Instant }> = [];
  for (const value of new Set(input.ticked)) {
    const match = /^(\d{4}-\d{2}-\d{2})\/(morning|afternoon|evening|\d{2})$/.exec(value);
    let date: Temporal.PlainDate | undefined;
    try {
      date = match ? Temporal.PlainDate.from(match[1] as string) : undefined;
    } catch {
      date = undefined;
    }
    if (
      match === null ||
      date === undefined ||
      Temporal.PlainDate.compare(date, first) < 0 ||
      Temporal.PlainDate.compare(date, last) >= 0
    ) {
      return { ok: false, field: "ticked", message: "One of the ticked times is not on the grid." };
    }
    const which = match[2] as string;
    const part = DAY_PARTS.find((p) => p.id === which);
    const hours = part
      ? { start: part.start, end: part.end }
      : { start: Number(which), end: Number(which) + 1 };
    if (hours.start > 23) {
      return { ok: false, field: "ticked", message: "One of the ticked times is not on the grid." };
    }
    const at = (hour: number) =>
      (hour === 24 ? date.add({ days: 1 }) : date)
        .toPlainDateTime({ hour: hour % 24 })
        .toZonedDateTime(input.zone, { disambiguation: "compatible" })
        .toInstant();
    pieces.push({ start: at(hours.start), end: at(hours.end) });
  }
  if (pieces.length === 0 && text === "") {
    return {
      ok: false,
      field: "ticked",
      message: "Tick the times that suit you, or tell us in your own words.",
    };
  }
  pieces.sort((a, b) => Temporal.Instant.compare(a.start, b.start));
  const merged: typeof pieces = [];
  for (const piece of pieces) {
    const previous = merged.at(-1);
    if (previous !== undefined && Temporal.Instant.compare(piece.start, previous.end) <= 0) {
      if (Temporal.Instant.compare(piece.end, previous.end) > 0) previous.end = piece.end;
    } else merged.push({ ...piece });
  }
  return {
    ok: true,
    value: {
      ranges: merged.map((r) => ({ startsAt: r.start.toString(), endsAt: r.end.toString() })),
      text,
      zone: input.zone,
    },
  };
}
