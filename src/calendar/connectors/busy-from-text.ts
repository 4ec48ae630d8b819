/**
 * From iCalendar text to busy time, shared by the connectors: parse with the pure reader, expand
 * in the range, turn the reader's problems into one-line warnings.
 */
import { busyIntervals } from "../expand.js";
import {
  type CalendarEvent,
  type CalendarProblem,
  type EpochMsInterval,
  type ICalendar,
  parseICalendar,
} from "../ical.js";
import { type BusyRead, ConnectorError } from "./types.js";

/** "work.ics, line 12, UID abc: unknown TZID" */
export function problemWarning(problem: CalendarProblem): string {
  const where = [
    problem.source,
    problem.line === undefined ? undefined : `line ${problem.line}`,
    problem.uid === undefined ? undefined : `UID ${problem.uid}`,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
  return `${where}: ${problem.message}`;
}

/**
 * Parses one iCalendar text.
 * @throws ConnectorError CALENDAR_INVALID when the text is not iCalendar at all; `describe` is
 * the message (it names the source without secrets).
 */
export function parseOrThrow(
  text: string,
  source: string,
  describe: string,
): { calendar: ICalendar; warnings: string[] } {
  const parsed = parseICalendar(text, source);
  if (!parsed.ok) throw new ConnectorError("CALENDAR_INVALID", describe);
  return { calendar: parsed.calendar, warnings: parsed.problems.map(problemWarning) };
}

/** Busy time of calendars read together: events of all of them, expanded once. */
export function busyOf(
  source: string,
  events: CalendarEvent[],
  range: EpochMsInterval,
  zone: string,
  warnings: string[],
): BusyRead {
  const calendar: ICalendar = { source, events };
  const expanded = busyIntervals(calendar, range, { zone });
  return { busy: expanded.busy, warnings: [...warnings, ...expanded.problems.map(problemWarning)] };
}
