/**
 * Ally's outgoing mail on a conversation: each message through the outbox once (keyed by its
 * cause), threaded, marked `Auto-Submitted: auto-replied`, recorded on the conversation and noted
 * on the request's timeline; escalations (a row plus the recruiter's email); the follow-up job.
 */
import { mintOrgId } from "../ids.js";
import { scheduleJob } from "../jobs/scheduled-jobs.js";
import { enqueueMail } from "../mail/outbox.js";
import type { Reading } from "../understand/index.js";
import {
  type AssistantContext,
  FOLLOW_UP_AFTER_MS,
  FOLLOW_UP_JOB,
  recruiterOf,
} from "./context.js";
import type { Action } from "./decide.js";
import { plainMessage, type Written } from "./messages.js";
import * as store from "./store.js";

/** Sends one message on the thread, once (keyed by its cause), and records it. */
export async function send(
  ctx: AssistantContext,
  conversation: store.Conversation,
  to: { address: string; party: "candidate" | "recruiter" },
  written: Written,
  cause: string,
  kind: "assistant-reply" | "assistant-escalation" = "assistant-reply",
): Promise<string | null> {
  const { db, clock } = ctx.deps;
  const references = conversation.memory.references.slice(-10);
  const inReplyTo = references.at(-1);
  const headers: Record<string, string> = {
    "Auto-Submitted": "auto-replied",
    "Reply-To": conversation.reply_address,
    ...(inReplyTo === undefined
      ? {}
      : { "In-Reply-To": inReplyTo, References: references.join(" ") }),
  };
  const queued = await enqueueMail(
    db,
    {
      organisationId: mintOrgId(conversation.organisation_id),
      kind,
      to: to.address,
      subject: written.subject,
      text: written.text,
      html: written.html,
      headers,
      idempotencyKey: `assistant:${conversation.id}:${cause}`,
    },
    clock.now(),
    ctx.deps.mailFrom,
  );
  if (queued.messageId === null) return null;
  await store.recordMessage(db, {
    organisation_id: conversation.organisation_id,
    conversation_id: conversation.id,
    direction: "out",
    message_id: queued.messageId,
    party: to.party,
    address: to.address,
    subject: written.subject,
    text_body: written.text,
    note: cause,
    created_at: clock.now(),
  });
  if (to.party === "candidate") {
    await store.updateConversation(
      db,
      conversation,
      {
        memory: {
          ...conversation.memory,
          references: [...conversation.memory.references, queued.messageId].slice(-20),
        },
      },
      clock.now(),
    );
    conversation.memory.references.push(queued.messageId);
  }
  if (conversation.request_id !== null) {
    await ctx.deps.booking.note(
      mintOrgId(conversation.organisation_id),
      conversation.request_id,
      "assistant-sent",
      { to: to.party, subject: written.subject, messageId: queued.messageId },
    );
  }
  return queued.messageId;
}

/** A follow-up in two days, replacing any earlier one for the conversation. */
export async function scheduleFollowUp(
  ctx: AssistantContext,
  conversation: store.Conversation,
  offeredAt: number,
): Promise<void> {
  await scheduleJob(
    ctx.deps.db,
    {
      organisationId: conversation.organisation_id,
      kind: FOLLOW_UP_JOB,
      key: `${FOLLOW_UP_JOB}:${conversation.id}`,
      runAt: offeredAt + FOLLOW_UP_AFTER_MS,
      payload: { conversationId: conversation.id, offeredAt },
    },
    ctx.deps.clock.now(),
  );
}

/** What an escalation is about: the message, Ally's reading, why, and what Ally suggests. */
export type EscalationFacts = {
  text: string;
  reading: Reading | null;
  reason: string;
  suggested: Action | null;
  cause: string;
};

/** Records an escalation and emails the recruiter about it. */
export async function escalate(
  ctx: AssistantContext,
  conversation: store.Conversation,
  facts: EscalationFacts,
): Promise<string> {
  const { text, reading, reason, suggested, cause } = facts;
  const id = await store.addEscalation(ctx.deps.db, {
    organisation_id: conversation.organisation_id,
    conversation_id: conversation.id,
    request_id: conversation.request_id,
    message_text: text.slice(0, 20_000),
    reading: JSON.stringify(reading),
    suggested: suggested === null ? null : JSON.stringify(suggested),
    reason,
    created_at: ctx.deps.clock.now(),
  });
  const recruiter = await recruiterOf(ctx, conversation);
  if (recruiter !== undefined) {
    const who = conversation.candidate_name || conversation.candidate_email;
    await send(
      ctx,
      conversation,
      { address: recruiter.email, party: "recruiter" },
      plainMessage(
        `Ally needs you: ${who}`,
        [
          `Hi ${recruiter.name},`,
          `Ally did not act on a message from ${who}: ${reason}.`,
          reading === null
            ? ""
            : `Ally read it as "${reading.intent}" (confidence ${reading.confidence.toFixed(2)}).`,
          `Their message:\n${text.slice(0, 2000)}`,
          `Approve, edit or dismiss Ally's suggestion: ${ctx.deps.publicUrl}/app/assistant/escalations`,
        ].filter((p) => p !== ""),
      ),
      `escalation:${cause}`,
      "assistant-escalation",
    );
  }
  if (conversation.request_id !== null) {
    await ctx.deps.booking.note(
      mintOrgId(conversation.organisation_id),
      conversation.request_id,
      "assistant-escalated",
      { reason, escalationId: id },
    );
  }
  return id;
}
