/**
 * The candidate's side of a survey, through its signed link (no account): what the link opens,
 * answering once (the first answer stands; a second submit is told it was already answered),
 * and "don't ask me again", which keeps every later survey of this organisation from being
 * sent to them. The link is a token whose SHA-256 alone is stored; it works for 30 days.
 */
import { z } from "zod";
import { organisationName } from "../accounts/reads.js";
import { constantTimeEqual, tokenHash } from "../accounts/tokens.js";
import { jobFacts } from "../hiring/scheduling-facts.js";
import { type AnyHandle, surveysDb } from "./db.js";

/** `sv_` and 32 bytes of base64url: anything else was never issued. */
const TOKEN_SHAPE = /^sv_[A-Za-z0-9_-]{43}$/;

export type SurveyLinkProblem = "unknown" | "expired";

export interface SurveyView {
  invitationId: string;
  organisationId: string;
  candidateId: string;
  organisationName: string;
  jobTitle: string;
  expiresAt: number;
  answeredAt: number | null;
  optedOut: boolean;
}

export type SurveyLink =
  | { ok: true; survey: SurveyView }
  | { ok: false; problem: SurveyLinkProblem };

/** What a survey link opens at `now`, or why it opens nothing. */
export async function openSurvey(
  handle: AnyHandle,
  token: string,
  now: number,
): Promise<SurveyLink> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, problem: "unknown" };
  const db = surveysDb(handle);
  const hash = tokenHash(token);
  const row = await db
    .selectFrom("survey_invitations")
    .select(["id", "organisation_id", "candidate_id", "job_id", "token_hash", "expires_at"])
    .where("token_hash", "=", hash)
    .where("status", "=", "sent")
    .executeTakeFirst();
  if (row === undefined || row.token_hash === null || !constantTimeEqual(row.token_hash, hash)) {
    return { ok: false, problem: "unknown" };
  }
  const expiresAt = Number(row.expires_at);
  if (now >= expiresAt) return { ok: false, problem: "expired" };
  const answer = await db
    .selectFrom("survey_responses")
    .select("answered_at")
    .where("invitation_id", "=", row.id)
    .executeTakeFirst();
  const optOut = await db
    .selectFrom("survey_opt_outs")
    .select("candidate_id")
    .where("organisation_id", "=", row.organisation_id)
    .where("candidate_id", "=", row.candidate_id)
    .executeTakeFirst();
  return {
    ok: true,
    survey: {
      invitationId: row.id,
      organisationId: row.organisation_id,
      candidateId: row.candidate_id,
      organisationName: (await organisationName(handle, row.organisation_id)) ?? "the company",
      jobTitle: (await jobFacts(handle, row.organisation_id, row.job_id))?.title ?? "the job",
      expiresAt,
      answeredAt: answer === undefined ? null : Number(answer.answered_at),
      optedOut: optOut !== undefined,
    },
  };
}

const rating = z.coerce
  .number({ message: "Choose from 1 to 5" })
  .int("Choose from 1 to 5")
  .min(1, "Choose from 1 to 5")
  .max(5, "Choose from 1 to 5");

/** The survey form: the 0–10 question is required, the rest optional. */
export const surveyAnswerInput = z.object({
  nps: z.coerce
    .number({ message: "Choose a number from 0 to 10" })
    .int("Choose a number from 0 to 10")
    .min(0, "Choose a number from 0 to 10")
    .max(10, "Choose a number from 0 to 10"),
  scheduling: rating.nullable(),
  preparation: rating.nullable(),
  clarity: rating.nullable(),
  comment: z
    .string()
    .trim()
    .max(2000, "Keep the comment under 2,000 characters")
    .transform((text) => (text === "" ? null : text))
    .nullable(),
});
export type SurveyAnswerInput = z.infer<typeof surveyAnswerInput>;

/**
 * Records the answer to the survey the link opens; the first answer stands.
 * @example await answerSurvey(db, token, { nps: 9, scheduling: 5, preparation: null, clarity: 4, comment: null }, now)
 *   // { outcome: "answered" }
 */
export async function answerSurvey(
  handle: AnyHandle,
  token: string,
  input: SurveyAnswerInput,
  now: number,
): Promise<{ outcome: "answered" | "already-answered" } | { outcome: SurveyLinkProblem }> {
  return surveysDb(handle)
    .transaction()
    .execute(async (trx) => {
      const link = await openSurvey(trx, token, now);
      if (!link.ok) return { outcome: link.problem };
      const inserted = await trx
        .insertInto("survey_responses")
        .values({
          invitation_id: link.survey.invitationId,
          organisation_id: link.survey.organisationId,
          nps: input.nps,
          scheduling: input.scheduling,
          preparation: input.preparation,
          clarity: input.clarity,
          comment: input.comment,
          answered_at: now,
        })
        .onConflict((oc) => oc.column("invitation_id").doNothing())
        .executeTakeFirst();
      const fresh = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
      return { outcome: fresh ? "answered" : "already-answered" };
    });
}

/** "Don't ask me again": this organisation sends the candidate no further surveys. */
export async function optOutOfSurveys(
  handle: AnyHandle,
  token: string,
  now: number,
): Promise<{ outcome: "opted-out" } | { outcome: SurveyLinkProblem }> {
  return surveysDb(handle)
    .transaction()
    .execute(async (trx) => {
      const link = await openSurvey(trx, token, now);
      if (!link.ok) return { outcome: link.problem };
      await trx
        .insertInto("survey_opt_outs")
        .values({
          organisation_id: link.survey.organisationId,
          candidate_id: link.survey.candidateId,
          opted_out_at: now,
        })
        .onConflict((oc) => oc.columns(["organisation_id", "candidate_id"]).doNothing())
        .execute();
      return { outcome: "opted-out" };
    });
}
