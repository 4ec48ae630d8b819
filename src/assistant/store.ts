/**
 * The assistant's rows: settings, conversations, messages and escalations. Every read is scoped
 * to one organisation, except finding a conversation by its reply address or by a Message-ID
 * Ally sent, which is how a reply names its thread.
 */
import { z } from "zod";
import { mintOrgId, newId, type OrgId } from "../ids.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type AnyHandle, assistantDb } from "./db.js";
import type { AssistantConversationsTable, AssistantEscalationsTable } from "./tables.js";

type Q = AnyHandle;

export type Settings = {
  organisationId: string;
  address: string;
  reviewMode: boolean;
  followUpsMax: number;
};

/**
 * The organisation's Ally address when none was chosen: `ally-<organisation id in hex>@domain`
 * (hex, as mail systems may fold the case of local parts).
 */
export function defaultAddress(orgId: string, domain: string): string {
  return `ally-${Buffer.from(orgId, "utf8").toString("hex")}@${domain.toLowerCase()}`;
}

/** The organisation a default address names, or undefined. */
export function organisationOfDefault(address: string, domain: string): string | undefined {
  const match = /^ally-([0-9a-f]{2,200})@(.+)$/.exec(address.trim().toLowerCase());
  if (match === null || match[2] !== domain.toLowerCase()) return undefined;
  return Buffer.from(match[1] ?? "", "hex").toString("utf8");
}

/** The organisation's settings; the defaults until someone saves them. Reading writes nothing. */
export async function settingsOf(
  handle: Q,
  orgId: OrgId,
  domain: string,
  _now: number,
): Promise<Settings> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_settings")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  if (row !== undefined) {
    return {
      organisationId: row.organisation_id,
      address: row.address,
      reviewMode: Number(row.review_mode) === 1,
      followUpsMax: Number(row.follow_ups_max),
    };
  }
  return {
    organisationId: orgId,
    address: defaultAddress(orgId, domain),
    reviewMode: false,
    followUpsMax: 2,
  };
}

export async function saveSettings(
  handle: Q,
  orgId: OrgId,
  domain: string,
  changes: { reviewMode: boolean; followUpsMax: number },
  now: number,
): Promise<Settings> {
  const db = assistantDb(handle);
  await db
    .insertInto("assistant_settings")
    .values({
      organisation_id: orgId,
      address: defaultAddress(orgId, domain),
      review_mode: 0,
      follow_ups_max: 2,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("organisation_id").doNothing())
    .execute();
  await db
    .updateTable("assistant_settings")
    .set({
      review_mode: changes.reviewMode ? 1 : 0,
      follow_ups_max: changes.followUpsMax,
      updated_at: now,
    })
    .where("organisation_id", "=", orgId)
    .execute();
  return settingsOf(db, orgId, domain, now);
}

/** The organisation an Ally address belongs to, among `addresses` (saved or default). */
export async function organisationAddressed(
  handle: Q,
  addresses: readonly string[],
  domain: string,
): Promise<Settings | undefined> {
  const db = assistantDb(handle);
  const lower = [...new Set(addresses.map((a) => a.trim().toLowerCase()))].filter((a) => a !== "");
  if (lower.length === 0) return undefined;
  const row = await db
    .selectFrom("assistant_settings")
    .selectAll()
    .where("address", "in", lower)
    .executeTakeFirst();
  if (row === undefined) {
    for (const address of lower) {
      const orgId = organisationOfDefault(address, domain);
      if (orgId === undefined) continue;
      const settings = await settingsOf(db, mintOrgId(orgId), domain, 0);
      // A saved address replaces the default one.
      if (settings.address === address) return settings;
    }
    return undefined;
  }
  return {
    organisationId: row.organisation_id,
    address: row.address,
    reviewMode: Number(row.review_mode) === 1,
    followUpsMax: Number(row.follow_ups_max),
  };
}

export const memorySchema = z.object({
  offered: z.array(z.object({ id: z.string(), start: z.string(), end: z.string() })),
  awaitingCancelConfirmation: z.boolean(),
  rescheduleAsked: z.boolean(),
  /** The thread's subject, for replies. */
  subject: z.string(),
  /** The Message-IDs of the thread, oldest first (References). */
  references: z.array(z.string()),
});
export type Memory = z.infer<typeof memorySchema>;

export type Conversation = Omit<AssistantConversationsTable, "memory"> & { memory: Memory };

function toConversation(row: AssistantConversationsTable): Conversation {
  return {
    ...row,
    follow_ups_sent: Number(row.follow_ups_sent),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    memory: parseStoredJson(
      memorySchema,
      row.memory,
      `assistant_conversations.memory of ${row.id}`,
    ),
  };
}

export async function createConversation(
  handle: Q,
  row: Omit<AssistantConversationsTable, "id" | "memory" | "follow_ups_sent"> & { memory: Memory },
): Promise<Conversation> {
  const db = assistantDb(handle);
  const id = newId("conv");
  await db
    .insertInto("assistant_conversations")
    .values({ ...row, id, follow_ups_sent: 0, memory: JSON.stringify(row.memory) })
    .execute();
  const created = await conversationById(db, row.organisation_id, id);
  if (created === undefined) throw new Error(`conversation ${id} not stored`);
  return created;
}

export async function conversationById(
  handle: Q,
  orgId: string,
  id: string,
): Promise<Conversation | undefined> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_conversations")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? undefined : toConversation(row);
}

