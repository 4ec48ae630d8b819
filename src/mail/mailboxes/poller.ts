/**
 * Polling the connected mailboxes: any number of processes run this loop; each claims one due
 * connection at a time with a lease in the database, reads what is new, and stores it through
 * the same function as the SMTP listener (inbound.ts storeInbound), so a message that arrives by
 * two paths, or is read by two processes, is stored, and handled, once. A failed poll is
 * retried after a backoff that doubles up to `MAX_BACKOFF_MS`; its error is kept for the page.
 */
import { sql } from "kysely";
import type { Clock } from "../../clock.js";
import { type RunningWorker, startPolling } from "../../jobs/polling.js";
import type { SecretStore } from "../../secrets/secret-store.js";
import { type AnyHandle, mailDb } from "../db.js";
import type { Envelope } from "../inbound.js";
import type { MailboxConnectionsTable, MailboxKind } from "../tables.js";
import { envelopeFromMailbox } from "./envelope.js";
import { readImapInbox } from "./imap.js";
import { openSecret } from "./secret.js";

/** Stores one received message (inbound.ts storeInbound with the listener's options). */
export type StoreMessage = (
  raw: Buffer,
  envelope: Envelope,
) => Promise<{ stored: boolean; messageId: string }>;

/**
 * Reads a mailbox that is not IMAP (Gmail, Microsoft 365: provider-mail.ts): stores what is new
 * and returns the new cursor.
 */
export type MailboxReader = (
  row: MailboxConnectionsTable,
  store: (raw: Buffer) => Promise<void>,
) => Promise<{ cursor: string | null }>;

export interface PollerDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  store: StoreMessage;
  resolveHost: (host: string) => Promise<string>;
  /** How often each mailbox is read (config.mail.mailboxPollSeconds). */
  intervalMs: number;
  /** Messages larger than this are passed over (the SMTP listener's limit). */
  maxBytes: number;
  /** Readers for Gmail and Microsoft 365 mailboxes, when configured. */
  readers?: Partial<Record<"gmail" | "microsoft", MailboxReader>>;
  leaseMs?: number;
  batchSize?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export const MAX_BACKOFF_MS = 30 * 60_000;
const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_BATCH = 100;

/** The wait before the next poll after `failures` failed polls in a row. */
export function backoffMs(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(intervalMs * 2 ** Math.min(failures, 20), Math.max(MAX_BACKOFF_MS, intervalMs));
}

/** Claims one due connection for this process; undefined when none is due. */
async function claimDue(
  deps: PollerDeps,
  kinds: MailboxKind[],
): Promise<MailboxConnectionsTable | undefined> {
  const now = deps.clock.now();
  const candidates = await mailDb(deps.db)
    .selectFrom("mailbox_connections")
    .select("id")
    .where("kind", "in", kinds)
    .where((eb) => eb.or([eb("next_poll_at", "is", null), eb("next_poll_at", "<=", now)]))
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .orderBy(sql`coalesce(next_poll_at, 0)`)
    .limit(5)
    .execute();
  for (const { id } of candidates) {
    const claimed = await mailDb(deps.db)
      .updateTable("mailbox_connections")
      .set({ claimed_until: now + (deps.leaseMs ?? DEFAULT_LEASE_MS) })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) {
      return mailDb(deps.db)
        .selectFrom("mailbox_connections")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
    }
  }
  return undefined;
}

/** An error as kept for the page: no newlines, bounded, and never the secret. */
function describeError(error: unknown): string {
  const e = error as { message?: unknown; responseText?: unknown; authenticationFailed?: unknown };
  if (e.authenticationFailed === true) return "the server refused the user name and password";
  const text = typeof e.responseText === "string" ? e.responseText : String(e.message ?? error);
  return text.replace(/\s+/g, " ").slice(0, 500);
}

async function readOne(deps: PollerDeps, row: MailboxConnectionsTable): Promise<string> {
  const store = async (raw: Buffer) => {
    await deps.store(raw, envelopeFromMailbox(raw, row.address));
  };
  if (row.kind === "gmail" || row.kind === "microsoft") {
    const reader = deps.readers?.[row.kind];
    if (reader === undefined) throw new Error(`${row.kind} mail is not set up on this server`);
    const { cursor } = await reader(row, store);
    await mailDb(deps.db)
      .updateTable("mailbox_connections")
      .set({ cursor })
      .where("id", "=", row.id)
      .execute();
    return "read";
  }
  const secret = await openSecret(deps.box, row);
  if (secret.kind !== "imap") throw new Error(`a ${row.kind} mailbox is not polled`);
  const result = await readImapInbox(
    secret,
    { uidvalidity: row.uidvalidity, lastUid: row.last_uid },
    {
      resolveHost: deps.resolveHost,
      store,
      saveCursor: async (cursor) => {
        await mailDb(deps.db)
          .updateTable("mailbox_connections")
          .set({ uidvalidity: cursor.uidvalidity, last_uid: cursor.lastUid })
          .where("id", "=", row.id)
          .execute();
      },
      handledFolder: row.handled_folder,
      maxBytes: deps.maxBytes,
      batchSize: deps.batchSize ?? DEFAULT_BATCH,
      timeoutMs: deps.timeoutMs ?? 20_000,
      ...(deps.log === undefined ? {} : { log: deps.log }),
    },
  );
  return `${result.stored} read${result.resynced ? " after a UIDVALIDITY change" : ""}`;
}

/** Polls one due mailbox; false when none was due. */
export async function pollNextMailbox(deps: PollerDeps): Promise<boolean> {
  const kinds: MailboxKind[] = ["imap"];
  if (deps.readers?.gmail !== undefined) kinds.push("gmail");
  if (deps.readers?.microsoft !== undefined) kinds.push("microsoft");
  const row = await claimDue(deps, kinds);
  if (row === undefined) return false;
  try {
    await readOne(deps, row);
    const now = deps.clock.now();
    await mailDb(deps.db)
      .updateTable("mailbox_connections")
      .set({
        last_polled_at: now,
        last_error: null,
        failure_count: 0,
        next_poll_at: now + deps.intervalMs,
        claimed_until: null,
      })
      .where("id", "=", row.id)
      .execute();
  } catch (error) {
    const now = deps.clock.now();
    const failures = row.failure_count + 1;
    const message = describeError(error);
    deps.log?.(`ally: mailbox ${row.id}: ${message}`);
    await mailDb(deps.db)
      .updateTable("mailbox_connections")
      .set({
        last_polled_at: now,
        last_error: message,
        failure_count: failures,
        next_poll_at: now + backoffMs(deps.intervalMs, failures),
        claimed_until: null,
      })
      .where("id", "=", row.id)
      .execute();
  }
  return true;
}

/** Polls the due mailboxes every `pollMs`, in this process, until stopped. */
export function startMailboxPoller(deps: PollerDeps & { pollMs: number }): RunningWorker {
  return startPolling(() => pollNextMailbox(deps), {
    pollMs: deps.pollMs,
    name: "mailboxes",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
