/**
 * The email assistant at the edge: an inbound handler (mail/inbound.ts) that finds a message's
 * thread, applies loop safety, reads the reply with `understand`, asks decide.ts what to do and
 * does it through the booking commands (the same the booking page calls, so nothing is ever
 * double-booked). Ally's own mail goes through the outbox once, threaded, marked
 * `Auto-Submitted: auto-replied`, and every message is noted on the request's timeline.
 *
 * Threading: a conversation's reply address `ally+TOKEN@domain` (TOKEN an HMAC, see
 * mail/reply-address.ts), else In-Reply-To/References naming a message of the thread. A
 * recruiter's email to the organisation's Ally address starts a conversation (cc intake).
 * Mail from unknown senders about unknown threads is never acted on.
 *
 * A thin facade: it applies the defaults once (context.ts) and composes the pieces — sending and
 * escalating (send.ts), carrying out actions (perform.ts), a reply on a thread
 * (candidate-reply.ts), cc intake (cc-intake.ts), follow-ups (follow-up.ts) and the recruiter's
 * answers to escalations (escalations.ts).
 */
import type { Actor } from "../accounts/service.js";
import type { BookingService } from "../booking/service.js";
import type { Clock } from "../clock.js";
import type { OrgId } from "../ids.js";
import type { Job } from "../jobs/scheduled-jobs.js";
import type { InboundHandler } from "../mail/inbound.js";
import type { ReplyAddresses } from "../mail/reply-address.js";
import { addressesIn, threadIds } from "./addresses.js";
import { onThread } from "./candidate-reply.js";
import { onIntake } from "./cc-intake.js";
import { assistantContext, settingsFor } from "./context.js";
import type { AnyHandle } from "./db.js";
import { approve, dismiss, drafts, type EscalationEdit } from "./escalations.js";
import { followUp } from "./follow-up.js";
import * as store from "./store.js";

export { addressesIn } from "./addresses.js";
export { FOLLOW_UP_AFTER_MS, FOLLOW_UP_JOB } from "./context.js";

export type Member = { userId: string; name: string; email: string; role: Actor["role"] };

export interface AssistantDeps {
  db: AnyHandle;
  clock: Clock;
  booking: BookingService;
  /** Ally's inbound domain: its own addresses live there. */
  domain: string;
  mailFrom: string;
  publicUrl: string;
  replyAddresses: ReplyAddresses;
  /** A person is asked below this confidence. */
  threshold?: number;
  /** Ally's messages on one thread per day, at most. */
  dailyLimit: number;
  /** When Ally's MX stamps Authentication-Results, mail without a DMARC pass is not acted on. */
  requireDmarcPass: boolean;
  directory: {
    members(orgId: OrgId): Promise<Member[]>;
    jobs(actor: Actor): Promise<{ id: string; title: string }[]>;
    /** The candidate's id, adding them when new. */
    candidateFor(actor: Actor, person: { email: string; name: string }): Promise<string>;
    /** A link for the candidate to choose on the booking page. */
    bookingLink(orgId: OrgId, requestId: string): Promise<string>;
  };
  /** Hands a privacy request to the privacy features (their queue). */
  privacy(input: { name: string; email: string; message: string }): Promise<void>;
  /**
   * An opt-out from promotional email: suppresses the address for the organisation's lists
   * (marketing/). Without it, an opt-out joins the privacy queue like a request.
   */
  optOut?(orgId: OrgId, email: string): Promise<number>;
  defaults: { durationMinutes: number; windowDays: number };
  log?: (line: string) => void;
}

export function createAssistant(deps: AssistantDeps) {
  const ctx = assistantContext(deps);
  const { db, clock } = deps;

  const handler: InboundHandler = async (message) => {
    if (message.calendar !== null && message.calendar.method === "REPLY") return undefined;
    const recipients = [
      ...message.envelopeTo,
      ...addressesIn(message.headers?.to).map((a) => a.address),
      ...addressesIn(message.headers?.cc).map((a) => a.address),
    ];
    const byAddress = await store.conversationByAddress(db, recipients);
    const conversation =
      byAddress ?? (await store.conversationByMessageIds(db, threadIds(message)));
    if (conversation !== undefined) return onThread(ctx, conversation, message);
    const settings = await store.organisationAddressed(db, recipients, deps.domain);
    if (settings !== undefined) return onIntake(ctx, settings, message);
    return undefined;
  };

  return {
    handler,
    followUp: (job: Job) => followUp(ctx, job),
    /** A recruiter approves an escalation, edited or not: Ally carries out its suggestion. */
    approve: (actor: Actor, escalationId: string, edit: EscalationEdit = {}) =>
      approve(ctx, actor, escalationId, edit),
    /** What the recruiter may edit in each open escalation, with Ally's drafts. */
    drafts: (actor: Actor) => drafts(ctx, actor),
    dismiss: (actor: Actor, escalationId: string) => dismiss(ctx, actor, escalationId),
    openEscalations: (actor: Actor) => store.openEscalations(db, actor.orgId),
    settings: (orgId: OrgId) => settingsFor(ctx, orgId),
    saveSettings: (actor: Actor, changes: { reviewMode: boolean; followUpsMax: number }) =>
      store.saveSettings(db, actor.orgId, deps.domain, changes, clock.now()),
  };
}

export type Assistant = ReturnType<typeof createAssistant>;
