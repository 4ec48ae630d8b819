/**
 * The candidate's reasonable hours: nobody is offered a 04:00 start because it suits the
 * interviewers. By default 08:00–20:00, Monday to Friday, in the candidate's zone; a request may
 * set other hours and days. Turned into the engine's candidate windows (epoch minutes), one
 * per local day, clipped to the search range. Pure: Temporal does the zone arithmetic.
 *
 * @example
 *   candidateHourWindows({ start: t0, end: t1 }, "America/New_York", DEFAULT_CANDIDATE_HOURS)
 *   // [{ start: <Mon 08:00 New York>, end: <Mon 20:00 New York> }, ...]
 */
import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import type { MinuteInterval } from "../engine/types.js";

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface CandidateHours {
  /** Local "HH:MM", inclusive. */
  start: string;
  /** Local "HH:MM", exclusive; after `start`. */
  end: string;
  days: Weekday[];
}

export const DEFAULT_CANDIDATE_HOURS: CandidateHours = {
  start: "08:00",
  end: "20:00",
  days: ["MO", "TU", "WE", "TH", "FR"],
};

const clockTime = (label: string) =>
  z
    .string({ error: `${label} must be a time such as 08:00` })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `${label} must be a time such as 08:00`);

/** The hours as stored and as the API takes them. */
export const candidateHoursSchema = z
  .object({
    start: clockTime("Candidate's hours: from"),
    end: clockTime("Candidate's hours: until"),
    days: z
      .array(z.enum(WEEKDAYS, { error: "Candidate's days must be MO, TU, WE, TH, FR, SA or SU" }))
      .min(1, "Candidate's days: choose at least one day")
      .max(7)
      .transform((days) => WEEKDAYS.filter((d) => days.includes(d))),
  })
  .refine((h) => h.end > h.start, {
    message: "Candidate's hours: until must be after from",
    path: ["end"],
  });

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Recent answers of `candidateHourWindows`: a request asks the same again on every view. */
const recentWindows = new Map<string, readonly MinuteInterval[]>();
const RECENT_WINDOWS = 1_000;

/**
 * Windows inside `range` (epoch minutes) when the candidate may be offered time. The same
 * question is answered from memory (a copy), since working it out takes a zone conversion per day.
 */
export function candidateHourWindows(
  range: MinuteInterval,
  zone: string,
  hours: CandidateHours,
): MinuteInterval[] {
  const key = `${range.start} ${range.end} ${zone} ${hours.start} ${hours.end} ${hours.days.join(",")}`;
  let windows = recentWindows.get(key);
  if (windows === undefined) {
    windows = workOutWindows(range, zone, hours);
    if (recentWindows.size >= RECENT_WINDOWS) {
      recentWindows.delete(recentWindows.keys().next().value as string);
    }
    recentWindows.set(key, windows);
  }
  return windows.map((w) => ({ start: w.start, end: w.end }));
}

function workOutWindows(
  range: MinuteInterval,
  zone: string,
  hours: CandidateHours,
): MinuteInterval[] {
  if (range.end <= range.start) return [];
  const toZoned = (minute: number) =>
    Temporal.Instant.fromEpochMilliseconds(minute * 60_000).toZonedDateTimeISO(zone);
  const days = new Set(hours.days);
  const startMinute = minutesOf(hours.start);
  const endMinute = minutesOf(hours.end);
  const windows: MinuteInterval[] = [];
  // From the day before the range's first local day: nothing earlier can reach into it.
  let date = toZoned(range.start).toPlainDate().subtract({ days: 1 });
  const lastDate = toZoned(range.end).toPlainDate();
  while (Temporal.PlainDate.compare(date, lastDate) <= 0) {
    if (days.has(WEEKDAYS[date.dayOfWeek - 1] as Weekday)) {
      const at = (minuteOfDay: number) =>
        Math.floor(
          date
            .toZonedDateTime({
              timeZone: zone,
              plainTime: Temporal.PlainTime.from({
                hour: Math.floor(minuteOfDay / 60),
                minute: minuteOfDay % 60,
              }),
            })
            .toInstant().epochMilliseconds / 60_000,
        );
      const start = Math.max(at(startMinute), range.start);
      const end = Math.min(at(endMinute), range.end);
      if (end > start) windows.push({ start, end });
    }
    date = date.add({ days: 1 });
  }
  return windows;
}
