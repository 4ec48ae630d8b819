/**
 * A member's own details (name, email, telephone, postal address) and the organisation's
 * (its name, edited by an owner). A new email is not used until the link mailed to it is
 * opened: until then it waits in `users.pending_email`, and the old address is told.
 */
import { AppError, notFound } from "../errors.js";
import { escapeHtml } from "../mail/html.js";
import type { AccountsDb, AccountsUnit } from "./db.js";
import { useEmailToken } from "./email-tokens.js";
import { requirePermission } from "./permissions.js";
import type { OrganisationInput, ProfileInput } from "./schemas.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import { type Actor, HOUR_MS, type LinkMailing, type RequestMeta } from "./types.js";

const CHANGE_TTL_MS = 48 * HOUR_MS;

export interface Profile {
  name: string;
  email: string;
  phone: string;
  postalAddress: string;
  /** A new address asked for and not yet confirmed. */
  pendingEmail: string | null;
}

export interface OrganisationDetails {
  id: string;
  name: string;
}

export type ProfileUpdate = "saved" | "confirm-new-email";

const emailTaken = () =>
  new AppError("EMAIL_TAKEN", "Another account already uses this email.", { field: "email" });

async function addressInUse(db: AccountsDb, email: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .where("id", "!=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Mails the confirmation link to the new address, and a notice to the old one. */
async function mailEmailChange(
  deps: LinkMailing,
  unit: AccountsUnit,
  actor: Actor,
  user: { id: string; name: string; oldEmail: string; newEmail: string },
  now: number,
): Promise<void> {
  const token = newSecretToken();
  await unit.db
    .deleteFrom("email_tokens")
    .where("user_id", "=", user.id)
    .where("purpose", "=", "change-email")
    .execute();
  await unit.db
    .insertInto("email_tokens")
    .values({
      token_hash: tokenHash(token),
      user_id: user.id,
      purpose: "change-email",
      expires_at: now + CHANGE_TTL_MS,
      used_at: null,
    })
    .execute();
  const url = deps.link(`/confirm-email-change?token=${encodeURIComponent(token)}`);
  await unit.mail(
    {
      organisationId: actor.orgId,
      kind: "change-email",
      to: user.newEmail,
      subject: "Confirm your new email address for Ally",
      text: `Hello ${user.name},\n\nTo use this address for your Ally account, open this link:\n\n${url}\n\nThe link works for 48 hours. Until then your account keeps its old address. If you did not ask for this, ignore this message.\n`,
      html: `<p>Hello ${escapeHtml(user.name)},</p><p>To use this address for your Ally account:</p><p><a href="${escapeHtml(url)}">Confirm my new email address</a></p><p>The link works for 48 hours. Until then your account keeps its old address. If you did not ask for this, ignore this message.</p>`,
    },
    now,
  );
  await unit.mail(
    {
      organisationId: actor.orgId,
      kind: "change-email-notice",
      to: user.oldEmail,
      subject: "Someone asked to change your Ally email address",
      text: `Hello ${user.name},\n\nA change of your Ally account's email address was asked for. It takes effect only when confirmed from the new address. If this was not you, sign in and change your password.\n`,
      html: `<p>Hello ${escapeHtml(user.name)},</p><p>A change of your Ally account's email address was asked for. It takes effect only when confirmed from the new address. If this was not you, sign in and change your password.</p>`,
    },
    now,
  );
}

export function profileOperations(deps: LinkMailing) {
  const { store, clock } = deps;
  return {
    async getProfile(actor: Actor): Promise<Profile> {
      const row = await store.db
        .selectFrom("users")
        .select(["name", "email", "phone", "postal_address", "pending_email"])
        .where("id", "=", actor.userId)
        .executeTakeFirst();
      if (row === undefined) throw notFound("user");
      return {
        name: row.name,
        email: row.email,
        phone: row.phone,
        postalAddress: row.postal_address,
        pendingEmail: row.pending_email,
      };
    },

    /**
     * Saves the member's own details. A different email is kept aside and a confirmation link
     * mailed to it; EMAIL_TAKEN when another account uses it.
     */
    async updateProfile(
      actor: Actor,
      input: ProfileInput,
      meta: RequestMeta,
    ): Promise<ProfileUpdate> {
      const now = clock.now();
      return store.transaction(async (unit) => {
        const { db } = unit;
        const user = await db
          .selectFrom("users")
          .select(["email"])
          .where("id", "=", actor.userId)
          .executeTakeFirst();
        if (user === undefined) throw notFound("user");
        const changesEmail = input.email !== user.email;
        if (changesEmail && (await addressInUse(db, input.email, actor.userId))) throw emailTaken();
        await db
          .updateTable("users")
          .set({
            name: input.name,
            phone: input.phone,
            postal_address: input.postalAddress,
            ...(changesEmail ? { pending_email: input.email } : {}),
          })
          .where("id", "=", actor.userId)
          .execute();
        if (changesEmail) {
          await mailEmailChange(
            deps,
            unit,
            actor,
            { id: actor.userId, name: input.name, oldEmail: user.email, newEmail: input.email },
            now,
          );
        }
        await unit.audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "account-updated",
            target: changesEmail ? "profile, email change asked" : "profile",
            ip: meta.ip,
          },
          now,
        );
        return changesEmail ? "confirm-new-email" : "saved";
      });
    },

    /**
     * Opens the link mailed to a new address: the account now signs in with it.
     * TOKEN_INVALID when the link is unknown, used or expired, or the change was withdrawn;
     * EMAIL_TAKEN when another account took the address meanwhile.
     */
    async confirmEmailChange(token: string, meta: RequestMeta): Promise<{ email: string }> {
      const now = clock.now();
      return store.transaction(async (unit) => {
        const { db } = unit;
        const row = await useEmailToken(db, token, "change-email", now);
        const user = await db
          .selectFrom("users")
          .select(["pending_email"])
          .where("id", "=", row.user_id)
          .executeTakeFirst();
        const email = user?.pending_email ?? null;
        if (email === null) {
          throw new AppError("TOKEN_INVALID", "This link is invalid or has expired.");
        }
        if (await addressInUse(db, email, row.user_id)) throw emailTaken();
        await db
          .updateTable("users")
          .set({ email, pending_email: null, email_verified_at: now })
          .where("id", "=", row.user_id)
          .execute();
        await unit.audit(
          {
            organisationId: null,
            actorUserId: row.user_id,
            action: "account-updated",
            target: "email confirmed",
            ip: meta.ip,
          },
          now,
        );
        return { email };
      });
    },

    async getOrganisation(actor: Actor): Promise<OrganisationDetails> {
      const row = await store.db
        .selectFrom("organisations")
        .select(["id", "name"])
        .where("id", "=", actor.orgId)
        .executeTakeFirst();
      if (row === undefined) throw notFound("organisation");
      return row;
    },

    /** An owner renames the organisation. */
    async updateOrganisation(
      actor: Actor,
      input: OrganisationInput,
      meta: RequestMeta,
    ): Promise<OrganisationDetails> {
      requirePermission(actor.role, "owners:manage");
      const now = clock.now();
      await store.transaction(async (unit) => {
        await unit.db
          .updateTable("organisations")
          .set({ name: input.name })
          .where("id", "=", actor.orgId)
          .execute();
        await unit.audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "account-updated",
            target: "organisation name",
            ip: meta.ip,
          },
          now,
        );
      });
      return { id: actor.orgId, name: input.name };
    },
  };
}
