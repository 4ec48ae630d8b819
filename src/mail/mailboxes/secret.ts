/**
 * What a mailbox connection keeps sealed (secrets/secret-store.ts), one shape per kind, read back
 * with a schema: a ciphertext that opens to something else is refused, never guessed at.
 */
import { z } from "zod";
import type { SecretBinding, SecretStore } from "../../secrets/secret-store.js";
import type { MailboxConnectionsTable } from "../tables.js";

export const imapSecret = z.object({
  kind: z.literal("imap"),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65_535),
  /** Implicit TLS (IMAPS, usually port 993); false is plain IMAP, upgraded with STARTTLS when offered. */
  tls: z.boolean(),
  username: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
});

export const webhookSecret = z.object({
  kind: z.literal("webhook"),
  /** The shared key: HTTP Basic password, or the HMAC-SHA256 key of `X-Ally-Signature`. */
  key: z.string().min(32).max(200),
});

export const oauthMailSecret = z.object({
  kind: z.enum(["gmail", "microsoft"]),
  /** The organisation's calendar connection (Google or Microsoft) whose tokens read the mail. */
  calendarConnectionId: z.string().min(1).max(100),
});

export const mailboxSecret = z.discriminatedUnion("kind", [
  imapSecret,
  webhookSecret,
  oauthMailSecret,
]);

export type ImapSecret = z.infer<typeof imapSecret>;
export type WebhookSecret = z.infer<typeof webhookSecret>;
export type OAuthMailSecret = z.infer<typeof oauthMailSecret>;
export type MailboxSecret = z.infer<typeof mailboxSecret>;

export function secretBinding(id: string, organisationId: string): SecretBinding {
  return { table: "mailbox_connections", column: "secret", rowId: id, owner: organisationId };
}

export function sealSecret(
  box: SecretStore,
  id: string,
  organisationId: string,
  secret: MailboxSecret,
): Promise<string> {
  return box.seal(JSON.stringify(secret), secretBinding(id, organisationId));
}

/** The connection's secret, opened and checked against its kind. */
export async function openSecret(
  box: SecretStore,
  row: Pick<MailboxConnectionsTable, "id" | "organisation_id" | "kind" | "secret">,
): Promise<MailboxSecret> {
  const text = await box.open(row.secret, secretBinding(row.id, row.organisation_id));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`mailbox_connections.secret of ${row.id} is not JSON`);
  }
  const parsed = mailboxSecret.safeParse(json);
  if (!parsed.success || parsed.data.kind !== row.kind) {
    throw new Error(`mailbox_connections.secret of ${row.id} does not fit a ${row.kind} mailbox`);
  }
  return parsed.data;
}
