/**
 * What Ally writes, in plain text and HTML: options numbered in the candidate's zone with the
 * zone named (and the interviewers' zone beside it where different), the booking link, and
 * "or tell me when suits you". Pure: data in, text out.
 */
import { Temporal } from "temporal-polyfill";
import { escapeHtml } from "../mail/html.js";
import type { OfferedOption, OfferReason } from "./decide.js";

export type Written = { subject: string; text: string; html: string };

/** "Tue 8 Dec, 14:00–15:00" in `timeZone`. */
export function spanIn(option: Pick<OfferedOption, "start" | "end">, timeZone: string): string {
  const start = Temporal.Instant.from(option.start).toZonedDateTimeISO(timeZone);
  const end = Temporal.Instant.from(option.end).toZonedDateTimeISO(timeZone);
  const day = start.toPlainDate().toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  const time = (t: Temporal.ZonedDateTime) => t.toPlainTime().toString().slice(0, 5);
  return `${day}, ${time(start)}–${time(end)}`;
}

const OPENINGS: Record<OfferReason | "follow-up", string> = {
  "follow-up": "Just checking in: these times are still open for your interview",
  fresh: "Here are some times for your interview",
  fitting: "These times fit what you suggested",
  "none-fit": "None of the times you suggested is free, I'm afraid. Here are others",
  reschedule:
    "No problem: your current time stays booked until we settle a new one. Here are some times",
  declined: "Thanks for letting me know. Here are some other times",
};

function paragraphsToHtml(paragraphs: readonly string[], list: readonly string[] = []): string {
  const items = list.map((line) => `<li>${escapeHtml(line)}</li>`).join("");
  const [first, ...rest] = paragraphs;
  return [
    `<p>${escapeHtml(first ?? "")}</p>`,
    list.length > 0 ? `<ol>${items}</ol>` : "",
    ...rest.map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`),
  ].join("\n");
}

/**
 * The options message.
 * @example optionsMessage({ options, timeZone: "Europe/London", ... }).text
 *   // "Hi Dana,\n\nHere are some times ... (times in Europe/London):\n1. Tue 8 Dec, 14:00–15:00\n..."
 */
export function optionsMessage(input: {
  candidateName: string;
  subject: string;
  reason: OfferReason | "follow-up";
  options: readonly OfferedOption[];
  timeZone: string;
  /** The interviewers' zone, when different from the candidate's. */
  interviewerZone?: string;
  bookingLink: string;
}): Written {
  const other =
    input.interviewerZone !== undefined && input.interviewerZone !== input.timeZone
      ? input.interviewerZone
      : undefined;
  const lines = input.options.map((option) => {
    const theirs = other === undefined ? "" : ` (${spanIn(option, other)} ${other})`;
    return `${spanIn(option, input.timeZone)}${theirs}`;
  });
  const greeting = `Hi ${input.candidateName || "there"},`;
  const intro = `${OPENINGS[input.reason]} (times in ${input.timeZone}):`;
  const outro = [
    `Reply with the number that suits you, or tell me when suits you and I'll find a time.`,
    `You can also choose on this page: ${input.bookingLink}`,
    "Ally, scheduling assistant",
  ];
  const text = [
    greeting,
    "",
    intro,
    ...lines.map((line, i) => `${i + 1}. ${line}`),
    "",
    outro.join("\n\n"),
  ].join("\n");
  const html = paragraphsToHtml([`${greeting} ${intro}`, ...outro], lines);
  return { subject: reSubject(input.subject), text, html };
}

/** A short message with no options (confirmations, questions). */
export function plainMessage(subject: string, paragraphs: readonly string[]): Written {
  return {
    subject: reSubject(subject),
    text: `${paragraphs.join("\n\n")}\n\nAlly, scheduling assistant`,
    html: paragraphsToHtml([...paragraphs, "Ally, scheduling assistant"]),
  };
}

/** "Re: subject", once. */
export function reSubject(subject: string): string {
  const trimmed = subject.trim() || "Your interview";
  return /^re:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}
