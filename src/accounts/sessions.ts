/**
 * Sessions: issuing one at sign-in (full, or waiting for the second factor), finding the one
 * behind a cookie, and signing out. The cookie value is never stored, only its SHA-256.
 */
import { mintOrgId } from "../ids.js";
import type { AccountsDb } from "./db.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import type {
  AccountsBase,
  IssuedSession,
  RequestMeta,
  SessionContext,
  SessionIssuing,
} from "./types.js";

/** How long a signed-in password may wait for its second factor. */
const SECOND_FACTOR_WINDOW_MS = 10 * 60_000;

/** Starts a session for a member of `organisationId`; pending until the second factor if due. */
export async function issueSession(
  deps: SessionIssuing,
  userId: string,
  organisationId: string,
  pendingSecondFactor: boolean,
  meta: RequestMeta,
): Promise<IssuedSession> {
  const token = newSecretToken();
  const csrfToken = newSecretToken();
  const now = deps.clock.now();
  const expiresAt = now + (pendingSecondFactor ? SECOND_FACTOR_WINDOW_MS : deps.sessionTtlMs);
  await deps.store.db
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

/** The organisation a user joined first: where signing in takes them. */
export async function firstOrganisation(
  db: AccountsDb,
  userId: string,
): Promise<{ organisation_id: string } | undefined> {
  return db
    .selectFrom("memberships")
    .select("organisation_id")
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .executeTakeFirst();
}

/** The session behind a cookie value, or undefined when it is unknown or expired. */
export async function lookupSession(
  deps: AccountsBase,
  sessionToken: string,
): Promise<SessionContext | undefined> {
  const now = deps.clock.now();
  const row = await deps.store.db
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

export function sessionOperations(deps: AccountsBase) {
  const { store, clock } = deps;
  return {
    /** The session behind a cookie value, or undefined when it is unknown or expired. */
    session: (sessionToken: string) => lookupSession(deps, sessionToken),

    async signOut(sessionToken: string, meta: RequestMeta): Promise<void> {
      const context = await lookupSession(deps, sessionToken);
      await store.db
        .deleteFrom("sessions")
        .where("id_hash", "=", tokenHash(sessionToken))
        .execute();
      if (context !== undefined) {
        await store.audit(
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
  };
}
