/**
 * `understand`: one reply in, one reading out (shared/spec/understand.md). Pure: the arrival
 * instant, the sender's zone and the offered options are inputs; no clock, disk or network.
 *
 * Pipeline, each step in its own file: strip quoted history and signatures (strip.ts), split
 * clauses (clauses.ts), find time expressions (expressions.ts, mentions.ts), resolve them in the
 * sender's or the named zone (resolve.ts), match the offered options first (options.ts), then
 * the intent (intent.ts), then the confidence (confidence.ts).
 */
import { Temporal } from "temporal-polyfill";
import { type Clause, NEGATIVE_CUE, splitClauses } from "./clauses.js";
import { confidenceOf } from "./confidence.js";
import { isNeutral, markCues } from "./coverage.js";
import type { ParseContext } from "./expressions.js";
import { decideIntent, INTENT_CUES } from "./intent.js";
import { MONTH_FIRST_ZONES } from "./lexicon.js";
import { type Mention, mentionsOf } from "./mentions.js";
import { fold, type Token } from "./normalise.js";
import { ordinalsOf } from "./options.js";
import { localWindows, type ResolveContext, resolveContext, toInstants } from "./resolve.js";
import { stripQuoted } from "./strip.js";
import type { Interval, Reading, UnderstandInput } from "./types.js";

/** Text beyond this many characters is not read (quoted history sits there); reading it is bounded. */
export const MAX_TEXT_CHARS = 20_000;
/** Tokens beyond this many in the sender's words are not read, and confidence drops. */
export const MAX_TOKENS = 1_500;

export type Analysis = {
  body: string;
  clauses: Clause[];
  mentions: Mention[];
  zone: string;
  namedZone?: string;
  /** Every distinct zone the message names, in order. */
  zonesNamed: string[];
  ctx: ResolveContext;
  ordinals: { chosen: number[]; excluded: number[] };
  /** Tokens of the sender's words that nothing explained. */
  uncovered: Token[];
  truncated: boolean;
  tokenCount: number;
};

function durationOf(input: UnderstandInput): number {
  const first = input.proposed?.[0];
  if (!first) return 60;
  const ms =
    Temporal.Instant.from(first.end).epochMilliseconds -
    Temporal.Instant.from(first.start).epochMilliseconds;
  return Math.max(5, Math.min(8 * 60, Math.round(ms / 60_000)));
}

/** Steps 1–5: what the text says, before deciding the intent. */
export function analyse(input: UnderstandInput): Analysis {
  const truncatedText = input.text.length > MAX_TEXT_CHARS;
  const { body } = stripQuoted(truncatedText ? input.text.slice(0, MAX_TEXT_CHARS) : input.text);
  const clauses = splitClauses(body, MAX_TOKENS);
  const tokenCount = clauses.reduce((n, c) => n + c.tokens.length, 0);
  const now = Temporal.Instant.from(input.now).toZonedDateTimeISO(input.timeZone);
  const proposed = input.proposed ?? [];
  const parse: ParseContext = {
    monthFirst: MONTH_FIRST_ZONES.has(input.timeZone),
    optionDaysOfMonth: new Set(
      proposed.map((o) => Temporal.Instant.from(o.start).toZonedDateTimeISO(input.timeZone).day),
    ),
    optionCount: proposed.length,
  };
  const mentions: Mention[] = [];
  const zones: (string | null)[] = [];
  const coveredTokens = new Set<Token>();
  const chosen: number[] = [];
  const excluded: number[] = [];
  clauses.forEach((clause, index) => {
    const r = mentionsOf(clause, parse, index);
    mentions.push(...r.mentions);
    zones.push(...r.zones);
    for (const k of r.covered) coveredTokens.add(clause.tokens[k] as Token);
    const o = ordinalsOf(clause.tokens, proposed.length, r.covered, clause.negative);
    chosen.push(...o.chosen);
    excluded.push(...o.excluded);
    for (const k of o.covered) coveredTokens.add(clause.tokens[k] as Token);
  });
  const namedZone = zones.find((z): z is string => typeof z === "string");
  const zone = namedZone ?? input.timeZone;
  const ctx: ResolveContext = resolveContext(now, zone, durationOf(input));
  carryDays(mentions);
  const folded = fold(body);
  const all = clauses.flatMap((c) => c.tokens);
  markCues(all, folded, [...INTENT_CUES, NEGATIVE_CUE], coveredTokens);
  const allCaps = body.length > 3 && body === body.toUpperCase() && /\p{Lu}/u.test(body);
  const uncovered: Token[] = [];
  for (const c of clauses) {
    c.tokens.forEach((t, i) => {
      if (!coveredTokens.has(t) && !isNeutral(t, allCaps, i === 0)) uncovered.push(t);
    });
  }
  const a: Analysis = {
    body,
    clauses,
    mentions,
    zone,
    ctx,
    ordinals: { chosen, excluded },
    uncovered,
    truncated: truncatedText || tokenCount >= MAX_TOKENS,
    tokenCount,
    zonesNamed: [...new Set(zones.filter((z): z is string => typeof z === "string"))],
  };
  if (namedZone) a.namedZone = namedZone;
  return a;
}

