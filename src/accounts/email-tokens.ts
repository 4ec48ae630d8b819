/**
 * One-time links mailed to an address (confirm it, reset the password): stored as SHA-256,
 * used at most once, expiring. Confirmation links are re-sent on request within the mail limits.
 */
import { AppError } from "../errors.js";
import { mintOrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import type { AccountsDb, AccountsUnit } from "./db.js";
import type { EmailTokenPurpose, EmailTokensTable } from "./tables.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import { HOUR_MS, type LinkMailing } from "./types.js";

const VERIFY_TTL_MS = 48 * HOUR_MS;

/** Uses a mailed link once; TOKEN_INVALID when unknown, used or expired. */
export async function useEmailToken(
  db: AccountsDb,
  token: string,
  purpose: EmailTokenPurpose,
  now: number,
): Promise<EmailTokensTable> {
  const row = await db
    .selectFrom("email_tokens")
    .selectAll()
    .where("token_hash", "=", tokenHash(token))
    .where("purpose", "=", purpose)
    .executeTakeFirst();
  if (row === undefined || row.used_at !== null || row.expires_at <= now) {
    throw new AppError("TOKEN_INVALID", "This link is invalid or has expired.");
  }
  const updated = await db
    .updateTable("email_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", row.token_hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new AppError("TOKEN_INVALID", "This link has already been used.");
  }
  return row;
}

/** Stores a confirmation link for the user's address and mails it, in `unit`'s transaction. */
export async function sendVerification(
  deps: LinkMailing,
  unit: AccountsUnit,
  user: { id: string; email: string; name: string },
  organisationId: string | null,
): Promise<void> {
  const token = newSecretToken();
  const now = deps.clock.now();
  await unit.db
    .insertInto("email_tokens")
    .values({
      token_hash: tokenHash(token),
      user_id: user.id,
      purpose: "verify-email",
      expires_at: now + VERIFY_TTL_MS,
      used_at: null,
    })
    .execute();
  const url = deps.link(`/verify-email?token=${encodeURIComponent(token)}`);
  await unit.mail(
    {
      organisationId: organisationId === null ? null : mintOrgId(organisationId),
      kind: "verify-email",
      to: user.email,
      subject: "Confirm your email address for Ally",
      text: `Hello ${user.name},\n\nPlease confirm your email address by opening this link:\n\n${url}\n\nThe link works for 48 hours. If you did not sign up for Ally, ignore this message.\n`,
      html: `<p>Hello ${escapeHtml(user.name)},</p><p>Please confirm your email address:</p><p><a href="${escapeHtml(url)}">Confirm my email address</a></p><p>The link works for 48 hours. If you did not sign up for Ally, ignore this message.</p>`,
    },
    now,
  );
}
