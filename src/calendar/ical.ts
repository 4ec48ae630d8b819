/**
 * Reading iCalendar files (RFC 5545) as calendar programs write them: Google, Outlook/Exchange,
 * Apple, Fastmail, Thunderbird. Produces the events that matter for busy time (VEVENT; VTODO
 * and VJOURNAL are ignored) with their times, recurrence and overrides, and the zones they use.
 *
 * A broken event is reported as a problem (file, line, UID) and left out; a file that is not
 * iCalendar at all is an error.
 */
import { isValidTimeZone, type ZoneRules, zoneRules } from "../engine/zone.js";
import {
  type Component,
  type ContentLine,
  parseComponents,
  properties,
  property,
  unescapeText,
} from "./content-lines.js";
import { parseDateTimeText, parseRecurrenceRule, type RecurrenceRule } from "./recurrence.js";
import { zoneFromVTimezone } from "./vtimezone.js";
import { ianaFromWindowsZone, ianaFromWindowsZoneOrLabel } from "./windows-zones.js";

/** Half-open interval of epoch milliseconds: `[startEpochMs, endEpochMs)`. */
export interface EpochMsInterval {
  startEpochMs: number;
  endEpochMs: number;
}

export interface CalendarProblem {
  /** The file (or feed) name the problem is in. */
  source: string;
  line?: number;
  uid?: string;
  message: string;
}

/**
 * A DATE or DATE-TIME value. `local` is "local seconds": the wall-clock time read as if it
 * were UTC (for `utc` values it is simply epoch seconds).
 * - date: all-day, read in the participant's zone;
 * - floating: no zone, read in the participant's zone;
 * - utc: an instant;
 * - zoned: a wall-clock time in `zone`.
 */
export type TimeValue =
  | { kind: "date"; local: number }
  | { kind: "floating"; local: number }
  | { kind: "utc"; local: number }
  | { kind: "zoned"; local: number; zone: ZoneRules };

/** RFC 5545 3.3.6: days are nominal (calendar days), seconds are exact. */
export interface NominalDuration {
  days: number;
  seconds: number;
}

export interface RecurrenceDate {
  value: TimeValue;
  /** End of a PERIOD value. */
  end?: TimeValue;
  /** Duration of a PERIOD value written as start/duration. */
  duration?: NominalDuration;
}

export interface CalendarEvent {
  uid: string;
  summary?: string;
  /** Line of BEGIN:VEVENT. */
  line: number;
  start: TimeValue;
  /** DTEND, when present and after DTSTART. */
  end?: TimeValue;
  /** DURATION, when present (and no DTEND). */
  duration?: NominalDuration;
  rrules: RecurrenceRule[];
  rdates: RecurrenceDate[];
  exdates: TimeValue[];
  /** RECURRENCE-ID: this event overrides one instance of the series with the same UID. */
  recurrenceId?: TimeValue;
  /** RECURRENCE-ID;RANGE=THISANDFUTURE. */
  thisAndFuture: boolean;
  transparent: boolean;
  cancelled: boolean;
  sequence: number;
}

export interface ICalendar {
  source: string;
  events: CalendarEvent[];
  /** X-WR-TIMEZONE, when it names a zone (already applied to floating and UTC event times). */
  xWrTimeZone?: string;
}

export type ParseResult =
  | { ok: true; calendar: ICalendar; problems: CalendarProblem[] }
  | { ok: false; error: CalendarProblem };

/** Reads "P1D", "PT1H30M", "-P1W" (RFC 5545 3.3.6). */
export function parseDuration(text: string): NominalDuration | undefined {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(
    text.trim(),
  );
  if (m === null || text.trim().replace(/^[+-]/, "").length <= 1) return undefined;
  const sign = m[1] === "-" ? -1 : 1;
  const days = Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0);
  const seconds = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  return { days: sign * days, seconds: sign * seconds };
}

type ZoneResolver = (tzid: string) => ZoneRules | undefined;

