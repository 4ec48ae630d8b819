/**
 * Sends what the outbox holds, once. The outbox is a lease queue (jobs/lease-queue.ts): each
 * worker claims one message at a time (SKIP LOCKED on PostgreSQL, the single writer on SQLite).
 * A worker that dies mid-send loses its lease and another takes the message over; the
 * Message-ID is fixed at enqueue time, so a receiver can drop the rare duplicate. After the
 * last attempt a message is a dead letter, listed for the organisation's admins.
 *
 * With `SMTP_URL` set, messages go to that relay; without it, each is written as an .eml file
 * under the outbox folder, for the development page to list: files readable by Ally's user
 * only (0600, in a 0700 folder), as they hold sign-in links.
 *
 * Once a message is sent its bodies (text, HTML, calendar part) are emptied in the outbox: they
 * carry live links that sign in, reset a password or act on a booking, and the table keeps
 * only who was sent what kind of message, when.
 */
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import { z } from "zod";
import type { Clock } from "../clock.js";
import { type QueueSpec, runNext, startQueueWorker } from "../jobs/lease-queue.js";
import type { RunningWorker } from "../jobs/polling.js";
import { parseStoredJson } from "../store/stored-json.js";
import type { AnyHandle } from "./db.js";
import { escapeHtml } from "./html.js";

export interface MailTransport {
  /** Delivers one message; returns where it went (a file path for the folder transport). */
  send(message: RenderedMessage): Promise<{ filePath?: string }>;
  close(): void;
}

export interface RenderedMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | undefined;
  messageId: string;
  /** iMIP: sent as nodemailer's `icalEvent` (a text/calendar alternative and invite.ics). */
  calendar?: { method: string; ics: string };
  /** Extra headers the sender set (threading, Auto-Submitted, Reply-To). */
  headers?: Record<string, string>;
}

/** nodemailer's fields for a rendered message. */
function mailOptions(message: RenderedMessage) {
  const { calendar, ...rest } = message;
  return {
    ...rest,
    html: message.html ?? undefined,
    ...(calendar === undefined
      ? {}
      : { icalEvent: { method: calendar.method, filename: "invite.ics", content: calendar.ics } }),
  };
}

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transporter.sendMail(mailOptions(message));
      return {};
    },
    close: () => transporter.close(),
  };
}

/** Writes each message as an RFC 5322 .eml file, named by outbox order. */
export function folderTransport(directory: string): MailTransport {
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  return {
    async send(message) {
      const info = await builder.sendMail(mailOptions(message));
      await mkdir(directory, { recursive: true, mode: 0o700 });
      // mkdir leaves an existing folder as it was.
      await chmod(directory, 0o700);
      const safeId = message.messageId.replace(/[^A-Za-z0-9.@-]/g, "");
      const filePath = resolve(join(directory, `${safeId}.eml`));
      // Written beside and renamed into place: a full disk leaves no half-written .eml, and
      // the message stays queued until it can be written whole. Readable by Ally's user only.
      const partPath = resolve(join(directory, `.${safeId}.eml.part`));
      try {
        await writeFile(partPath, info.message as Buffer, { mode: 0o600 });
        // The mode applies only to a new file; a retry after a failure overwrites the same one.
        await chmod(partPath, 0o600);
        await rename(partPath, filePath);
      } catch (error) {
        await rm(partPath, { force: true }).catch(() => undefined);
        throw error;
      }
      return { filePath };
    },
    close: () => builder.close(),
  };
}

export interface OutboxWorkerDeps {
  db: AnyHandle;
  clock: Clock;
  transport: MailTransport;
  from: string;
  /** How long a claim lasts before another worker may take the message over. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Spread of retry waits (config.queue.jitter); none unless given. */
  jitter?: number;
  log?: (line: string) => void;
  /** A line added at the end of every message (the privacy policy's address), when given. */
  footer?: string;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const LONGEST_WAIT_MS = 6 * 3_600_000;

const storedMessage = z.object({
  id: z.coerce.number(),
  kind: z.string(),
  to_address: z.string(),
  subject: z.string(),
  text_body: z.string(),
  html_body: z.string().nullable(),
  message_id: z.string(),
  calendar_method: z.string().nullable(),
  calendar_ics: z.string().nullable(),
  headers: z.string().nullable().optional(),
});
const extraHeaders = z.record(z.string(), z.string());
type StoredMessage = z.infer<typeof storedMessage>;

/**
 * The outbox as a lease queue (jobs/lease-queue.ts): unsent messages in order; a failed send
 * waits twice the lease, doubling per attempt (at most six hours). Sent, its bodies are emptied.
 */
export function outboxQueue(
  leaseMs = DEFAULT_LEASE_MS,
): QueueSpec<StoredMessage, { filePath?: string }> {
  return {
    name: "outbox",
    table: "outbox",
    due: () => sql`sent_at is null`,
    order: sql`id`,
    orgColumn: "organisation_id",
    parse: (row) => storedMessage.parse(row),
    backoffMs: (attempts) => Math.min(leaseMs * 2 ** attempts, LONGEST_WAIT_MS),
    onDone: (result, now) => ({
      sent_at: now,
      file_path: result.filePath ?? null,
      text_body: "",
      html_body: null,
      calendar_ics: null,
    }),
    onRetry: () => ({ last_error: null }),
    describe: (row) => String(row.kind),
  };
}

/** Claims and sends one due message; returns false when there was nothing to send. */
export async function sendNext(deps: OutboxWorkerDeps): Promise<boolean> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  return (await runNext(outboxQueue(leaseMs), sender(deps), queueOptions(deps))) !== "idle";
}

function sender(deps: OutboxWorkerDeps) {
  return (row: StoredMessage) =>
    deps.transport.send({
      from: deps.from,
      to: row.to_address,
      subject: row.subject,
      text: deps.footer === undefined ? row.text_body : `${row.text_body}\n\n-- \n${deps.footer}\n`,
      html:
        row.html_body === null || deps.footer === undefined
          ? (row.html_body ?? undefined)
          : withHtmlFooter(row.html_body, deps.footer),
      messageId: row.message_id,
      ...(row.headers === null || row.headers === undefined
        ? {}
        : { headers: parseStoredJson(extraHeaders, row.headers, `outbox.headers of ${row.id}`) }),
      ...(row.calendar_method === null || row.calendar_ics === null
        ? {}
        : { calendar: { method: row.calendar_method, ics: row.calendar_ics } }),
    });
}

/** The footer as a last paragraph, inside the body when the HTML has one. */
function withHtmlFooter(html: string, footer: string): string {
  const line = `<p style="color:#555;font-size:small">${escapeHtml(footer)}</p>`;
  const end = html.lastIndexOf("</body>");
  return end === -1 ? `${html}${line}` : `${html.slice(0, end)}${line}${html.slice(end)}`;
}

function queueOptions(deps: OutboxWorkerDeps) {
  return {
    db: deps.db,
    clock: deps.clock,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(deps.jitter === undefined ? {} : { jitter: deps.jitter }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
}

export type { RunningWorker };

/** Polls the outbox every `pollMs` until stopped. */
export function startOutboxWorker(deps: OutboxWorkerDeps & { pollMs: number }): RunningWorker {
  return startQueueWorker(outboxQueue(deps.leaseMs ?? DEFAULT_LEASE_MS), sender(deps), {
    ...queueOptions(deps),
    pollMs: deps.pollMs,
    onStop: () => deps.transport.close(),
  });
}