/** The conversation whose reply address is among `recipients`. */
export async function conversationByAddress(
  handle: Q,
  recipients: readonly string[],
): Promise<Conversation | undefined> {
  const db = assistantDb(handle);
  const lower = [...new Set(recipients.map((a) => a.trim().toLowerCase()))].filter((a) => a !== "");
  if (lower.length === 0) return undefined;
  const row = await db
    .selectFrom("assistant_conversations")
    .selectAll()
    .where("reply_address", "in", lower)
    .executeTakeFirst();
  return row === undefined ? undefined : toConversation(row);
}

/** The conversation one of `messageIds` was sent or received on. */
export async function conversationByMessageIds(
  handle: Q,
  messageIds: readonly string[],
): Promise<Conversation | undefined> {
  const db = assistantDb(handle);
  if (messageIds.length === 0) return undefined;
  const message = await db
    .selectFrom("assistant_messages")
    .select(["organisation_id", "conversation_id"])
    .where("message_id", "in", [...new Set(messageIds)])
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (message === undefined) return undefined;
  return conversationById(db, message.organisation_id, message.conversation_id);
}

export async function updateConversation(
  handle: Q,
  conversation: Pick<Conversation, "id" | "organisation_id">,
  changes: Partial<{
    memory: Memory;
    status: string;
    request_id: string;
    follow_ups_sent: number;
  }>,
  now: number,
): Promise<void> {
  const db = assistantDb(handle);
  const { memory, ...rest } = changes;
  await db
    .updateTable("assistant_conversations")
    .set({
      ...rest,
      ...(memory === undefined ? {} : { memory: JSON.stringify(memory) }),
      updated_at: now,
    })
    .where("organisation_id", "=", conversation.organisation_id)
    .where("id", "=", conversation.id)
    .execute();
}

