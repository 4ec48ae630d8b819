/**
 * The conversation simulator's scenario library: candidate personas in several zones and the
 * scripts they follow (accept by ordinal or by restating the time, propose a range, reschedule
 * after booking, cancel, vague replies, questions, an out-of-office reply before the real one,
 * silence). Threads are generated from templates with a seeded random number generator, so the
 * same seed gives the same threads. Pure: no clock, no database; the texts are rendered from the
 * options the candidate actually received.
 */
import { Temporal } from "temporal-polyfill";

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
};
const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

export type Zone = { city: string; timeZone: string; names: readonly string[] };

/** Where the candidates live, with names people there might have. */
export const ZONES: readonly Zone[] = [
  { city: "New York", timeZone: "America/New_York", names: ["Jordan Miller", "Avery Brooks"] },
  { city: "London", timeZone: "Europe/London", names: ["Olivia Hughes", "Harry Patel"] },
  { city: "Berlin", timeZone: "Europe/Berlin", names: ["Lena Schmidt", "Jonas Weber"] },
  { city: "Tokyo", timeZone: "Asia/Tokyo", names: ["Yuki Tanaka", "Haruto Sato"] },
  { city: "São Paulo", timeZone: "America/Sao_Paulo", names: ["João Silva", "Ana Souza"] },
];

/** One thing the candidate does, after `delayHours` (from Ally's last message to them). */
export type Step =
  | { kind: "choose"; ordinal: number; style: "ordinal" | "restated"; phrasing: number }
  | { kind: "propose"; ordinal: number; phrasing: number }
  | { kind: "reschedule"; phrasing: number }
  | { kind: "cancel"; phrasing: number }
  | { kind: "confirm-cancel"; phrasing: number }
  | { kind: "vague"; phrasing: number }
  | { kind: "question"; phrasing: number }
  | { kind: "decline"; phrasing: number }
  | { kind: "out-of-office"; phrasing: number }
  /** No reply: the candidate stays quiet for `hours` (follow-ups fall due meanwhile). */
  | { kind: "silence"; hours: number };

export type TimedStep = Step & { delayHours: number };

export type Outcome = "booked" | "cancelled" | "escalated" | "waiting";

export type Template =
  | "accept-ordinal"
  | "accept-restated"
  | "propose-range"
  | "reschedule-after-booking"
  | "cancel-after-booking"
  | "vague"
  | "question-then-accept"
  | "out-of-office-then-accept"
  | "decline-then-accept"
  | "silence"
  | "silence-then-accept";

export interface Scenario {
  id: string;
  template: Template;
  candidate: { name: string; email: string; timeZone: string; city: string };
  interviewer: "Dana" | "Eli" | "Finn";
  durationMinutes: 30 | 45 | 60;
  steps: TimedStep[];
  /** How the thread should end when Ally does its job. */
  expected: Outcome;
}

/** How often each template is drawn (out of the sum). */
const WEIGHTS: Record<Template, number> = {
  "accept-ordinal": 16,
  "accept-restated": 12,
  "propose-range": 10,
  "reschedule-after-booking": 10,
  "cancel-after-booking": 8,
  vague: 8,
  "question-then-accept": 8,
  "out-of-office-then-accept": 8,
  "decline-then-accept": 6,
  silence: 7,
  "silence-then-accept": 7,
};

function drawTemplate(random: Random): Template {
  const entries = Object.entries(WEIGHTS) as [Template, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [template, weight] of entries) {
    roll -= weight;
    if (roll < 0) return template;
  }
  return "accept-ordinal";
}

