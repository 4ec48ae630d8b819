/**
 * An organisation's survey settings: whether candidates are surveyed, how many hours after the
 * interview's end, and whether interviewers get a feedback reminder. Without a saved row the
 * defaults hold.
 */
import { z } from "zod";
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { OrgId } from "../ids.js";
import { type AnyHandle, surveysDb } from "./db.js";

export interface SurveySettings {
  candidateSurveys: boolean;
  delayHours: number;
  interviewerReminders: boolean;
}

export const DEFAULT_SURVEY_SETTINGS: SurveySettings = {
  candidateSurveys: true,
  delayHours: 2,
  interviewerReminders: true,
};

/** The form and API shape; `delayHours` from 0 to 7 days. */
export const surveySettingsInput = z.object({
  candidateSurveys: z.boolean(),
  delayHours: z
    .number({ message: "Give the delay in whole hours" })
    .int("Give the delay in whole hours")
    .min(0, "The delay cannot be negative")
    .max(168, "Send the survey within a week (168 hours) of the interview"),
  interviewerReminders: z.boolean(),
});

/** @example await surveySettings(db, orgId) // { candidateSurveys: true, delayHours: 2, … } */
export async function surveySettings(
  handle: AnyHandle,
  organisationId: OrgId | string,
): Promise<SurveySettings> {
  const row = await surveysDb(handle)
    .selectFrom("survey_settings")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  if (row === undefined) return DEFAULT_SURVEY_SETTINGS;
  return {
    candidateSurveys: Number(row.candidate_surveys) === 1,
    delayHours: Number(row.delay_hours),
    interviewerReminders: Number(row.interviewer_reminders) === 1,
  };
}

/**
 * Saves the actor's organisation's settings (parsed by the caller with `surveySettingsInput`).
 * @throws AppError FORBIDDEN unless the actor is an owner or admin.
 */
export async function saveSurveySettings(
  handle: AnyHandle,
  actor: Actor,
  settings: SurveySettings,
  now: number,
): Promise<void> {
  requirePermission(actor.role, "members:manage");
  const organisationId = actor.orgId;
  const values = {
    candidate_surveys: settings.candidateSurveys ? 1 : 0,
    delay_hours: settings.delayHours,
    interviewer_reminders: settings.interviewerReminders ? 1 : 0,
    updated_at: now,
  };
  await surveysDb(handle)
    .insertInto("survey_settings")
    .values({ organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column("organisation_id").doUpdateSet(values))
    .execute();
}
