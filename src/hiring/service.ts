/**
 * The hiring module's service: jobs, candidates, interviewer pools, loop templates and
 * interviewers' scheduling profiles. Every read and write is scoped by the actor's `OrgId`;
 * an object of another organisation is "not found", never "forbidden", so its existence leaks
 * nothing.
 */
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { notFound } from "../errors.js";
import { newId } from "../ids.js";
import type { Tombstones } from "../privacy/tombstones.js";
import { candidateOperations } from "./candidates.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { loopTemplateOperations } from "./loop-templates.js";
import { poolOperations } from "./pools.js";
import { profileOperations } from "./profiles.js";
import type { Job, JobInput } from "./schemas.js";
import type { JobsTable } from "./tables.js";

export interface HiringDeps {
  db: AnyHandle;
  clock: Clock;
  /** Erased people (privacy/tombstones.ts): adding them again as candidates is refused. */
  tombstones?: Tombstones;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toJob(row: JobsTable): Job {
  return {
    id: row.id,
    title: row.title,
    department: row.department,
    location: row.location,
    description: row.description,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export type HiringService = ReturnType<typeof createHiringService>;

export function createHiringService(deps: HiringDeps) {
  const { clock } = deps;
  const db = hiringDb(deps.db);
  return {
    ...candidateOperations(deps),
    ...poolOperations(deps),
    ...loopTemplateOperations(deps),
    ...profileOperations(deps),

    async listJobs(actor: Actor): Promise<Job[]> {
      requirePermission(actor.role, "hiring:read");
      const rows = await db
        .selectFrom("jobs")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map(toJob);
    },

    async getJob(actor: Actor, id: string): Promise<Job> {
      requirePermission(actor.role, "hiring:read");
      const row = await db
        .selectFrom("jobs")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (row === undefined) throw notFound("job");
      return toJob(row);
    },

    async createJob(actor: Actor, input: JobInput): Promise<Job> {
      requirePermission(actor.role, "hiring:write");
      const now = clock.now();
      const row: JobsTable = {
        id: newId("job"),
        organisation_id: actor.orgId,
        ...input,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto("jobs").values(row).execute();
      return toJob(row);
    },

    async updateJob(actor: Actor, id: string, input: JobInput): Promise<Job> {
      requirePermission(actor.role, "hiring:write");
      const result = await db
        .updateTable("jobs")
        .set({ ...input, updated_at: clock.now() })
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw notFound("job");
      return this.getJob(actor, id);
    },

    async deleteJob(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.role, "hiring:write");
      const result = await db
        .deleteFrom("jobs")
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) throw notFound("job");
    },
  };
}
