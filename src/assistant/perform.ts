/**
 * Carrying out decide.ts's actions through the booking commands (the same the booking page
 * calls, so nothing is ever double-booked), and reading the conversation's state for decide.ts
 * from the booking module.
 */
import { AppError } from "../errors.js";
import { mintOrgId } from "../ids.js";
import { type Reading, stripQuoted } from "../understand/index.js";
import { type AssistantContext, DAY_MS, settingsFor } from "./context.js";
import type { Action, ConversationState, OfferedOption } from "./decide.js";
import { candidateMessage, LINK_PLACEHOLDER, ownWords } from "./drafts.js";
import { plainMessage, type Written } from "./messages.js";
import { escalate, scheduleFollowUp, send } from "./send.js";
import * as store from "./store.js";

/**
 * Why an action is carried out: its cause (the key of what it sends) and the message read; a
 * recruiter who approved it may have put the candidate's message in their own words, and
 * chosen among options Ally had not offered (`known`, to name the time).
 */
export type ActionContext = {
  cause: string;
  text: string;
  reading: Reading | null;
  ownWords?: string;
  known?: readonly OfferedOption[];
};

/** The message `action` sends the candidate (the recruiter's words when they gave some). */
async function writtenFor(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Action,
  context: ActionContext,
): Promise<Written | null> {
  const orgId = mintOrgId(conversation.organisation_id);
  const requestId = conversation.request_id;
  const needsLink =
    action.kind === "offer" || (context.ownWords?.includes(LINK_PLACEHOLDER) ?? false);
  const link =
    needsLink && requestId !== null ? await ctx.deps.directory.bookingLink(orgId, requestId) : "";
  const subject = conversation.memory.subject;
  if (context.ownWords !== undefined) return ownWords(subject, context.ownWords, link);
  return candidateMessage(
    {
      candidateName: conversation.candidate_name,
      subject,
      timeZone: conversation.time_zone,
      known: [...conversation.memory.offered, ...(context.known ?? [])],
    },
    action,
    link,
  );
}

/** Sends the candidate the message `action` calls for, once (keyed by the cause). */
async function tellCandidate(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Action,
  context: ActionContext,
): Promise<void> {
  const written = await writtenFor(ctx, conversation, action, context);
  if (written === null) return;
  const candidate = { address: conversation.candidate_email, party: "candidate" as const };
  await send(ctx, conversation, candidate, written, context.cause);
}

