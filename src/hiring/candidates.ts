/** Candidates: the people a customer interviews. Personal data, readable by recruiters only. */
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { AppError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import type { Tombstones } from "../privacy/tombstones.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { parseInput } from "./parse-input.js";
import { type Candidate, type CandidateInput, candidateInput } from "./schemas.js";
import type { CandidatesTable } from "./tables.js";

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function toCandidate(row: CandidatesTable): Candidate {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    timeZone: row.time_zone,
    notes: row.notes,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function candidateOperations(deps: {
  db: AnyHandle;
  clock: Clock;
  tombstones?: Tombstones;
}) {
  const { clock } = deps;
  const db = hiringDb(deps.db);

  async function getCandidate(actor: Actor, id: string): Promise<Candidate> {
    requirePermission(actor.role, "candidates:read");
    const row = await db
      .selectFrom("candidates")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (row === undefined) throw notFound("candidate");
    return toCandidate(row);
  }

  /** A person erased at their request (privacy/tombstones.ts) is not brought back. */
  async function refuseErased(actor: Actor, email: string, channel: string, now: number) {
    const where = { orgId: actor.orgId, channel };
    if (await deps.tombstones?.refuseRecontact(db, email, where, now)) {
      throw new AppError(
        "PERSON_ERASED",
        "this person's data was erased at their request; they cannot be added again",
        { field: "email" },
      );
    }
  }

  return {
    async listCandidates(actor: Actor): Promise<Candidate[]> {
      requirePermission(actor.role, "candidates:read");
      const rows = await db
        .selectFrom("candidates")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("created_at", "desc")
        .orderBy("id")
        .execute();
      return rows.map(toCandidate);
    },

    getCandidate,

    async createCandidate(actor: Actor, input: CandidateInput): Promise<Candidate> {
      requirePermission(actor.role, "candidates:write");
      const value = parseInput(candidateInput, input);
      const now = clock.now();
      await refuseErased(actor, value.email, "candidate-create", now);
      const row: CandidatesTable = {
        id: newId("cand"),
        organisation_id: actor.orgId,
        name: value.name,
        email: value.email,
        phone: value.phone,
        time_zone: value.timeZone,
        notes: value.notes,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto("candidates").values(row).execute();
      return toCandidate(row);
    },

    async updateCandidate(actor: Actor, id: string, input: CandidateInput): Promise<Candidate> {
      requirePermission(actor.role, "candidates:write");
      const value = parseInput(candidateInput, input);
      await refuseErased(actor, value.email, "candidate-update", clock.now());
      const result = await db
        .updateTable("candidates")
        .set({
          name: value.name,
          email: value.email,
          phone: value.phone,
          time_zone: value.timeZone,
          notes: value.notes,
          updated_at: clock.now(),
        })
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw notFound("candidate");
      return getCandidate(actor, id);
    },

    async deleteCandidate(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.role, "candidates:write");
      const result = await db
        .deleteFrom("candidates")
        .where("organisation_id", "=", actor.orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) throw notFound("candidate");
    },
  };
}
