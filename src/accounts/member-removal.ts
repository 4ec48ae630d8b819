/**
 * An admin removes a member from the organisation. In one transaction: the membership, the
 * member's sessions in this organisation, their API tokens for it, and what the other modules
 * hold for them there (calendar connections and busy time, pool places, a word to the
 * recruiters of interviews they are booked on), each through that module's own functions,
 * wired in by the app as `MemberRemovalSteps`. The last owner cannot be removed.
 */
import { AppError, forbidden, notFound } from "../errors.js";
import type { OrgId } from "../ids.js";
import type { AccountsDb, AnyHandle } from "./db.js";
import { closeIfOrphaned } from "./former-members.js";
import { requirePermission } from "./permissions.js";
import type { AccountsBase, Actor, RequestMeta } from "./types.js";

/** What another module removes for a leaving member, inside the removal's transaction. */
export type MemberRemovalStep = (
  trx: AnyHandle,
  orgId: OrgId,
  member: { userId: string; name: string },
) => Promise<unknown>;

export interface MemberRemovalDeps extends AccountsBase {
  /** Run in order, in the removal's transaction (app/compose.ts wires them). */
  memberRemovalSteps: readonly MemberRemovalStep[];
}

const roleIn = (db: AccountsDb, orgId: string, userId: string) =>
  db
    .selectFrom("memberships")
    .select("role")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();

/** LAST_OWNER when `userId` is the organisation's only owner. */
export async function refuseLastOwner(db: AccountsDb, orgId: string, userId: string) {
  const owners = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", orgId)
    .where("role", "=", "owner")
    .execute();
  if (owners.length === 1 && owners[0]?.user_id === userId) {
    throw new AppError("LAST_OWNER", "An organisation needs at least one owner.", {
      field: "userId",
    });
  }
}

/**
 * Deletes the member's membership, sessions and API tokens in `orgId`, and runs the other
 * modules' steps, in `db`'s transaction (the caller holds the organisation's lock).
 */
export async function removeMembership(
  db: AccountsDb,
  shared: AnyHandle,
  steps: readonly MemberRemovalStep[],
  orgId: OrgId,
  member: { userId: string; name: string },
): Promise<void> {
  for (const step of steps) await step(shared, orgId, member);
  await db
    .deleteFrom("sessions")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", member.userId)
    .execute();
  await db
    .deleteFrom("api_tokens")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", member.userId)
    .execute();
  await db
    .deleteFrom("memberships")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", member.userId)
    .execute();
}

export function memberRemovalOperations(deps: MemberRemovalDeps) {
  const { store, clock } = deps;
  return {
    /**
     * Removes `userId` from the actor's organisation. NOT_FOUND when they are not a member;
     * FORBIDDEN unless the actor may manage members (and is an owner, to remove an owner);
     * LAST_OWNER for the only owner.
     */
    async removeMember(actor: Actor, userId: string, meta: RequestMeta): Promise<void> {
      requirePermission(actor.role, "members:manage");
      await store.transaction(async ({ db, shared, audit }) => {
        // One membership change per organisation at a time (as in members.ts).
        await db
          .updateTable("organisations")
          .set((eb) => ({ name: eb.ref("name") }))
          .where("id", "=", actor.orgId)
          .execute();
        const acting = await roleIn(db, actor.orgId, actor.userId);
        if (acting === undefined) throw forbidden();
        requirePermission(acting.role, "members:manage");
        const target = await roleIn(db, actor.orgId, userId);
        if (target === undefined) throw notFound("member");
        if (target.role === "owner" && acting.role !== "owner") {
          throw forbidden("Only an owner can remove an owner.");
        }
        await refuseLastOwner(db, actor.orgId, userId);
        const user = await db
          .selectFrom("users")
          .select("name")
          .where("id", "=", userId)
          .executeTakeFirstOrThrow();
        await removeMembership(db, shared, deps.memberRemovalSteps, actor.orgId, {
          userId,
          name: user.name,
        });
        // Nowhere left to sign in to: the account is closed for them (former-members.ts).
        const closed = await closeIfOrphaned(db, userId);
        await audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "member-removed",
            target: `${userId}:${target.role}${closed ? ":account closed" : ""}`,
            ip: meta.ip,
          },
          clock.now(),
        );
      });
    },
  };
}
