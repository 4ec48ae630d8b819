/**
 * A user closes their own account, confirming with their password. Refused (LAST_OWNER) while
 * they are the only owner of an organisation that has other members: they hand it over first.
 * Otherwise, in one transaction: each membership goes as when an admin removes a member
 * (member-removal.ts, the other modules' steps included); an organisation they were the only
 * member of is erased with everything in it, each module through its own function
 * (org-closure.ts); every session, API token and mailed link goes;
 * the user row is anonymised (kept, so records that name its id still resolve, to no one).
 */
import { AppError } from "../errors.js";
import { mintOrgId } from "../ids.js";
import type { AccountsDb } from "./db.js";
import { type MemberRemovalDeps, removeMembership } from "./member-removal.js";
import {
  eraseOrganisationInTransaction,
  type OrganisationErasureInProgress,
  type OrganisationErasureStep,
} from "./org-closure.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { SECOND_FACTOR_OFF_RATE, takeRate } from "./rate-limit.js";
import { requireSession } from "./token-scopes.js";
import { newSecretToken } from "./tokens.js";
import type { Actor, RequestMeta } from "./types.js";

/** An address no one can receive at or sign in with, unique per closed account. */
export const closedAccountEmail = (userId: string) => `closed-${userId}@closed.invalid`;

interface MembershipFacts {
  organisationId: string;
  organisationName: string;
  role: string;
  owners: number;
  members: number;
}

async function membershipFacts(db: AccountsDb, userId: string): Promise<MembershipFacts[]> {
  const mine = await db
    .selectFrom("memberships")
    .innerJoin("organisations", "organisations.id", "memberships.organisation_id")
    .select(["memberships.organisation_id", "memberships.role", "organisations.name"])
    .where("memberships.user_id", "=", userId)
    .orderBy("memberships.organisation_id")
    .execute();
  const facts: MembershipFacts[] = [];
  for (const m of mine) {
    // Lock the organisation's row (as role changes do) before counting its owners.
    await db
      .updateTable("organisations")
      .set((eb) => ({ name: eb.ref("name") }))
      .where("id", "=", m.organisation_id)
      .execute();
    const all = await db
      .selectFrom("memberships")
      .select("role")
      .where("organisation_id", "=", m.organisation_id)
      .execute();
    facts.push({
      organisationId: m.organisation_id,
      organisationName: m.name,
      role: m.role,
      owners: all.filter((r) => r.role === "owner").length,
      members: all.length,
    });
  }
  return facts;
}

async function checkPassword(deps: MemberRemovalDeps, actor: Actor, password: string) {
  const { store, clock } = deps;
  if (
    !(await takeRate(
      store.db,
      `close-account:${actor.userId}`,
      SECOND_FACTOR_OFF_RATE,
      clock.now(),
    ))
  ) {
    throw new AppError("RATE_LIMITED", "Too many attempts. Wait 15 minutes and try again.", {
      field: "password",
    });
  }
  const user = await store.db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", actor.userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, password))) {
    throw new AppError("INVALID_CREDENTIALS", "That password is not right.", {
      field: "password",
    });
  }
}

export interface AccountClosureDeps extends MemberRemovalDeps {
  /** How an organisation left without members is erased (org-closure.ts). */
  organisationErasureSteps: readonly OrganisationErasureStep[];
}

export function accountClosureOperations(deps: AccountClosureDeps) {
  const { store, clock } = deps;
  return {
    /**
     * Closes the signed-in user's account. INVALID_CREDENTIALS for a wrong password;
     * LAST_OWNER while they alone own an organisation with other members.
     */
    async closeAccount(actor: Actor, password: string, meta: RequestMeta): Promise<void> {
      requireSession(actor);
      await checkPassword(deps, actor, password);
      const now = clock.now();
      // A well-formed hash of a secret nobody keeps: the row can never be signed in to again.
      const unusableHash = await hashPassword(newSecretToken());
      const erasures: OrganisationErasureInProgress[] = [];
      await store.transaction(async (unit) => {
        const { db, shared, audit } = unit;
        const facts = await membershipFacts(db, actor.userId);
        const held = facts.find((f) => f.role === "owner" && f.owners === 1 && f.members > 1);
        if (held !== undefined) {
          throw new AppError(
            "LAST_OWNER",
            `You are the only owner of ${held.organisationName}. Make another member an owner first.`,
            { field: "password" },
          );
        }
        const user = await db
          .selectFrom("users")
          .select("name")
          .where("id", "=", actor.userId)
          .executeTakeFirstOrThrow();
        for (const f of facts) {
          const orgId = mintOrgId(f.organisationId);
          await removeMembership(db, shared, deps.memberRemovalSteps, orgId, {
            userId: actor.userId,
            name: user.name,
          });
          if (f.members === 1) {
            // Nobody is left: the organisation and everything in it go, module by module.
            erasures.push(
              await eraseOrganisationInTransaction(
                unit,
                deps.organisationErasureSteps,
                orgId,
                now,
                "with its last member's account",
              ),
            );
          } else {
            await audit(
              {
                organisationId: orgId,
                actorUserId: null,
                action: "member-removed",
                target: `${actor.userId}:${f.role}:closed their account`,
                ip: meta.ip,
              },
              now,
            );
          }
        }
        for (const table of ["sessions", "api_tokens", "email_tokens"] as const) {
          await db.deleteFrom(table).where("user_id", "=", actor.userId).execute();
        }
        await db
          .updateTable("users")
          .set({
            email: closedAccountEmail(actor.userId),
            name: "Former member",
            phone: "",
            postal_address: "",
            password_hash: unusableHash,
            totp_secret: null,
            pending_email: null,
          })
          .where("id", "=", actor.userId)
          .execute();
        await audit(
          {
            organisationId: null,
            actorUserId: actor.userId,
            action: "deletion",
            target: "account closed",
            ip: meta.ip,
          },
          now,
        );
      });
      for (const erasure of erasures) await erasure.finish();
    },
  };
}
