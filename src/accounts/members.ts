/**
 * Members of an organisation and their roles. Changing a role is serialised per organisation,
 * so an organisation always keeps at least one owner, and only an owner makes or unmakes owners.
 */
import { AppError, forbidden, notFound } from "../errors.js";
import type { OrgId } from "../ids.js";
import type { AccountsDb } from "./db.js";
import { requirePermission } from "./permissions.js";
import type { Role } from "./tables.js";
import type { AccountsBase, Actor, Member, RequestMeta } from "./types.js";

/** Members of one organisation, with their user details. */
export function membersQuery(db: AccountsDb, organisationId: OrgId | string) {
  return db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.name", "users.email", "memberships.role", "memberships.created_at"])
    .where("memberships.organisation_id", "=", organisationId);
}

export function toMember(row: {
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

/**
 * Checks, inside the role change's transaction, that the actor (with their role as it is now)
 * may give `userId` the `role`; returns the member's current role.
 */
async function checkRoleChange(
  db: AccountsDb,
  actor: Actor,
  userId: string,
  role: Role,
): Promise<Role> {
  const roleOf = (id: string) =>
    db
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
    const owners = await db
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
  return current.role;
}

export function memberOperations(deps: AccountsBase) {
  const { store, clock } = deps;
  return {
    async listMembers(actor: Actor): Promise<Member[]> {
      const rows = await membersQuery(store.db, actor.orgId).orderBy("users.name").execute();
      return rows.map(toMember);
    },

    async getMember(actor: Actor, userId: string): Promise<Member> {
      const row = await membersQuery(store.db, actor.orgId)
        .where("memberships.user_id", "=", userId)
        .executeTakeFirst();
      if (row === undefined) throw notFound("member");
      return toMember(row);
    },

    async changeRole(actor: Actor, userId: string, role: Role, meta: RequestMeta): Promise<void> {
      requirePermission(actor.role, "members:manage");
      await store.transaction(async ({ db, audit }) => {
        // One role change per organisation at a time: touching the organisation's row locks it
        // (PostgreSQL) or takes the write lock (SQLite), so two owners demoting each other at
        // once cannot both see "another owner remains".
        await db
          .updateTable("organisations")
          .set((eb) => ({ name: eb.ref("name") }))
          .where("id", "=", actor.orgId)
          .execute();
        const before = await checkRoleChange(db, actor, userId, role);
        await db
          .updateTable("memberships")
          .set({ role })
          .where("organisation_id", "=", actor.orgId)
          .where("user_id", "=", userId)
          .execute();
        await audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "role-changed",
            target: `${userId}:${before}->${role}`,
            ip: meta.ip,
          },
          clock.now(),
        );
      });
    },
  };
}
