/**
 * Input schemas for the hiring module (jobs, candidates, pools, loop templates, interviewer
 * profiles), shared by the JSON API, its OpenAPI document and the pages. The service parses its
 * input through them too, so a caller that skips the edge still cannot store bad data.
 * Messages are written for people: they appear next to the field.
 */

import { z } from "zod";
import { emailField, textError } from "../accounts/schemas.js";
import { isValidTimeZone } from "../engine/zone.js";
import { resolveZoneName } from "./zone-names.js";

/** Optional text: absent, null and "" (an empty form field) all become null. */
export const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v));

export const requiredText = (label: string, max: number) =>
  z
    .string({ error: textError(label) })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`);

/** A whole number between `min` and `max`, with one message for every way to miss. */
const wholeNumber = (label: string, min: number, max: number, unit = "") => {
  const message = `${label} must be a whole number${unit} from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/**
 * An IANA time zone name this runtime knows, e.g. "Europe/Berlin" or "UTC"; a city a zone is
 * named after ("London", "new york") is read as that zone.
 */
export const timeZoneField = (label = "Time zone") =>
  z
    .string({ error: textError(label) })
    .trim()
    .min(1, `${label} is required`)
    .transform(resolveZoneName)
    .refine(isValidTimeZone, {
      message: `${label} must be a zone from the list, such as Europe/London, or its city, such as London`,
    });

export const jobInput = z.object({
  title: requiredText("Title", 200),
  department: optionalText("Department", 200),
  location: optionalText("Location", 200),
  description: optionalText("Description", 5000),
});
export type JobInput = z.infer<typeof jobInput>;

export const jobOutput = z.object({
  id: z.string(),
  title: z.string(),
  department: z.string().nullable(),
  location: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof jobOutput>;

// Candidates ----------------------------------------------------------------------------------

export const candidateInput = z.object({
  name: requiredText("Name", 200),
  email: emailField,
  phone: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v))
    .refine((v) => v === null || /^\+?[0-9 ()./-]{6,30}$/.test(v), {
      message: "Enter a telephone number, e.g. +44 20 7946 0958",
    }),
  timeZone: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v))
    .refine((v) => v === null || isValidTimeZone(v), {
      message: "Time zone must be an IANA time zone name such as Europe/Berlin",
    }),
  notes: optionalText("Notes", 5000),
});
export type CandidateInput = z.input<typeof candidateInput>;

export const candidateOutput = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  timeZone: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Candidate = z.infer<typeof candidateOutput>;

// Interviewer pools ---------------------------------------------------------------------------

export const MAX_POOL_MEMBERS = 500;

export const poolInput = z.object({
  name: requiredText("Name", 200),
  /** User ids of members of the same organisation; duplicates are ignored. */
  memberIds: z
    .array(
      z
        .string({ error: "Each member id must be a string" })
        .trim()
        .min(1, "A member id cannot be empty")
        .max(100, "A member id has at most 100 characters"),
      { error: "Members must be a list of user ids" },
    )
    .max(MAX_POOL_MEMBERS, `A pool has at most ${MAX_POOL_MEMBERS} members`)
    .default([]),
});
export type PoolInput = z.input<typeof poolInput>;

export const poolOutput = z.object({
  id: z.string(),
  name: z.string(),
  memberIds: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Pool = z.infer<typeof poolOutput>;

// Loop templates ------------------------------------------------------------------------------

export const SESSION_ORDERS = ["fixed", "any"] as const;
export const MAX_TEMPLATE_SESSIONS = 12;

export const loopSessionInput = z.object({
  name: requiredText("Session name", 200),
  durationMinutes: wholeNumber("Duration", 5, 480, " of minutes"),
  poolId: z
    .string({ error: textError("Pool") })
    .trim()
    .min(1, "Pool is required"),
  count: wholeNumber("Number of interviewers", 1, 50),
});

export const loopTemplateInput = z.object({
  name: requiredText("Name", 200),
  jobId: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v)),
  order: z.enum(SESSION_ORDERS, { error: 'Order must be "fixed" or "any"' }).default("fixed"),
  maxGapMinutes: wholeNumber("Longest gap between sessions", 0, 240, " of minutes").default(30),
  sessions: z
    .array(loopSessionInput, { error: "Sessions must be a list" })
    .min(1, "Add at least one session")
    .max(MAX_TEMPLATE_SESSIONS, `A loop has at most ${MAX_TEMPLATE_SESSIONS} sessions`),
});
export type LoopTemplateInput = z.input<typeof loopTemplateInput>;

export const loopSessionOutput = z.object({
  name: z.string(),
  durationMinutes: z.number().int(),
  poolId: z.string(),
  count: z.number().int(),
});
export type LoopSession = z.infer<typeof loopSessionOutput>;

export const loopTemplateOutput = z.object({
  id: z.string(),
  name: z.string(),
  jobId: z.string().nullable(),
  order: z.enum(SESSION_ORDERS),
  maxGapMinutes: z.number().int(),
  sessions: z.array(loopSessionOutput),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LoopTemplate = z.infer<typeof loopTemplateOutput>;

// Interviewer profiles ------------------------------------------------------------------------

/** RFC 5545 weekday codes, Monday first (as `Weekday` in src/engine/types.ts). */
export const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

/** "HH:MM", 00:00–23:59; an end may also be "24:00" (midnight at the end of the day). */
const clockField = (label: string, allowMidnightEnd: boolean) =>
  z
    .string({ error: textError(label) })
    .trim()
    .refine((v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v) || (allowMidnightEnd && v === "24:00"), {
      message: `${label} must be a time "HH:MM" such as 09:00${allowMidnightEnd ? " (or 24:00)" : ""}`,
    });

export const workingHoursSpan = z
  .object({
    days: z
      .array(z.enum(WEEKDAY_CODES, { error: "Days must be among MO, TU, WE, TH, FR, SA, SU" }), {
        error: 'Days must be a list such as ["MO", "TU"]',
      })
      .min(1, "Choose at least one day")
      .transform((days) => WEEKDAY_CODES.filter((d) => days.includes(d))),
    start: clockField("Start", false),
    end: clockField("End", true),
  })
  // The engine reads end <= start as running overnight; equal ends are surely a slip.
  .refine((span) => span.start !== span.end, {
    message: "End must differ from start",
    path: ["end"],
  });

const limitField = (label: string) =>
  z
    .number({ error: `${label} must be a whole number, 0 or more` })
    .int(`${label} must be a whole number, 0 or more`)
    .min(0, `${label} must be a whole number, 0 or more`)
    .max(1000, `${label} must be at most 1000`)
    .nullish()
    .transform((v) => (v === undefined ? null : v));

export const interviewerProfileInput = z.object({
  timeZone: timeZoneField(),
  workingHours: z
    .array(workingHoursSpan, { error: "Working hours must be a list of spans" })
    .max(21, "At most 21 spans of working hours"),
  perDayLimit: limitField("Interviews per day"),
  perWeekLimit: limitField("Interviews per week"),
});
export type InterviewerProfileInput = z.input<typeof interviewerProfileInput>;

export const interviewerProfileOutput = z.object({
  userId: z.string(),
  timeZone: z.string(),
  workingHours: z.array(
    z.object({ days: z.array(z.enum(WEEKDAY_CODES)), start: z.string(), end: z.string() }),
  ),
  perDayLimit: z.number().int().nullable(),
  perWeekLimit: z.number().int().nullable(),
  /** False when nothing is saved yet and these are the suggested defaults. */
  saved: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type InterviewerProfile = z.infer<typeof interviewerProfileOutput>;
