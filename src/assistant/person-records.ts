/**
 * What the assistant holds about one person for one organisation, for their access package
 * (privacy requests): the email conversations that arranged their interviews, each with the
 * messages in and out and what Ally made of them.
 */
import { sql } from "kysely";
import { type AnyHandle, assistantDb } from "./db.js";

const isoOf = (ms: number) => new Date(Number(ms)).toISOString();

/**
 * The person's conversations with the organisation's Ally address, oldest first.
 * @example await assistantConversationsOf(db, "org_…", "dana@example.com")
 *   // [{ status: "closed", startedAt: "2026-12-01T09:00:00.000Z", messages: [{ direction: "in", … }] }]
 */
export async function assistantConversationsOf(
  handle: AnyHandle,
  organisationId: string,
  email: string,
): Promise<Array<Record<string, unknown>>> {
  const db = assistantDb(handle);
  const conversations = await db
    .selectFrom("assistant_conversations")
    .select(["id", "status", "candidate_name", "candidate_email", "time_zone", "created_at"])
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(candidate_email)`, "=", email.trim().toLowerCase())
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const records: Array<Record<string, unknown>> = [];
  for (const conversation of conversations) {
    const messages = await db
      .selectFrom("assistant_messages")
      .select(["direction", "party", "address", "subject", "text_body", "note", "created_at"])
      .where("conversation_id", "=", conversation.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    records.push({
      name: conversation.candidate_name,
      email: conversation.candidate_email,
      timeZone: conversation.time_zone,
      status: conversation.status,
      startedAt: isoOf(conversation.created_at),
      messages: messages.map((m) => ({
        direction: m.direction,
        party: m.party,
        address: m.address,
        subject: m.subject,
        text: m.text_body,
        allyNote: m.note,
        at: isoOf(m.created_at),
      })),
    });
  }
  return records;
}