/**
 * Resolves a TZID: an IANA name; a name that ends in one ("/mozilla.org/20050126_1/Europe/Berlin");
 * a VTIMEZONE of this calendar; a Windows zone name as Outlook writes them.
 */
function makeZoneResolver(custom: Map<string, ZoneRules>): ZoneResolver {
  const cache = new Map<string, ZoneRules | undefined>();
  return (raw) => {
    const tzid = raw.trim().replace(/^"|"$/g, "");
    if (cache.has(tzid)) return cache.get(tzid);
    let zone: ZoneRules | undefined;
    if (isValidTimeZone(tzid)) zone = zoneRules(tzid);
    if (zone === undefined && tzid.includes("/")) {
      const parts = tzid.split("/").filter((p) => p !== "");
      for (let i = 1; i < parts.length && zone === undefined; i++) {
        const candidate = parts.slice(i).join("/");
        if ((candidate.includes("/") || i === parts.length - 1) && isValidTimeZone(candidate)) {
          zone = zoneRules(candidate);
        }
      }
    }
    zone ??= custom.get(tzid);
    if (zone === undefined) {
      const iana = ianaFromWindowsZone(tzid) ?? ianaFromWindowsZoneOrLabel(tzid);
      if (iana !== undefined && isValidTimeZone(iana)) zone = zoneRules(iana);
    }
    cache.set(tzid, zone);
    return zone;
  };
}

class EventError extends Error {}

function paramValue(line: ContentLine, name: string): string | undefined {
  return line.params[name]?.[0];
}

interface ReadContext {
  resolve: ZoneResolver;
  xWrZone: ZoneRules | undefined;
  warn: (line: number, message: string) => void;
}

function readTime(text: string, line: ContentLine, ctx: ReadContext): TimeValue {
  const parsed = parseDateTimeText(text);
  if (parsed === undefined) throw new EventError(`${line.name} has a bad value "${text}"`);
  const valueType = paramValue(line, "VALUE")?.toUpperCase();
  if (parsed.dateOnly || valueType === "DATE") {
    const local = parsed.localSeconds - (parsed.localSeconds % 86_400);
    return { kind: "date", local };
  }
  let value: TimeValue;
  if (parsed.utc) {
    value = { kind: "utc", local: parsed.localSeconds };
  } else {
    const tzid = paramValue(line, "TZID");
    if (tzid !== undefined && tzid.trim() !== "") {
      const zone = ctx.resolve(tzid);
      if (zone !== undefined) return { kind: "zoned", local: parsed.localSeconds, zone };
      ctx.warn(line.line, `unknown time zone "${tzid}" in ${line.name}; read as floating time`);
    }
    value = { kind: "floating", local: parsed.localSeconds };
  }
  // X-WR-TIMEZONE (Google, Apple): floating times are in that zone, and UTC times are
  // expanded in its wall-clock time (as python's x-wr-timezone does).
  const xw = ctx.xWrZone;
  if (xw !== undefined) {
    if (value.kind === "floating") return { kind: "zoned", local: value.local, zone: xw };
    const offsetSeconds = xw.offsetMsAt(value.local * 1000) / 1000;
    return { kind: "zoned", local: value.local + offsetSeconds, zone: xw };
  }
  return value;
}

function readTimeList(line: ContentLine, ctx: ReadContext): TimeValue[] {
  return line.value
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((s) => readTime(s.trim(), line, ctx));
}

/** Instant of a time value in ms; date and floating values are read in `zone`. */
export function timeValueToEpochMs(value: TimeValue, zone: ZoneRules): number {
  switch (value.kind) {
    case "utc":
      return value.local * 1000;
    case "zoned":
      return value.zone.localToEpochMs(value.local * 1000);
    default:
      return zone.localToEpochMs(value.local * 1000);
  }
}

const UTC_RULES: ZoneRules = {
  timeZone: "UTC",
  offsetMsAt: () => 0,
  localToEpochMs: (localMs) => localMs,
};

