/**
 * The follow-up job: when the candidate has not answered (an out-of-office reply is no answer)
 * and the request still waits for them, Ally writes again with the same options, at most the
 * organisation's follow-ups, within the daily limit.
 */
import { mintOrgId } from "../ids.js";
import type { Job } from "../jobs/scheduled-jobs.js";
import { type AssistantContext, DAY_MS, settingsFor } from "./context.js";
import { optionsMessage } from "./messages.js";
import { scheduleFollowUp, send } from "./send.js";
import * as store from "./store.js";

export async function followUp(ctx: AssistantContext, job: Job): Promise<void> {
  const { db, clock } = ctx.deps;
  const conversationId = job.payload.conversationId;
  const offeredAt = job.payload.offeredAt;
  if (job.organisationId === null || typeof conversationId !== "string") return;
  if (typeof offeredAt !== "number") return;
  const orgId = mintOrgId(job.organisationId);
  const conversation = await store.conversationById(db, orgId, conversationId);
  if (conversation === undefined || conversation.request_id === null) return;
  const settings = await settingsFor(ctx, orgId);
  if (conversation.follow_ups_sent >= settings.followUpsMax) return;
  if ((await store.answersSince(db, conversation.id, offeredAt)) > 0) return;
  const view = await ctx.deps.booking.candidateGet(conversation.request_id);
  if (view.status !== "awaiting_candidate") return;
  if ((await store.sentSince(db, conversation.id, clock.now() - DAY_MS)) >= ctx.deps.dailyLimit) {
    return;
  }
  const n = conversation.follow_ups_sent + 1;
  const link = await ctx.deps.directory.bookingLink(orgId, conversation.request_id);
  await send(
    ctx,
    conversation,
    { address: conversation.candidate_email, party: "candidate" },
    optionsMessage({
      candidateName: conversation.candidate_name,
      subject: conversation.memory.subject,
      reason: "follow-up",
      options: conversation.memory.offered,
      timeZone: conversation.time_zone,
      bookingLink: link,
    }),
    `follow-up:${n}`,
  );
  await store.updateConversation(db, conversation, { follow_ups_sent: n }, clock.now());
  if (n < settings.followUpsMax) await scheduleFollowUp(ctx, conversation, clock.now());
}
