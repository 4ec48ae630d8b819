/**
 * The accounts service: sign-up, email verification, sign-in (with an optional second factor),
 * sessions, password reset, members and roles, invitations, API tokens. Policy lives here;
 * the web layer only parses input and renders results.
 */
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import { AppError, forbidden, invalid, notFound } from "../errors.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import { DEFAULT_MAIL_LIMITS, type MailLimits } from "../mail/send-limits.js";
import { recordAudit } from "../privacy/audit-log.js";
import { type SecretStore, totpSecretBinding } from "../secrets/secret-store.js";
import type { Database } from "../store/schema.js";
import { mintOrgId, newId, type OrgId } from "./ids.js";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.js";
import { requirePermission } from "./permissions.js";
import { RESET_RATE, SECOND_FACTOR_OFF_RATE, SIGN_IN_RATE, takeRate } from "./rate-limit.js";
import type { SignUpInput } from "./schemas.js";
import {
  checkSignInAllowed,
  clearSignInFailures,
  recordSignInFailure,
} from "./sign-in-throttle.js";
import { sendSignUpNotice } from "./sign-up-notice.js";
import type { Role } from "./tables.js";
import {
  parseStoredScopes,
  requireSession,
  revokeAllApiTokens,
  storedScopes,
  type TokenScope,
} from "./token-scopes.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import {
  matchingTotpStep,
  newTotpSecret,
  otpauthUri,
  TOTP_STEP_SECONDS,
  verifyTotp,
} from "./totp.js";

const HOUR_MS = 3_600_000;
const VERIFY_TTL_MS = 48 * HOUR_MS;
const RESET_TTL_MS = 1 * HOUR_MS;
const INVITE_TTL_MS = 7 * 24 * HOUR_MS;
const SECOND_FACTOR_WINDOW_MS = 10 * 60_000;

/** Who is acting, proven by a session or an API token. Only the auth layer creates one. */
export interface Actor {
  userId: string;
  orgId: OrgId;
  role: Role;
  via: "session" | "api-token";
  /** What an API token may do (token-scopes.ts); absent for sessions. */
  scopes?: readonly TokenScope[];
}

export interface SessionContext {
  actor: Actor;
  sessionIdHash: string;
  csrfToken: string;
  pendingSecondFactor: boolean;
  userName: string;
  userEmail: string;
  organisationName: string;
}

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export interface AccountsDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** Seals second-factor keys at rest (envelope encryption, secrets/secret-store.ts). */
  box: SecretStore;
  publicUrl: string;
  mailFrom: string;
  sessionTtlMs: number;
  /** How much mail may go to one address and one organisation (mail/send-limits.ts). */
  mailLimits?: MailLimits;
}

/**
 * For mail whose page answers alike whether or not the address has an account: a message held
 * back by the sending limits is not an error the asker may see.
 */
function quietWhenMailLimited(error: unknown): void {
  if (error instanceof AppError && error.code === "RATE_LIMITED") return;
  throw error;
}

