/**
 * A provider's inbound parse posting mail to Ally (SendGrid's or Mailgun's "raw" mode, a relay
 * of one's own): the raw MIME message in a JSON body, authenticated per connection either by
 * HTTP Basic (`connection id : key`, which providers let one put in the webhook's URL) or by an
 * HMAC-SHA256 of the raw message under the key (`X-Ally-Mailbox: <id>`,
 * `X-Ally-Signature: sha256=<hex>`). The message is stored like mail to the SMTP listener, once
 * per Message-ID, so a provider's retries are harmless. A wrong or unknown connection, key or
 * signature gets the same answer.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../clock.js";
import { AppError, invalid } from "../../errors.js";
import type { SecretStore } from "../../secrets/secret-store.js";
import { type AnyHandle, mailDb } from "../db.js";
import { envelopeFromMailbox } from "./envelope.js";
import type { StoreMessage } from "./poller.js";
import { openSecret } from "./secret.js";

export interface WebhookCredentials {
  /** The Authorization header, if any. */
  authorization?: string | undefined;
  /** X-Ally-Mailbox: the connection id, with a signature. */
  mailboxId?: string | undefined;
  /** X-Ally-Signature: `sha256=<hex>` of the raw message under the key. */
  signature?: string | undefined;
}

export interface WebhookPost {
  /** The message as sent: RFC 5322 text, or base64 of it when `encoding` is `base64`. */
  raw: string;
  encoding?: "text" | "base64" | undefined;
  /** The SMTP sender as the provider saw it (`""` for a bounce); by default the Return-Path. */
  envelope?: { from?: string | undefined } | undefined;
}

export interface WebhookDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  store: StoreMessage;
  maxBytes: number;
}

const unauthenticated = () =>
  new AppError(
    "UNAUTHENTICATED",
    "send the mailbox's id and key (HTTP Basic), or its id and an X-Ally-Signature",
  );

/** The connection id and how the caller proves the key, from the headers. */
function claimOf(
  credentials: WebhookCredentials,
): { id: string; proves: (key: string, raw: Buffer) => boolean } | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,2000})$/i.exec(credentials.authorization ?? "");
  if (basic !== null) {
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) return undefined;
    const given = decoded.slice(colon + 1);
    return { id: decoded.slice(0, colon), proves: (key) => sameText(given, key) };
  }
  const signature = /^sha256=([0-9a-f]{64})$/i.exec(credentials.signature ?? "");
  if (credentials.mailboxId !== undefined && signature !== null) {
    const given = Buffer.from((signature[1] ?? "").toLowerCase(), "hex");
    return {
      id: credentials.mailboxId,
      proves: (key, raw) => timingSafeEqual(createHmac("sha256", key).update(raw).digest(), given),
    };
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = createHmac("sha256", "compare").update(a).digest();
  const right = createHmac("sha256", "compare").update(b).digest();
  return timingSafeEqual(left, right);
}

function decodeRaw(post: WebhookPost, maxBytes: number): Buffer {
  if (post.raw.length > maxBytes * 2)
    throw invalid("raw", `the message is larger than ${maxBytes} bytes`);
  const raw =
    post.encoding === "base64" ? Buffer.from(post.raw, "base64") : Buffer.from(post.raw, "utf8");
  if (raw.length === 0) throw invalid("raw", "the raw message is empty");
  if (raw.length > maxBytes) throw invalid("raw", `the message is larger than ${maxBytes} bytes`);
  return raw;
}

/**
 * Stores a posted message for the connection its credentials prove.
 * @throws AppError UNAUTHENTICATED (unknown connection, wrong key or signature),
 *   VALIDATION_FAILED (`raw` empty or too large).
 */
export async function receiveWebhook(
  deps: WebhookDeps,
  credentials: WebhookCredentials,
  post: WebhookPost,
): Promise<{ stored: boolean; messageId: string }> {
  const claim = claimOf(credentials);
  if (claim === undefined || claim.id.length > 100) throw unauthenticated();
  const row = await mailDb(deps.db)
    .selectFrom("mailbox_connections")
    .selectAll()
    .where("id", "=", claim.id)
    .where("kind", "=", "webhook")
    .executeTakeFirst();
  if (row === undefined) throw unauthenticated();
  const secret = await openSecret(deps.box, row);
  const raw = decodeRaw(post, deps.maxBytes);
  if (secret.kind !== "webhook" || !claim.proves(secret.key, raw)) throw unauthenticated();
  // The recipient is always the connection's own address: a key proves one organisation's
  // mailbox, never a say over mail for another's.
  const fallback = envelopeFromMailbox(raw, row.address);
  const envelope = {
    mailFrom: post.envelope?.from?.trim().toLowerCase().slice(0, 320) ?? fallback.mailFrom,
    rcptTo: [row.address],
  };
  const result = await deps.store(raw, envelope);
  await mailDb(deps.db)
    .updateTable("mailbox_connections")
    .set({ last_polled_at: deps.clock.now(), last_error: null })
    .where("id", "=", row.id)
    .execute();
  return { stored: result.stored, messageId: result.messageId };
}