function stepsFor(template: Template, random: Random): { steps: Step[]; expected: Outcome } {
  const phrasing = () => between(random, 0, 9);
  const choose = (): Step => ({
    kind: "choose",
    ordinal: between(random, 1, 3),
    style: random() < 0.6 ? "ordinal" : "restated",
    phrasing: phrasing(),
  });
  switch (template) {
    case "accept-ordinal":
      return {
        steps: [
          {
            kind: "choose",
            ordinal: between(random, 1, 3),
            style: "ordinal",
            phrasing: phrasing(),
          },
        ],
        expected: "booked",
      };
    case "accept-restated":
      return {
        steps: [
          {
            kind: "choose",
            ordinal: between(random, 1, 3),
            style: "restated",
            phrasing: phrasing(),
          },
        ],
        expected: "booked",
      };
    case "propose-range":
      // When Ally offers the fitting times rather than booking one, the candidate takes the first.
      return {
        steps: [
          { kind: "propose", ordinal: between(random, 1, 3), phrasing: phrasing() },
          { kind: "choose", ordinal: 1, style: "ordinal", phrasing: phrasing() },
        ],
        expected: "booked",
      };
    case "reschedule-after-booking":
      return {
        steps: [choose(), { kind: "reschedule", phrasing: phrasing() }, choose()],
        expected: "booked",
      };
    case "cancel-after-booking":
      return {
        steps: [
          choose(),
          { kind: "cancel", phrasing: phrasing() },
          { kind: "confirm-cancel", phrasing: phrasing() },
        ],
        expected: "cancelled",
      };
    case "vague":
      return { steps: [{ kind: "vague", phrasing: phrasing() }], expected: "escalated" };
    case "question-then-accept":
      return { steps: [{ kind: "question", phrasing: phrasing() }, choose()], expected: "booked" };
    case "out-of-office-then-accept":
      return {
        steps: [{ kind: "out-of-office", phrasing: phrasing() }, choose()],
        expected: "booked",
      };
    case "decline-then-accept":
      return { steps: [{ kind: "decline", phrasing: phrasing() }, choose()], expected: "booked" };
    case "silence":
      return { steps: [{ kind: "silence", hours: 24 * 5 }], expected: "waiting" };
    case "silence-then-accept":
      return { steps: [{ kind: "silence", hours: 24 * 2 + 6 }, choose()], expected: "booked" };
  }
}

/**
 * `count` threads from the templates, reproducibly for a seed.
 * @example generateScenarios(200, 16).length // 200
 */
export function generateScenarios(count: number, seed: number): Scenario[] {
  const random = seededRandom(seed);
  const scenarios: Scenario[] = [];
  for (let i = 0; i < count; i += 1) {
    const zone = pick(random, ZONES);
    const name = pick(random, zone.names);
    const template = drawTemplate(random);
    const { steps, expected } = stepsFor(template, random);
    const local = name
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^a-z ]/g, "")
      .replace(" ", ".");
    scenarios.push({
      id: `t${String(i + 1).padStart(3, "0")}`,
      template,
      candidate: {
        name,
        email: `${local}.${i + 1}@candidates.example`,
        timeZone: zone.timeZone,
        city: zone.city,
      },
      interviewer: pick(random, ["Dana", "Eli", "Finn"] as const),
      durationMinutes: pick(random, [30, 45, 60] as const),
      // A person answers within an hour to half a day (the offered times are days away).
      steps: steps.map((step) => ({ ...step, delayHours: between(random, 1, 12) })),
      expected,
    });
  }
  return scenarios;
}

/** An option as the candidate read it in Ally's message. */
export type SeenOption = { start: Temporal.Instant; end: Temporal.Instant };

const ORDINAL_WORDS = ["first", "second", "third"];