function readEvent(component: Component, ctx: ReadContext, fallbackUid: string): CalendarEvent {
  const uidLine = property(component, "UID");
  const uid = uidLine ? unescapeText(uidLine.value).trim() || fallbackUid : fallbackUid;
  const dtstartLine = property(component, "DTSTART");
  if (dtstartLine === undefined) throw new EventError("VEVENT without DTSTART");
  const start = readTime(dtstartLine.value.trim(), dtstartLine, ctx);
  const event: CalendarEvent = {
    uid,
    line: component.line,
    start,
    rrules: [],
    rdates: [],
    exdates: [],
    thisAndFuture: false,
    transparent: false,
    cancelled: false,
    sequence: 0,
  };
  const summary = property(component, "SUMMARY");
  if (summary !== undefined) event.summary = unescapeText(summary.value);

  const dtendLine = property(component, "DTEND");
  const durationLine = property(component, "DURATION");
  if (dtendLine !== undefined) {
    const end = readTime(dtendLine.value.trim(), dtendLine, ctx);
    // Compare as instants; floating and date values are compared as if in UTC.
    const startMs = timeValueToEpochMs(start, UTC_RULES);
    const endMs = timeValueToEpochMs(end, UTC_RULES);
    if (endMs < startMs && start.kind === end.kind) {
      // As python-recurring-ical-events does (its issue 132): the times were swapped.
      ctx.warn(dtendLine.line, `DTEND is before DTSTART in event ${uid}; read them swapped`);
      event.start = end;
      event.end = start;
    } else if (endMs < startMs || (endMs === startMs && start.kind === "date")) {
      ctx.warn(
        dtendLine.line,
        `DTEND is not after DTSTART in event ${uid}; using the default length (${
          start.kind === "date" ? "one day" : "none"
        })`,
      );
    } else {
      event.end = end;
    }
  } else if (durationLine !== undefined) {
    const duration = parseDuration(durationLine.value);
    if (duration === undefined) {
      throw new EventError(`DURATION has a bad value "${durationLine.value}"`);
    }
    if (duration.days < 0 || duration.seconds < 0) {
      ctx.warn(durationLine.line, `negative DURATION in event ${uid}; using the default length`);
    } else {
      event.duration = duration;
    }
  }

  for (const rr of properties(component, "RRULE")) {
    if (rr.value.trim() === "") {
      ctx.warn(rr.line, `empty RRULE in event ${uid} ignored`);
      continue;
    }
    const parsed = parseRecurrenceRule(rr.value);
    if (!parsed.ok) throw new EventError(`RRULE cannot be read: ${parsed.error}`);
    for (const part of parsed.unknownParts ?? []) {
      ctx.warn(
        rr.line,
        `unknown RRULE part "${part}" in event ${uid} (not in RFC 5545); ignored, the rest of the rule is used`,
      );
    }
    event.rrules.push(parsed.rule);
  }
  for (const rd of properties(component, "RDATE")) {
    const isPeriod = paramValue(rd, "VALUE")?.toUpperCase() === "PERIOD";
    for (const part of rd.value.split(",")) {
      const text = part.trim();
      if (text === "") continue;
      const slash = text.indexOf("/");
      if (isPeriod || slash >= 0) {
        if (slash < 0) throw new EventError(`RDATE period "${text}" has no end`);
        const value = readTime(text.slice(0, slash), rd, ctx);
        const rest = text.slice(slash + 1);
        if (/^[+-]?P/i.test(rest)) {
          const duration = parseDuration(rest);
          if (duration === undefined) throw new EventError(`RDATE period "${text}" is bad`);
          event.rdates.push({ value, duration });
        } else {
          event.rdates.push({ value, end: readTime(rest, rd, ctx) });
        }
      } else {
        event.rdates.push({ value: readTime(text, rd, ctx) });
      }
    }
  }
  for (const ex of properties(component, "EXDATE")) {
    for (const v of readTimeList(ex, ctx)) event.exdates.push(v);
  }
  const rid = property(component, "RECURRENCE-ID");
  if (rid !== undefined) {
    event.recurrenceId = readTime(rid.value.trim(), rid, ctx);
    event.thisAndFuture = paramValue(rid, "RANGE")?.toUpperCase() === "THISANDFUTURE";
  }
  event.transparent = property(component, "TRANSP")?.value.trim().toUpperCase() === "TRANSPARENT";
  event.cancelled = property(component, "STATUS")?.value.trim().toUpperCase() === "CANCELLED";
  const seq = Number(property(component, "SEQUENCE")?.value.trim() ?? "0");
  event.sequence = Number.isFinite(seq) ? seq : 0;
  return event;
}

