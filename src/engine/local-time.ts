/**
 * Wall-clock time in a zone, in integer minutes. A "local minute" is the wall-clock time read as
 * if it were UTC, so `Math.floor(local / 1440)` is the local day number (days since 1970-01-01)
 * and `local % 1440` the minutes since local midnight.
 */
import { Temporal } from "temporal-polyfill";
import { civilFromDays, isoWeekday, MINUTES_PER_DAY } from "./civil.js";
import type { EpochMinutes } from "./types.js";
import type { ZoneRules } from "./zone.js";

export function localMinuteOf(rules: ZoneRules, instant: EpochMinutes): number {
  return instant + rules.offsetMsAt(instant * 60_000) / 60_000;
}

export function localDayOf(rules: ZoneRules, instant: EpochMinutes): number {
  return Math.floor(localMinuteOf(rules, instant) / MINUTES_PER_DAY);
}

/** The instant of a local wall-clock minute (gap: moves forward; overlap: the earlier one). */
export function instantOfLocal(rules: ZoneRules, localMinute: number): EpochMinutes {
  return rules.localToEpochMs(localMinute * 60_000) / 60_000;
}

/** ISO week key (Monday-based) of a local day number: the day number of that week's Monday. */
export function isoWeekKey(localDay: number): number {
  return localDay - (isoWeekday(localDay) - 1);
}

/** "HH:MM" → minutes since midnight; "24:00" is 1440. Returns undefined when malformed. */
export function parseClock(text: string): number | undefined {
  // Same as /^([01]\d|2[0-4]):([0-5]\d)$/, read character by character.
  if (text.length !== 5 || text.charCodeAt(2) !== COLON) return undefined;
  const h1 = text.charCodeAt(0) - ZERO;
  const h2 = text.charCodeAt(1) - ZERO;
  const m1 = text.charCodeAt(3) - ZERO;
  const m2 = text.charCodeAt(4) - ZERO;
  if (!digit(h2) || !digit(m2) || !(h1 >= 0 && h1 <= 2) || !(m1 >= 0 && m1 <= 5)) {
    return undefined;
  }
  if (h1 === 2 && h2 > 4) return undefined;
  const minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
  return minutes > MINUTES_PER_DAY ? undefined : minutes;
}

const ZERO = 48;
const COLON = 58;
const digit = (d: number): boolean => d >= 0 && d <= 9;

export { civilFromDays };

/** RFC 3339 UTC text of an instant. @example instantText(0) // "1970-01-01T00:00:00Z" */
export function instantText(instant: EpochMinutes): string {
  return Temporal.Instant.fromEpochMilliseconds(instant * 60_000).toString();
}
