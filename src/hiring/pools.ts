/**
 * Interviewer pools: named sets of the organisation's members that loop sessions draw
 * interviewers from. Only members of the same organisation can be put in a pool.
 */
import { requirePermission } from "../accounts/permissions.js";
import { membersAmong, membersByUserIds } from "../accounts/reads.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { AppError, invalid, notFound } from "../errors.js";
import { newId, type OrgId } from "../ids.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { templatesUsingPool } from "./loop-templates.js";
import { parseInput } from "./parse-input.js";
import { type Pool, type PoolInput, poolInput } from "./schemas.js";
import type { PoolsTable } from "./tables.js";

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toPool(row: PoolsTable, memberIds: string[]): Pool {
  return {
    id: row.id,
    name: row.name,
    memberIds,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Member ids of the given pools, each list ordered by the member's name (then id). Names come
 * from accounts; an id that is no longer a member of the organisation is left out.
 */
async function membersOf(
  handle: AnyHandle,
  orgId: OrgId,
  poolIds: string[],
): Promise<Map<string, string[]>> {
  const db = hiringDb(handle);
  const byPool = new Map<string, string[]>(poolIds.map((id) => [id, []]));
  if (poolIds.length === 0) return byPool;
  const rows = await db
    .selectFrom("pool_members")
    .select(["pool_id", "user_id"])
    .where("organisation_id", "=", orgId)
    .where("pool_id", "in", poolIds)
    .execute();
  const members = await membersByUserIds(
    db,
    orgId,
    rows.map((r) => r.user_id),
  );
  const sortKey = (userId: string) => members.get(userId)?.name ?? "";
  const sorted = rows
    .filter((row) => members.has(row.user_id))
    .sort(
      (a, b) =>
        byCodeUnits(sortKey(a.user_id), sortKey(b.user_id)) || byCodeUnits(a.user_id, b.user_id),
    );
  for (const row of sorted) byPool.get(row.pool_id)?.push(row.user_id);
  return byPool;
}

/**
 * Every id must be a member of the organisation. The message is the same whether the id is
 * unknown or belongs to someone elsewhere, so nothing about other organisations leaks.
 */
async function checkMembers(
  handle: AnyHandle,
  orgId: OrgId,
  memberIds: string[],
): Promise<string[]> {
  const trx = hiringDb(handle);
  const unique = [...new Set(memberIds)];
  if (unique.length === 0) return unique;
  const known = await membersAmong(trx, orgId, unique);
  const at = memberIds.findIndex((id) => !known.has(id));
  if (at >= 0) {
    throw invalid(`memberIds.${at}`, "Choose members of your organisation only");
  }
  return unique;
}

async function writeMembers(
  handle: AnyHandle,
  orgId: OrgId,
  poolId: string,
  memberIds: string[],
): Promise<void> {
  const trx = hiringDb(handle);
  await trx
    .deleteFrom("pool_members")
    .where("organisation_id", "=", orgId)
    .where("pool_id", "=", poolId)
    .execute();
  if (memberIds.length === 0) return;
  await trx
    .insertInto("pool_members")
    .values(
      memberIds.map((userId) => ({ pool_id: poolId, organisation_id: orgId, user_id: userId })),
    )
    .execute();
}

export function poolOperations(deps: { db: AnyHandle; clock: Clock }) {
  const { clock } = deps;
  const db = hiringDb(deps.db);

  async function getPool(actor: Actor, id: string): Promise<Pool> {
    requirePermission(actor.role, "hiring:read");
    const row = await db
      .selectFrom("pools")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("pool");
    const members = await membersOf(db, actor.orgId, [row.id]);
    return toPool(row, members.get(row.id) ?? []);
  }

  return {
    async listPools(actor: Actor): Promise<Pool[]> {
      requirePermission(actor.role, "hiring:read");
      const rows = await db
        .selectFrom("pools")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("name")
        .orderBy("id")
        .execute();
      const members = await membersOf(
        db,
        actor.orgId,
        rows.map((r) => r.id),
      );
      return rows.map((row) => toPool(row, members.get(row.id) ?? []));
    },

    getPool,

    async createPool(actor: Actor, input: PoolInput): Promise<Pool> {
      requirePermission(actor.role, "hiring:write");
      const value = parseInput(poolInput, input);
      const now = clock.now();
      const row: PoolsTable = {
        id: newId("pool"),
        organisation_id: actor.orgId,
        name: value.name,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        const memberIds = await checkMembers(trx, actor.orgId, value.memberIds);
        await trx.insertInto("pools").values(row).execute();
        await writeMembers(trx, actor.orgId, row.id, memberIds);
      });
      return getPool(actor, row.id);
    },

    /**
     * Renames the pool and replaces its members. Refused, naming `memberIds`, when a loop
     * template needs more interviewers from this pool than it would keep.
     */
    async updatePool(actor: Actor, id: string, input: PoolInput): Promise<Pool> {
      requirePermission(actor.role, "hiring:write");
      const value = parseInput(poolInput, input);
      await db.transaction().execute(async (trx) => {
        // Updating the row first also locks it against a concurrent template check.
        const result = await trx
          .updateTable("pools")
          .set({ name: value.name, updated_at: clock.now() })
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) throw notFound("pool");
        const memberIds = await checkMembers(trx, actor.orgId, value.memberIds);
        for (const template of await templatesUsingPool(trx, actor.orgId, id)) {
          const needed = Math.max(
            ...template.sessions.filter((s) => s.poolId === id).map((s) => s.count),
          );
          if (needed > memberIds.length) {
            throw invalid(
              "memberIds",
              `The loop template "${template.name}" needs ${needed} interviewers from this pool; keep at least ${needed} members`,
            );
          }
        }
        await writeMembers(trx, actor.orgId, id, memberIds);
      });
      return getPool(actor, id);
    },

    /** Deletes the pool; refused with IN_USE while a loop template uses it. */
    async deletePool(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.role, "hiring:write");
      await db.transaction().execute(async (trx) => {
        // Lock the row first, so a template being saved with this pool either commits before
        // the check below sees it, or waits and then finds the pool gone.
        const locked = await trx
          .updateTable("pools")
          .set((eb) => ({ updated_at: eb.ref("updated_at") }))
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (Number(locked.numUpdatedRows) !== 1) throw notFound("pool");
        const first = (await templatesUsingPool(trx, actor.orgId, id))[0];
        if (first !== undefined) {
          throw new AppError(
            "IN_USE",
            `The loop template "${first.name}" uses this pool. Change or delete the template first.`,
          );
        }
        const result = await trx
          .deleteFrom("pools")
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) !== 1) throw notFound("pool");
      });
    },
  };
}
