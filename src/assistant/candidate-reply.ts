/**
 * A reply on a known thread: recorded once, checked for loop safety and DMARC, read with
 * `understand`, decided by decide.ts and carried out. The recruiter answering Ally's intake
 * question goes back to cc intake; mail from someone not on the thread is not acted on.
 */
import { mintOrgId } from "../ids.js";
import type { InboundMessage } from "../mail/inbound.js";
import { readInterviewerReply, understand } from "../understand/index.js";
import { intakeAnswer } from "./cc-intake.js";
import { type AssistantContext, answerability, distrust, settingsFor } from "./context.js";
import { decide, type Incoming, remember } from "./decide.js";
import { perform, stateOf } from "./perform.js";
import { escalate } from "./send.js";
import * as store from "./store.js";

export async function onThread(
  ctx: AssistantContext,
  conversation: store.Conversation,
  message: InboundMessage,
): Promise<string> {
  const { deps } = ctx;
  const { db, clock } = deps;
  const orgId = mintOrgId(conversation.organisation_id);
  const settings = await settingsFor(ctx, orgId);
  const verdict = answerability(ctx, settings, message);
  const fresh = await store.recordMessage(db, {
    organisation_id: orgId,
    conversation_id: conversation.id,
    direction: "in",
    message_id: message.messageId,
    party: message.fromAddress === conversation.candidate_email ? "candidate" : "other",
    address: message.fromAddress,
    subject: message.subject,
    text_body: message.text,
    note: verdict.answer ? "answer" : verdict.kind,
    created_at: clock.now(),
  });
  if (!fresh) return "assistant: already handled";
  const members = await deps.directory.members(orgId);
  const member = members.find((m) => m.email.toLowerCase() === message.fromAddress);
  if (member !== undefined && conversation.status === "waiting-recruiter") {
    return intakeAnswer(ctx, conversation, message, member);
  }
  const isCandidate = message.fromAddress === conversation.candidate_email;
  if (!isCandidate && member === undefined) {
    return "assistant: not acted on (a sender who is not on this thread)";
  }
  if (member !== undefined && member.userId === conversation.recruiter_user_id) {
    return "assistant: the recruiter wrote on the thread; Ally leaves it to them";
  }
  const cause = `in:${message.messageId}`;
  if (conversation.request_id === null) return "assistant: the conversation has no request yet";
  conversation.memory.references.push(message.messageId);
  const untrusted = verdict.answer ? distrust(ctx, message) : undefined;
  const { state, view } = await stateOf(ctx, conversation, settings);
  const reading = understand({
    now: new Date(message.receivedAt).toISOString(),
    timeZone: conversation.time_zone,
    subject: message.subject,
    text: message.text,
    proposed: state.offered.map((o) => ({ start: o.start, end: o.end })),
    ...(state.booked === null ? {} : { booked: state.booked }),
  });
  if (untrusted !== undefined) {
    await escalate(ctx, conversation, {
      text: message.text,
      reading,
      reason: `Ally could not confirm the sender: ${untrusted}`,
      suggested: null,
      cause,
    });
    return `assistant: not acted on: ${untrusted}`;
  }
  const incoming: Incoming = {
    sender: isCandidate ? "candidate" : "interviewer",
    answerability: verdict,
    reading,
    ...(isCandidate || member === undefined
      ? {}
      : {
          interviewer: {
            userId: member.userId,
            ...readInterviewerReply({
              subject: message.subject,
              text: message.text,
              reading,
              ...(state.booked === null ? {} : { booked: state.booked }),
            }),
          },
        }),
  };
  const decision = decide(state, incoming);
  const done: string[] = [];
  for (const action of decision.actions) {
    done.push(await perform(ctx, conversation, action, { cause, text: message.text, reading }));
  }
  const memory = remember(state, incoming, decision.actions);
  await store.updateConversation(
    db,
    conversation,
    {
      memory: { ...conversation.memory, ...memory },
      status: view.status === "cancelled" ? "closed" : "open",
    },
    clock.now(),
  );
  await deps.booking.note(orgId, conversation.request_id, "assistant-received", {
    from: isCandidate ? "candidate" : "interviewer",
    reading: { intent: reading.intent, confidence: reading.confidence },
    decision: decision.why,
  });
  ctx.log(`assistant: ${decision.why}`);
  return `assistant: ${done.join("; ")}`;
}
