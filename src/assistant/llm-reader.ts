/**
 * An optional second reading by a language model, never in charge. With UNDERSTAND_LLM_URL set
 * (an OpenAI-compatible `/v1/chat/completions`, as llama.cpp's server and Ollama serve; key
 * optional), the model is asked for a structured reading (`response_format` with a JSON schema:
 * intent, option, windows, each with the exact span of the sender's words it relied on). Code
 * then verifies it: every span occurs in the sender's own words, every time lies inside the
 * rule reading's windows or is an offered option, and the intent, option and windows agree with
 * the rule reading. Only then may the reading be acted on without a person; anything else
 * (disagreement, an invented span, a malformed or slow answer, an unreachable server) sends it
 * to a person. Default off: nothing leaves the machine unless configured.
 */
import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import { stripQuoted, understand } from "../understand/index.js";
import {
  INTENTS,
  type Interval,
  PRIVACY_REQUESTS,
  type Reading,
  type UnderstandInput,
} from "../understand/types.js";

export type LlmSettings = {
  url: string;
  key: string | undefined;
  model: string;
  timeoutMs: number;
};

export type LlmDeps = {
  settings: LlmSettings;
  /** The fetch to use (the global one in production; a loopback server in tests). */
  fetch: typeof fetch;
  /** Below this confidence a person is asked. */
  threshold: number;
};

export type CheckedReading = {
  reading: Reading;
  /** Who settled the reading: the rules alone, the rules confirmed by the model, or a person must. */
  outcome: "confirmed" | "person";
  reason: string;
};

/** The JSON schema sent as `response_format`. */
export const READING_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["intent", "choice", "windows", "privacyRequest", "evidence"],
  properties: {
    intent: { type: "string", enum: [...INTENTS] },
    choice: {
      type: ["integer", "null"],
      description: "1-based index into the offered options, for accept",
    },
    windows: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["start", "end", "span"],
        properties: {
          start: { type: "string", description: "RFC 3339 instant" },
          end: { type: "string", description: "RFC 3339 instant" },
          span: {
            type: "string",
            description: "the exact words of the sender this time comes from",
          },
        },
      },
    },
    privacyRequest: { type: ["string", "null"], enum: [...PRIVACY_REQUESTS, null] },
    evidence: {
      type: "array",
      items: { type: "string" },
      description: "exact spans of the sender's words the intent and choice rely on",
    },
  },
} as const;

const instant = z.string().refine((s) => {
  try {
    Temporal.Instant.from(s);
    return true;
  } catch {
    return false;
  }
});

const modelReadingSchema = z.object({
  intent: z.enum(INTENTS),
  choice: z.number().int().positive().nullable(),
  windows: z.array(z.object({ start: instant, end: instant, span: z.string().min(1) })).max(50),
  privacyRequest: z.enum(PRIVACY_REQUESTS).nullable(),
  evidence: z.array(z.string().min(1)).min(1).max(20),
});
type ModelReading = z.infer<typeof modelReadingSchema>;

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

function endpoint(url: string): string {
  return /\/chat\/completions\/?$/.test(url)
    ? url
    : `${url.replace(/\/+$/, "")}/v1/chat/completions`;
}

function prompt(input: UnderstandInput, body: string): string {
  return JSON.stringify({
    task:
      "Read this reply to an interview-scheduling email. Give the intent, the offered option it accepts (1-based), " +
      "the times it offers as RFC 3339 instants, and for each, the exact words of the reply you relied on.",
    now: input.now,
    senderTimeZone: input.timeZone,
    offeredOptions: input.proposed ?? [],
    bookedInterview: input.booked ?? null,
    reply: body,
  });
}

/** The highest confidence the rules give a reading they were in doubt about (confidence.ts). */
const DOUBT_CEILING = 0.6;

const ms = (s: string) => Temporal.Instant.from(s).epochMilliseconds;
const normalise = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

function inside(w: Interval, outer: readonly Interval[]): boolean {
  return outer.some((o) => ms(o.start) <= ms(w.start) && ms(w.end) <= ms(o.end));
}