/** The candidate's words choosing option `ordinal` (1-based) of `seen`. */
export function chooseText(
  step: Extract<Step, { kind: "choose" }>,
  seen: readonly SeenOption[],
  timeZone: string,
): string {
  const n = step.ordinal;
  if (step.style === "ordinal") {
    const word = ORDINAL_WORDS[n - 1] ?? String(n);
    const phrasings = [
      `Option ${n} works for me, thanks!`,
      `${n} please.`,
      `The ${word} one is great.`,
      `Let's do number ${n}.`,
      `I'll take option ${n}, thank you.`,
      `Number ${n} suits me best.`,
      `Option ${n} please!`,
      `The ${word} option works.`,
      `${n} works for me.`,
      `I'd like option ${n}.`,
    ];
    return phrasings[step.phrasing % phrasings.length] ?? phrasings[0] ?? "";
  }
  const option = seen[n - 1];
  if (option === undefined) throw new Error(`no option ${n} to restate`);
  const local = option.start.toZonedDateTimeISO(timeZone);
  const weekday = local.toPlainDate().toLocaleString("en-GB", { weekday: "long" });
  const month = local.toPlainDate().toLocaleString("en-GB", { month: "long" });
  const hhmm = local.toPlainTime().toString().slice(0, 5);
  const hour12 = local.hour % 12 === 0 ? 12 : local.hour % 12;
  const ampm = `${hour12}${local.minute === 0 ? "" : `:${String(local.minute).padStart(2, "0")}`}${local.hour < 12 ? "am" : "pm"}`;
  const phrasings = [
    `${weekday} ${local.day} ${month} at ${hhmm} works for me.`,
    `${weekday} at ${ampm} is perfect.`,
    `I can do ${weekday} ${local.day} ${month}, ${hhmm}.`,
    `Let's go with ${weekday} at ${hhmm}.`,
    `${local.day} ${month} at ${ampm} suits me.`,
  ];
  return phrasings[step.phrasing % phrasings.length] ?? phrasings[0] ?? "";
}

/**
 * A window of the candidate's own, in their words and zone: three hours from the hour before
 * option `ordinal` of `seen`, on the next weekday that holds none of the offered times. Returns
 * the words and the window as instants.
 */
export function proposeText(
  step: Extract<Step, { kind: "propose" }>,
  seen: readonly SeenOption[],
  timeZone: string,
): { text: string; window: SeenOption } {
  const option = seen[step.ordinal - 1];
  if (option === undefined) throw new Error(`no option ${step.ordinal} to propose around`);
  let startLocal = option.start
    .toZonedDateTimeISO(timeZone)
    .round({ smallestUnit: "hour", roundingMode: "floor" })
    .subtract({ hours: 1 });
  const overlapsOffered = (from: Temporal.ZonedDateTime) =>
    seen.some(
      (o) =>
        Temporal.Instant.compare(o.start, from.add({ hours: 3 }).toInstant()) < 0 &&
        Temporal.Instant.compare(from.toInstant(), o.end) < 0,
    );
  for (let tries = 0; tries < 7; tries += 1) {
    startLocal = startLocal.add({ days: 1 });
    if (startLocal.dayOfWeek <= 5 && !overlapsOffered(startLocal)) break;
  }
  const endLocal = startLocal.add({ hours: 3 });
  const weekday = startLocal.toPlainDate().toLocaleString("en-GB", { weekday: "long" });
  const month = startLocal.toPlainDate().toLocaleString("en-GB", { month: "long" });
  const from = startLocal.toPlainTime().toString().slice(0, 5);
  const to = endLocal.toPlainTime().toString().slice(0, 5);
  const day = `${weekday} ${startLocal.day} ${month}`;
  const phrasings = [
    `Those don't quite suit me, but I'm free on ${day} between ${from} and ${to}. Could you book something then?`,
    `Could we do ${day} between ${from} and ${to} instead? Please book any time in there.`,
    `I'm available ${day} from ${from} to ${to}. Please book a slot then.`,
  ];
  return {
    text: phrasings[step.phrasing % phrasings.length] ?? phrasings[0] ?? "",
    window: { start: startLocal.toInstant(), end: endLocal.toInstant() },
  };
}

const TEXTS: Record<
  "reschedule" | "cancel" | "confirm-cancel" | "vague" | "question" | "decline",
  readonly string[]
