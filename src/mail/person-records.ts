/**
 * What the mail module holds about one person, for their access package (privacy requests):
 * the messages Ally wrote to them (the outbox) and the messages it received from them (inbound
 * mail). A sent message's bodies are emptied once it has gone (outbox.ts): what is left is
 * listed as it is.
 */
import { sql } from "kysely";
import { type AnyHandle, mailDb } from "./db.js";

export interface PersonMail {
  /** Messages to the person, for this controller (an organisation's, or the operator's: null). */
  sent: Array<Record<string, unknown>>;
  /** Messages from the person. Inbound mail is not filed by organisation, so all of it. */
  received: Array<Record<string, unknown>>;
}

const isoOf = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export async function personMail(
  handle: AnyHandle,
  email: string,
  organisationId: string | null,
): Promise<PersonMail> {
  const db = mailDb(handle);
  const address = email.trim().toLowerCase();
  let outgoing = db
    .selectFrom("outbox")
    .select(["kind", "to_address", "subject", "text_body", "created_at", "sent_at"])
    .where(sql<string>`lower(to_address)`, "=", address);
  outgoing =
    organisationId === null
      ? outgoing.where("organisation_id", "is", null)
      : outgoing.where("organisation_id", "=", organisationId);
  const sent = await outgoing.orderBy("id").execute();
  const received = await db
    .selectFrom("inbound_mail")
    .select(["from_address", "subject", "text_body", "received_at"])
    .where(sql<string>`lower(from_address)`, "=", address)
    .orderBy("id")
    .execute();
  return {
    sent: sent.map((m) => ({
      kind: m.kind,
      to: m.to_address,
      subject: m.subject,
      text: m.text_body === "" ? null : m.text_body,
      createdAt: isoOf(m.created_at),
      sentAt: isoOf(m.sent_at),
    })),
    received: received.map((m) => ({
      from: m.from_address,
      subject: m.subject,
      text: m.text_body,
      receivedAt: isoOf(m.received_at),
    })),
  };
}