function sameSet(a: readonly Interval[], b: readonly Interval[]): boolean {
  const key = (l: readonly Interval[]) =>
    l
      .map((w) => `${ms(w.start)}/${ms(w.end)}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

/** Why the model's reading cannot be trusted, or undefined when it checks out and agrees. */
export function verify(
  model: ModelReading,
  rules: Reading,
  input: UnderstandInput,
  body: string,
): string | undefined {
  const words = normalise(body);
  for (const span of [...model.evidence, ...model.windows.map((w) => w.span)]) {
    if (!words.includes(normalise(span)))
      return `the model cites words the sender did not write: "${span.slice(0, 60)}"`;
  }
  const offered = input.proposed ?? [];
  for (const w of model.windows) {
    if (ms(w.start) >= ms(w.end)) return "the model gives a window that ends before it starts";
    if (!inside(w, rules.windows) && !inside(w, offered))
      return "the model gives a time the text does not support";
  }
  if (model.choice !== null && (model.choice < 1 || model.choice > offered.length))
    return "the model names an option that was not offered";
  if (model.intent !== rules.intent)
    return `the model reads ${model.intent}, the rules ${rules.intent}`;
  if ((model.choice ?? undefined) !== rules.choice)
    return "the model and the rules take different options";
  if ((model.privacyRequest ?? undefined) !== rules.privacyRequest)
    return "the model and the rules name different rights";
  if (!sameSet(model.windows, rules.windows)) return "the model and the rules give different times";
  return undefined;
}

function toPerson(rules: Reading, threshold: number, reason: string): CheckedReading {
  const confidence = Math.min(
    rules.confidence,
    Math.max(0, Math.round((threshold - 0.01) * 100) / 100),
  );
  return { reading: { ...rules, confidence }, outcome: "person", reason };
}

/**
 * The rule reading, checked against the model's. Agreement lifts the reading to the threshold;
 * anything else puts it below, so a person is asked.
 * @example await readWithModel(input, { settings, fetch, threshold: 0.8 }) // { outcome: "confirmed", … }
 */
export async function readWithModel(
  input: UnderstandInput,
  deps: LlmDeps,
): Promise<CheckedReading> {
  const rules = understand(input);
  const body = stripQuoted(input.text).body;
  let content: string;
  try {
    const response = await deps.fetch(endpoint(deps.settings.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(deps.settings.key ? { authorization: `Bearer ${deps.settings.key}` } : {}),
      },
      body: JSON.stringify({
        model: deps.settings.model,
        temperature: 0,
        messages: [
          {
            role: "system",
            content:
              "You read replies to scheduling emails. Answer only with JSON matching the schema.",
          },
          { role: "user", content: prompt(input, body) },
        ],
        response_format: {
          type: "json_schema",
          json_schema: { name: "reading", strict: true, schema: READING_SCHEMA },
        },
      }),
      signal: AbortSignal.timeout(deps.settings.timeoutMs),
    });
    if (!response.ok)
      return toPerson(rules, deps.threshold, `the model answered HTTP ${response.status}`);
    const completion = completionSchema.safeParse(await response.json());
    if (!completion.success)
      return toPerson(rules, deps.threshold, "the model's answer is not a chat completion");
    content = completion.data.choices[0]?.message.content ?? "";
  } catch (error) {
    const name = (error as Error).name;
    return toPerson(
      rules,
      deps.threshold,
      name === "TimeoutError"
        ? "the model did not answer in time"
        : "the model could not be reached",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return toPerson(rules, deps.threshold, "the model's reading is not JSON");
  }
  const parsed = modelReadingSchema.safeParse(json);
  if (!parsed.success)
    return toPerson(rules, deps.threshold, "the model's reading does not match the schema");
  const problem = verify(parsed.data, rules, input, body);
  if (problem) return toPerson(rules, deps.threshold, problem);
  // Agreement vouches for words the rules did not cover, never for a doubt the rules raised
  // (two options fitting, a question alongside): those readings stay with a person.
  if (rules.confidence <= DOUBT_CEILING)
    return toPerson(rules, deps.threshold, "the rules were in doubt");
  const confidence = Math.max(rules.confidence, deps.threshold);
  return {
    reading: { ...rules, confidence },
    outcome: "confirmed",
    reason: "the model's reading checks out and agrees",
  };
}
