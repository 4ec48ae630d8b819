/**
 * cc intake: a recruiter's email to the organisation's Ally address (Ally in cc, or forwarded)
 * starts a conversation. intake.ts works out the candidate, job, interviewers, duration and
 * window; when anything is missing Ally asks the recruiter privately and waits, and their answer
 * is read together with the original. Then the request is created and its first options offered
 * (or held for approval in review mode).
 */
import { Temporal } from "temporal-polyfill";
import { AppError } from "../errors.js";
import { mintOrgId, type OrgId } from "../ids.js";
import type { InboundMessage } from "../mail/inbound.js";
import { addressesIn } from "./addresses.js";
import {
  type AssistantContext,
  answerability,
  distrust,
  settingsFor,
  systemActor,
} from "./context.js";
import type { Member } from "./coordinator.js";
import type { Action, OfferedOption } from "./decide.js";
import { type IntakePlan, intake } from "./intake.js";
import { plainMessage } from "./messages.js";
import { perform } from "./perform.js";
import { escalate, send } from "./send.js";
import * as store from "./store.js";

/** A recruiter's email to the organisation's Ally address, on no known thread. */
export async function onIntake(
  ctx: AssistantContext,
  settings: store.Settings,
  message: InboundMessage,
): Promise<string> {
  const orgId = mintOrgId(settings.organisationId);
  const members = await ctx.deps.directory.members(orgId);
  const recruiter = members.find((m) => m.email.toLowerCase() === message.fromAddress);
  if (recruiter === undefined)
    return "assistant: not acted on (an unknown sender on an unknown thread)";
  const verdict = answerability(ctx, settings, message);
  if (!verdict.answer) return `assistant: not answered: ${verdict.reason}`;
  const untrusted = distrust(ctx, message);
  if (untrusted !== undefined) return `assistant: not acted on: ${untrusted}`;
  const mail = {
    fromAddress: message.fromAddress,
    to: addressesIn(message.headers?.to),
    cc: addressesIn(message.headers?.cc),
    subject: message.subject,
    text: message.text,
    messageId: message.messageId,
  };
  return startFrom(ctx, mail, orgId, recruiter, null);
}

/** The recruiter answered Ally's intake question: read the original and the answer together. */
export async function intakeAnswer(
  ctx: AssistantContext,
  conversation: store.Conversation,
  message: InboundMessage,
  member: Member,
): Promise<string> {
  const original = await store.intakeMail(ctx.deps.db, conversation.id);
  return startFrom(
    ctx,
    { ...original, text: `${original.text}\n\n${message.text}` },
    mintOrgId(conversation.organisation_id),
    member,
    conversation,
  );
}

async function startFrom(
  ctx: AssistantContext,
  mail: store.IntakeMailFacts,
  orgId: OrgId,
  recruiter: Member,
  waiting: store.Conversation | null,
): Promise<string> {
  const { deps } = ctx;
  const actor = systemActor(recruiter, orgId);
  const members = await deps.directory.members(orgId);
  const result = intake(mail, {
    ownAddresses: [`@${deps.domain}`],
    jobs: await deps.directory.jobs(actor),
    members,
    defaults: {
      jobId: null,
      interviewerIds: [],
      durationMinutes: deps.defaults.durationMinutes,
      windowDays: deps.defaults.windowDays,
    },
    now: Temporal.Instant.fromEpochMilliseconds(deps.clock.now()),
    timeZone: "UTC",
  });
  const conversation = waiting ?? (await openConversation(ctx, mail, orgId, recruiter));
  if (!result.ok) {
    await send(
      ctx,
      conversation,
      { address: recruiter.email, party: "recruiter" },
      plainMessage(mail.subject, [`Hi ${recruiter.name},`, result.question]),
      `intake-question:${mail.messageId}:${result.missing.length}`,
    );
    return `assistant: asked the recruiter (${result.missing.join("; ")})`;
  }
  return createAndOffer(ctx, conversation, mail, recruiter, result.plan, result.notes);
}

