/**
 * Interviewers' scheduling profiles: time zone, working hours and interview limits, one per
 * member of an organisation. Any member may read them (coordinators need them to schedule);
 * a member edits their own, and `profiles:edit-any` edits anyone's in the organisation.
 */
import { z } from "zod";
import { can, requirePermission } from "../accounts/permissions.js";
import { isMember } from "../accounts/reads.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import type { WorkingHoursSpan } from "../engine/types.js";
import { notFound } from "../errors.js";
import type { OrgId } from "../ids.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { parseInput } from "./parse-input.js";
import {
  type InterviewerProfile,
  type InterviewerProfileInput,
  interviewerProfileInput,
  workingHoursSpan,
} from "./schemas.js";

/** Suggested until the member saves their own: UTC, Monday to Friday, 09:00–17:00. */
export const DEFAULT_TIME_ZONE = "UTC";
export const DEFAULT_WORKING_HOURS: WorkingHoursSpan[] = [
  { days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" },
];

async function requireMember(handle: AnyHandle, orgId: OrgId, userId: string): Promise<void> {
  const db = hiringDb(handle);
  if (!(await isMember(db, orgId, userId))) throw notFound("member");
}

export function profileOperations(deps: { db: AnyHandle; clock: Clock }) {
  const { clock } = deps;
  const db = hiringDb(deps.db);

  async function getInterviewerProfile(actor: Actor, userId: string): Promise<InterviewerProfile> {
    requirePermission(actor.role, "hiring:read");
    await requireMember(db, actor.orgId, userId);
    const row = await db
      .selectFrom("interviewer_profiles")
      .selectAll()
      .where("organisation_id", "=", actor.orgId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (row === undefined) {
      return {
        userId,
        timeZone: DEFAULT_TIME_ZONE,
        workingHours: DEFAULT_WORKING_HOURS.map((s) => ({ ...s, days: [...s.days] })),
        perDayLimit: null,
        perWeekLimit: null,
        saved: false,
        updatedAt: null,
      };
    }
    return {
      userId,
      timeZone: row.time_zone,
      workingHours: parseStoredJson(
        z.array(workingHoursSpan),
        row.working_hours,
        `interviewer_profiles.working_hours of ${userId}`,
      ),
      perDayLimit: row.per_day_limit,
      perWeekLimit: row.per_week_limit,
      saved: true,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  return {
    getInterviewerProfile,

    /** Whether the actor may change `userId`'s profile (their own, or anyone's with the grant). */
    canEditInterviewerProfile(actor: Actor, userId: string): boolean {
      return userId === actor.userId || can(actor.role, "profiles:edit-any");
    },

    /** Saves the whole profile (replacing what was there). */
    async putInterviewerProfile(
      actor: Actor,
      userId: string,
      input: InterviewerProfileInput,
    ): Promise<InterviewerProfile> {
      await requireMember(db, actor.orgId, userId);
      if (userId !== actor.userId) requirePermission(actor.role, "profiles:edit-any");
      const value = parseInput(interviewerProfileInput, input);
      const row = {
        time_zone: value.timeZone,
        working_hours: JSON.stringify(
          value.workingHours.map((s) => ({ days: s.days, start: s.start, end: s.end })),
        ),
        per_day_limit: value.perDayLimit,
        per_week_limit: value.perWeekLimit,
        updated_at: clock.now(),
      };
      await db
        .insertInto("interviewer_profiles")
        .values({ organisation_id: actor.orgId, user_id: userId, ...row })
        .onConflict((oc) => oc.columns(["organisation_id", "user_id"]).doUpdateSet(row))
        .execute();
      return getInterviewerProfile(actor, userId);
    },
  };
}