> = {
  reschedule: [
    "Something came up, could we move the interview to another time?",
    "I need to reschedule, sorry. Can we find another slot?",
    "Would it be possible to reschedule my interview? Something came up at work.",
  ],
  cancel: [
    "I'm sorry, but I need to cancel the interview.",
    "Please cancel my interview, I've accepted another offer.",
    "I have to cancel the interview, apologies.",
  ],
  "confirm-cancel": ["Yes, cancel it.", "Yes, please cancel it.", "Yes, cancel it please."],
  vague: [
    "the second one might work, not sure",
    "Maybe, let me think about it.",
    "Hmm, not sure yet. I'll let you know.",
  ],
  question: [
    "Before I pick a time: will the interview be on video or in person?",
    "Could you tell me who I'll be speaking with?",
    "Is there anything I should prepare for the interview?",
  ],
  decline: [
    "None of these times work for me, sorry. Do you have anything else?",
    "Unfortunately I can't make any of those. Are there other times?",
  ],
};

/** The candidate's words for a step that does not depend on the options. */
export function plainText(kind: keyof typeof TEXTS, phrasing: number): string {
  const texts = TEXTS[kind];
  return texts[phrasing % texts.length] ?? texts[0] ?? "";
}

/** An out-of-office auto-reply: headers that mark it and its words. */
export function outOfOfficeMail(phrasing: number): {
  subjectPrefix: string;
  headers: Record<string, string>;
  text: string;
} {
  type AutoReply = { subjectPrefix: string; headers: Record<string, string>; text: string };
  const kinds: AutoReply[] = [
    {
      subjectPrefix: "Automatic reply: ",
      headers: { "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All" },
      text: "I am out of the office until Monday with limited access to email.",
    },
    {
      subjectPrefix: "Out of Office: ",
      headers: { "Auto-Submitted": "auto-replied" },
      text: "Thank you for your message. I'm on holiday and will reply when I'm back.",
    },
    {
      subjectPrefix: "Auto: ",
      headers: { Precedence: "bulk", "X-Autoreply": "yes" },
      text: "I'm away this week. I will answer your email on my return.",
    },
  ];
  const chosen = kinds[phrasing % kinds.length] ?? kinds[0];
  if (chosen === undefined) throw new Error("no out-of-office text");
  return chosen;
}

/**
 * The options in an Ally message ("1. Mon 7 Dec, 09:00–09:45" under "(times in ZONE)"), as
 * instants: the candidate reads the days and times in their zone; the year is the one that
 * puts the day nearest after `now`.
 */
export function optionsIn(text: string, now: Temporal.Instant): SeenOption[] {
  const zone = /\(times in ([^)]+)\):/.exec(text)?.[1];
  if (zone === undefined) return [];
  const today = now.toZonedDateTimeISO(zone).toPlainDate();
  const found: SeenOption[] = [];
  const line = /^\d+\. \w+ (\d{1,2}) (\w{3,5}), (\d{2}):(\d{2})–(\d{2}):(\d{2})/gm;
  for (const match of text.matchAll(line)) {
    const [, dayText, monthText, sh, sm, eh, em] = match;
    const month = MONTHS.indexOf((monthText ?? "").slice(0, 3)) + 1;
    if (month === 0) continue;
    let date = Temporal.PlainDate.from({ year: today.year, month, day: Number(dayText) });
    if (Temporal.PlainDate.compare(date, today.subtract({ days: 31 })) < 0) {
      date = date.add({ years: 1 });
    }
    const at = (h: string | undefined, m: string | undefined) =>
      date
        .toZonedDateTime({ timeZone: zone, plainTime: { hour: Number(h), minute: Number(m) } })
        .toInstant();
    let end = at(eh, em);
    const start = at(sh, sm);
    if (Temporal.Instant.compare(end, start) <= 0) end = end.add({ hours: 24 });
    found.push({ start, end });
  }
  return found;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