/** A new conversation for a recruiter's email, waiting on the recruiter, with the email kept. */
async function openConversation(
  ctx: AssistantContext,
  mail: store.IntakeMailFacts,
  orgId: OrgId,
  recruiter: Member,
): Promise<store.Conversation> {
  const { deps } = ctx;
  const now = deps.clock.now();
  const candidateTo = mail.to.find((r) => !r.address.endsWith(`@${deps.domain}`));
  const conversation = await store.createConversation(deps.db, {
    organisation_id: orgId,
    request_id: null,
    reply_address: deps.replyAddresses.addressFor({
      organisationId: orgId,
      bookingUid: `assistant:${mail.messageId}`,
      attendeeEmail: candidateTo?.address ?? mail.fromAddress,
    }),
    status: "waiting-recruiter",
    candidate_email: candidateTo?.address ?? "",
    candidate_name: candidateTo?.name ?? "",
    recruiter_user_id: recruiter.userId,
    time_zone: "UTC",
    memory: {
      offered: [],
      awaitingCancelConfirmation: false,
      rescheduleAsked: false,
      subject: mail.subject,
      references: [mail.messageId],
    },
    created_at: now,
    updated_at: now,
  });
  await store.recordMessage(deps.db, {
    organisation_id: orgId,
    conversation_id: conversation.id,
    direction: "in",
    message_id: mail.messageId,
    party: "recruiter",
    address: mail.fromAddress,
    subject: mail.subject,
    text_body: JSON.stringify(mail),
    note: "intake",
    created_at: now,
  });
  return conversation;
}

/** Creates the request the plan describes and offers its first options to the candidate. */
async function createAndOffer(
  ctx: AssistantContext,
  conversation: store.Conversation,
  mail: store.IntakeMailFacts,
  recruiter: Member,
  plan: IntakePlan,
  notes: string[],
): Promise<string> {
  const { deps } = ctx;
  const { db } = deps;
  const orgId = mintOrgId(conversation.organisation_id);
  const actor = systemActor(recruiter, orgId);
  const now = deps.clock.now();
  const candidateId = await deps.directory.candidateFor(actor, plan.candidate);
  const request = await deps.booking.createRequest(actor, {
    candidateId,
    jobId: plan.jobId,
    sessions: [
      {
        name: "Interview",
        durationMinutes: plan.durationMinutes,
        interviewerIds: plan.interviewerIds,
      },
    ],
    windowStart: plan.windowStart,
    windowEnd: plan.windowEnd,
  });
  await store.updateConversation(db, conversation, { request_id: request.id, status: "open" }, now);
  conversation.request_id = request.id;
  conversation.candidate_email = plan.candidate.email;
  await store.setCandidate(db, conversation, plan.candidate, request.timeZone ?? "UTC");
  conversation.candidate_name = plan.candidate.name;
  conversation.time_zone = request.timeZone ?? "UTC";
  await deps.booking.note(orgId, request.id, "assistant-started", {
    by: recruiter.userId,
    notes,
  });
  let offered: OfferedOption[];
  try {
    const withOptions = await deps.booking.offer(actor, request.id);
    offered = (withOptions.offeredOptions ?? [])
      .slice(0, 3)
      .map((o) => ({ id: o.id, start: o.startsAt, end: o.endsAt }));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await escalate(ctx, conversation, {
      text: mail.text,
      reading: null,
      reason: `no time fits the request (${error.message})`,
      suggested: null,
      cause: `intake:${mail.messageId}`,
    });
    return "assistant: request created; no time fits, recruiter told";
  }
  const settings = await settingsFor(ctx, orgId);
  const action: Action = { kind: "offer", reason: "fresh", options: offered };
  await store.updateConversation(
    db,
    conversation,
    { memory: { ...conversation.memory, offered } },
    now,
  );
  conversation.memory.offered = offered;
  const cause = `intake:${mail.messageId}`;
  if (settings.reviewMode) {
    await escalate(ctx, conversation, {
      text: mail.text,
      reading: null,
      reason: "review mode: a person approves every message",
      suggested: action,
      cause,
    });
    return `assistant: request ${request.id} created; first message waits for approval`;
  }
  await perform(ctx, conversation, action, { cause, text: mail.text, reading: null });
  return `assistant: request ${request.id} created; ${offered.length} option(s) offered`;
}
