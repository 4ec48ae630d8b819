/**
 * Loop templates: the sessions of an interview loop, in order, each drawing `count` distinct
 * interviewers from a pool. A session never needs more interviewers than its pool has members;
 * this holds when a template is saved and when a pool shrinks (see pools.ts).
 */
import { z } from "zod";
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { invalid, notFound } from "../errors.js";
import type { OrgId } from "../ids.js";
import { newId } from "../ids.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { parseInput } from "./parse-input.js";
import {
  type LoopSession,
  type LoopTemplate,
  type LoopTemplateInput,
  loopSessionOutput,
  loopTemplateInput,
} from "./schemas.js";
import type { LoopTemplatesTable } from "./tables.js";

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * The sessions column holds `LoopSession[]` as JSON, written only by this module.
 * @throws StoredJsonError when it holds anything else.
 */
export function readSessions(json: string, what = "loop_templates.sessions"): LoopSession[] {
  return parseStoredJson(z.array(loopSessionOutput), json, what);
}

function toTemplate(row: LoopTemplatesTable): LoopTemplate {
  return {
    id: row.id,
    name: row.name,
    jobId: row.job_id,
    order: row.session_order,
    maxGapMinutes: row.max_gap_minutes,
    sessions: readSessions(row.sessions, `loop_templates.sessions of ${row.id}`),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** The organisation's templates with a session drawing from `poolId`. */
export async function templatesUsingPool(
  handle: AnyHandle,
  orgId: OrgId,
  poolId: string,
): Promise<LoopTemplate[]> {
  const db = hiringDb(handle);
  const rows = await db
    .selectFrom("loop_templates")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .orderBy("name")
    .execute();
  return rows.map(toTemplate).filter((t) => t.sessions.some((s) => s.poolId === poolId));
}

type TemplateValue = ReturnType<typeof loopTemplateInput.parse>;

/**
 * Checks the job and the pools belong to the organisation and each session's count fits its
 * pool. Touches the pools' rows first, so that (on PostgreSQL) a concurrent change of a pool's
 * members waits for this transaction instead of slipping under the check.
 */
async function checkReferences(
  handle: AnyHandle,
  orgId: OrgId,
  value: TemplateValue,
): Promise<void> {
  const trx = hiringDb(handle);
  if (value.jobId !== null) {
    const job = await trx
      .selectFrom("jobs")
      .select("id")
      .where("organisation_id", "=", orgId)
      .where("id", "=", value.jobId)
      .executeTakeFirst();
    if (job === undefined) throw invalid("jobId", "Choose one of your organisation's jobs");
  }
  const poolIds = [...new Set(value.sessions.map((s) => s.poolId))];
  await trx
    .updateTable("pools")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("organisation_id", "=", orgId)
    .where("id", "in", poolIds)
    .execute();
  const rows = await trx
    .selectFrom("pools")
    .leftJoin("pool_members", "pool_members.pool_id", "pools.id")
    .select(["pools.id", (eb) => eb.fn.count<number | string>("pool_members.user_id").as("size")])
    .where("pools.organisation_id", "=", orgId)
    .where("pools.id", "in", poolIds)
    .groupBy("pools.id")
    .execute();
  const sizes = new Map(rows.map((r) => [r.id, Number(r.size)]));
  value.sessions.forEach((session, i) => {
    const size = sizes.get(session.poolId);
    if (size === undefined) {
      throw invalid(`sessions.${i}.poolId`, "Choose one of your organisation's pools");
    }
    if (session.count > size) {
      throw invalid(
        `sessions.${i}.count`,
        `Number of interviewers (${session.count}) is more than the pool's ${size} member${size === 1 ? "" : "s"}`,
      );
    }
  });
}

function sessionsJson(value: TemplateValue): string {
  const sessions: LoopSession[] = value.sessions.map((s) => ({
    name: s.name,
    durationMinutes: s.durationMinutes,
    poolId: s.poolId,
    count: s.count,
  }));
  return JSON.stringify(sessions);
}

export function loopTemplateOperations(deps: { db: AnyHandle; clock: Clock }) {
  const { clock } = deps;
  const db = hiringDb(deps.db);

  async function getLoopTemplate(actor: Actor, id: string): Promise<LoopTemplate> {
    requirePermission(actor.role, "hiring:read");
    const row = await db
      .selectFrom("loop_templates")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("loop template");
    return toTemplate(row);
  }

  return {
    async listLoopTemplates(actor: Actor): Promise<LoopTemplate[]> {
      requirePermission(actor.role, "hiring:read");
      const rows = await db
        .selectFrom("loop_templates")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("name")
        .orderBy("id")
        .execute();
      return rows.map(toTemplate);
    },

    getLoopTemplate,

    async createLoopTemplate(actor: Actor, input: LoopTemplateInput): Promise<LoopTemplate> {
      requirePermission(actor.role, "hiring:write");
      const value = parseInput(loopTemplateInput, input);
      const now = clock.now();
      const row: LoopTemplatesTable = {
        id: newId("loop"),
        organisation_id: actor.orgId,
        name: value.name,
        job_id: value.jobId,
        session_order: value.order,
        max_gap_minutes: value.maxGapMinutes,
        sessions: sessionsJson(value),
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await checkReferences(trx, actor.orgId, value);
        await trx.insertInto("loop_templates").values(row).execute();
      });
      return toTemplate(row);
    },

    async updateLoopTemplate(
      actor: Actor,
      id: string,
      input: LoopTemplateInput,
    ): Promise<LoopTemplate> {
      requirePermission(actor.role, "hiring:write");
      const value = parseInput(loopTemplateInput, input);
      await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom("loop_templates")
          .select("id")
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .executeTakeFirst();
        if (existing === undefined) throw notFound("loop template");
        await checkReferences(trx, actor.orgId, value);
        await trx
          .updateTable("loop_templates")
          .set({
            name: value.name,
            job_id: value.jobId,
            session_order: value.order,
            max_gap_minutes: value.maxGapMinutes,
            sessions: sessionsJson(value),
            updated_at: clock.now(),
          })
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .execute();
      });
      return getLoopTemplate(actor, id);
    },

    async deleteLoopTemplate(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.role, "hiring:write");
      const result = await db
        .deleteFrom("loop_templates")
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) throw notFound("loop template");
    },
  };
}
