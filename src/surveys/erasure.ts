/**
 * The surveys module's part of an erasure (privacy/erasure.ts). A candidate's surveys go
 * entirely: their invitations, answers, the interviewers listed on them and their "don't ask
 * me again" (the tombstone keeps them from coming back). An erased member is taken off the
 * surveys they interviewed for, and any comment naming the person is redacted.
 */
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  mentions,
  needlesOf,
  redactedColumns,
  type TableErasure,
} from "../privacy/erasure-subject.js";
import { type AnyHandle, surveysDb } from "./db.js";

async function eraseCandidates(
  handle: AnyHandle,
  subject: ErasureSubject,
): Promise<Record<string, TableErasure>> {
  const db = surveysDb(handle);
  const none = { deleted: 0, anonymised: 0 };
  if (subject.candidateIds.length === 0) {
    return {
      survey_responses: none,
      survey_interviewers: none,
      survey_invitations: none,
      survey_opt_outs: none,
    };
  }
  let query = db
    .selectFrom("survey_invitations")
    .select("id")
    .where("candidate_id", "in", subject.candidateIds);
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  const ids = (await query.execute()).map((r) => r.id);
  const byInvitation = async (table: "survey_responses" | "survey_interviewers") =>
    ids.length === 0
      ? 0
      : affected(await db.deleteFrom(table).where("invitation_id", "in", ids).executeTakeFirst());
  const responses = await byInvitation("survey_responses");
  const interviewers = await byInvitation("survey_interviewers");
  const invitations =
    ids.length === 0
      ? 0
      : affected(
          await db.deleteFrom("survey_invitations").where("id", "in", ids).executeTakeFirst(),
        );
  let optOuts = db.deleteFrom("survey_opt_outs").where("candidate_id", "in", subject.candidateIds);
  if (subject.orgId !== null) optOuts = optOuts.where("organisation_id", "=", subject.orgId);
  return {
    survey_responses: { deleted: responses, anonymised: 0 },
    survey_interviewers: { deleted: interviewers, anonymised: 0 },
    survey_invitations: { deleted: invitations, anonymised: 0 },
    survey_opt_outs: { deleted: affected(await optOuts.executeTakeFirst()), anonymised: 0 },
  };
}

async function eraseMentions(handle: AnyHandle, subject: ErasureSubject): Promise<TableErasure> {
  const db = surveysDb(handle);
  const needles = needlesOf(subject);
  let query = db
    .selectFrom("survey_responses")
    .select(["invitation_id", "comment"])
    .where((eb) => mentions(eb, ["comment"], needles));
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  let anonymised = 0;
  for (const row of await query.execute()) {
    const changes = redactedColumns(row, ["comment"], needles);
    if (changes === undefined) continue;
    await db
      .updateTable("survey_responses")
      .set(changes)
      .where("invitation_id", "=", row.invitation_id)
      .execute();
    anonymised += 1;
  }
  return { deleted: 0, anonymised };
}

export const surveysErasure: ModuleErasure = {
  module: "surveys",
  async erase(trx, subject) {
    const tables = await eraseCandidates(trx, subject);
    if (subject.userIds.length > 0) {
      let query = surveysDb(trx)
        .deleteFrom("survey_interviewers")
        .where("user_id", "in", subject.userIds);
      if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
      const removed = affected(await query.executeTakeFirst());
      const before = tables.survey_interviewers ?? { deleted: 0, anonymised: 0 };
      tables.survey_interviewers = { ...before, deleted: before.deleted + removed };
    }
    const redacted = await eraseMentions(trx, subject);
    const responses = tables.survey_responses ?? { deleted: 0, anonymised: 0 };
    tables.survey_responses = {
      ...responses,
      anonymised: responses.anonymised + redacted.anonymised,
    };
    return { tables };
  },
};
