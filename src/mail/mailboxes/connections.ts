/**
 * Mailbox connections as an organisation's admins manage them: connect an IMAP mailbox (checked
 * by logging in once, which also fixes where "new mail" starts), set up an inbound-parse webhook
 * (its key shown once), list them with their last poll and last error, test one, remove one.
 * Every read and write is scoped to the caller's organisation; a connection of another
 * organisation is "not found".
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../../clock.js";
import { AppError, forbidden, invalid, notFound } from "../../errors.js";
import { newId, type OrgId } from "../../ids.js";
import type { SecretStore } from "../../secrets/secret-store.js";
import { type AnyHandle, type MailDb, mailDb } from "../db.js";
import type { MailboxConnectionsTable, MailboxKind } from "../tables.js";
import { imapBaseline } from "./imap.js";
import type { StoreMessage } from "./poller.js";
import { type ImapSecret, openSecret, sealSecret } from "./secret.js";
import { receiveWebhook, type WebhookCredentials, type WebhookPost } from "./webhook.js";

/**
 * Who asks: the organisation the auth layer proved, and whether the caller's role may manage
 * the organisation's settings (accounts/permissions.ts `members:manage`: owners and admins).
 */
export interface MailboxActor {
  orgId: OrgId;
  mayManage: boolean;
}

export interface MailboxDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  /** Resolves an IMAP host to the address to connect to; refuses private networks unless allowed. */
  resolveHost: (host: string) => Promise<string>;
  /** Stores a received message (inbound.ts storeInbound with the listener's options). */
  store: StoreMessage;
  /** The largest message a webhook may post. */
  maxBytes: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface MailboxConnection {
  id: string;
  kind: MailboxKind;
  label: string;
  address: string;
  handledFolder: string | null;
  /** RFC 3339, or null before the first poll. */
  lastPolledAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export interface ImapInput {
  label: string;
  address: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  /** Empty: leave handled mail in the INBOX. */
  handledFolder: string;
}

export const DEFAULT_HANDLED_FOLDER = "Ally/Handled";
const DEFAULT_TIMEOUT_MS = 20_000;
const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toConnection(row: MailboxConnectionsTable): MailboxConnection {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    address: row.address,
    handledFolder: row.handled_folder,
    lastPolledAt: row.last_polled_at === null ? null : iso(row.last_polled_at),
    lastError: row.last_error,
    createdAt: iso(row.created_at),
  };
}

function requireManage(actor: MailboxActor): void {
  if (!actor.mayManage) throw forbidden("only owners and admins manage Ally's mailboxes");
}

const EMAIL =
  /^[^\s@<>"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$|^[^\s@<>"]{1,64}@localhost$/;
const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/;
const FOLDER = /^[^\\*%"\r\n]{1,200}$/;

/** The form's fields checked, each refusal naming its field. */
export function checkImapInput(input: ImapInput): ImapInput {
  const label = input.label.trim();
  const address = input.address.trim().toLowerCase();
  const host = input.host.trim().toLowerCase();
  const username = input.username.trim();
  const handledFolder = input.handledFolder.trim();
  if (label.length > 100) throw invalid("label", "the name is too long (at most 100 characters)");
  if (!EMAIL.test(address)) throw invalid("address", "enter the mailbox's email address");
  if (!HOST.test(host))
    throw invalid("host", "enter the IMAP server's name, e.g. imap.example.com");
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65_535) {
    throw invalid("port", "the port is a number from 1 to 65535 (usually 993)");
  }
  if (username === "" || username.length > 320) throw invalid("username", "enter the user name");
  if (input.password === "" || input.password.length > 1000) {
    throw invalid("password", "enter the (app-specific) password");
  }
  if (handledFolder !== "" && !FOLDER.test(handledFolder)) {
    throw invalid("handledFolder", "a folder name without \\ * % or quotes, e.g. Ally/Handled");
  }
  return { ...input, label: label || address, address, host, username, handledFolder };
}

/** A login or network failure, put for the person who typed the settings (never the password). */
function imapFailure(error: unknown): AppError {
  const e = error as { authenticationFailed?: boolean; code?: string; message?: string };
  if (e instanceof AppError) return e;
  if (e.authenticationFailed === true) {
    return invalid("password", "the server refused this user name and password");
  }
  const detail = e.code ?? e.message ?? "no answer";
  return invalid("host", `Ally could not open the mailbox on this server (${detail})`);
}

