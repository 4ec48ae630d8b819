/**
 * What Ally writes to the candidate for each action, as one pure function, so the message sent
 * (perform.ts) and the draft a recruiter edits on the escalations page are the same words; and
 * a recruiter's own words in place of Ally's. Pure: data in, text out.
 */
import { escapeHtml } from "../mail/html.js";
import type { Action, OfferedOption } from "./decide.js";
import { optionsMessage, plainMessage, reSubject, spanIn, type Written } from "./messages.js";

/** Where the booking link goes in a recruiter's own words; replaced when the message is sent. */
export const LINK_PLACEHOLDER = "[booking link]";

/** What the messages need to know about the conversation. */
export type DraftFacts = {
  candidateName: string;
  subject: string;
  timeZone: string;
  /** Every option Ally knows of (offered and free now), to name a booked time. */
  known: readonly OfferedOption[];
};

/**
 * The message an action sends the candidate, or null when it sends none.
 * @example candidateMessage(facts, { kind: "confirm-cancel" }, link)?.text // "Hi Sam,\n\nShall I cancel…"
 */
export function candidateMessage(
  facts: DraftFacts,
  action: Action,
  bookingLink: string,
): Written | null {
  const hello = `Hi ${facts.candidateName || "there"},`;
  switch (action.kind) {
    case "offer":
      return optionsMessage({
        candidateName: facts.candidateName,
        subject: facts.subject,
        reason: action.reason,
        options: action.options,
        timeZone: facts.timeZone,
        bookingLink,
      });
    case "confirm-cancel":
      return plainMessage(facts.subject, [
        hello,
        'Shall I cancel your interview? Reply "yes, cancel it" and I will; otherwise nothing changes.',
      ]);
    case "cancel":
      return plainMessage(facts.subject, [
        hello,
        "Your interview is cancelled. Thank you for letting us know.",
      ]);
    case "book":
    case "move": {
      const chosen = facts.known.find((o) => o.id === action.optionId);
      const when =
        chosen === undefined
          ? "the time you chose"
          : `${spanIn(chosen, facts.timeZone)} (${facts.timeZone})`;
      return plainMessage(facts.subject, [
        hello,
        action.kind === "book"
          ? `You're booked for ${when}. The calendar invitation is on its way.`
          : `Your interview has moved to ${when}. The updated invitation is on its way.`,
      ]);
    }
    default:
      return null;
  }
}

/**
 * A recruiter's own words in place of Ally's message: sent as written (the booking link put in
 * where they left `[booking link]`), in plain text and escaped HTML.
 */
export function ownWords(subject: string, words: string, bookingLink: string): Written {
  const text = words.replaceAll(LINK_PLACEHOLDER, bookingLink).replace(/\r\n?/g, "\n").trim();
  const html = text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`)
    .join("\n");
  return { subject: reSubject(subject), text, html };
}
