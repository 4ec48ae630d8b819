/**
 * Calendar module: reading iCalendar files, expanding recurrences, and busy time.
 * Pure: takes text and data, returns data; no disk, clock or network.
 */
export {
  busyIntervals,
  type ExpandOptions,
  expandOccurrences,
  type Occurrence,
} from "./expand.js";
export {
  type CalendarEvent,
  type CalendarProblem,
  type EpochMsInterval,
  type ICalendar,
  type NominalDuration,
  type ParseOptions,
  type ParseResult,
  parseDuration,
  parseICalendar,
  type RecurrenceDate,
  type TimeValue,
  timeValueToEpochMs,
} from "./ical.js";
export {
  type ExpandRecurrenceOptions,
  expandRecurrence,
  type Frequency,
  localSeconds,
  parseDateTimeText,
  parseRecurrenceRule,
  type RecurrenceRule,
  type RecurrenceUntil,
  type WeekdayNum,
} from "./recurrence.js";
export { zoneFromVTimezone } from "./vtimezone.js";
