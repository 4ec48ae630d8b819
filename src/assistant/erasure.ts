/**
 * The assistant's part of an erasure (privacy/erasure.ts). A conversation about the person (its
 * candidate's address is theirs, or it arranges one of their requests) goes with every message
 * and escalation in it. Elsewhere (a conversation about someone else that names them: an
 * interviewer's reply, a recruiter's note) their email, name and phone are redacted from the
 * text, and the rest of that conversation stays for its own candidate.
 */
import { sql } from "kysely";
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  mentions,
  needlesOf,
  redactedColumns,
  type SubjectFacts,
  type TableErasure,
} from "../privacy/erasure-subject.js";
import { type AnyHandle, type AssistantDb, assistantDb } from "./db.js";
import type { AssistantTables } from "./tables.js";

/** Free-text columns that may name someone other than the conversation's candidate. */
const TEXT_COLUMNS = {
  assistant_conversations: ["candidate_name", "memory"],
  assistant_messages: ["address", "subject", "text_body", "note"],
  assistant_escalations: ["message_text", "reading", "suggested"],
} as const;

type TextTable = keyof typeof TEXT_COLUMNS;

/** Addresses are compared in lower case (the subject's are normalised). */
const lowerEmail = sql<string>`lower(candidate_email)`;

/** The conversations whose candidate is the person, within the erasure's scope. */
async function ownConversations(db: AssistantDb, subject: ErasureSubject): Promise<string[]> {
  if (subject.emails.length === 0) return [];
  let query = db
    .selectFrom("assistant_conversations")
    .select("id")
    .where((eb) =>
      eb.or([
        eb(lowerEmail, "in", subject.emails),
        ...(subject.requestIds.length === 0 ? [] : [eb("request_id", "in", subject.requestIds)]),
      ]),
    );
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  return (await query.execute()).map((row) => row.id);
}

async function deleteConversations(
  db: AssistantDb,
  ids: readonly string[],
): Promise<Record<string, TableErasure>> {
  if (ids.length === 0) return {};
  const gone = async (table: "assistant_messages" | "assistant_escalations") =>
    affected(await db.deleteFrom(table).where("conversation_id", "in", ids).executeTakeFirst());
  const messages = await gone("assistant_messages");
  const escalations = await gone("assistant_escalations");
  const conversations = affected(
    await db.deleteFrom("assistant_conversations").where("id", "in", ids).executeTakeFirst(),
  );
  return {
    assistant_messages: { deleted: messages, anonymised: 0 },
    assistant_escalations: { deleted: escalations, anonymised: 0 },
    assistant_conversations: { deleted: conversations, anonymised: 0 },
  };
}

/** Redacts the person from one table's free text, in the erasure's scope; rows changed. */
async function redactTable(
  db: AssistantDb,
  table: TextTable,
  subject: ErasureSubject,
  needles: readonly string[],
): Promise<number> {
  const columns: readonly string[] = TEXT_COLUMNS[table];
  // The three tables share `id` and `organisation_id`; the query is built on one of them and
  // the table name swapped in, so the column list stays checked against the table types.
  const from = db.selectFrom(table as "assistant_escalations");
  let query = from
    .select(["id", ...(columns as Array<keyof AssistantTables["assistant_escalations"]>)])
    .where((eb) => mentions(eb, columns, needles));
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  let changed = 0;
  for (const row of await query.execute()) {
    const changes = redactedColumns(row as Record<string, unknown>, columns, needles);
    if (changes === undefined) continue;
    await db
      .updateTable(table as "assistant_escalations")
      .set(changes)
      .where("id", "=", row.id as string)
      .execute();
    changed += 1;
  }
  return changed;
}

async function identify(handle: AnyHandle, subject: ErasureSubject): Promise<SubjectFacts> {
  if (subject.emails.length === 0) return {};
  let query = assistantDb(handle)
    .selectFrom("assistant_conversations")
    .select("candidate_name")
    .where(lowerEmail, "in", subject.emails);
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  return { names: (await query.execute()).map((row) => row.candidate_name) };
}

async function erase(handle: AnyHandle, subject: ErasureSubject) {
  const db = assistantDb(handle);
  const tables = await deleteConversations(db, await ownConversations(db, subject));
  const needles = needlesOf(subject);
  for (const table of Object.keys(TEXT_COLUMNS) as TextTable[]) {
    const anonymised = await redactTable(db, table, subject, needles);
    const before = tables[table] ?? { deleted: 0, anonymised: 0 };
    tables[table] = { deleted: before.deleted, anonymised: before.anonymised + anonymised };
  }
  return { tables };
}

/** The assistant's erasure step. */
export const assistantErasure: ModuleErasure = { module: "assistant", identify, erase };