/** Records a message; false when one with this direction and Message-ID is already recorded. */
export async function recordMessage(
  handle: Q,
  row: {
    organisation_id: string;
    conversation_id: string;
    direction: "in" | "out";
    message_id: string;
    party: string;
    address: string;
    subject: string;
    text_body: string;
    note: string;
    created_at: number;
  },
): Promise<boolean> {
  const db = assistantDb(handle);
  const result = await db
    .insertInto("assistant_messages")
    .values({ ...row, text_body: row.text_body.slice(0, 20_000), note: row.note.slice(0, 500) })
    .onConflict((oc) => oc.columns(["direction", "message_id"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Ally's messages on the conversation since `since`. */
export async function sentSince(handle: Q, conversationId: string, since: number): Promise<number> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_messages")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("conversation_id", "=", conversationId)
    .where("direction", "=", "out")
    .where("party", "=", "candidate")
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The candidate's answers on the conversation since `since` (automatic replies are not). */
export async function answersSince(
  handle: Q,
  conversationId: string,
  since: number,
): Promise<number> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_messages")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("conversation_id", "=", conversationId)
    .where("direction", "=", "in")
    .where("party", "=", "candidate")
    .where("note", "=", "answer")
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type Escalation = {
  id: string;
  conversationId: string;
  requestId: string | null;
  messageText: string;
  reading: unknown;
  suggested: unknown;
  reason: string;
  status: string;
  createdAt: number;
};

function toEscalation(row: AssistantEscalationsTable): Escalation {
  const json = z.unknown();
  return {
    id: row.id,
    conversationId: row.conversation_id,
    requestId: row.request_id,
    messageText: row.message_text,
    reading: parseStoredJson(json, row.reading, `assistant_escalations.reading of ${row.id}`),
    suggested:
      row.suggested === null
        ? null
        : parseStoredJson(json, row.suggested, `assistant_escalations.suggested of ${row.id}`),
    reason: row.reason,
    status: row.status,
    createdAt: Number(row.created_at),
  };
}

export async function addEscalation(
  handle: Q,
  row: Omit<AssistantEscalationsTable, "id" | "status" | "resolved_at" | "resolved_by">,
): Promise<string> {
  const db = assistantDb(handle);
  const id = newId("esc");
  await db
    .insertInto("assistant_escalations")
    .values({ ...row, id, status: "open", resolved_at: null, resolved_by: null })
    .execute();
  return id;
}

export async function openEscalations(handle: Q, orgId: OrgId): Promise<Escalation[]> {
  const db = assistantDb(handle);
  const rows = await db
    .selectFrom("assistant_escalations")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("status", "=", "open")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toEscalation);
}

export async function escalationById(
  handle: Q,
  orgId: OrgId,
  id: string,
): Promise<Escalation | undefined> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_escalations")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? undefined : toEscalation(row);
}

/** Closes an open escalation; false when it was no longer open (someone else resolved it). */
export async function resolveEscalation(
  handle: Q,
  orgId: OrgId,
  id: string,
  status: "approved" | "dismissed",
  userId: string,
  now: number,
): Promise<boolean> {
  const db = assistantDb(handle);
  const result = await db
    .updateTable("assistant_escalations")
    .set({ status, resolved_at: now, resolved_by: userId })
    .where("organisation_id", "=", orgId)
    .where("id", "=", id)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const intakeMailSchema = z.object({
  fromAddress: z.string(),
  to: z.array(z.object({ address: z.string(), name: z.string() })),
  cc: z.array(z.object({ address: z.string(), name: z.string() })),
  subject: z.string(),
  text: z.string(),
  messageId: z.string(),
});
/** The recruiter's email a conversation started from (intake.ts `IntakeMail` and its id). */
export type IntakeMailFacts = z.infer<typeof intakeMailSchema>;

/** The recruiter's email the conversation started from. */
export async function intakeMail(handle: Q, conversationId: string): Promise<IntakeMailFacts> {
  const db = assistantDb(handle);
  const row = await db
    .selectFrom("assistant_messages")
    .select(["id", "text_body"])
    .where("conversation_id", "=", conversationId)
    .where("note", "=", "intake")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  return parseStoredJson(
    intakeMailSchema,
    row.text_body,
    `assistant_messages.text_body of ${row.id}`,
  );
}

export async function setCandidate(
  handle: Q,
  conversation: Pick<Conversation, "id" | "organisation_id">,
  candidate: { email: string; name: string },
  timeZone: string,
): Promise<void> {
  const db = assistantDb(handle);
  await db
    .updateTable("assistant_conversations")
    .set({ candidate_email: candidate.email, candidate_name: candidate.name, time_zone: timeZone })
    .where("organisation_id", "=", conversation.organisation_id)
    .where("id", "=", conversation.id)
    .execute();
}
