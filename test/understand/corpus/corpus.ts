/**
 * The labelled corpus for reading replies (`ally understand`, `shared/spec/understand.md`).
 *
 * Five JSON Lines files sit next to this module: `tune.jsonl`, which the reader may be tuned on;
 * `dev.jsonl`, `dev2.jsonl` and `dev3.jsonl`, each written later and apart from the reader, scored before any
 * rule was changed for them and then used, like tune, to broaden the reader; and
 * `held-out.jsonl`, which is only ever scored. Each line is one reply: the spec's input
 * exactly, and the expected reading without `confidence`. Expected windows may be written as
 * local wall-clock date-times ("2026-12-03T14:00"), meaning local time in `expect.timeZone` when
 * the message names a zone, else in `input.timeZone`; this module turns them into instants with
 * Temporal, so the DST offset of that date is always the zone's own.
 *
 * Intervals are half-open: `end` is exclusive.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Temporal } from "temporal-polyfill";
import { z } from "zod";

// The spec's intents and privacy rights, from the reader's own types (one list, not two).
import {
  INTENTS,
  type Intent,
  PRIVACY_REQUESTS,
  type PrivacyRequest,
} from "../../../src/understand/types.js";

export { INTENTS, type Intent, PRIVACY_REQUESTS, type PrivacyRequest };

export const LANGUAGES = ["en", "es", "fr", "de", "pt"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The closed tag vocabulary: every intent, plus what a case exercises. */
export const TAGS = [
  ...INTENTS,
  // how an option is taken
  "ordinal",
  "restate",
  "other-zone",
  "weekday",
  "not-first",
  "booked-confirmation",
  // how times are said
  "range",
  "bound",
  "alternatives",
  "exception",
  "negation",
  "relative",
  "next-week",
  "this-week",
  "this-week-today",
  "week-of",
  "bare-time",
  "vague",
  "us-date",
  "eu-date",
  "named-zone",
  "dst",
  "none-offered",
  // reschedule, cancel, privacy
  "with-windows",
  "without-windows",
  "withdraw",
  ...PRIVACY_REQUESTS,
  // what is not the sender's words, and noise
  "auto-reply",
  "out-of-office",
  "quoted",
  "gmail-quote",
  "outlook-quote",
  "forwarded",
  "signature",
  "typo",
  "caps",
  "emoji",
  "html",
  "short",
  "mixed",
  "ambiguous",
] as const;
export type Tag = (typeof TAGS)[number];

export type CorpusPart = "tune" | "dev" | "dev2" | "dev3" | "held-out";
export const CORPUS_PARTS: readonly CorpusPart[] = ["tune", "dev", "dev2", "dev3", "held-out"];

/** A half-open interval between two instants, as RFC 3339 UTC text. */
export type Interval = { start: string; end: string };

/** The spec's input, exactly. */
export type UnderstandInput = {
  now: string;
  timeZone: string;
  subject?: string;
  text: string;
  proposed?: Interval[];
  booked?: Interval;
};

/** The expected reading, with every time as an instant and empty lists written out. */
export type ExpectedReading = {
  intent: Intent;
  choice?: number;
  windows: Interval[];
  unavailable: Interval[];
  timeZone?: string;
  privacyRequest?: PrivacyRequest;
  /** A careful human coordinator could not be sure: the right answer is to ask a person. */
  ambiguous: boolean;
};

export type CorpusCase = {
  id: string;
  part: CorpusPart;
  /** 1-based line in its file. */
  line: number;
  lang: Language;
  tags: Tag[];
  input: UnderstandInput;
  expect: ExpectedReading;
  note: string;
};

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