/**
 * A time said without a day ("Anytime after 11 works") takes the days of the mention before it;
 * weekdays right after a bare week ("next week instead? Monday or Tuesday morning") fall in that
 * week, which they narrow.
 */
function carryDays(mentions: Mention[]): void {
  mentions.forEach((m, k) => {
    const next = mentions[k + 1];
    const week = m.days.length === 1 && m.days[0]?.kind === "week" ? m.days[0] : undefined;
    if (
      !week ||
      week.which === "of" ||
      m.times.length > 0 ||
      !next ||
      next.clauseIndex !== m.clauseIndex + 1
    )
      return;
    if (
      next.week ||
      next.negative !== m.negative ||
      !next.days.some((d) => d.kind === "weekday" || d.kind === "range")
    )
      return;
    for (const later of mentions.slice(k + 1)) {
      if (later.clauseIndex !== next.clauseIndex) break;
      if (!later.week && later.days.some((d) => d.kind === "weekday" || d.kind === "range"))
        later.week = week.which;
    }
    m.superseded = true;
  });
  let last: Mention | undefined;
  for (const m of mentions) {
    if (m.days.length > 0) last = m;
    else if (last && m.times.length > 0 && m.except && !last.except) {
      // "Anytime Thursday except between 12 and 2": the excepted hours are on the days before.
      m.days = last.days;
      if (last.week) m.week = last.week;
    } else if (last && m.times.length > 0 && !m.except) {
      m.days = last.days;
      if (last.week) m.week = last.week;
      // "Could we look at Friday instead? Anytime after 11 works.": the later time narrows the day.
      if (last.times.length === 0 && last.negative === m.negative) last.superseded = true;
    }
  }
}

/** The instants of some mentions, in text order, without repeats; days named after "except" left out. */
export function intervalsOf(
  mentions: readonly Mention[],
  ctx: ResolveContext,
  exceptDays: readonly Temporal.PlainDate[] = [],
): Interval[] {
  const out: Interval[] = [];
  const seen = new Set<string>();
  for (const m of mentions) {
    for (const w of localWindows(m, ctx)) {
      if (exceptDays.some((d) => d.equals(w.date))) continue;
      const { start, end } = toInstants(w, ctx.zone);
      const key = `${start}/${end}`;
      if (seen.has(key) || Temporal.Instant.compare(end, ctx.now.toInstant()) <= 0) continue;
      seen.add(key);
      out.push({ start: start.toString(), end: end.toString() });
    }
  }
  return out;
}

/**
 * Reads one reply.
 * @example understand({ now: "2026-11-25T15:00:00Z", timeZone: "America/New_York", text: "#2 please",
 *   proposed: [a, b] }) // { intent: "accept", choice: 2, windows: [], unavailable: [], confidence: 0.95 }
 */
export function understand(input: UnderstandInput): Reading {
  const analysis = analyse(input);
  const decision = decideIntent(input, analysis);
  // Fields in the spec's order.
  const reading: Reading = { intent: decision.intent } as Reading;
  if (decision.choice !== undefined) reading.choice = decision.choice;
  reading.windows = decision.windows;
  reading.unavailable = decision.unavailable;
  if (analysis.namedZone) reading.timeZone = analysis.namedZone;
  if (decision.privacyRequest) reading.privacyRequest = decision.privacyRequest;
  reading.confidence = confidenceOf(decision, analysis);
  return reading;
}