async function rowFor(
  db: MailDb,
  actor: MailboxActor,
  id: string,
): Promise<MailboxConnectionsTable> {
  const row = await db
    .selectFrom("mailbox_connections")
    .selectAll()
    .where("organisation_id", "=", actor.orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw notFound("mailbox connection");
  return row;
}

function blankRow(
  fields: Pick<
    MailboxConnectionsTable,
    "id" | "organisation_id" | "kind" | "label" | "address" | "secret" | "handled_folder"
  >,
  createdAt: number,
): MailboxConnectionsTable {
  return {
    ...fields,
    uidvalidity: null,
    last_uid: null,
    cursor: null,
    last_polled_at: null,
    last_error: null,
    failure_count: 0,
    next_poll_at: null,
    claimed_until: null,
    created_at: createdAt,
  };
}

export function createMailboxes(deps: MailboxDeps) {
  const db = mailDb(deps.db);
  const { clock, box } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probe = (secret: ImapSecret) =>
    imapBaseline(secret, {
      resolveHost: deps.resolveHost,
      timeoutMs,
      ...(deps.log === undefined ? {} : { log: deps.log }),
    });

  return {
    /** The organisation's mailboxes, oldest first. */
    async list(actor: MailboxActor): Promise<MailboxConnection[]> {
      requireManage(actor);
      const rows = await db
        .selectFrom("mailbox_connections")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toConnection);
    },

    /**
     * Connects an IMAP mailbox: logs in once (refusals name the field), records where new mail
     * starts (mail already in the INBOX is not read), and saves the credentials sealed.
     * @throws AppError VALIDATION_FAILED, FORBIDDEN.
     */
    async connectImap(actor: MailboxActor, raw: ImapInput): Promise<MailboxConnection> {
      requireManage(actor);
      const input = checkImapInput(raw);
      const secret: ImapSecret = {
        kind: "imap",
        host: input.host,
        port: input.port,
        tls: input.tls,
        username: input.username,
        password: input.password,
      };
      const cursor = await probe(secret).catch((error: unknown) => {
        throw imapFailure(error);
      });
      const id = newId("mbx");
      const row = blankRow(
        {
          id,
          organisation_id: actor.orgId,
          kind: "imap",
          label: input.label,
          address: input.address,
          secret: await sealSecret(box, id, actor.orgId, secret),
          handled_folder: input.handledFolder === "" ? null : input.handledFolder,
        },
        clock.now(),
      );
      row.uidvalidity = cursor.uidvalidity;
      row.last_uid = cursor.lastUid;
      await db.insertInto("mailbox_connections").values(row).execute();
      return toConnection(row);
    },

    /**
     * Sets up an inbound-parse webhook for mail sent to `address`: returns the connection and
     * its key, shown this once (the provider is given it; Ally keeps it sealed).
     */
    async createWebhook(
      actor: MailboxActor,
      input: { label: string; address: string },
    ): Promise<{ connection: MailboxConnection; key: string }> {
      requireManage(actor);
      const address = input.address.trim().toLowerCase();
      if (!EMAIL.test(address)) throw invalid("address", "enter the address mail is sent to");
      const label = input.label.trim();
      if (label.length > 100)
        throw invalid("label", "the name is too long (at most 100 characters)");
      const id = newId("mbx");
      const key = randomBytes(32).toString("base64url");
      const row = blankRow(
        {
          id,
          organisation_id: actor.orgId,
          kind: "webhook",
          label: label || address,
          address,
          secret: await sealSecret(box, id, actor.orgId, { kind: "webhook", key }),
          handled_folder: null,
        },
        clock.now(),
      );
      await db.insertInto("mailbox_connections").values(row).execute();
      return { connection: toConnection(row), key };
    },

    /** Logs in to an IMAP mailbox now; what went wrong, or null. Other kinds have nothing to test. */
    async test(
      actor: MailboxActor,
      id: string,
    ): Promise<{ ok: true } | { ok: false; error: string }> {
      requireManage(actor);
      const row = await rowFor(db, actor, id);
      const secret = await openSecret(box, row);
      if (secret.kind !== "imap") return { ok: true };
      try {
        await probe(secret);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: imapFailure(error).message };
      }
    },

    /** A provider's inbound-parse post (webhook.ts); the credentials name the connection. */
    receive: (credentials: WebhookCredentials, post: WebhookPost) =>
      receiveWebhook(
        { db, clock, box, store: deps.store, maxBytes: deps.maxBytes },
        credentials,
        post,
      ),

    /** Removes a connection; mail already stored stays (it is the inbound store's). */
    async remove(actor: MailboxActor, id: string): Promise<void> {
      requireManage(actor);
      await rowFor(db, actor, id);
      await db
        .deleteFrom("mailbox_connections")
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .execute();
    },
  };
}

export type Mailboxes = ReturnType<typeof createMailboxes>;
