/**
 * Step 2: clauses. The sender's words are split into clauses at sentence ends, semicolons, line
 * breaks and contrasts ("but", "aber", "pero", "mais", "mas"); each comma-separated part gets a
 * polarity: negative when it says the sender cannot ("I can't do Tuesday", "Tomorrow's no good"),
 * otherwise positive, inheriting the part before it when it says neither.
 */
import { fold, type Token, tokenize } from "./normalise.js";

export type Clause = {
  tokens: Token[];
  /** Per token: true when the part of the clause holding it says the sender cannot. */
  negative: boolean[];
  /** True when the clause is a question. */
  question: boolean;
};

const CONTRAST = new Set(["but", "aber", "pero", "mais", "mas", "sondern", "sino"]);

/** The phrases that say a time does not suit, in folded text. */
export const NEGATIVE_CUE =
  /\b(can'?t|cannot|can not|couldn'?t|could not|won'?t be able|not available|unavailable|not free|no good|not good|(doesn'?t|don'?t|does not|do not|won'?t|wont|will not|isn'?t going to) (work|suit)|not possible|impossible|(i'?m|i am|we'?re|is|are|i'?ll be|will be|i'?ll be) (out|away|off|travell?ing|busy|booked|unavailable)|out of town|tied up|(is|are|'s|looks) (really |pretty |very )?(bad|terrible|awful|rough|hectic|packed|crazy|slammed|a no)|(is|are|'s|was) (already )?(taken|gone|blocked)|conflict|clash(es)?|busy|fully booked|at a conference|on holiday|on vacation|no puedo|no me va|ne peux pas|pas disponible|ne suis pas|(geht|passt|klappt) (\w+ ){0,2}(leider )?nicht|(kann|konnte) ich (\w+ )?(leider )?nicht|(geht|passt|klappt) (es|das) (\w+ )?(leider )?nicht|klappt (\w+ )?(leider )?nicht|kann (leider )?nicht|nao posso|nao consigo|nao da|nao estou disponivel|the one i can'?t|is out|are out|not (on )?(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\w*|not (today|tomorrow|this week|next week)|not (at|before|after|until) \d+)\b/;

const POSITIVE_CUE =
  /\b(free|works?|available|good|fine|back|open|suits?|possible|could do|can do|prefer|better|ok|okay|perfect|great|happy|how about|what about|instead|would|can we|could we|move|around|puedo|peux|kann|posso|disponible|disponivel|passt|klappt|geht|me va|me viene|convient|pode ser|serve|schon|doch|sim|oui|any ?time|any day)\b/;

function isBoundary(tokens: Token[], i: number, text: string): boolean {
  const t = tokens[i] as Token;
  if (
    t.kind === "punct" &&
    (t.text === "." ||
      t.text === "!" ||
      t.text === "?" ||
      t.text === ";" ||
      t.text === "¿" ||
      t.text === "¡")
  )
    return true;
  const prev = tokens[i - 1];
  return prev !== undefined && text.slice(prev.end, t.start).includes("\n");
}

/** True when a "but" only introduces an exception ("any day this week but Wednesday"). */
function isExceptionBut(tokens: Token[], i: number, start: number): boolean {
  const before = tokens
    .slice(start, i)
    .map((t) => t.text)
    .join(" ");
  return /\b(any ?(day|time|morning|afternoon)|anytime|(this|next) week|all week)\b/.test(before);
}

/**
 * The clauses of `text` (already stripped of quotes and signatures).
 * @example splitClauses("I can't do Tuesday but Wednesday works.").length // 2
 */
export function splitClauses(text: string, tokenLimit = 5000): Clause[] {
  const tokens = tokenize(text, tokenLimit);
  const clauses: Clause[] = [];
  let current: Token[] = [];
  let question = false;
  const flush = () => {
    if (current.length > 0)
      clauses.push({ tokens: current, negative: polarity(current), question });
    current = [];
    question = false;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isBoundary(tokens, i, text) && t.kind === "punct") {
      if (t.text === "?") question = true;
      if (t.text !== "¿" && t.text !== "¡") {
        flush();
        continue;
      }
    } else if (isBoundary(tokens, i, text)) flush();
    if (t.kind === "word" && CONTRAST.has(t.text) && !isExceptionBut(current, current.length, 0)) {
      flush();
      continue;
    }
    current.push(t);
  }
  flush();
  return clauses;
}

/** Polarity of each token: by comma-separated part, inherited when a part says neither. */
function polarity(tokens: Token[]): boolean[] {
  const result: boolean[] = new Array(tokens.length).fill(false);
  let start = 0;
  let negative = false;
  const close = (end: number) => {
    const text = fold(
      tokens
        .slice(start, end)
        .map((t) => t.text)
        .join(" "),
    ).replace(/ ' ?/g, "'");
    if (NEGATIVE_CUE.test(text)) negative = true;
    else if (POSITIVE_CUE.test(text)) negative = false;
    for (let k = start; k < end; k++) result[k] = negative;
    start = end + 1;
  };
  tokens.forEach((t, i) => {
    const spacedDash =
      t.text === "-" &&
      (tokens[i - 1]?.end ?? t.start) < t.start &&
      (tokens[i + 1]?.start ?? t.end) > t.end;
    if (t.text === "," || spacedDash) close(i);
  });
  close(tokens.length);
  return result;
}
