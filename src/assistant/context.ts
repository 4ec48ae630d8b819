/**
 * What every piece of the coordinator works with: the dependencies `createAssistant` was given,
 * with their defaults applied once, and the few reads they all share (the organisation's
 * settings, the recruiter of a conversation, whether a sender is vouched for).
 */
import type { Actor } from "../accounts/service.js";
import { mintOrgId, type OrgId } from "../ids.js";
import type { InboundMessage } from "../mail/inbound.js";
import { DEFAULT_THRESHOLD } from "../understand/index.js";
import type { AssistantDeps, Member } from "./coordinator.js";
import { mailFactsOf, mayAnswer } from "./loop-safety.js";
import * as store from "./store.js";

export const DAY_MS = 86_400_000;

/** The scheduled job that writes to a candidate who went quiet (jobs/scheduled-jobs.ts). */
export const FOLLOW_UP_JOB = "assistant-follow-up";
/** How long after Ally's options a quiet candidate is written to again. */
export const FOLLOW_UP_AFTER_MS = 2 * DAY_MS;

export interface AssistantContext {
  deps: AssistantDeps;
  /** A person is asked below this confidence. */
  threshold: number;
  log: (line: string) => void;
}

/** The dependencies with their defaults applied, once. */
export function assistantContext(deps: AssistantDeps): AssistantContext {
  return {
    deps,
    threshold: deps.threshold ?? DEFAULT_THRESHOLD,
    log: deps.log ?? (() => undefined),
  };
}

export function systemActor(member: Member, orgId: OrgId): Actor {
  return { userId: member.userId, orgId, role: member.role, via: "session" };
}

export async function settingsFor(ctx: AssistantContext, orgId: OrgId): Promise<store.Settings> {
  return store.settingsOf(ctx.deps.db, orgId, ctx.deps.domain, ctx.deps.clock.now());
}

export async function recruiterOf(
  ctx: AssistantContext,
  conversation: store.Conversation,
): Promise<Member | undefined> {
  const members = await ctx.deps.directory.members(mintOrgId(conversation.organisation_id));
  return members.find((m) => m.userId === conversation.recruiter_user_id);
}

/** Loop safety's verdict on a message (RFC 3834), Ally's own addresses counting as itself. */
export function answerability(
  ctx: AssistantContext,
  settings: store.Settings,
  message: InboundMessage,
) {
  return mayAnswer(mailFactsOf(message), [`@${ctx.deps.domain}`, settings.address]);
}

/** Why the sender is not vouched for by DMARC, or undefined. */
export function distrust(ctx: AssistantContext, message: InboundMessage): string | undefined {
  if (message.dmarc !== null && message.dmarc !== "pass") {
    return `DMARC did not pass for the sender's domain (${message.dmarc})`;
  }
  if (message.dmarc === null && ctx.deps.requireDmarcPass) return "no DMARC result for the sender";
  return undefined;
}
