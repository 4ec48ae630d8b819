/**
 * Inviting colleagues: an owner or admin invites an address with a role; the mailed link,
 * valid seven days and used once, lets a new person register or an existing account join.
 */
import { AppError, forbidden, invalid, notFound } from "../errors.js";
import { mintOrgId, newId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import type { AccountsDb, AccountsUnit } from "./db.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { requirePermission } from "./permissions.js";
import { organisationName } from "./reads.js";
import { issueSession } from "./sessions.js";
import type { InvitationsTable, Role } from "./tables.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import {
  type Actor,
  HOUR_MS,
  type Invitation,
  type IssuedSession,
  type LinkMailing,
  type RequestMeta,
  type SessionIssuing,
} from "./types.js";

const INVITE_TTL_MS = 7 * 24 * HOUR_MS;

export type InvitationDeps = LinkMailing & SessionIssuing;

export interface AcceptInvitationInput {
  token: string;
  name?: string;
  phone?: string;
  postalAddress?: string;
  password?: string;
}

/** A person's registration details, required when the invitation's address has no account. */
interface Registration {
  name: string;
  phone: string;
  postalAddress: string;
  passwordHash: string;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

async function openInvitation(
  db: AccountsDb,
  token: string,
  now: number,
): Promise<InvitationsTable> {
  const invitation = await db
    .selectFrom("invitations")
    .selectAll()
    .where("token_hash", "=", tokenHash(token))
    .executeTakeFirst();
  if (invitation === undefined || invitation.accepted_at !== null || invitation.expires_at <= now) {
    throw new AppError("TOKEN_INVALID", "This invitation is invalid, used or expired.");
  }
  return invitation;
}

/**
 * Who accepts: the existing account (proven by its password), or a new person's registration
 * (all details required).
 */
async function accepter(
  db: AccountsDb,
  email: string,
  input: AcceptInvitationInput,
): Promise<{ id: string; totpSecret: string | null } | Registration> {
  if (input.password === undefined) throw invalid("password", "Password is required");
  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "totp_secret"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (user !== undefined) {
    if (!(await verifyPassword(user.password_hash, input.password))) {
      throw new AppError("INVALID_CREDENTIALS", "That password is not right for this account.", {
        field: "password",
      });
    }
    return { id: user.id, totpSecret: user.totp_secret };
  }
  if (input.name === undefined) throw invalid("name", "Name is required");
  if (input.phone === undefined) throw invalid("phone", "Telephone is required");
  if (input.postalAddress === undefined)
    throw invalid("postalAddress", "Postal address is required");
  return {
    name: input.name,
    phone: input.phone,
    postalAddress: input.postalAddress,
    passwordHash: await hashPassword(input.password),
  };
}

/** Claims the invitation once, creates the account if new, and adds the membership. */
async function joinByInvitation(
  unit: AccountsUnit,
  invitation: InvitationsTable,
  userId: string,
  registration: Registration | undefined,
  now: number,
): Promise<void> {
  const { db } = unit;
  const claimed = await db
    .updateTable("invitations")
    .set({ accepted_at: now })
    .where("id", "=", invitation.id)
    .where("accepted_at", "is", null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) {
    throw new AppError("TOKEN_INVALID", "This invitation has already been used.");
  }
  if (registration !== undefined) {
    await db
      .insertInto("users")
      .values({
        id: userId,
        email: invitation.email,
        name: registration.name,
        phone: registration.phone,
        postal_address: registration.postalAddress,
        password_hash: registration.passwordHash,
        // The link in the invitation email proves the address.
        email_verified_at: now,
        totp_secret: null,
        created_at: now,
      })
      .execute();
  }
  const already = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", invitation.organisation_id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (already === undefined) {
    await db
      .insertInto("memberships")
      .values({
        organisation_id: invitation.organisation_id,
        user_id: userId,
        role: invitation.role,
        created_at: now,
      })
      .execute();
  }
}

/** Invites an address with a role: stores the invitation and mails its link, together. */
async function invite(
  deps: InvitationDeps,
  actor: Actor,
  input: { email: string; role: Role },
  meta: RequestMeta,
): Promise<Invitation> {
  const { store, clock } = deps;
  requirePermission(actor.role, "members:manage");
  if (input.role === "owner" && actor.role !== "owner")
    throw forbidden("Only an owner can invite owners.");
  const existing = await store.db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select("users.id")
    .where("memberships.organisation_id", "=", actor.orgId)
    .where("users.email", "=", input.email)
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new AppError("ALREADY_MEMBER", "This person is already a member.", { field: "email" });
  }
  const token = newSecretToken();
  const now = clock.now();
  const id = newId("inv");
  const orgName = await organisationName(store.db, actor.orgId);
  if (orgName === undefined) throw notFound("organisation");
  const inviter = await store.db
    .selectFrom("users")
    .select("name")
    .where("id", "=", actor.userId)
    .executeTakeFirstOrThrow();
  const url = deps.link(`/invitations/accept?token=${encodeURIComponent(token)}`);
  const as = `${article(input.role)} ${input.role}`;
  await store.transaction(async (unit) => {
    await unit.db
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
    await unit.mail(
      {
        organisationId: actor.orgId,
        kind: "invitation",
        to: input.email,
        subject: `${inviter.name} invited you to ${orgName} on Ally`,
        text: `Hello,\n\n${inviter.name} invited you to join ${orgName} on Ally as ${as}.\n\nAccept the invitation here:\n\n${url}\n\nThe link works for seven days.\n`,
        html: `<p>Hello,</p><p>${escapeHtml(inviter.name)} invited you to join ${escapeHtml(orgName)} on Ally as ${as}.</p><p><a href="${escapeHtml(url)}">Accept the invitation</a></p><p>The link works for seven days.</p>`,
      },
      now,
    );
    await unit.audit(
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
  const expiresAt = now + INVITE_TTL_MS;
  return {
    id,
    email: input.email,
    role: input.role,
    createdAt: now,
    expiresAt,
    acceptedAt: null,
  };
}

export function invitationOperations(deps: InvitationDeps) {
  const { store, clock } = deps;
  return {
    invite: (actor: Actor, input: { email: string; role: Role }, meta: RequestMeta) =>
      invite(deps, actor, input, meta),

    async listInvitations(actor: Actor): Promise<Invitation[]> {
      requirePermission(actor.role, "members:manage");
      const rows = await store.db
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
      const row = await store.db
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
      const user = await store.db
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
      input: AcceptInvitationInput,
      meta: RequestMeta,
    ): Promise<IssuedSession> {
      const now = clock.now();
      const invitation = await openInvitation(store.db, input.token, now);
      const who = await accepter(store.db, invitation.email, input);
      const existing = "id" in who ? who : undefined;
      const userId = existing?.id ?? newId("user");
      await store.transaction(async (unit) => {
        await joinByInvitation(unit, invitation, userId, "id" in who ? undefined : who, now);
        await unit.audit(
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
      const pending = (existing?.totpSecret ?? null) !== null;
      return issueSession(deps, userId, invitation.organisation_id, pending, meta);
    },
  };
}
