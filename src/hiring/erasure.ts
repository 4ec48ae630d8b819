/**
 * The hiring module's part of an erasure (privacy/erasure.ts): candidate records with the
 * person's email are kept, for the interviews already arranged, as "a candidate" without name,
 * email, phone, zone or notes; an erased account's interviewer profile and pool places go.
 */
import { sql } from "kysely";
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  type SubjectFacts,
} from "../privacy/erasure-subject.js";
import { heldAddresses } from "../privacy/held-addresses.js";
import { type AnyHandle, hiringDb } from "./db.js";

/** What an anonymised candidate is called. */
export const ERASED_CANDIDATE_NAME = "a candidate";

async function identify(handle: AnyHandle, subject: ErasureSubject): Promise<SubjectFacts> {
  const trx = hiringDb(handle);
  let query = trx
    .selectFrom("candidates")
    .select(["id", "name", "phone"])
    .where(sql<string>`lower(email)`, "in", subject.emails);
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  const rows = await query.execute();
  return {
    candidateIds: rows.map((r) => r.id),
    names: rows.map((r) => r.name),
    phones: rows.flatMap((r) => (r.phone === null ? [] : [r.phone])),
  };
}

async function erase(handle: AnyHandle, subject: ErasureSubject) {
  const trx = hiringDb(handle);
  const anonymised =
    subject.candidateIds.length === 0
      ? 0
      : affected(
          await trx
            .updateTable("candidates")
            .set({
              name: ERASED_CANDIDATE_NAME,
              email: "",
              phone: null,
              time_zone: null,
              notes: null,
            })
            .where("id", "in", subject.candidateIds)
            .executeTakeFirst(),
        );
  let profiles = 0;
  let poolPlaces = 0;
  if (subject.userIds.length > 0) {
    profiles = affected(
      await trx
        .deleteFrom("interviewer_profiles")
        .where("user_id", "in", subject.userIds)
        .executeTakeFirst(),
    );
    poolPlaces = affected(
      await trx
        .deleteFrom("pool_members")
        .where("user_id", "in", subject.userIds)
        .executeTakeFirst(),
    );
  }
  return {
    tables: {
      candidates: { deleted: 0, anonymised },
      interviewer_profiles: { deleted: profiles, anonymised: 0 },
      pool_members: { deleted: poolPlaces, anonymised: 0 },
    },
  };
}

/** The hiring module's erasure step. */
export const hiringErasure: ModuleErasure = { module: "hiring", identify, erase };

/** The addresses the hiring module keeps, for finding erased people again after a restore. */
export const hiringAddresses = heldAddresses(hiringDb, { candidates: ["email"] });
