/**
 * The outbox: modules enqueue messages in the same transaction as the change that causes them,
 * so a message exists exactly when its cause was committed. A worker (outbox-worker.ts) sends
 * each one once.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../errors.js";
import type { OrgId } from "../ids.js";
import { isRestricted } from "../privacy/restriction.js";
import { type AnyHandle, mailDb } from "./db.js";
import { DEFAULT_MAIL_LIMITS, limitPolicyOf, type MailLimits, overLimit } from "./send-limits.js";

export interface OutgoingMessage {
  organisationId: OrgId | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * An iMIP calendar part (RFC 6047): sent as a `text/calendar; method=…` alternative and as an
   * `invite.ics` attachment with the same content. `method` must equal the object's METHOD
   * line, or Outlook rejects the invitation.
   */
  calendar?: CalendarPart;
  /**
   * What the message is sent for, when one cause must send it once however often it is
   * enqueued (e.g. `reminder:bk_1:24h`): a second message with the same key is not queued, and
   * the first one's Message-ID is returned.
   */
  idempotencyKey?: string;
  /** Extra headers (In-Reply-To, References, Auto-Submitted, Reply-To), sent as given. */
  headers?: Record<string, string>;
}

export interface CalendarPart {
  method: "REQUEST" | "CANCEL" | "REPLY" | "PUBLISH";
  ics: string;
}

/** The METHOD property of an iCalendar object's VCALENDAR, upper case. */
export function calendarMethodOf(ics: string): string | undefined {
  return /^METHOD:([A-Za-z-]+)\r?$/m.exec(ics)?.[1]?.toUpperCase();
}

/** The Message-ID domain; from the configured sender address when it has one. */
function messageIdDomain(from: string | undefined): string {
  const match = from === undefined ? null : /@([^>\s]+)/.exec(from);
  return match?.[1] ?? "ally.localhost";
}

/**
 * Adds a message to the outbox; call inside the transaction that makes the change. Within the
 * sending limits (send-limits.ts) it is queued; over them, a message someone asked for is
 * refused (RATE_LIMITED) and a notice is left out (`messageId: null`, `notSent` says why).
 * Nothing but privacy-request mail goes to a restricted address (`notSent: "restricted"`).
 */
export async function enqueueMail(
  handle: AnyHandle,
  message: OutgoingMessage,
  now: number,
  from?: string,
  limits: MailLimits = DEFAULT_MAIL_LIMITS,
): Promise<{ messageId: string; notSent?: undefined } | { messageId: null; notSent: string }> {
  const db = mailDb(handle);
  if (message.calendar !== undefined) {
    const inFile = calendarMethodOf(message.calendar.ics);
    if (inFile !== message.calendar.method) {
      throw new Error(
        `the calendar part says method=${message.calendar.method} but its METHOD is ${inFile ?? "missing"}`,
      );
    }
  }
  // GDPR art. 18: nothing goes to a person who restricted the use of their data, except the
  // answers to their own privacy requests.
  if (!message.kind.startsWith("privacy-") && (await isRestricted(db, message.to))) {
    return { messageId: null, notSent: "restricted" };
  }
  const policy = limitPolicyOf(message.kind);
  if (policy !== "always") {
    const over = await overLimit(db, message, now, limits);
    if (over !== undefined && policy === "refuse") {
      throw new AppError(
        "RATE_LIMITED",
        "We sent this message a moment ago: please check your inbox (and spam folder) before asking again.",
        { detail: { reason: over } },
      );
    }
    if (over !== undefined) return { messageId: null, notSent: over };
  }
  if (message.idempotencyKey !== undefined) {
    const earlier = await queuedUnder(db, message.idempotencyKey);
    if (earlier !== undefined) return { messageId: earlier };
  }
  const messageId = `<${randomBytes(16).toString("hex")}@${messageIdDomain(from)}>`;
  const inserted = await db
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
      calendar_method: message.calendar?.method ?? null,
      calendar_ics: message.calendar?.ics ?? null,
      idempotency_key: message.idempotencyKey ?? null,
      headers: message.headers === undefined ? null : JSON.stringify(message.headers),
    })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 1n) === 0 && message.idempotencyKey) {
    // Another transaction queued it between the look and the insert.
    return { messageId: (await queuedUnder(db, message.idempotencyKey)) ?? messageId };
  }
  return { messageId };
}

async function queuedUnder(handle: AnyHandle, idempotencyKey: string): Promise<string | undefined> {
  const db = mailDb(handle);
  const row = await db
    .selectFrom("outbox")
    .select("message_id")
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
  return row?.message_id;
}

/** An outbox message as the development page lists it. */
export interface OutboxEntry {
  id: number;
  toAddress: string;
  subject: string;
  /** Empty once sent (see `filePath` for the copy written then). */
  textBody: string;
  createdAt: number;
  sentAt: number | null;
  filePath: string | null;
}

/** The newest `limit` messages of the outbox, newest first: for the development page only. */
export async function recentOutbox(handle: AnyHandle, limit: number): Promise<OutboxEntry[]> {
  const db = mailDb(handle);
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "to_address", "subject", "text_body", "created_at", "sent_at", "file_path"])
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    toAddress: row.to_address,
    subject: row.subject,
    textBody: row.text_body,
    createdAt: Number(row.created_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    filePath: row.file_path,
  }));
}