/**
 * Reads an iCalendar file. `source` names the file in problems.
 *
 * @example
 * const result = parseICalendar("BEGIN:VCALENDAR\r\n…END:VCALENDAR\r\n", "alice.ics");
 * if (result.ok) expandOccurrences(result.calendar, window, { zone: "Europe/Berlin" });
 */
export interface ParseOptions {
  /**
   * Apply the calendar's X-WR-TIMEZONE as Google and Apple clients (and python's
   * x-wr-timezone) do: floating times are read in it and UTC series expand in its wall-clock
   * time. Off by default: RFC 5545 and Ally's slot contract read floating times in the
   * participant's zone and expand UTC series in UTC.
   */
  applyXWrTimeZone?: boolean;
}

export function parseICalendar(
  text: string,
  source: string,
  options: ParseOptions = {},
): ParseResult {
  const { roots, problems: lineProblems } = parseComponents(text);
  const calendars = roots.filter((c) => c.name === "VCALENDAR");
  if (calendars.length === 0) {
    return {
      ok: false,
      error: { source, message: `${source} is not an iCalendar file (no BEGIN:VCALENDAR)` },
    };
  }
  const problems: CalendarProblem[] = lineProblems.map((p) => ({
    source,
    line: p.line,
    message: p.message,
  }));
  const events: CalendarEvent[] = [];
  let xWrTimeZone: string | undefined;
  for (const vcalendar of calendars) {
    const custom = new Map<string, ZoneRules>();
    for (const vtz of vcalendar.components) {
      if (vtz.name !== "VTIMEZONE") continue;
      const zone = zoneFromVTimezone(vtz);
      if (zone.ok) custom.set(zone.tzid, zone.zone);
      else problems.push({ source, line: vtz.line, message: zone.error });
    }
    const resolve = makeZoneResolver(custom);
    let xWrZone: ZoneRules | undefined;
    const xwr = property(vcalendar, "X-WR-TIMEZONE");
    if (options.applyXWrTimeZone === true && xwr !== undefined && xwr.value.trim() !== "") {
      xWrZone = resolve(xwr.value);
      if (xWrZone === undefined) {
        problems.push({
          source,
          line: xwr.line,
          message: `unknown X-WR-TIMEZONE "${xwr.value.trim()}"; ignored`,
        });
      } else {
        xWrTimeZone = xWrZone.timeZone;
      }
    }
    for (const component of vcalendar.components) {
      if (component.name !== "VEVENT") continue;
      const uid = property(component, "UID")?.value.trim();
      const eventProblems: CalendarProblem[] = [];
      const ctx: ReadContext = {
        resolve,
        xWrZone,
        warn: (line, message) =>
          eventProblems.push({ source, line, ...(uid ? { uid } : {}), message }),
      };
      try {
        events.push(readEvent(component, ctx, `${source}#line-${component.line}`));
        problems.push(...eventProblems);
      } catch (error) {
        if (!(error instanceof EventError)) throw error;
        problems.push(...eventProblems);
        problems.push({
          source,
          line: component.line,
          ...(uid ? { uid } : {}),
          message: `event skipped: ${error.message}`,
        });
      }
    }
  }
  const calendar: ICalendar = { source, events };
  if (xWrTimeZone !== undefined) calendar.xWrTimeZone = xWrTimeZone;
  return { ok: true, calendar, problems };
}
