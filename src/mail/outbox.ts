/**
 * The outbox: modules enqueue messages in the same transaction as the change that causes them,
 * so a message exists exactly when its cause was committed. A worker (outbox-worker.ts) sends
 * each one once.
 */
import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { OrgId } from "../accounts/ids.js";
import type { Database } from "../store/schema.js";

export interface OutgoingMessage {
  organisationId: OrgId | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** The Message-ID domain; from the configured sender address when it has one. */
function messageIdDomain(from: string | undefined): string {
  const match = from === undefined ? null : /@([^>\s]+)/.exec(from);
  return match?.[1] ?? "ally.localhost";
}

/** Adds a message to the outbox; call inside the transaction that makes the change. */
export async function enqueueMail(
  db: Kysely<Database> | Transaction<Database>,
  message: OutgoingMessage,
  now: number,
  from?: string,
): Promise<{ messageId: string }> {
  const messageId = `<${randomBytes(16).toString("hex")}@${messageIdDomain(from)}>`;
  await db
    .insertInto("outbox")
    .values({
      organisation_id: message.organisationId,
      kind: message.kind,
      to_address: message.to,
      subject: message.subject,
      text_body: message.text,
      html_body: message.html ?? null,
      created_at: now,
      claimed_until: null,
      sent_at: null,
      attempts: 0,
      last_error: null,
      message_id: messageId,
      file_path: null,
    })
    .execute();
  return { messageId };
}
