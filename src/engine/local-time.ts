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
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (match === null) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > MINUTES_PER_DAY ? undefined : minutes;
}

export { civilFromDays };

/** RFC 3339 UTC text of an instant. @example instantText(0) // "1970-01-01T00:00:00Z" */
export function instantText(instant: EpochMinutes): string {
  return Temporal.Instant.fromEpochMilliseconds(instant * 60_000).toString();
}
