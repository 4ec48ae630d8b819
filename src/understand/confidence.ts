/**
 * Step 7: confidence. Conservative by construction: a reading keeps the confidence of the path
 * that decided it only when every word of the sender was explained and nothing was in doubt;
 * any unexplained word or doubt puts it below the default threshold (0.8), so a person sees it.
 * Calibrated on the tuning corpus (`npm run eval:understand` prints the table).
 */

import type { Decision } from "./intent.js";
import type { Analysis } from "./reader.js";

/** The default threshold below which the assistant asks a person (config: UNDERSTAND_THRESHOLD). */
export const DEFAULT_THRESHOLD = 0.8;

/** Intents read from a cue alone, with no time in the text to get wrong. */
const CUE_INTENTS = new Set([
  "privacy_request",
  "opt_out",
  "cancel",
  "question",
  "decline",
  "reschedule",
]);

/** Words that may turn a cue around or carry a time: never tolerated unread. */
const TURNING =
  /^(no|not|never|nor|neither|none|don'?t|doesn'?t|didn'?t|won'?t|can'?t|cannot|shouldn'?t|wouldn'?t|do|does|unless|except|but|only|just|without|instead|yet|nicht|kein\w*|nie|ohne|nunca|nada|sin|nao|nem|sem|pas|ne|jamais|sans|plus)$/;

/** Parts of time words, so that a misspelt day or hour the grammar missed ("tursday", "noonish") is never waved through. */
const TIMELIKE =
  /(day|tag|dia|jour|mon|tue|wed|thu|fri|sat|sun|noon|morn|mittag|after|even|night|week|woche|semana|semaine|tomorrow|today|manana|demain|morgen|amanha|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec|clock|ish|earl|late|hour|min|time)/;

/**
 * A reading decided by an intent cue, with no time in the text and no doubt, whose few
 * unexplained words are plain words (no number, nothing that turns the cue around): the words
 * left over are the sender's reasons and courtesies ("I'm no longer job hunting" aside), not
 * something the reader missed. Such readings proved right on every tuning and development case.
 */
function plainCueReading(decision: Decision, analysis: Analysis): boolean {
  const words = analysis.uncovered;
  return (
    CUE_INTENTS.has(decision.intent) &&
    decision.doubts.length === 0 &&
    decision.windows.length === 0 &&
    decision.unavailable.length === 0 &&
    analysis.mentions.length === 0 &&
    words.length <= 3 &&
    words.every(
      (t) =>
        t.kind === "word" && !/\d/.test(t.text) && !TURNING.test(t.text) && !TIMELIKE.test(t.text),
    )
  );
}

export function confidenceOf(decision: Decision, analysis: Analysis): number {
  let c = decision.base;
  if (decision.doubts.length > 0) c = Math.min(c, 0.6 - 0.05 * (decision.doubts.length - 1));
  const u = decision.whole ? 0 : analysis.uncovered.length;
  if (u > 0 && plainCueReading(decision, analysis)) c = Math.min(c, 0.82 - 0.01 * (u - 1));
  else if (u > 0) c = Math.min(c, 0.75 - 0.04 * (u - 1));
  return Math.round(Math.max(0.05, Math.min(0.99, c)) * 100) / 100;
}
