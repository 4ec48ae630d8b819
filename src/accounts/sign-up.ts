/**
 * Sign-up and email verification: a new organisation with its owner, the confirmation link,
 * and confirming it (which signs the owner in). The page's sign-up answers alike whether or
 * not the address already has an account (sign-up-notice.ts).
 */
import { AppError, notFound } from "../errors.js";
import { mintOrgId, newId, type OrgId } from "../ids.js";
import type { AccountsUnit } from "./db.js";
import { sendVerification, useEmailToken } from "./email-tokens.js";
import { hashPassword } from "./passwords.js";
import type { SignUpInput } from "./schemas.js";
import { firstOrganisation, issueSession } from "./sessions.js";
import { sendSignUpNotice } from "./sign-up-notice.js";
import {
  type IssuedSession,
  type LinkMailing,
  quietWhenMailLimited,
  type RequestMeta,
  type SessionIssuing,
} from "./types.js";

export type SignUpDeps = LinkMailing & SessionIssuing;

const emailTaken = () =>
  new AppError("EMAIL_TAKEN", "An account with this email already exists. Sign in instead.", {
    field: "email",
  });

/** The organisation, its owner and the owner's membership, in `unit`'s transaction. */
async function createOwnerAccount(
  unit: AccountsUnit,
  input: SignUpInput,
  ids: { userId: string; organisationId: string },
  passwordHash: string,
  now: number,
): Promise<void> {
  const { db } = unit;
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", input.email)
    .executeTakeFirst();
  if (existing !== undefined) throw emailTaken();
  await db
    .insertInto("organisations")
    .values({ id: ids.organisationId, name: input.company, created_at: now })
    .execute();
  await db
    .insertInto("users")
    .values({
      id: ids.userId,
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
  await db
    .insertInto("memberships")
    .values({
      organisation_id: ids.organisationId,
      user_id: ids.userId,
      role: "owner",
      created_at: now,
    })
    .execute();
}

export function signUpOperations(deps: SignUpDeps) {
  const { store, clock } = deps;

  /** Creates the organisation, its owner, and sends the verification email. */
  async function signUp(
    input: SignUpInput,
    meta: RequestMeta,
  ): Promise<{ userId: string; orgId: OrgId }> {
    const passwordHash = await hashPassword(input.password);
    const now = clock.now();
    const ids = { userId: newId("user"), organisationId: newId("org") };
    try {
      await store.transaction(async (unit) => {
        await createOwnerAccount(unit, input, ids, passwordHash, now);
        const user = { id: ids.userId, email: input.email, name: input.name };
        await sendVerification(deps, unit, user, ids.organisationId);
        await unit.audit(
          {
            organisationId: mintOrgId(ids.organisationId),
            actorUserId: ids.userId,
            action: "sign-up",
            ip: meta.ip,
          },
          now,
        );
      });
    } catch (error) {
      if (error instanceof AppError) throw error;
      // A concurrent sign-up with the same email loses on the unique constraint.
      if (/unique|duplicate/i.test(String((error as Error).message))) throw emailTaken();
      throw error;
    }
    return { userId: ids.userId, orgId: mintOrgId(ids.organisationId) };
  }

  return {
    signUp,

    /**
     * Sign-up as the page offers it: the same answer whether or not the email has an account;
     * for one that has, its owner is mailed instead (sign-up-notice.ts).
     */
    async signUpOrNotify(input: SignUpInput, meta: RequestMeta): Promise<void> {
      try {
        await signUp(input, meta);
      } catch (error) {
        if (!(error instanceof AppError && error.code === "EMAIL_TAKEN")) throw error;
        await sendSignUpNotice(deps, input.email, clock.now());
      }
    },

    async resendVerification(email: string): Promise<void> {
      const user = await store.db
        .selectFrom("users")
        .select(["id", "email", "name", "email_verified_at"])
        .where("email", "=", email)
        .executeTakeFirst();
      if (user === undefined || user.email_verified_at !== null) return;
      const org = await firstOrganisation(store.db, user.id);
      // A link sent moments ago (or too many this hour) is not sent again; the page says the
      // same either way, so it does not tell whether the address has an account.
      await store
        .transaction((unit) => sendVerification(deps, unit, user, org?.organisation_id ?? null))
        .catch(quietWhenMailLimited);
    },

    /** Marks the address verified and signs the user in. */
    async verifyEmail(token: string, meta: RequestMeta): Promise<IssuedSession> {
      const row = await useEmailToken(store.db, token, "verify-email", clock.now());
      const now = clock.now();
      await store.db
        .updateTable("users")
        .set({ email_verified_at: now })
        .where("id", "=", row.user_id)
        .where("email_verified_at", "is", null)
        .execute();
      const org = await firstOrganisation(store.db, row.user_id);
      if (org === undefined) throw notFound("organisation");
      await store.audit(
        {
          organisationId: mintOrgId(org.organisation_id),
          actorUserId: row.user_id,
          action: "email-verified",
          ip: meta.ip,
        },
        now,
      );
      const user = await store.db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", row.user_id)
        .executeTakeFirstOrThrow();
      return issueSession(deps, row.user_id, org.organisation_id, user.totp_secret !== null, meta);
    },
  };
}
