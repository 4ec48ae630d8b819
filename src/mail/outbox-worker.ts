/**
 * Sends what the outbox holds, once. Each worker claims one message at a time with a lease
 * (`claimed_until`): a conditional update that only one worker can win, on SQLite and
 * PostgreSQL alike. A worker that dies mid-send loses its lease and another takes the message
 * over; the Message-ID is fixed at enqueue time, so a receiver can drop the rare duplicate.
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
import type { Kysely } from "kysely";
import nodemailer from "nodemailer";
import type { Clock } from "../clock.js";
import { type RunningWorker, startPolling } from "../jobs/polling.js";
import type { Database } from "../store/schema.js";

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
  db: Kysely<Database>;
  clock: Clock;
  transport: MailTransport;
  from: string;
  /** How long a claim lasts before another worker may take the message over. */
  leaseMs?: number;
  maxAttempts?: number;
  log?: (line: string) => void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;

/** Claims and sends one due message; returns false when there was nothing to send. */
export async function sendNext(deps: OutboxWorkerDeps): Promise<boolean> {
  const { db, clock } = deps;
  const now = clock.now();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const candidate = await db
    .selectFrom("outbox")
    .select(["id", "attempts"])
    .where("sent_at", "is", null)
    .where("attempts", "<", maxAttempts)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (candidate === undefined) return false;
  // The claim: only the worker whose update matches the row as it saw it wins.
  const claimed = await db
    .updateTable("outbox")
    .set({ claimed_until: now + leaseMs, attempts: candidate.attempts + 1 })
    .where("id", "=", candidate.id)
    .where("sent_at", "is", null)
    .where("attempts", "=", candidate.attempts)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return true; // another worker won; look again
  const row = await db
    .selectFrom("outbox")
    .selectAll()
    .where("id", "=", candidate.id)
    .executeTakeFirstOrThrow();
  try {
    const result = await deps.transport.send({
      from: deps.from,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body ?? undefined,
      messageId: row.message_id,
      ...(row.calendar_method === null || row.calendar_ics === null
        ? {}
        : { calendar: { method: row.calendar_method, ics: row.calendar_ics } }),
    });
    await db
      .updateTable("outbox")
      .set({
        sent_at: clock.now(),
        claimed_until: null,
        last_error: null,
        file_path: result.filePath ?? null,
        text_body: "",
        html_body: null,
        calendar_ics: null,
      })
      .where("id", "=", row.id)
      .execute();
  } catch (error) {
    // Retry later with backoff: the lease doubles with each attempt.
    const backoffMs = Math.min(leaseMs * 2 ** row.attempts, 6 * 3_600_000);
    await db
      .updateTable("outbox")
      .set({
        claimed_until: clock.now() + backoffMs,
        last_error: String((error as Error).message).slice(0, 500),
      })
      .where("id", "=", row.id)
      .execute();
    deps.log?.(
      `ally: outbox message ${row.id} (${row.kind}) not sent: ${(error as Error).message}`,
    );
  }
  return true;
}

export type { RunningWorker };

/** Polls the outbox every `pollMs` until stopped. */
export function startOutboxWorker(deps: OutboxWorkerDeps & { pollMs: number }): RunningWorker {
  return startPolling(() => sendNext(deps), {
    pollMs: deps.pollMs,
    name: "outbox worker",
    ...(deps.log === undefined ? {} : { log: deps.log }),
    onStop: () => deps.transport.close(),
  });
}