function isInstant(text: string): boolean {
  if (!UTC_INSTANT.test(text)) return false;
  try {
    Temporal.Instant.from(text);
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(name: string): boolean {
  try {
    Temporal.ZonedDateTime.from({ timeZone: name, year: 2026, month: 1, day: 1 });
    return true;
  } catch {
    return false;
  }
}

const instantSchema = z.string().refine(isInstant, "must be an RFC 3339 UTC instant ending in Z");
const timeZoneSchema = z.string().refine(isTimeZone, "must be an IANA time zone");
const inputIntervalSchema = z.object({ start: instantSchema, end: instantSchema }).strict();
const expectedTimeSchema = z
  .string()
  .refine(
    (text) => isInstant(text) || LOCAL_DATE_TIME.test(text),
    "must be a UTC instant or a local date-time without offset",
  );
const expectedIntervalSchema = z
  .object({ start: expectedTimeSchema, end: expectedTimeSchema })
  .strict();

const inputSchema = z
  .object({
    now: instantSchema,
    timeZone: timeZoneSchema,
    subject: z.string().optional(),
    text: z.string(),
    proposed: z.array(inputIntervalSchema).optional(),
    booked: inputIntervalSchema.optional(),
  })
  .strict();

const expectSchema = z
  .object({
    intent: z.enum(INTENTS),
    choice: z.number().int().positive().optional(),
    windows: z.array(expectedIntervalSchema).optional(),
    unavailable: z.array(expectedIntervalSchema).optional(),
    timeZone: timeZoneSchema.optional(),
    privacyRequest: z.enum(PRIVACY_REQUESTS).optional(),
    ambiguous: z.literal(true).optional(),
  })
  .strict()
  .refine((e) => (e.intent === "accept") === (e.choice !== undefined), {
    message: "choice is present exactly when the intent is accept",
    path: ["choice"],
  })
  .refine((e) => (e.intent === "privacy_request") === (e.privacyRequest !== undefined), {
    message: "privacyRequest is present exactly when the intent is privacy_request",
    path: ["privacyRequest"],
  });

const lineSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case words joined by -"),
    lang: z.enum(LANGUAGES),
    tags: z.array(z.enum(TAGS)).min(1),
    input: inputSchema,
    expect: expectSchema,
    note: z.string().min(1),
  })
  .strict();

type RawInterval = { start: string; end: string };

/** A local wall-clock time in `zone`, or an instant, as an instant; a time in a DST gap is an error. */
function toInstant(text: string, zone: string): string {
  if (isInstant(text)) return Temporal.Instant.from(text).toString();
  return Temporal.PlainDateTime.from(text)
    .toZonedDateTime(zone, { disambiguation: "reject" })
    .toInstant()
    .toString();
}

function toIntervals(list: RawInterval[] | undefined, zone: string): Interval[] {
  return (list ?? []).map((w) => ({
    start: toInstant(w.start, zone),
    end: toInstant(w.end, zone),
  }));
}

export type LineResult = { ok: true; value: CorpusCase } | { ok: false; error: string };

/**
 * Validates one corpus line and resolves its expected times to instants.
 * @example parseCorpusLine('{"id":"decline-001",…}', "tune", 12)
 */
