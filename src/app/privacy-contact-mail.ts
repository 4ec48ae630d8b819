/**
 * The privacy contact address by email: a message sent to PRIVACY_CONTACT that arrives through
 * Ally's inbound mail (SMTP listener or a connected mailbox) joins the same queue as the
 * /privacy/contact form, with its 45-day deadline and an immediate acknowledgment. Automatic
 * mail (out-of-office, bounces, lists: RFC 3834, assistant/loop-safety.ts) is not queued or
 * acknowledged, so two autoresponders never talk to each other. Wired here, in the
 * composition root, because it joins two modules: mail's inbound handlers and privacy's queue.
 */
import { mailFactsOf, mayAnswer } from "../assistant/loop-safety.js";
import { AppError } from "../errors.js";
import type { InboundHandler, InboundMessage } from "../mail/inbound.js";
import { type ContactDeps, contactInput, submitContactMessage } from "../privacy/complaints.js";

export interface ContactMailDeps {
  /** The privacy contact address (config PRIVACY_CONTACT). */
  address: string;
  /** Ally's own domain: its own mail is never queued. */
  ownDomain: string;
  contact: (now: number) => ContactDeps;
  now: () => number;
}

/** "Ada Lovelace" from `"Ada Lovelace" <ada@example.com>`, else the address's local part. */
function senderName(message: InboundMessage): string {
  const local = message.fromAddress.split("@")[0] ?? message.fromAddress;
  return local.length > 0 ? local : "there";
}

function addressedTo(message: InboundMessage, address: string): boolean {
  const wanted = address.toLowerCase();
  return message.envelopeTo.some((to) => to.toLowerCase() === wanted);
}

export function privacyContactMailHandler(deps: ContactMailDeps): InboundHandler {
  return async (message) => {
    if (!addressedTo(message, deps.address)) return undefined;
    const verdict = mayAnswer(mailFactsOf(message), [`@${deps.ownDomain}`, deps.address]);
    if (!verdict.answer) return `privacy contact: not queued, ${verdict.reason}`;
    const body = [message.subject, message.text].filter((part) => part.trim() !== "").join("\n\n");
    const parsed = contactInput.safeParse({
      name: senderName(message),
      email: message.fromAddress,
      topic: /complain|complaint|beschwerde|plainte|queja|reclama/i.test(body)
        ? "complaint"
        : "question",
      message: body.slice(0, 10_000).padEnd(10, "."),
    });
    if (!parsed.success) return "privacy contact: not queued, the sender's address is unusable";
    try {
      const { id } = await submitContactMessage(deps.contact(deps.now()), parsed.data);
      return `privacy contact: queued as P-${id}`;
    } catch (error) {
      // Over the daily limit per address: kept in inbound mail, not queued again.
      if (error instanceof AppError && error.code === "RATE_LIMITED") {
        return "privacy contact: not queued, too many messages from this address today";
      }
      throw error;
    }
  };
}