export interface IssuedSession {
  token: string;
  csrfToken: string;
  pendingSecondFactor: boolean;
  expiresAt: number;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: number;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
}

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(deps: AccountsDeps) {
  const { db, clock, box } = deps;
  const link = (path: string) => `${deps.publicUrl}${path}`;

  async function issueSession(
    userId: string,
    organisationId: string,
    pendingSecondFactor: boolean,
    meta: RequestMeta,
  ): Promise<IssuedSession> {
    const token = newSecretToken();
    const csrfToken = newSecretToken();
    const now = clock.now();
    const expiresAt = now + (pendingSecondFactor ? SECOND_FACTOR_WINDOW_MS : deps.sessionTtlMs);
    await db
      .insertInto("sessions")
      .values({
        id_hash: tokenHash(token),
        user_id: userId,
        organisation_id: organisationId,
        csrf_token: csrfToken,
        pending_second_factor: pendingSecondFactor ? 1 : 0,
        created_at: now,
        expires_at: expiresAt,
        ip: meta.ip.slice(0, 100),
        user_agent: meta.userAgent.slice(0, 300),
      })
      .execute();
    return { token, csrfToken, pendingSecondFactor, expiresAt };
  }

  async function firstOrganisation(
    userId: string,
  ): Promise<{ organisation_id: string } | undefined> {
    return db
      .selectFrom("memberships")
      .select("organisation_id")
      .where("user_id", "=", userId)
      .orderBy("created_at")
      .executeTakeFirst();
  }

  async function sendVerification(
    trx: Kysely<Database>,
    user: { id: string; email: string; name: string },
    organisationId: string | null,
  ): Promise<void> {
    const token = newSecretToken();
    const now = clock.now();
    await trx
      .insertInto("email_tokens")
      .values({
        token_hash: tokenHash(token),
        user_id: user.id,
        purpose: "verify-email",
        expires_at: now + VERIFY_TTL_MS,
        used_at: null,
      })
      .execute();
    const url = link(`/verify-email?token=${encodeURIComponent(token)}`);
    await enqueueMail(
      trx,
      {
        organisationId: organisationId === null ? null : mintOrgId(organisationId),
        kind: "verify-email",
        to: user.email,
        subject: "Confirm your email address for Ally",
        text: `Hello ${user.name},\n\nPlease confirm your email address by opening this link:\n\n${url}\n\nThe link works for 48 hours. If you did not sign up for Ally, ignore this message.\n`,
        html: `<p>Hello ${escapeHtml(user.name)},</p><p>Please confirm your email address:</p><p><a href="${escapeHtml(url)}">Confirm my email address</a></p><p>The link works for 48 hours. If you did not sign up for Ally, ignore this message.</p>`,
      },
      now,
      deps.mailFrom,
      deps.mailLimits ?? DEFAULT_MAIL_LIMITS,
    );
  }

  async function useEmailToken(token: string, purpose: "verify-email" | "reset-password") {
    const now = clock.now();
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

  /** Members of one organisation, with their user details. */
  function membersQuery(organisationId: OrgId) {
    return db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select([
        "users.id",
        "users.name",
        "users.email",
        "memberships.role",
        "memberships.created_at",
      ])
      .where("memberships.organisation_id", "=", organisationId);
  }

  /**
   * Records that a user's one-time code for `step` was used; false when that step, or a later
   * one, already was (a replayed or older code). Kept with the rate limits, as a window starting
   * at the step, so the daily purge forgets it.
   */
  async function claimTotpStep(userId: string, step: number): Promise<boolean> {
    const key = `totp-used:${userId}`;
    const stepStart = step * TOTP_STEP_SECONDS * 1000;
    const later = await db
      .selectFrom("rate_limits")
      .select("window_start")
      .where("key", "=", key)
      .where("window_start", ">=", stepStart)
      .executeTakeFirst();
    if (later !== undefined) return false;
    // Two attempts with the same code at once: the primary key lets one of them in.
    const inserted = await db
      .insertInto("rate_limits")
      .values({ key, window_start: stepStart, count: 1 })
      .onConflict((oc) => oc.columns(["key", "window_start"]).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async function lookupSession(sessionToken: string): Promise<SessionContext | undefined> {
    const now = clock.now();
    const row = await db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .innerJoin("organisations", "organisations.id", "sessions.organisation_id")
      .innerJoin("memberships", (join) =>
        join
          .onRef("memberships.user_id", "=", "sessions.user_id")
          .onRef("memberships.organisation_id", "=", "sessions.organisation_id"),
      )
      .select([
        "sessions.id_hash",
        "sessions.user_id",
        "sessions.organisation_id",
        "sessions.csrf_token",
        "sessions.pending_second_factor",
        "memberships.role",
        "users.name",
        "users.email",
        "organisations.name as organisation_name",
      ])
      .where("sessions.id_hash", "=", tokenHash(sessionToken))
      .where("sessions.expires_at", ">", now)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      actor: {
        userId: row.user_id,
        orgId: mintOrgId(row.organisation_id),
        role: row.role,
        via: "session",
      },
      sessionIdHash: row.id_hash,
      csrfToken: row.csrf_token,
      pendingSecondFactor: row.pending_second_factor === 1,
      userName: row.name,
      userEmail: row.email,
      organisationName: row.organisation_name,
    };
  }

  const service = {
    /** Creates the organisation, its owner, and sends the verification email. */
    async signUp(input: SignUpInput, meta: RequestMeta): Promise<{ userId: string; orgId: OrgId }> {
      const passwordHash = await hashPassword(input.password);
      const now = clock.now();
      const userId = newId("user");
      const organisationId = newId("org");
      try {
        await db.transaction().execute(async (trx) => {
          const existing = await trx
            .selectFrom("users")
            .select("id")
            .where("email", "=", input.email)
            .executeTakeFirst();
          if (existing !== undefined) {
            throw new AppError(
              "EMAIL_TAKEN",
              "An account with this email already exists. Sign in instead.",
              {
                field: "email",
              },
            );
          }
          await trx
            .insertInto("organisations")
            .values({ id: organisationId, name: input.company, created_at: now })
            .execute();
          await trx
            .insertInto("users")
            .values({
              id: userId,
              email: input.email,
              name: input.name,
              phone: input.phone,
              postal_address: input.postalAddress,
              password_hash: passwordHash,
              email_verified_at: null,
              totp_secret: null,
              created_at: now,
            })
            .execute();
          await trx
            .insertInto("memberships")
            .values({
              organisation_id: organisationId,
              user_id: userId,
              role: "owner",
              created_at: now,
            })
            .execute();
          await sendVerification(
            trx,
            { id: userId, email: input.email, name: input.name },
            organisationId,
          );
          await recordAudit(
            trx,
            {
              organisationId: mintOrgId(organisationId),
              actorUserId: userId,
              action: "sign-up",
              ip: meta.ip,
            },
            now,
          );
        });
      } catch (error) {
        if (error instanceof AppError) throw error;
        // A concurrent sign-up with the same email loses on the unique constraint.
        if (/unique|duplicate/i.test(String((error as Error).message))) {
          throw new AppError(
            "EMAIL_TAKEN",
            "An account with this email already exists. Sign in instead.",
            {
              field: "email",
            },
          );
        }
        throw error;
      }
      return { userId, orgId: mintOrgId(organisationId) };
    },

    /**
     * Sign-up as the page offers it: the same answer whether or not the email has an account;
     * for one that has, its owner is mailed instead (sign-up-notice.ts).
     */
    async signUpOrNotify(input: SignUpInput, meta: RequestMeta): Promise<void> {
      try {
        await service.signUp(input, meta);
      } catch (error) {
        if (!(error instanceof AppError && error.code === "EMAIL_TAKEN")) throw error;
        await sendSignUpNotice(deps, input.email, clock.now());
      }
    },

    async resendVerification(email: string): Promise<void> {
      const user = await db
        .selectFrom("users")
        .select(["id", "email", "name", "email_verified_at"])
        .where("email", "=", email)
        .executeTakeFirst();
      if (user === undefined || user.email_verified_at !== null) return;
      const org = await firstOrganisation(user.id);
      // A link sent moments ago (or too many this hour) is not sent again; the page says the
      // same either way, so it does not tell whether the address has an account.
      await db
        .transaction()
        .execute((trx) => sendVerification(trx, user, org?.organisation_id ?? null))
        .catch(quietWhenMailLimited);
    },

    /** Marks the address verified and signs the user in. */
    async verifyEmail(token: string, meta: RequestMeta): Promise<IssuedSession> {
      const row = await useEmailToken(token, "verify-email");
      const now = clock.now();
      await db
        .updateTable("users")
        .set({ email_verified_at: now })
        .where("id", "=", row.user_id)
        .where("email_verified_at", "is", null)
        .execute();
      const org = await firstOrganisation(row.user_id);
      if (org === undefined) throw notFound("organisation");
      await recordAudit(
        db,
        {
          organisationId: mintOrgId(org.organisation_id),
          actorUserId: row.user_id,
          action: "email-verified",
          ip: meta.ip,
        },
        now,
      );
      const user = await db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", row.user_id)
        .executeTakeFirstOrThrow();
      return issueSession(row.user_id, org.organisation_id, user.totp_secret !== null, meta);
    },

    async signIn(
      input: { email: string; password: string },
      meta: RequestMeta,
    ): Promise<IssuedSession> {
      const now = clock.now();
      const attempt = { email: input.email, ip: meta.ip };
      await checkSignInAllowed(db, attempt, now);
      const user = await db
        .selectFrom("users")
        .select(["id", "password_hash", "email_verified_at", "totp_secret"])
        .where("email", "=", input.email)
        .executeTakeFirst();
      const valid = await verifyPassword(
        user?.password_hash ?? (await decoyHash()),
        input.password,
      );
      if (user === undefined || !valid) {
        await recordSignInFailure(db, attempt, now);
        await recordAudit(
          db,
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
          {
            field: "password",
          },
        );
      }
      await clearSignInFailures(db, input.email);
      if (user.email_verified_at === null) {
        throw new AppError(
          "EMAIL_NOT_VERIFIED",
          "Confirm your email address first: we sent you a link.",
          {
            field: "email",
          },
        );
      }
      const org = await firstOrganisation(user.id);
      if (org === undefined)
        throw new AppError("FORBIDDEN", "This account belongs to no organisation.");
      const session = await issueSession(
        user.id,
        org.organisation_id,
        user.totp_secret !== null,
        meta,
      );
      if (!session.pendingSecondFactor) {
        await recordAudit(
          db,
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
      const row = await db
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
      if (!(await takeRate(db, `second-factor:${row.user_id}`, SIGN_IN_RATE, now))) {
        throw new AppError("RATE_LIMITED", "Too many attempts. Wait a few minutes and try again.");
      }
      const secret = await box.open(row.totp_secret, totpSecretBinding(row.user_id));
      const step = matchingTotpStep(secret, code, now);
      if (step === undefined || !(await claimTotpStep(row.user_id, step))) {
        throw new AppError("INVALID_CREDENTIALS", "That code is not right. Try the current one.", {
          field: "code",
        });
      }
      await db.deleteFrom("sessions").where("id_hash", "=", row.id_hash).execute();
      await recordAudit(
        db,
        {
          organisationId: mintOrgId(row.organisation_id),
          actorUserId: row.user_id,
          action: "sign-in",
          ip: meta.ip,
        },
        now,
      );
      return issueSession(row.user_id, row.organisation_id, false, meta);
    },

    /** The session behind a cookie value, or undefined when it is unknown or expired. */
    session: lookupSession,

    async signOut(sessionToken: string, meta: RequestMeta): Promise<void> {
      const context = await lookupSession(sessionToken);
      await db.deleteFrom("sessions").where("id_hash", "=", tokenHash(sessionToken)).execute();
      if (context !== undefined) {
        await recordAudit(
          db,
          {
            organisationId: context.actor.orgId,
            actorUserId: context.actor.userId,
            action: "sign-out",
            ip: meta.ip,
          },
          clock.now(),
        );
      }
    },

    /** Always answers the same way, whether or not the address has an account. */
    async requestPasswordReset(email: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const allowed =
        (await takeRate(
          db,
          `reset:ip:${meta.ip}`,
          { ...RESET_RATE, max: RESET_RATE.max * 4 },
          now,
        )) && (await takeRate(db, `reset:email:${email}`, RESET_RATE, now));
      if (!allowed) {
        throw new AppError("RATE_LIMITED", "Too many reset requests. Wait an hour and try again.");
      }
      const user = await db
        .selectFrom("users")
        .select(["id", "name", "email"])
        .where("email", "=", email)
        .executeTakeFirst();
      if (user === undefined) return;
      const token = newSecretToken();
      const url = link(`/reset-password?token=${encodeURIComponent(token)}`);
      const org = await firstOrganisation(user.id);
      await db
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto("email_tokens")
            .values({
              token_hash: tokenHash(token),
              user_id: user.id,
              purpose: "reset-password",
              expires_at: now + RESET_TTL_MS,
              used_at: null,
            })
            .execute();
          await enqueueMail(
            trx,
            {
              organisationId: org === undefined ? null : mintOrgId(org.organisation_id),
              kind: "reset-password",
              to: user.email,
              subject: "Reset your Ally password",
              text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset your Ally password. Choose a new one here:\n\n${url}\n\nThe link works for one hour. If it was not you, ignore this message; your password stays as it is.\n`,
              html: `<p>Hello ${escapeHtml(user.name)},</p><p>Someone (hopefully you) asked to reset your Ally password.</p><p><a href="${escapeHtml(url)}">Choose a new password</a></p><p>The link works for one hour. If it was not you, ignore this message; your password stays as it is.</p>`,
            },
            now,
            deps.mailFrom,
            deps.mailLimits ?? DEFAULT_MAIL_LIMITS,
          );
        })
        .catch(quietWhenMailLimited);
    },

    /** Sets a new password, ends every session of the account and revokes its API tokens. */
    async resetPassword(token: string, password: string, meta: RequestMeta): Promise<void> {
      const passwordHash = await hashPassword(password);
      const row = await useEmailToken(token, "reset-password");
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ password_hash: passwordHash, email_verified_at: now })
          .where("id", "=", row.user_id)
          .execute();
        await trx.deleteFrom("sessions").where("user_id", "=", row.user_id).execute();
        await revokeAllApiTokens(trx, row.user_id, now);
        // Other reset links for the account, sent earlier, stop working too.
        await trx
          .updateTable("email_tokens")
          .set({ used_at: now })
          .where("user_id", "=", row.user_id)
          .where("purpose", "=", "reset-password")
          .where("used_at", "is", null)
          .execute();
      });
      const org = await firstOrganisation(row.user_id);
      await recordAudit(
        db,
        {
          organisationId: org === undefined ? null : mintOrgId(org.organisation_id),
          actorUserId: row.user_id,
          action: "password-reset",
          ip: meta.ip,
        },
        now,
      );
    },

    /** Step one of turning on the second factor: a secret to show, not yet stored. */
    beginSecondFactor(email: string): { secret: string; uri: string } {
      const secret = newTotpSecret();
      return { secret, uri: otpauthUri(secret, email) };
    },

    async enableSecondFactor(
      actor: Actor,
      secret: string,
      code: string,
      meta: RequestMeta,
    ): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      if (!/^[A-Z2-7]{32}$/.test(secret))
        throw invalid("secret", "The setup key is malformed; start again.");
      if (!verifyTotp(secret, code, now)) {
        throw invalid(
          "code",
          "That code is not right. Check the time on your phone and try the current code.",
        );
      }
      const sealed = await box.seal(secret, totpSecretBinding(actor.userId));
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ totp_secret: sealed })
          .where("id", "=", actor.userId)
          .execute();
        await revokeAllApiTokens(trx, actor.userId, now);
      });
      await recordAudit(
        db,
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "second-factor-enabled",
          ip: meta.ip,
        },
        now,
      );
    },

    /** Turns the second factor off (the password again, rate-limited); revokes API tokens. */
    async disableSecondFactor(actor: Actor, password: string, meta: RequestMeta): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      if (!(await takeRate(db, `second-factor-off:${actor.userId}`, SECOND_FACTOR_OFF_RATE, now))) {
        throw new AppError(
          "RATE_LIMITED",
          "Too many attempts to turn off two-step sign-in. Wait 15 minutes and try again.",
          { field: "password" },
        );
      }
      const user = await db
        .selectFrom("users")
        .select("password_hash")
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(user.password_hash, password))) {
        throw new AppError("INVALID_CREDENTIALS", "That password is not right.", {
          field: "password",
        });
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("users")
          .set({ totp_secret: null })
          .where("id", "=", actor.userId)
          .execute();
        await revokeAllApiTokens(trx, actor.userId, now);
      });
      await recordAudit(
        db,
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "second-factor-disabled",
          ip: meta.ip,
        },
        now,
      );
    },

    async hasSecondFactor(actor: Actor): Promise<boolean> {
      const user = await db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      return user.totp_secret !== null;
    },

    async listMembers(actor: Actor): Promise<Member[]> {
      const rows = await membersQuery(actor.orgId).orderBy("users.name").execute();
      return rows.map(toMember);
    },

    async getMember(actor: Actor, userId: string): Promise<Member> {
      const row = await membersQuery(actor.orgId)
        .where("memberships.user_id", "=", userId)
        .executeTakeFirst();
      if (row === undefined) throw notFound("member");
      return toMember(row);
    },

    async changeRole(actor: Actor, userId: string, role: Role, meta: RequestMeta): Promise<void> {
      requirePermission(actor.role, "members:manage");
      await db.transaction().execute(async (trx) => {
        // One role change per organisation at a time: touching the organisation's row locks it
        // (PostgreSQL) or takes the write lock (SQLite), so two owners demoting each other at
        // once cannot both see "another owner remains".
        await trx
          .updateTable("organisations")
          .set((eb) => ({ name: eb.ref("name") }))
          .where("id", "=", actor.orgId)
          .execute();
        const roleOf = (id: string) =>
          trx
            .selectFrom("memberships")
            .select("role")
            .where("organisation_id", "=", actor.orgId)
            .where("user_id", "=", id)
            .executeTakeFirst();
        // The actor's role as it is now, not as it was when the request began.
        const acting = await roleOf(actor.userId);
        if (acting === undefined) throw forbidden();
        requirePermission(acting.role, "members:manage");
        const current = await roleOf(userId);
        if (current === undefined) throw notFound("member");
        if ((role === "owner" || current.role === "owner") && acting.role !== "owner") {
          throw forbidden("Only an owner can make or unmake owners.");
        }
        if (current.role === "owner" && role !== "owner") {
          const owners = await trx
            .selectFrom("memberships")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("organisation_id", "=", actor.orgId)
            .where("role", "=", "owner")
            .executeTakeFirstOrThrow();
          if (Number(owners.n) <= 1) {
            throw new AppError("LAST_OWNER", "An organisation needs at least one owner.", {
              field: "role",
            });
          }
        }
        await trx
          .updateTable("memberships")
          .set({ role })
          .where("organisation_id", "=", actor.orgId)
          .where("user_id", "=", userId)
          .execute();
        await recordAudit(
          trx,
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "role-changed",
            target: `${userId}:${current.role}->${role}`,
            ip: meta.ip,
          },
          clock.now(),
        );
      });
    },

    async invite(
      actor: Actor,
      input: { email: string; role: Role },
      meta: RequestMeta,
    ): Promise<Invitation> {
      requirePermission(actor.role, "members:manage");
      if (input.role === "owner" && actor.role !== "owner")
        throw forbidden("Only an owner can invite owners.");
      const existing = await db
        .selectFrom("memberships")
        .innerJoin("users", "users.id", "memberships.user_id")
        .select("users.id")
        .where("memberships.organisation_id", "=", actor.orgId)
        .where("users.email", "=", input.email)
        .executeTakeFirst();
      if (existing !== undefined) {
        throw new AppError("ALREADY_MEMBER", "This person is already a member.", {
          field: "email",
        });
      }
      const token = newSecretToken();
      const now = clock.now();
      const id = newId("inv");
      const org = await db
        .selectFrom("organisations")
        .select("name")
        .where("id", "=", actor.orgId)
        .executeTakeFirstOrThrow();
      const inviter = await db
        .selectFrom("users")
        .select("name")
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      const url = link(`/invitations/accept?token=${encodeURIComponent(token)}`);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("invitations")
          .values({
            id,
            organisation_id: actor.orgId,
            email: input.email,
            role: input.role,
            token_hash: tokenHash(token),
            invited_by: actor.userId,
            created_at: now,
            expires_at: now + INVITE_TTL_MS,
            accepted_at: null,
          })
          .execute();
        await enqueueMail(
          trx,
          {
            organisationId: actor.orgId,
            kind: "invitation",
            to: input.email,
            subject: `${inviter.name} invited you to ${org.name} on Ally`,
            text: `Hello,\n\n${inviter.name} invited you to join ${org.name} on Ally as ${article(input.role)} ${input.role}.\n\nAccept the invitation here:\n\n${url}\n\nThe link works for seven days.\n`,
            html: `<p>Hello,</p><p>${escapeHtml(inviter.name)} invited you to join ${escapeHtml(org.name)} on Ally as ${article(input.role)} ${input.role}.</p><p><a href="${escapeHtml(url)}">Accept the invitation</a></p><p>The link works for seven days.</p>`,
          },
          now,
          deps.mailFrom,
          deps.mailLimits ?? DEFAULT_MAIL_LIMITS,
        );
        await recordAudit(
          trx,
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "member-invited",
            target: `${input.email}:${input.role}`,
            ip: meta.ip,
          },
          now,
        );
      });
      return {
        id,
        email: input.email,
        role: input.role,
        createdAt: now,
        expiresAt: now + INVITE_TTL_MS,
        acceptedAt: null,
      };
    },

    async listInvitations(actor: Actor): Promise<Invitation[]> {
      requirePermission(actor.role, "members:manage");
      const rows = await db
        .selectFrom("invitations")
        .select(["id", "email", "role", "created_at", "expires_at", "accepted_at"])
        .where("organisation_id", "=", actor.orgId)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        role: r.role,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        acceptedAt: r.accepted_at,
      }));
    },

    /** What an invitation link shows before it is accepted. */
    async describeInvitation(
      token: string,
    ): Promise<{ email: string; organisationName: string; role: Role; hasAccount: boolean }> {
      const row = await db
        .selectFrom("invitations")
        .innerJoin("organisations", "organisations.id", "invitations.organisation_id")
        .select([
          "invitations.email",
          "invitations.role",
          "invitations.expires_at",
          "invitations.accepted_at",
          "organisations.name",
        ])
        .where("invitations.token_hash", "=", tokenHash(token))
        .executeTakeFirst();
      if (row === undefined || row.accepted_at !== null || row.expires_at <= clock.now()) {
        throw new AppError("TOKEN_INVALID", "This invitation is invalid, used or expired.");
      }
      const user = await db
        .selectFrom("users")
        .select("id")
        .where("email", "=", row.email)
        .executeTakeFirst();
      return {
        email: row.email,
        organisationName: row.name,
        role: row.role,
        hasAccount: user !== undefined,
      };
    },

    /**
     * Accepts an invitation: a new person gives their registration details and a password; an
     * existing account proves itself with its password. Either way they join and are signed in.
     */
    async acceptInvitation(
      input: {
        token: string;
        name?: string;
        phone?: string;
        postalAddress?: string;
        password?: string;
      },
      meta: RequestMeta,
    ): Promise<IssuedSession> {
      const now = clock.now();
      const invitation = await db
        .selectFrom("invitations")
        .selectAll()
        .where("token_hash", "=", tokenHash(input.token))
        .executeTakeFirst();
      if (
        invitation === undefined ||
        invitation.accepted_at !== null ||
        invitation.expires_at <= now
      ) {
        throw new AppError("TOKEN_INVALID", "This invitation is invalid, used or expired.");
      }
      if (input.password === undefined) throw invalid("password", "Password is required");
      let user = await db
        .selectFrom("users")
        .select(["id", "password_hash", "totp_secret"])
        .where("email", "=", invitation.email)
        .executeTakeFirst();
      if (user !== undefined) {
        if (!(await verifyPassword(user.password_hash, input.password))) {
          throw new AppError(
            "INVALID_CREDENTIALS",
            "That password is not right for this account.",
            { field: "password" },
          );
        }
      } else {
        if (input.name === undefined) throw invalid("name", "Name is required");
        if (input.phone === undefined) throw invalid("phone", "Telephone is required");
        if (input.postalAddress === undefined)
          throw invalid("postalAddress", "Postal address is required");
      }
      const passwordHash = user === undefined ? await hashPassword(input.password) : undefined;
      const userId = user?.id ?? newId("user");
      await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable("invitations")
          .set({ accepted_at: now })
          .where("id", "=", invitation.id)
          .where("accepted_at", "is", null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) {
          throw new AppError("TOKEN_INVALID", "This invitation has already been used.");
        }
        if (passwordHash !== undefined) {
          await trx
            .insertInto("users")
            .values({
              id: userId,
              email: invitation.email,
              name: input.name as string,
              phone: input.phone as string,
              postal_address: input.postalAddress as string,
              password_hash: passwordHash,
              // The link in the invitation email proves the address.
              email_verified_at: now,
              totp_secret: null,
              created_at: now,
            })
            .execute();
        }
        const already = await trx
          .selectFrom("memberships")
          .select("user_id")
          .where("organisation_id", "=", invitation.organisation_id)
          .where("user_id", "=", userId)
          .executeTakeFirst();
        if (already === undefined) {
          await trx
            .insertInto("memberships")
            .values({
              organisation_id: invitation.organisation_id,
              user_id: userId,
              role: invitation.role,
              created_at: now,
            })
            .execute();
        }
        await recordAudit(
          trx,
          {
            organisationId: mintOrgId(invitation.organisation_id),
            actorUserId: userId,
            action: "invitation-accepted",
            target: invitation.id,
            ip: meta.ip,
          },
          now,
        );
      });
      user ??= { id: userId, password_hash: "", totp_secret: null };
      return issueSession(userId, invitation.organisation_id, user.totp_secret !== null, meta);
    },

    /** Creates an API token acting as this member; the token is returned once and never again. */
    async createApiToken(
      actor: Actor,
      name: string,
      meta: RequestMeta,
      scopes: readonly TokenScope[] = ["read", "write"],
    ): Promise<{ token: string; info: ApiTokenInfo }> {
      requireSession(actor);
      requirePermission(actor.role, "api-tokens:own");
      const stored = storedScopes(scopes);
      if (stored === "")
        throw invalid("scopes", "Choose what the token may do: read, write or both");
      const token = newSecretToken("ally_");
      const now = clock.now();
      const id = newId("tok");
      await db
        .insertInto("api_tokens")
        .values({
          id,
          organisation_id: actor.orgId,
          user_id: actor.userId,
          name,
          token_hash: tokenHash(token),
          created_at: now,
          last_used_at: null,
          revoked_at: null,
          scopes: stored,
        })
        .execute();
      await recordAudit(
        db,
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "api-token-created",
          target: id,
          ip: meta.ip,
        },
        now,
      );
      return {
        token,
        info: { id, name, scopes: parseStoredScopes(stored), createdAt: now, lastUsedAt: null },
      };
    },

    async listApiTokens(actor: Actor): Promise<ApiTokenInfo[]> {
      requireSession(actor);
      const rows = await db
        .selectFrom("api_tokens")
        .select(["id", "name", "scopes", "created_at", "last_used_at"])
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", actor.userId)
        .where("revoked_at", "is", null)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        scopes: parseStoredScopes(r.scopes),
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
      }));
    },

    async revokeApiToken(actor: Actor, tokenId: string, meta: RequestMeta): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      const result = await db
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("id", "=", tokenId)
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", actor.userId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw notFound("API token");
      await recordAudit(
        db,
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "api-token-revoked",
          target: tokenId,
          ip: meta.ip,
        },
        now,
      );
    },

    /** The actor behind a bearer token, or undefined. */
    async authenticateApiToken(token: string): Promise<Actor | undefined> {
      const row = await db
        .selectFrom("api_tokens")
        .innerJoin("memberships", (join) =>
          join
            .onRef("memberships.user_id", "=", "api_tokens.user_id")
            .onRef("memberships.organisation_id", "=", "api_tokens.organisation_id"),
        )
        .select([
          "api_tokens.id",
          "api_tokens.user_id",
          "api_tokens.organisation_id",
          "api_tokens.scopes",
          "memberships.role",
        ])
        .where("api_tokens.token_hash", "=", tokenHash(token))
        .where("api_tokens.revoked_at", "is", null)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await db
        .updateTable("api_tokens")
        .set({ last_used_at: clock.now() })
        .where("id", "=", row.id)
        .execute();
      return {
        userId: row.user_id,
        orgId: mintOrgId(row.organisation_id),
        role: row.role,
        via: "api-token",
        scopes: parseStoredScopes(row.scopes),
      };
    },
  };
  return service;
}

function toMember(row: {
  id: string;
  name: string;
  email: string;
  role: Role;
  created_at: number;
}): Member {
  return {
    userId: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    joinedAt: row.created_at,
  };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}