/** The conversation's state for decide.ts, read from the booking module. */
export async function stateOf(
  ctx: AssistantContext,
  conversation: store.Conversation,
  settings: store.Settings,
) {
  const { deps } = ctx;
  const requestId = conversation.request_id;
  if (requestId === null) throw new Error(`conversation ${conversation.id} has no request`);
  const view = await deps.booking.candidateGet(requestId);
  const activeBooking = view.booking?.status === "active" ? view.booking : null;
  const firstSession = activeBooking?.sessions[0];
  const lastSession = activeBooking?.sessions.at(-1);
  let available: OfferedOption[] = [];
  if (view.status !== "cancelled" && view.status !== "completed") {
    try {
      const { options } = await deps.booking.candidateOptions(requestId);
      available = options.map((o) => ({ id: o.id, start: o.startsAt, end: o.endsAt }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  const state: ConversationState = {
    status: view.status,
    offered: conversation.memory.offered,
    available,
    booked:
      firstSession === undefined || lastSession === undefined
        ? null
        : { start: firstSession.startsAt, end: lastSession.endsAt },
    awaitingCancelConfirmation: conversation.memory.awaitingCancelConfirmation,
    rescheduleAsked: conversation.memory.rescheduleAsked,
    mode: settings.reviewMode ? "review" : "automatic",
    threshold: ctx.threshold,
    sentToday: await store.sentSince(deps.db, conversation.id, deps.clock.now() - DAY_MS),
    dailyLimit: deps.dailyLimit,
    maxOffered: 3,
  };
  return { state, view };
}

/** Carries out one action; returns what was done, for the record. */
export async function perform(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Action,
  context: ActionContext,
): Promise<string> {
  const { deps } = ctx;
  const orgId = mintOrgId(conversation.organisation_id);
  const requestId = conversation.request_id;
  switch (action.kind) {
    case "none":
      return action.note === "no-answer-yet" ? "out of office: no answer yet" : "not answered";
    case "escalate":
      await escalate(ctx, conversation, {
        text: context.text,
        reading: context.reading,
        reason: action.reason,
        suggested: action.suggested,
        cause: context.cause,
      });
      return `escalated: ${action.reason}`;
    case "forward-question":
      await escalate(ctx, conversation, {
        text: context.text,
        reading: context.reading,
        reason: "the candidate asked a question",
        suggested: null,
        cause: context.cause,
      });
      return "question forwarded to the recruiter";
    case "privacy":
      if (action.request === "opt_out" && deps.optOut !== undefined) {
        return optOut(ctx, conversation, context, deps.optOut);
      }
      await deps.privacy({
        name: conversation.candidate_name || conversation.candidate_email,
        email: conversation.candidate_email,
        message: `Sent to Ally by email, read as ${action.request}:\n\n${context.text}`.slice(
          0,
          10_000,
        ),
      });
      if (requestId !== null) {
        await deps.booking.note(orgId, requestId, "assistant-privacy", {
          request: action.request,
        });
      }
      return `privacy: ${action.request} handed to the privacy queue`;
    case "offer": {
      if (requestId === null) return "no request";
      await tellCandidate(ctx, conversation, action, context);
      await scheduleFollowUp(ctx, conversation, deps.clock.now());
      return `offered ${action.options.length} option(s)`;
    }
    case "book":
    case "move":
      return bookOrMove(ctx, conversation, action, context);
    case "interviewer-unavailable":
      return interviewerUnavailable(ctx, conversation, action, context);
    case "confirm-cancel":
      await tellCandidate(ctx, conversation, action, context);
      return "asked the candidate to confirm the cancellation";
    case "cancel":
      if (requestId === null) return "no request";
      await deps.booking.candidateCancel(requestId, {
        reason: "The candidate cancelled by email.",
      });
      await tellCandidate(ctx, conversation, action, context);
      return "cancelled";
  }
}

/**
 * An interviewer cannot make it: the booking module handles each of their upcoming seats as a
 * calendar decline (replaced from the pool, or the recruiter told). When they hold no seat to
 * give up, a person looks at it.
 */
async function interviewerUnavailable(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Extract<Action, { kind: "interviewer-unavailable" }>,
  context: ActionContext,
): Promise<string> {
  const requestId = conversation.request_id;
  if (requestId === null) return "no request";
  const orgId = mintOrgId(conversation.organisation_id);
  const result = await ctx.deps.booking.interviewerUnavailable(orgId, requestId, action.userId, {
    words: stripQuoted(context.text).body.slice(0, 2_000),
  });
  if (!result.handled) {
    return perform(
      ctx,
      conversation,
      {
        kind: "escalate",
        reason: `an interviewer says they cannot make it, but ${result.reason}`,
        suggested: null,
      },
      context,
    );
  }
  return result.sessions
    .map((s) =>
      s.replaced
        ? `${s.session}: interviewer replaced by ${s.name} (${s.userId})`
        : `${s.session}: recruiter told (${s.reason})`,
    )
    .join("; ");
}

/**
 * Books or moves to an option through the booking commands. A lost race (SLOT_TAKEN) offers
 * what is still free, or escalates when nothing is.
 */
async function bookOrMove(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Extract<Action, { kind: "book" | "move" }>,
  context: ActionContext,
): Promise<string> {
  const { deps } = ctx;
  const requestId = conversation.request_id;
  if (requestId === null) return "no request";
  const input = { optionId: action.optionId, idempotencyKey: `assistant:${context.cause}` };
  try {
    if (action.kind === "book") await deps.booking.candidateBook(requestId, input);
    else await deps.booking.candidateReschedule(requestId, input);
  } catch (error) {
    if (error instanceof AppError && error.code === "SLOT_TAKEN") {
      // Ally's own words now: the recruiter's were for the time that was taken.
      const fallback = { cause: context.cause, text: context.text, reading: context.reading };
      const orgId = mintOrgId(conversation.organisation_id);
      const { state } = await stateOf(ctx, conversation, await settingsFor(ctx, orgId));
      const options = state.available.slice(0, 3);
      if (options.length === 0) {
        return perform(
          ctx,
          conversation,
          { kind: "escalate", reason: "the time was taken and none is free", suggested: null },
          fallback,
        );
      }
      return perform(ctx, conversation, { kind: "offer", reason: "fresh", options }, fallback);
    }
    throw error;
  }
  await tellCandidate(ctx, conversation, action, context);
  return `${action.kind === "book" ? "booked" : "moved to"} ${action.optionId}`;
}

/**
 * A reply read as an opt-out from promotional email: the sender's address is suppressed for the
 * organisation's lists at once, the candidate is told so (the interview itself goes on unless
 * they cancel it), and the request's timeline records it for the recruiter.
 */
async function optOut(
  ctx: AssistantContext,
  conversation: store.Conversation,
  context: ActionContext,
  suppress: (orgId: ReturnType<typeof mintOrgId>, email: string) => Promise<number>,
): Promise<string> {
  const { deps } = ctx;
  const orgId = mintOrgId(conversation.organisation_id);
  const ended = await suppress(orgId, conversation.candidate_email);
  await send(
    ctx,
    conversation,
    { address: conversation.candidate_email, party: "candidate" },
    plainMessage(conversation.memory.subject, [
      `Hi ${conversation.candidate_name || "there"},`,
      "Done: you will receive no promotional email from us at this address. Messages about your interview still reach you; to withdraw from it, just say so.",
    ]),
    context.cause,
  );
  if (conversation.request_id !== null) {
    await deps.booking.note(orgId, conversation.request_id, "assistant-privacy", {
      request: "opt_out",
      unsubscribed: ended,
    });
  }
  return `opt-out: promotional email suppressed for the sender (${ended} subscription(s) ended)`;
}
