/**
 * Zone rules from a VTIMEZONE block (RFC 5545 3.6.5), for TZIDs that are not IANA names.
 *
 * Each STANDARD/DAYLIGHT observance starts at its DTSTART (a local time in TZOFFSETFROM) and
 * again at every RRULE/RDATE instance; from each onset TZOFFSETTO is in force. Onsets are
 * expanded once, up to the year 2200, into a sorted table answered by binary search.
 */
import type { ZoneRules } from "../engine/zone.js";
import { type Component, properties, property } from "./content-lines.js";
import {
  defaultUntilLocalSeconds,
  expandRecurrence,
  localSeconds,
  parseDateTimeText,
  parseRecurrenceRule,
} from "./recurrence.js";

const DAY_MS = 86_400_000;
const HORIZON_LOCAL_SECONDS = localSeconds(2200, 1, 1);

/** "+0100", "-0530", "+013045" → seconds. */
export function parseUtcOffset(text: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(text.trim());
  if (m === null) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? "0");
  return m[1] === "-" ? -seconds : seconds;
}

class TableZoneRules implements ZoneRules {
  readonly timeZone: string;
  readonly #transitionsMs: Float64Array;
  readonly #offsetsMs: Float64Array;
  readonly #initialOffsetMs: number;

  constructor(
    timeZone: string,
    transitions: { atMs: number; offsetMs: number }[],
    initial: number,
  ) {
    this.timeZone = timeZone;
    transitions.sort((a, b) => a.atMs - b.atMs);
    this.#transitionsMs = Float64Array.from(transitions, (t) => t.atMs);
    this.#offsetsMs = Float64Array.from(transitions, (t) => t.offsetMs);
    this.#initialOffsetMs = initial;
  }

  offsetMsAt(epochMs: number): number {
    const t = this.#transitionsMs;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((t[mid] as number) <= epochMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? this.#initialOffsetMs : (this.#offsetsMs[lo - 1] as number);
  }

  localToEpochMs(localMs: number): number {
    const offsetBefore = this.offsetMsAt(localMs - DAY_MS);
    const offsetAfter = this.offsetMsAt(localMs + DAY_MS);
    const early = localMs - Math.max(offsetBefore, offsetAfter);
    if (this.offsetMsAt(early) === localMs - early) return early;
    const late = localMs - Math.min(offsetBefore, offsetAfter);
    if (this.offsetMsAt(late) === localMs - late) return late;
    // RFC 5545 3.3.5: a time in a gap is read with the offset before the gap.
    return localMs - offsetBefore;
  }
}

/**
 * Builds zone rules from a VTIMEZONE component.
 * @example zoneFromVTimezone(vtimezone) // { ok: true, zone } with zone.offsetMsAt(...)
 */
export function zoneFromVTimezone(
  component: Component,
): { ok: true; tzid: string; zone: ZoneRules } | { ok: false; error: string } {
  const tzid = property(component, "TZID")?.value.trim();
  if (tzid === undefined || tzid === "") return { ok: false, error: "VTIMEZONE without TZID" };
  const transitions: { atMs: number; offsetMs: number }[] = [];
  let earliest: { atMs: number; fromMs: number } | undefined;
  for (const observance of component.components) {
    if (observance.name !== "STANDARD" && observance.name !== "DAYLIGHT") continue;
    const start = parseDateTimeText(property(observance, "DTSTART")?.value ?? "");
    const from = parseUtcOffset(property(observance, "TZOFFSETFROM")?.value ?? "");
    const to = parseUtcOffset(property(observance, "TZOFFSETTO")?.value ?? "");
    if (start === undefined || from === undefined || to === undefined) {
      return { ok: false, error: `VTIMEZONE ${tzid}: ${observance.name} lacks DTSTART or offsets` };
    }
    const onsets: number[] = [start.localSeconds];
    for (const rr of properties(observance, "RRULE")) {
      const parsed = parseRecurrenceRule(rr.value);
      if (!parsed.ok) return { ok: false, error: `VTIMEZONE ${tzid}: ${parsed.error}` };
      const rule = parsed.rule;
      let until = defaultUntilLocalSeconds(rule, false);
      // UNTIL in UTC: the onset's local time is UTC + TZOFFSETFROM.
      if (rule.until?.utc) until = rule.until.localSeconds + from;
      for (const s of expandRecurrence(rule, start.localSeconds, {
        toLocalSeconds: Math.max(HORIZON_LOCAL_SECONDS, start.localSeconds + 1),
        untilLocalSeconds: until,
      })) {
        onsets.push(s);
      }
    }
    for (const rd of properties(observance, "RDATE")) {
      for (const part of rd.value.split(",")) {
        const v = parseDateTimeText(part.split("/")[0] ?? "");
        if (v !== undefined) onsets.push(v.utc ? v.localSeconds + from : v.localSeconds);
      }
    }
    for (const onset of onsets) {
      const atMs = (onset - from) * 1000;
      transitions.push({ atMs, offsetMs: to * 1000 });
      if (earliest === undefined || atMs < earliest.atMs) earliest = { atMs, fromMs: from * 1000 };
    }
  }
  if (earliest === undefined) {
    return { ok: false, error: `VTIMEZONE ${tzid} has no STANDARD or DAYLIGHT` };
  }
  return { ok: true, tzid, zone: new TableZoneRules(tzid, transitions, earliest.fromMs) };
}
