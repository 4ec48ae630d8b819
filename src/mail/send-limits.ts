/**
 * How much mail Ally sends to one address and for one organisation: counted over the outbox's
 * last hour when a message is enqueued, so a button pressed thirty times, or a flood of forged
 * replies that each tell a recruiter, cannot turn Ally into a mail cannon.
 *
 * What happens over a limit depends on the kind of message:
 * - `refuse`: mail someone asked for with a click (confirm an address, reset a password, a
 *   member's or candidate's invitation link): refused with RATE_LIMITED; the caller says "we
 *   sent one recently". A link that anyone may ask to have sent again without signing in
 *   (confirming an address) is also refused when one went to that address moments ago;
 *   resetting a password has its own limits (accounts), and a recruiter sending a candidate a
 *   fresh link means to replace the last one;
 * - `always`: the interview itself (invitations, cancellations, reminders, the recruiter's note
 *   of a booking, move or cancellation someone else made): never held back, a
 *   booking must not half-happen; and what the law makes Ally send (the answer to a privacy
 *   request or complaint, its download link, the notice that an organisation is closing); these
 *   still count towards the limits of the others;
 * - `drop`: notices to members (a decline, an unconfirmed reply, a calendar in trouble): not
 *   sent, and the caller records that it was not.
 */
import { type AnyHandle, mailDb } from "./db.js";

export interface MailLimits {
  /** Messages to one address within an hour. */
  perRecipientPerHour: number;
  /** Messages for one organisation within an hour. */
  perOrganisationPerHour: number;
  /** A link anyone may have re-sent goes to one address at most once in this many milliseconds. */
  sameKindSpacingMs: number;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  perRecipientPerHour: 10,
  perOrganisationPerHour: 500,
  sameKindSpacingMs: 60_000,
};

export type LimitPolicy = "refuse" | "always" | "drop";

const ON_REQUEST = new Set([
  "verify-email",
  "reset-password",
  "change-email",
  "invitation",
  "booking-link",
  "privacy-request-code",
]);
/** Sent again on an anonymous click: spaced out per address. */
const RESENT_ON_ANY_CLICK = new Set(["verify-email"]);
const THE_INTERVIEW = new Set([
  "interview-invitation",
  "interview-cancellation",
  "interview-reminder",
  // The recruiter's copy of a booking, move or cancellation someone else made: as much a part
  // of the interview as the invitations that go with it.
  "candidate-booked",
  "candidate-rescheduled",
  "candidate-cancelled",
  // An interviewer's note of what Ally put on, moved on or removed from their calendar.
  "interviewer-notice",
  "privacy-request-received",
  "privacy-request-answer",
  "privacy-export-link",
  "privacy-contact-received",
  "organisation-closing",
  // The email assistant keeps its own per-thread daily limit (assistant/decide.ts).
  "assistant-reply",
  "assistant-escalation",
]);

export function limitPolicyOf(kind: string): LimitPolicy {
  if (ON_REQUEST.has(kind)) return "refuse";
  if (THE_INTERVIEW.has(kind)) return "always";
  return "drop";
}

const HOUR_MS = 3_600_000;

/**
 * Why one more message of `kind` to `to` (for `organisationId`) would be over a limit, or
 * undefined when it may go.
 */
export async function overLimit(
  handle: AnyHandle,
  message: { organisationId: string | null; kind: string; to: string },
  now: number,
  limits: MailLimits,
): Promise<string | undefined> {
  const db = mailDb(handle);
  const since = now - HOUR_MS;
  if (RESENT_ON_ANY_CLICK.has(message.kind)) {
    const recent = await db
      .selectFrom("outbox")
      .select("id")
      .where("to_address", "=", message.to)
      .where("kind", "=", message.kind)
      .where("created_at", ">", now - limits.sameKindSpacingMs)
      .limit(1)
      .executeTakeFirst();
    if (recent !== undefined) return "one was sent to this address moments ago";
  }
  const toRecipient = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("to_address", "=", message.to)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  if (Number(toRecipient.n) >= limits.perRecipientPerHour) {
    return `${limits.perRecipientPerHour} messages went to this address in the last hour`;
  }
  if (message.organisationId !== null) {
    const forOrganisation = await db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("organisation_id", "=", message.organisationId)
      .where("created_at", ">", since)
      .executeTakeFirstOrThrow();
    if (Number(forOrganisation.n) >= limits.perOrganisationPerHour) {
      return `${limits.perOrganisationPerHour} messages went out for this organisation in the last hour`;
    }
  }
  return undefined;
}
