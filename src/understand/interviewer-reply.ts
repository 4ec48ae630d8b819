/**
 * Reading an interviewer's email about an interview they are booked on: do they say they
 * cannot make it ("Sorry, something came up and I can't make Monday", "I'm out sick")? Pure.
 *
 * A candidate's words and an interviewer's mean different things: "I can't make it" from a
 * candidate may be a reschedule or a cancellation, from an interviewer it is a decline of their
 * seat. This reads only that one question, from the sender's own words (quoted history and the
 * signature stripped); hedged words ("I might not be able to make it") and questions ("can I
 * skip this one?") are read with low confidence, so a person decides.
 */
import { fold } from "./normalise.js";
import { stripQuoted } from "./strip.js";
import type { Interval, Reading } from "./types.js";

export type InterviewerReading = {
  /** True when the interviewer says they cannot attend. */
  cannotAttend: boolean;
  /** 0..1: how sure the reading is; below the threshold a person decides. */
  confidence: number;
};

/** Plain statements that the sender will not be there. */
const CANNOT_ATTEND =
  /\b((can'?t|cannot|can not|won'?t be able to|will not be able to|wo n'?t be able to|(am|i'?m) (not )?(un)?able to|unable to|not able to|no longer able to|(not|no longer) going to be able to|not gonna be able to|not be able to) (make|attend|join|do|be there|be at|cover|take|run|conduct|sit in|interview)|no longer (available|free|able to (make|attend|join|do))|not (available|free) (any ?more|after all)|(have|got|has|had) (a|an) (conflict|clash|emergency|family emergency)|something (urgent )?(came|has come|'s come) up|(need|have|has|had|got) to (drop out|pull out|step out|bow out|back out|step down|withdraw|miss)|(drop|pull|bow|back)(ping)? out|(out|off) sick|(be |am |i'?m )?(on|off on) (leave|vacation|holiday|pto|annual leave|parental leave|sick leave)|count me out|(skip|miss) (this|the|it|that|monday|tuesday|wednesday|thursday|friday)|(someone|somebody) else (will|should|needs to|has to|could|can) (take|cover|do|run)|(need|find) (a )?(replacement|cover|stand-?in)|i (have to|must|need to) (decline|cancel)|(declin|cancel)(e|ing) (the|this|my) (interview|session|slot|invite|invitation))\b/;

/** Words that leave the question open, or keep the seat. */
const HEDGE =
  /\b(might|may|maybe|perhaps|possibly|probably|not sure|unsure|not certain|uncertain|tbc|tentative(ly)?|could be|let you know|if|unless|in case|risk)\b/;
const STILL_ATTENDING =
  /\b(can still|still (make|attend|available|free|on|good|fine|works?|coming)|no (conflict|clash)|(i )?can make it|i'?ll be there|will be there|see you|looking forward|no problem)\b/;

const MS = (text: string) => Date.parse(text);

/** True when one of the reader's "can't do" windows overlaps the booked interview. */
function unavailableWhenBooked(unavailable: readonly Interval[], booked?: Interval): boolean {
  if (booked === undefined) return false;
  return unavailable.some((u) => MS(u.start) < MS(booked.end) && MS(booked.start) < MS(u.end));
}

/**
 * Whether an interviewer's message says they cannot attend, and how sure that is. `reading` is
 * `understand`'s general reading of the same message (its decline/cancel intent and "can't do"
 * windows count as weak signs); `booked` is the interview's span.
 * @example readInterviewerReply({ text: "Sorry, something came up and I can't make it." })
 *   // { cannotAttend: true, confidence: 0.9 }
 */
export function readInterviewerReply(input: {
  subject?: string;
  text: string;
  reading?: Pick<Reading, "intent" | "unavailable">;
  booked?: Interval;
}): InterviewerReading {
  const own = fold(stripQuoted(input.text).body).replace(/\s+/g, " ").trim();
  const sentences = own.split(/(?<=[.!?;])\s+|\n/).filter((s) => s.trim() !== "");
  const saying = sentences.filter((s) => CANNOT_ATTEND.test(s));
  if (saying.length > 0) {
    const hedged = saying.some((s) => HEDGE.test(s) || /\?\s*$/.test(s));
    // "I can't make 9, but I can still make 9:15": the rest of the text keeps the seat.
    const rest = own.replace(new RegExp(CANNOT_ATTEND.source, "g"), " ");
    const contradicted = STILL_ATTENDING.test(rest);
    if (hedged || contradicted) return { cannotAttend: true, confidence: 0.5 };
    return { cannotAttend: true, confidence: 0.9 };
  }
  const subject = fold(input.subject ?? "");
  if (/^(declined|abgelehnt|refuse|rechazad[oa])\s*:/.test(subject)) {
    return { cannotAttend: true, confidence: 0.7 };
  }
  const general = input.reading;
  if (
    general !== undefined &&
    (general.intent === "decline" ||
      general.intent === "cancel" ||
      unavailableWhenBooked(general.unavailable, input.booked))
  ) {
    return { cannotAttend: true, confidence: 0.6 };
  }
  return { cannotAttend: false, confidence: 0.9 };
}