export function parseCorpusLine(text: string, part: CorpusPart, line: number): LineResult {
  const where = `${part}.jsonl line ${line}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${where}: not JSON (${(error as Error).message})` };
  }
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${where}: ${issue.path.join(".")}: ${issue.message}` };
  }
  const raw = parsed.data;
  const zone = raw.expect.timeZone ?? raw.input.timeZone;
  try {
    const expect: ExpectedReading = {
      intent: raw.expect.intent,
      windows: toIntervals(raw.expect.windows, zone),
      unavailable: toIntervals(raw.expect.unavailable, zone),
      ambiguous: raw.expect.ambiguous === true,
    };
    if (raw.expect.choice !== undefined) expect.choice = raw.expect.choice;
    if (raw.expect.timeZone !== undefined) expect.timeZone = raw.expect.timeZone;
    if (raw.expect.privacyRequest !== undefined) expect.privacyRequest = raw.expect.privacyRequest;
    return {
      ok: true,
      value: { ...raw, part, line, expect },
    };
  } catch (error) {
    return { ok: false, error: `${where}: expected time: ${(error as Error).message}` };
  }
}

/** Path of one part's file. */
export function corpusFile(part: CorpusPart): string {
  return fileURLToPath(new URL(`./${part}.jsonl`, import.meta.url));
}

/** Every non-empty line of a part, parsed; failures are returned, not thrown. */
export function readCorpusPart(part: CorpusPart): LineResult[] {
  const lines = readFileSync(corpusFile(part), "utf8").split("\n");
  const results: LineResult[] = [];
  lines.forEach((text, index) => {
    if (text.trim() !== "") results.push(parseCorpusLine(text, part, index + 1));
  });
  return results;
}

/** The cases of one part; throws naming every bad line. */
export function loadCorpusPart(part: CorpusPart): CorpusCase[] {
  const results = readCorpusPart(part);
  const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));
  if (errors.length > 0) throw new Error(`invalid corpus lines:\n${errors.join("\n")}`);
  return results.flatMap((r) => (r.ok ? [r.value] : []));
}

/** Every part. The held-out part is for scoring only, never for tuning the reader. */
export function loadCorpus(): {
  tune: CorpusCase[];
  dev: CorpusCase[];
  dev2: CorpusCase[];
  dev3: CorpusCase[];
  heldOut: CorpusCase[];
} {
  return {
    tune: loadCorpusPart("tune"),
    dev: loadCorpusPart("dev"),
    dev2: loadCorpusPart("dev2"),
    dev3: loadCorpusPart("dev3"),
    heldOut: loadCorpusPart("held-out"),
  };
}

const hasTag = (c: CorpusCase, ...tags: Tag[]) => tags.some((t) => c.tags.includes(t));
const isIntent = (c: CorpusCase, intent: Intent) => c.expect.intent === intent;

/** Categories each part must cover, as predicates over a case. */
export const CATEGORIES: Record<string, (c: CorpusCase) => boolean> = {
  "accept by ordinal": (c) => isIntent(c, "accept") && hasTag(c, "ordinal"),
  "accept by restating the time": (c) => isIntent(c, "accept") && hasTag(c, "restate"),
  "accept restated in another zone": (c) => isIntent(c, "accept") && hasTag(c, "other-zone"),
  "accept by weekday": (c) => isIntent(c, "accept") && hasTag(c, "weekday"),
  "accept after 'not the first'": (c) => isIntent(c, "accept") && hasTag(c, "not-first"),
  "confirmation of a booked time": (c) => hasTag(c, "booked-confirmation"),
  "propose a range": (c) => isIntent(c, "propose") && hasTag(c, "range"),
  "propose a bound (after/before/from/until)": (c) => isIntent(c, "propose") && hasTag(c, "bound"),
  "propose alternatives with 'or'": (c) => isIntent(c, "propose") && hasTag(c, "alternatives"),
  "propose with an exception": (c) => isIntent(c, "propose") && hasTag(c, "exception"),
  "propose with a negation": (c) => isIntent(c, "propose") && hasTag(c, "negation"),
  "propose relative days and weeks": (c) =>
    isIntent(c, "propose") && hasTag(c, "relative", "next-week", "this-week", "week-of"),
  "propose a US date": (c) => isIntent(c, "propose") && hasTag(c, "us-date"),
  "propose a European date": (c) => isIntent(c, "propose") && hasTag(c, "eu-date"),
  "propose in a named zone": (c) => isIntent(c, "propose") && hasTag(c, "named-zone"),
  "propose across a DST change": (c) => isIntent(c, "propose") && hasTag(c, "dst"),
  "propose when none offered": (c) => isIntent(c, "propose") && hasTag(c, "none-offered"),
  decline: (c) => isIntent(c, "decline"),
  "reschedule with windows": (c) => isIntent(c, "reschedule") && c.expect.windows.length > 0,
  "reschedule without windows": (c) => isIntent(c, "reschedule") && c.expect.windows.length === 0,
  cancel: (c) => isIntent(c, "cancel"),
  opt_out: (c) => isIntent(c, "opt_out"),
  ...Object.fromEntries(
    PRIVACY_REQUESTS.map((kind) => [
      `privacy: ${kind}`,
      (c: CorpusCase) => c.expect.privacyRequest === kind,
    ]),
  ),
  question: (c) => isIntent(c, "question"),
  "auto-reply": (c) => hasTag(c, "auto-reply") && isIntent(c, "unknown"),
  "unknown (not an auto-reply)": (c) => isIntent(c, "unknown") && !hasTag(c, "auto-reply"),
  "quoted history": (c) => hasTag(c, "quoted"),
  "Gmail quote": (c) => hasTag(c, "gmail-quote"),
  "Outlook quote": (c) => hasTag(c, "outlook-quote"),
  signature: (c) => hasTag(c, "signature"),
  typos: (c) => hasTag(c, "typo"),
  "all caps": (c) => hasTag(c, "caps"),
  emoji: (c) => hasTag(c, "emoji"),
  "HTML leftovers": (c) => hasTag(c, "html"),
  "very short": (c) => hasTag(c, "short"),
  ambiguous: (c) => c.expect.ambiguous,
  Spanish: (c) => c.lang === "es",
  French: (c) => c.lang === "fr",
  German: (c) => c.lang === "de",
  Portuguese: (c) => c.lang === "pt",
};
