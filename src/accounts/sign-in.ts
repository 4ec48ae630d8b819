/**
 * Signing in: the password (throttled per network and per account, sign-in-throttle.ts), then,
 * for an account with a second factor, a one-time code that turns the pending session into a
 * full one. Failures say the same whether or not the email has an account.
 */
import { AppError } from "../errors.js";
import { mintOrgId } from "../ids.js";
import { totpSecretBinding } from "../secrets/secret-store.js";
import { decoyHash, verifyPassword } from "./passwords.js";
import { SIGN_IN_RATE, takeRate } from "./rate-limit.js";
import { claimTotpStep, type SecondFactorDeps } from "./second-factor.js";
import { firstOrganisation, issueSession } from "./sessions.js";
import {
  checkSignInAllowed,
  clearSignInFailures,
  recordSignInFailure,
} from "./sign-in-throttle.js";
import { tokenHash } from "./tokens.js";
import { matchingTotpStep } from "./totp.js";
import type { IssuedSession, RequestMeta, SessionIssuing } from "./types.js";

export type SignInDeps = SessionIssuing & SecondFactorDeps;

export function signInOperations(deps: SignInDeps) {
  const { store, clock, box } = deps;
  return {
    async signIn(
      input: { email: string; password: string },
      meta: RequestMeta,
    ): Promise<IssuedSession> {
      const now = clock.now();
      const attempt = { email: input.email, ip: meta.ip };
      await checkSignInAllowed(store.db, attempt, now);
      const user = await store.db
        .selectFrom("users")
        .select(["id", "password_hash", "email_verified_at", "totp_secret"])
        .where("email", "=", input.email)
        .executeTakeFirst();
      const valid = await verifyPassword(
        user?.password_hash ?? (await decoyHash()),
        input.password,
      );
      if (user === undefined || !valid) {
        await recordSignInFailure(store.db, attempt, now);
        await store.audit(
          {
            organisationId: null,
            actorUserId: user?.id ?? null,
            action: "sign-in-failed",
            ip: meta.ip,
          },
          now,
        );
        throw new AppError(
          "INVALID_CREDENTIALS",
          "That email and password do not match an account.",
          { field: "password" },
        );
      }
      await clearSignInFailures(store.db, input.email);
      if (user.email_verified_at === null) {
        throw new AppError(
          "EMAIL_NOT_VERIFIED",
          "Confirm your email address first: we sent you a link.",
          { field: "email" },
        );
      }
      const org = await firstOrganisation(store.db, user.id);
      if (org === undefined)
        throw new AppError("FORBIDDEN", "This account belongs to no organisation.");
      const pending = user.totp_secret !== null;
      const session = await issueSession(deps, user.id, org.organisation_id, pending, meta);
      if (!session.pendingSecondFactor) {
        await store.audit(
          {
            organisationId: mintOrgId(org.organisation_id),
            actorUserId: user.id,
            action: "sign-in",
            ip: meta.ip,
          },
          now,
        );
      }
      return session;
    },

    /** Completes a sign-in that waits for the second factor; returns a fresh full session. */
    async completeSecondFactor(
      sessionToken: string,
      code: string,
      meta: RequestMeta,
    ): Promise<IssuedSession> {
      const now = clock.now();
      const row = await store.db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select([
          "sessions.id_hash",
          "sessions.user_id",
          "sessions.organisation_id",
          "users.totp_secret",
        ])
        .where("sessions.id_hash", "=", tokenHash(sessionToken))
        .where("sessions.pending_second_factor", "=", 1)
        .where("sessions.expires_at", ">", now)
        .executeTakeFirst();
      if (row === undefined || row.totp_secret === null)
        throw new AppError("UNAUTHENTICATED", "Sign in again.");
      if (!(await takeRate(store.db, `second-factor:${row.user_id}`, SIGN_IN_RATE, now))) {
        throw new AppError("RATE_LIMITED", "Too many attempts. Wait a few minutes and try again.");
      }
      const secret = await box.open(row.totp_secret, totpSecretBinding(row.user_id));
      const step = matchingTotpStep(secret, code, now);
      if (step === undefined || !(await claimTotpStep(store.db, row.user_id, step))) {
        throw new AppError("INVALID_CREDENTIALS", "That code is not right. Try the current one.", {
          field: "code",
        });
      }
      await store.db.deleteFrom("sessions").where("id_hash", "=", row.id_hash).execute();
      await store.audit(
        {
          organisationId: mintOrgId(row.organisation_id),
          actorUserId: row.user_id,
          action: "sign-in",
          ip: meta.ip,
        },
        now,
      );
      return issueSession(deps, row.user_id, row.organisation_id, false, meta);
    },
  };
}
