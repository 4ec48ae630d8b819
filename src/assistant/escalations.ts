/**
 * A recruiter's answer to an escalation: approving carries out Ally's stored suggestion (parsed
 * with a schema, as it comes from the database); dismissing closes it. Each is resolved once.
 */
import { z } from "zod";
import type { Actor } from "../accounts/service.js";
import { AppError } from "../errors.js";
import type { AssistantContext } from "./context.js";
import { type Action, rememberActions } from "./decide.js";
import { perform } from "./perform.js";
import * as store from "./store.js";

const optionSchema = z.object({ id: z.string(), start: z.string(), end: z.string() });
/** An escalation's suggested action, as stored (decide.ts `Action`, one level deep). */
const actionSchema: z.ZodType<Action> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("book"), optionId: z.string() }),
  z.object({ kind: z.literal("move"), optionId: z.string() }),
  z.object({
    kind: z.literal("offer"),
    reason: z.enum(["fresh", "fitting", "none-fit", "reschedule", "declined"]),
    options: z.array(optionSchema),
  }),
  z.object({ kind: z.literal("confirm-cancel") }),
  z.object({ kind: z.literal("cancel") }),
  z.object({ kind: z.literal("interviewer-unavailable"), userId: z.string().min(1).max(64) }),
]);

/** A recruiter approves an escalation: Ally carries out its suggestion. */
export async function approve(
  ctx: AssistantContext,
  actor: Actor,
  escalationId: string,
): Promise<string> {
  const { db, clock } = ctx.deps;
  const escalation = await store.escalationById(db, actor.orgId, escalationId);
  if (escalation === undefined) throw new AppError("NOT_FOUND", "escalation not found");
  if (
    !(await store.resolveEscalation(
      db,
      actor.orgId,
      escalationId,
      "approved",
      actor.userId,
      clock.now(),
    ))
  ) {
    throw new AppError("CONFLICT", "This escalation was already resolved.");
  }
  const conversation = await store.conversationById(db, actor.orgId, escalation.conversationId);
  if (conversation === undefined) throw new AppError("NOT_FOUND", "conversation not found");
  const parsed = actionSchema.safeParse(escalation.suggested);
  if (!parsed.success) return "approved: nothing to do";
  const outcome = await perform(ctx, conversation, parsed.data, {
    cause: `approved:${escalationId}`,
    text: escalation.messageText,
    reading: null,
  });
  const memory = rememberActions(conversation.memory, [parsed.data]);
  await store.updateConversation(
    db,
    conversation,
    { memory: { ...conversation.memory, ...memory } },
    clock.now(),
  );
  return outcome;
}

/** A recruiter dismisses an escalation: nothing is done. */
export async function dismiss(
  ctx: AssistantContext,
  actor: Actor,
  escalationId: string,
): Promise<void> {
  const { db, clock } = ctx.deps;
  if (
    !(await store.resolveEscalation(
      db,
      actor.orgId,
      escalationId,
      "dismissed",
      actor.userId,
      clock.now(),
    ))
  ) {
    throw new AppError("NOT_FOUND", "No open escalation with this id.");
  }
}
