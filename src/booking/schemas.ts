/**
 * Input and output schemas of the booking module, shared by the JSON API (and its OpenAPI
 * document), the pages and the service, which parses its input through them too. Instants are
 * RFC 3339 at this edge; messages are written for people and name the field.
 */

import { z } from "zod";
import { textError } from "../accounts/schemas.js";
import { isValidTimeZone } from "../engine/zone.js";
import { optionalText, requiredText } from "../hiring/schemas.js";
import { candidateHoursSchema, WEEKDAYS } from "./candidate-hours.js";
import { REQUEST_STATUSES } from "./tables.js";

export const MAX_REQUEST_SESSIONS = 12;
/** The longest window a request may search, in days. */
export const MAX_WINDOW_DAYS = 60;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 instant with an offset or Z; read as epoch milliseconds. */
export const instantField = (label: string) =>
  z
    .string({ error: textError(label) })
    .trim()
    .refine((v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)), {
      message: `${label} must be an RFC 3339 instant such as 2026-12-01T14:00:00Z`,
    });

const wholeNumber = (label: string, min: number, max: number, unit = "") => {
  const message = `${label} must be a whole number${unit} from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

const idField = (label: string) =>
  z
    .string({ error: textError(label) })
    .trim()
    .min(1, `${label} is required`)
    .max(100, `${label} has at most 100 characters`);

/**
 * One session of a request: either named interviewers (`interviewerIds`, all of whom attend)
 * or `count` interviewers drawn from a pool.
 */
export const requestSessionInput = z
  .object({
    name: requiredText("Session name", 200),
    durationMinutes: wholeNumber("Duration", 5, 480, " of minutes"),
    interviewerIds: z
      .array(idField("Interviewer"), { error: "Interviewers must be a list of user ids" })
      .max(20, "A session has at most 20 interviewers")
      .optional(),
    poolId: idField("Pool").optional(),
    count: wholeNumber("Number of interviewers", 1, 50).optional(),
  })
  .superRefine((s, ctx) => {
    const named = s.interviewerIds !== undefined && s.interviewerIds.length > 0;
    if (named && s.poolId !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["poolId"],
        message: "Choose either interviewers or a pool, not both",
      });
    } else if (!named && s.poolId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["interviewerIds"],
        message: "Choose at least one interviewer, or a pool",
      });
    }
  });

export const interviewRequestInput = z.object({
  candidateId: idField("Candidate"),
  jobId: idField("Job"),
  /** Sessions, order and gap come from the template unless `sessions` are given. */
  loopTemplateId: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v)),
  sessions: z
    .array(requestSessionInput, { error: "Sessions must be a list" })
    .min(1, "Add at least one session")
    .max(MAX_REQUEST_SESSIONS, `A request has at most ${MAX_REQUEST_SESSIONS} sessions`)
    .optional(),
  order: z.enum(["fixed", "any"], { error: 'Order must be "fixed" or "any"' }).optional(),
  maxGapMinutes: wholeNumber("Longest gap between sessions", 0, 240, " of minutes").optional(),
  windowStart: instantField("Window start"),
  windowEnd: instantField("Window end"),
  /** The candidate's zone; defaults to the candidate's saved zone, else UTC. */
  timeZone: z
    .string()
    .trim()
    .nullish()
    .transform((v) => (v === undefined || v === null || v === "" ? null : v))
    .refine((v) => v === null || isValidTimeZone(v), {
      message: "Time zone must be an IANA time zone name such as Europe/Berlin",
    }),
  /** The hours the candidate may be offered, in their zone; 08:00–20:00 on weekdays if not given. */
  candidateHours: candidateHoursSchema.optional(),
  location: optionalText("Location", 500),
  videoLink: optionalText("Video link", 2000).refine(
    (v) => v === null || /^https?:\/\/\S+$/i.test(v),
    { message: "Video link must be an address starting with https://" },
  ),
  notes: optionalText("Notes", 5000),
});
export type InterviewRequestInput = z.input<typeof interviewRequestInput>;

export const REQUEST_STATUS_VALUES = REQUEST_STATUSES;
export const requestStatus = z.enum(REQUEST_STATUSES);

export const requestSessionOutput = z.object({
  name: z.string(),
  durationMinutes: z.number().int(),
  interviewerIds: z.array(z.string()).optional(),
  poolId: z.string().optional(),
  count: z.number().int().optional(),
});
export type RequestSession = z.infer<typeof requestSessionOutput>;

export const optionSessionOutput = z.object({
  name: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  interviewerIds: z.array(z.string()),
});

/** One way to hold the interview; `id` is derived from its content, so it is stable. */
export const optionOutput = z.object({
  id: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  score: z.number(),
  sessions: z.array(optionSessionOutput),
});
export type Option = z.infer<typeof optionOutput>;

export const bookingOutput = z.object({
  id: z.string(),
  icalUid: z.string(),
  sequence: z.number().int(),
  status: z.enum(["active", "cancelled"]),
  sessions: z.array(optionSessionOutput),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Booking = z.infer<typeof bookingOutput>;

export const requestEventOutput = z.object({
  at: z.string(),
  actor: z.object({
    kind: z.enum(["user", "candidate", "system"]),
    id: z.string().nullable(),
  }),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type RequestEvent = z.infer<typeof requestEventOutput>;

export const interviewRequestOutput = z.object({
  id: z.string(),
  candidateId: z.string(),
  jobId: z.string(),
  loopTemplateId: z.string().nullable(),
  sessions: z.array(requestSessionOutput),
  order: z.enum(["fixed", "any"]),
  maxGapMinutes: z.number().int(),
  windowStart: z.string(),
  windowEnd: z.string(),
  timeZone: z.string(),
  candidateHours: z.object({
    start: z.string(),
    end: z.string(),
    days: z.array(z.enum(WEEKDAYS)),
  }),
  location: z.string().nullable(),
  videoLink: z.string().nullable(),
  notes: z.string().nullable(),
  status: requestStatus,
  createdBy: z.string(),
  offeredOptions: z.array(optionOutput).nullable(),
  offeredAt: z.string().nullable(),
  booking: bookingOutput.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  scheduledAt: z.string().nullable(),
});
export type InterviewRequest = z.infer<typeof interviewRequestOutput>;

export const blockerOutput = z.object({
  constraint: z.string(),
  session: z.string().optional(),
  participant: z.string().optional(),
  startsRuledOut: z.number().int(),
  /** The starts it was judged on. */
  outOf: z.number().int().optional(),
  message: z.string(),
});

export const explanationOutput = z.object({
  candidateStarts: z.number().int(),
  feasibleStarts: z.number().int(),
  summary: z.string(),
  blockers: z.array(blockerOutput),
  relaxations: z.array(
    z.object({
      constraint: z.string(),
      participant: z.string().optional(),
      change: z.string(),
      feasibleStarts: z.number().int(),
      firstStart: z.string().optional(),
      /** For "notice": the largest minimum notice (minutes) that lets a time fit, and the cut. */
      noticeMinutes: z.number().int().optional(),
      noticeCutMinutes: z.number().int().optional(),
      /** For "range": the nearest later end of the window that lets a time fit (RFC 3339). */
      rangeEnd: z.string().optional(),
    }),
  ),
});

export const optionsOutput = z.object({
  options: z.array(optionOutput),
  /** Calendars that cannot be trusted, e.g. "Dana's calendar (…) has not synced for 3 hours". */
  warnings: z.array(z.string()),
  /** Why nothing fits and what to relax; null when options were found. */
  explanation: explanationOutput.nullable(),
  /**
   * Present only when the engine's step budget ran out: the options are feasible, but later
   * times were not examined.
   */
  search: z
    .object({ complete: z.literal(false), steps: z.number().int(), message: z.string() })
    .optional(),
});
export type OptionsAnswer = z.infer<typeof optionsOutput>;

const idempotencyKey = z
  .string({ error: textError("Idempotency key") })
  .trim()
  .min(8, "Idempotency key must have 8 to 200 characters")
  .max(200, "Idempotency key must have 8 to 200 characters");

export const bookInput = z.object({
  /** An option's id; one no longer available is answered with SLOT_TAKEN and fresh options. */
  optionId: z
    .string({ error: textError("Option") })
    .trim()
    .min(1, "Option is required")
    .max(100, "Option must be the id of one of the request's options"),
  idempotencyKey,
});
export type BookInput = z.input<typeof bookInput>;

export const cancelInput = z.object({
  reason: optionalText("Reason", 2000),
});
export type CancelInput = z.input<typeof cancelInput>;

export const proposeTimesInput = z.object({
  ranges: z
    .array(
      z
        .object({ start: instantField("Start"), end: instantField("End") })
        .refine((r) => Date.parse(r.end) > Date.parse(r.start), {
          message: "End must be after start",
          path: ["end"],
        }),
      { error: "Times must be a list of ranges" },
    )
    .max(20, "Propose at most 20 ranges")
    .default([]),
  message: optionalText("Message", 5000),
});
export type ProposeTimesInput = z.input<typeof proposeTimesInput>;

/** Offering takes no input: it snapshots the options of the moment. */
export const offerInput = z.object({});

export const listRequestsQuery = z.object({
  status: requestStatus.optional(),
});
