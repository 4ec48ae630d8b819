/**
 * A recruiter's answer to an escalation: approving carries out Ally's stored suggestion (parsed
 * with a schema, as it comes from the database), as it stands or edited first (another of the
 * free times to book, the candidate's message in the recruiter's own words); dismissing closes
 * it. Each is resolved once; an edit that does not fit is refused before anything is resolved.
 */
import { z } from "zod";
import type { Actor } from "../accounts/service.js";
import { AppError, invalid } from "../errors.js";
import { mintOrgId } from "../ids.js";
import { type AssistantContext, settingsFor } from "./context.js";
import { type Action, type OfferedOption, rememberActions } from "./decide.js";
import { candidateMessage, LINK_PLACEHOLDER } from "./drafts.js";
import { spanIn } from "./messages.js";
import { perform, stateOf } from "./perform.js";
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

/** A recruiter's changes to a suggestion before approving it. */
export type EscalationEdit = {
  /** Book (or move to) this option instead: one of the times offered or free now. */
  optionId?: string;
  /** The candidate's message in the recruiter's words; `[booking link]` becomes the link. */
  message?: string;
};

/** What a recruiter may change in one escalation's suggestion, with Ally's draft. */
export type EscalationDraft = {
  /** The times the suggestion may book instead (empty when it books none). */
  choices: Array<{ id: string; label: string }>;
  /** The option the suggestion books, when it books one. */
  chosen: string | null;
  /** Ally's message to the candidate, to edit; null when the suggestion sends none. */
  message: string | null;
};

/** The suggestion of a stored escalation, or null when it has none Ally can carry out. */
function suggestionOf(escalation: store.Escalation): Action | null {
  const parsed = actionSchema.safeParse(escalation.suggested);
  return parsed.success ? parsed.data : null;
}

/** The options a suggestion may book: those offered and those free now, once each. */
async function knownOptions(
  ctx: AssistantContext,
  conversation: store.Conversation,
): Promise<OfferedOption[]> {
  if (conversation.request_id === null) return [];
  const orgId = mintOrgId(conversation.organisation_id);
  const { state } = await stateOf(ctx, conversation, await settingsFor(ctx, orgId));
  const byId = new Map<string, OfferedOption>();
  for (const option of [...state.offered, ...state.available]) {
    if (!byId.has(option.id)) byId.set(option.id, option);
  }
  return [...byId.values()];
}

/** Ally's drafts for the open escalations of the actor's organisation, by escalation id. */
export async function drafts(
  ctx: AssistantContext,
  actor: Actor,
): Promise<Map<string, EscalationDraft>> {
  const { db } = ctx.deps;
  const found = new Map<string, EscalationDraft>();
  for (const escalation of await store.openEscalations(db, actor.orgId)) {
    const action = suggestionOf(escalation);
    if (action === null) continue;
    const conversation = await store.conversationById(db, actor.orgId, escalation.conversationId);
    if (conversation === undefined) continue;
    const books = action.kind === "book" || action.kind === "move";
    const known = books ? await knownOptions(ctx, conversation) : [];
    const zone = conversation.time_zone;
    const written = candidateMessage(
      {
        candidateName: conversation.candidate_name,
        subject: conversation.memory.subject,
        timeZone: zone,
        known,
      },
      action,
      LINK_PLACEHOLDER,
    );
    found.set(escalation.id, {
      choices: known.map((o) => ({ id: o.id, label: `${spanIn(o, zone)} (${zone})` })),
      chosen: books ? action.optionId : null,
      message: written?.text ?? null,
    });
  }
  return found;
}

/** The suggestion with the recruiter's changes, or a refusal naming the field at fault. */
async function edited(
  ctx: AssistantContext,
  conversation: store.Conversation,
  action: Action | null,
  edit: EscalationEdit,
): Promise<{ action: Action | null; known: OfferedOption[] }> {
  if (edit.optionId === undefined && edit.message === undefined) return { action, known: [] };
  if (action === null) {
    throw invalid("message", "This escalation has no suggestion to edit: dismiss it instead.");
  }
  let next = action;
  let known: OfferedOption[] = [];
  if (edit.optionId !== undefined) {
    if (action.kind !== "book" && action.kind !== "move") {
      throw invalid("optionId", "This suggestion books no time, so there is none to choose.");
    }
    known = await knownOptions(ctx, conversation);
    if (!known.some((o) => o.id === edit.optionId)) {
      throw invalid("optionId", "Choose one of the times listed: that one is no longer free.");
    }
    next = { ...action, optionId: edit.optionId };
  }
  if (edit.message !== undefined && messageless(next)) {
    throw invalid("message", "This suggestion sends the candidate no message to edit.");
  }
  return { action: next, known };
}

const messageless = (action: Action) =>
  !["offer", "book", "move", "confirm-cancel", "cancel"].includes(action.kind);

/**
 * A recruiter approves an escalation, with changes or without: Ally carries out its suggestion.
 * @example await approve(ctx, actor, "esc_…", { optionId: "opt_…", message: "Hi Sam, …" })
 */
export async function approve(
  ctx: AssistantContext,
  actor: Actor,
  escalationId: string,
  edit: EscalationEdit = {},
): Promise<string> {
  const { db, clock } = ctx.deps;
  const escalation = await store.escalationById(db, actor.orgId, escalationId);
  if (escalation === undefined) throw new AppError("NOT_FOUND", "escalation not found");
  if (escalation.status !== "open") {
    throw new AppError("CONFLICT", "This escalation was already resolved.");
  }
  const conversation = await store.conversationById(db, actor.orgId, escalation.conversationId);
  if (conversation === undefined) throw new AppError("NOT_FOUND", "conversation not found");
  const change = await edited(ctx, conversation, suggestionOf(escalation), edit);
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
  const action = change.action;
  if (action === null) return "approved: nothing to do";
  const outcome = await perform(ctx, conversation, action, {
    cause: `approved:${escalationId}`,
    text: escalation.messageText,
    reading: null,
    ...(edit.message === undefined ? {} : { ownWords: edit.message }),
    known: change.known,
  });
  const memory = rememberActions(conversation.memory, [action]);
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
