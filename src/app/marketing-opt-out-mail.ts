/**
 * Opting out of promotional email by email: a message to one of Ally's service addresses (any
 * address at its inbound domain, including the List-Unsubscribe mailto: address and the
 * assistant's, or the privacy contact) whose subject the understanding layer reads as an
 * opt-out ("opt out", "Re: unsubscribe", "please remove me from your mailing list", … see
 * marketing/opt-out-subject.ts) suppresses the sender's address for every list it is on and
 * for the operator's, records it, and answers once. Bounces, out-of-office replies and Ally's
 * own mail opt no one out; other automatic mail is honoured but not answered (RFC 3834). Wired
 * here because it joins mail's inbound handlers, marketing and the assistant's loop safety.
 */
import { mailFactsOf, mayAnswer } from "../assistant/loop-safety.js";
import type { InboundHandler, InboundMessage } from "../mail/inbound.js";
import { enqueueMail } from "../mail/outbox.js";
import { subjectSaysOptOut } from "../marketing/opt-out-subject.js";
import type { Marketing } from "../marketing/service.js";
import type { AnyHandle } from "../store/handle.js";

export interface OptOutMailDeps {
  db: AnyHandle;
  marketing: Marketing;
  /** Ally's inbound domain: mail to any address there is mail to the service. */
  domain: string;
  /** The privacy contact address, a service address too. */
  privacyContact: string;
  mailFrom: string;
  now: () => number;
}

function toService(message: InboundMessage, deps: OptOutMailDeps): boolean {
  const contact = deps.privacyContact.toLowerCase();
  return message.envelopeTo.some((to) => {
    const address = to.trim().toLowerCase();
    return address === contact || address.endsWith(`@${deps.domain.toLowerCase()}`);
  });
}

export function marketingOptOutMailHandler(deps: OptOutMailDeps): InboundHandler {
  return async (message) => {
    if (message.fromAddress === "" || !toService(message, deps)) return undefined;
    const receivedAt = new Date(message.receivedAt).toISOString();
    if (!subjectSaysOptOut(message.subject, receivedAt)) return undefined;
    const verdict = mayAnswer(mailFactsOf(message), [`@${deps.domain}`, deps.privacyContact]);
    if (
      !verdict.answer &&
      (verdict.kind === "own-address" ||
        verdict.kind === "bounce" ||
        verdict.kind === "out-of-office")
    ) {
      return `opt-out: not honoured, ${verdict.reason}`;
    }
    const ended = await deps.marketing.optOutByEmail(message.fromAddress);
    if (verdict.answer) {
      const now = deps.now();
      await enqueueMail(
        deps.db,
        {
          organisationId: null,
          kind: "marketing-opt-out-received",
          to: message.fromAddress,
          subject: "You are unsubscribed from promotional email",
          text: [
            "We received your request to opt out.",
            "",
            `${message.fromAddress} will receive no more promotional email from us or from the lists it was on. Messages about your account or an interview still reach you.`,
            "",
            "To receive promotional email again, sign up on a list's page and confirm by the link we send.",
          ].join("\n"),
          headers: { "Auto-Submitted": "auto-replied", "In-Reply-To": message.messageId },
          idempotencyKey: `opt-out-reply:${message.messageId}`,
        },
        now,
        deps.mailFrom,
      );
    }
    return `opt-out: promotional email suppressed for the sender (${ended} subscription(s) ended)`;
  };
}
