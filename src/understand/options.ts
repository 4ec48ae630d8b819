/**
 * Step 5: the offered options. Ordinals ("#2", "the second", "the last one", "not the first"),
 * and mentions matched against each option's start in the message's zone: a restated time
 * ("Tuesday at 2", "11am PT"), a day with one option on it ("Wednesday works"), or a part of a
 * day ("Tuesday morning").
 */
import { Temporal } from "temporal-polyfill";
import {
  FORMER_WORDS,
  LAST_WORDS,
  NOT_OPTION_AFTER,
  NUMBER_WORDS,
  OPTION_NOUNS,
  ORDINALS,
} from "./lexicon.js";
import type { Mention } from "./mentions.js";
import type { Token } from "./normalise.js";
import { daysOf, type ResolveContext, spanOf } from "./resolve.js";
import type { Interval } from "./types.js";

export type OrdinalReading = { chosen: number[]; excluded: number[]; covered: Set<number> };

const OPTION_WORDS = new Set([
  "vorschlag",
  "proposition",
  "proposta",
  "propuesta",
  "option",
  "options",
  "opt",
  "opcion",
  "opcao",
  "slot",
  "choice",
  "number",
  "no",
  "nr",
  "nummer",
  "numero",
  "creneau",
  "termin",
  "horario",
  "#",
]);
const NEGATORS = new Set(["not", "no", "nicht", "pas", "nao", "ni", "never"]);
/** "the middle one": the option in the middle of an odd number of options. */
const MIDDLE_WORDS = new Set(["middle", "mittlere", "mittleren", "milieu", "medio", "meio"]);
/** Words before an ordinal that make it name an option ("the second", "option 2", "#2"). */
const DETERMINERS = new Set([
  "the",
  "la",
  "le",
  "el",
  "a",
  "o",
  "der",
  "die",
  "das",
  "den",
  "dem",
  "lo",
  "l",
  "go",
  "take",
  "with",
  "prefer",
  "choose",
  "pick",
  "and",
  "or",
  "but",
]);

function numberAt(token: Token | undefined): number | null {
  if (!token) return null;
  // "Option B": options lettered A–E.
  if (token.kind === "word" && /^[a-e]$/.test(token.text) && token.raw === token.raw.toUpperCase())
    return token.text.charCodeAt(0) - 96;
  if (token.kind === "number" && /^\d{1,2}$/.test(token.text)) return Number(token.text);
  return NUMBER_WORDS[token.text] ?? null;
}

/**
 * Options named by position in one clause's tokens; `taken` are tokens already read as times or dates.
 * @example ordinalsOf(tokenize("not the first one, the second"), 3, new Set()).chosen // [2]
 */
export function ordinalsOf(
  tokens: Token[],
  count: number,
  taken: ReadonlySet<number>,
  /** Per token: the part of the clause holding it says the sender cannot ("option 1 doesn't work"). */
  negative: readonly boolean[] = [],
): OrdinalReading {
  const chosen: number[] = [];
  const excluded: number[] = [];
  const covered = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (taken.has(i)) continue;
    const w = (tokens[i] as Token).text;
    let n: number | null = null;
    let end = i + 1;
    if (OPTION_WORDS.has(w)) {
      let j = i + 1;
      if (tokens[j]?.text === "#") j++;
      n = numberAt(tokens[j]);
      if (n !== null) end = j + 1;
      else if (w === "#") n = null;
    } else if (MIDDLE_WORDS.has(w) && count % 2 === 1 && count >= 3) {
      const next = tokens[i + 1]?.text ?? "";
      if (!OPTION_NOUNS.has(next)) continue;
      n = (count + 1) / 2;
      end = i + 2;
    } else if (ORDINALS[w] !== undefined || LAST_WORDS.has(w) || FORMER_WORDS.has(w)) {
      const nextToken = tokens[i + 1];
      const next = nextToken?.text ?? "";
      if (NOT_OPTION_AFTER.has(next) && !OPTION_NOUNS.has(next)) continue;
      // "tell me the salary range first?", "First, is it remote?": an adverb, not an option.
      const previous = tokens[i - 1];
      const ends = nextToken === undefined || nextToken.kind === "punct";
      if (
        ends &&
        previous !== undefined &&
        previous.kind === "word" &&
        !DETERMINERS.has(previous.text) &&
        !OPTION_WORDS.has(previous.text)
      )
        continue;
      if (previous === undefined && next === ",") continue;
      n = LAST_WORDS.has(w) ? count : FORMER_WORDS.has(w) ? 1 : (ORDINALS[w] as number);
      if (OPTION_NOUNS.has(next)) end = i + 2;
    }
    if (n === null || n < 1 || n > Math.max(count, 1)) continue;
    for (let k = i; k < end; k++) covered.add(k);
    const before = tokens.slice(Math.max(0, i - 3), i).map((t) => t.text);
    if (before.some((b) => NEGATORS.has(b)) || negative[i]) excluded.push(n);
    else chosen.push(n);
    i = end - 1;
  }
  return { chosen, excluded, covered };
}

/** Each option's start as a local date and minutes after midnight in `zone`. */
export type LocalOption = { date: Temporal.PlainDate; minutes: number };

export function localOptions(proposed: readonly Interval[], zone: string): LocalOption[] {
  return proposed.map((option) => {
    const start = Temporal.Instant.from(option.start).toZonedDateTimeISO(zone);
    return { date: start.toPlainDate(), minutes: start.hour * 60 + start.minute };
  });
}

/** The options (1-based) a mention fits; a mention with no day fits by time of day alone. */
export function optionsMatching(
  m: Mention,
  options: readonly LocalOption[],
  ctx: ResolveContext,
): number[] {
  const days = daysOf(m, ctx).map((d) => d.date);
  const spans = m.times.map((t) => spanOf(t, 0));
  const out: number[] = [];
  options.forEach(({ date, minutes }, index) => {
    if (m.days.length > 0 && !days.some((d) => d.equals(date))) return;
    if (m.days.length === 0 && spans.length === 0) return;
    const fits =
      spans.length === 0 ||
      m.times.some((t, k) => {
        const [from, to] = spans[k] as [number, number];
        return t.kind === "at" ? minutes === from : minutes >= from && minutes < to;
      });
    if (fits) out.push(index + 1);
  });
  return out;
}
