/**
 * Whether an email's subject asks to opt out of promotional email, read by the understanding
 * layer (understand/, `ally understand`): "opt out", "OPT-OUT", "Re: unsubscribe", "Fwd: please
 * remove me from your mailing list", "stop sending me these emails", "désabonnement" … any
 * subject it reads as intent `opt_out`. Reply and forward prefixes (in the common languages,
 * repeated, with a counter like "Re[2]:") are taken off first. Pure: no clock, no I/O.
 */
import { understand } from "../understand/index.js";

const PREFIX = /^\s*(re|fwd?|aw|wg|sv|vs|tr|rv|r|antw|odp|enc|res)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i;

/** The subject without its "Re:", "Fwd:", "AW:" … prefixes. */
export function withoutReplyPrefixes(subject: string): string {
  let rest = subject.trim();
  for (let i = 0; i < 10 && PREFIX.test(rest); i += 1) rest = rest.replace(PREFIX, "");
  return rest.trim();
}

/**
 * @param receivedAt the message's arrival, RFC 3339 (the reading needs an instant; an
 *   opt-out does not depend on it)
 * @example subjectSaysOptOut("RE: Opt Out", "2026-12-01T14:00:00Z") // true
 */
export function subjectSaysOptOut(subject: string, receivedAt: string): boolean {
  const text = withoutReplyPrefixes(subject).slice(0, 300);
  if (text === "") return false;
  const reading = understand({ now: receivedAt, timeZone: "UTC", subject: text, text });
  return reading.intent === "opt_out";
}
