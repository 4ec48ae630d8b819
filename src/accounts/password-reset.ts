/**
 * Resetting a forgotten password: a one-hour link mailed on request (rate-limited per network
 * and per address, the same answer whether or not the address has an account), and using it,
 * which ends every session of the account and revokes its API tokens.
 */
import { AppError } from "../errors.js";
import { mintOrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import { useEmailToken } from "./email-tokens.js";
import { hashPassword } from "./passwords.js";
import { RESET_RATE, takeRate } from "./rate-limit.js";
import { firstOrganisation } from "./sessions.js";
import { revokeAllApiTokens } from "./token-scopes.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import { HOUR_MS, type LinkMailing, quietWhenMailLimited, type RequestMeta } from "./types.js";

const RESET_TTL_MS = 1 * HOUR_MS;

export function passwordResetOperations(deps: LinkMailing) {
  const { store, clock } = deps;
  return {
    /** Always answers the same way, whether or not the address has an account. */
    async requestPasswordReset(email: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const perNetwork = { ...RESET_RATE, max: RESET_RATE.max * 4 };
      const allowed =
        (await takeRate(store.db, `reset:ip:${meta.ip}`, perNetwork, now)) &&
        (await takeRate(store.db, `reset:email:${email}`, RESET_RATE, now));
      if (!allowed) {
        throw new AppError("RATE_LIMITED", "Too many reset requests. Wait an hour and try again.");
      }
      const user = await store.db
        .selectFrom("users")
        .select(["id", "name", "email"])
        .where("email", "=", email)
        .executeTakeFirst();
      if (user === undefined) return;
      const token = newSecretToken();
      const url = deps.link(`/reset-password?token=${encodeURIComponent(token)}`);
      const org = await firstOrganisation(store.db, user.id);
      await store
        .transaction(async (unit) => {
          await unit.db
            .insertInto("email_tokens")
            .values({
              token_hash: tokenHash(token),
              user_id: user.id,
              purpose: "reset-password",
              expires_at: now + RESET_TTL_MS,
              used_at: null,
            })
            .execute();
          await unit.mail(
            {
              organisationId: org === undefined ? null : mintOrgId(org.organisation_id),
              kind: "reset-password",
              to: user.email,
              subject: "Reset your Ally password",
              text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset your Ally password. Choose a new one here:\n\n${url}\n\nThe link works for one hour. If it was not you, ignore this message; your password stays as it is.\n`,
              html: `<p>Hello ${escapeHtml(user.name)},</p><p>Someone (hopefully you) asked to reset your Ally password.</p><p><a href="${escapeHtml(url)}">Choose a new password</a></p><p>The link works for one hour. If it was not you, ignore this message; your password stays as it is.</p>`,
            },
            now,
          );
        })
        .catch(quietWhenMailLimited);
    },

    /** Sets a new password, ends every session of the account and revokes its API tokens. */
    async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      const passwordHash = await hashPassword(password);
      const row = await useEmailToken(store.db, token, "reset-password", clock.now());
      const now = clock.now();
      await store.transaction(async ({ db }) => {
        await db
          .updateTable("users")
          .set({ password_hash: passwordHash, email_verified_at: now })
          .where("id", "=", row.user_id)
          .execute();
        await db.deleteFrom("sessions").where("user_id", "=", row.user_id).execute();
        await revokeAllApiTokens(db, row.user_id, now);
        // Other reset links for the account, sent earlier, stop working too.
        await db
          .updateTable("email_tokens")
          .set({ used_at: now })
          .where("user_id", "=", row.user_id)
          .where("purpose", "=", "reset-password")
          .where("used_at", "is", null)
          .execute();
      });
      const org = await firstOrganisation(store.db, row.user_id);
      await store.audit(
        {
          organisationId: org === undefined ? null : mintOrgId(org.organisation_id),
          actorUserId: row.user_id,
          action: "password-reset",
          ip: meta.ip,
        },
        now,
      );
    },
  };
}
