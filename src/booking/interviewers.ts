/**
 * Interviewers as booking schedules them: members of the organisation (accounts) with their
 * zone, working hours and limits (hiring's `schedulingFacts`, defaults applied there). The one
 * place booking learns who someone is, for options, the slot lock and invitations alike.
 */
import { memberContacts } from "../accounts/reads.js";
import type { WorkingHoursSpan } from "../engine/types.js";
import { schedulingFacts } from "../hiring/scheduling-facts.js";
import { type AnyHandle, bookingDb } from "./db.js";

export interface InterviewerProfile {
  name: string;
  email: string;
  timeZone: string;
  workingHours: WorkingHoursSpan[];
  perDayLimit: number | null;
  perWeekLimit: number | null;
}

/** Profiles of those among `userIds` who are members of the organisation (others are absent). */
export async function interviewerProfiles(
  handle: AnyHandle,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, InterviewerProfile>> {
  const q = bookingDb(handle);
  const result = new Map<string, InterviewerProfile>();
  if (userIds.length === 0) return result;
  const members = await memberContacts(q, orgId, userIds);
  const facts = await schedulingFacts(q, orgId, [...members.keys()]);
  for (const userId of userIds) {
    const member = members.get(userId);
    const fact = facts.get(userId);
    if (member === undefined || fact === undefined) continue;
    result.set(userId, {
      name: member.name,
      email: member.email,
      timeZone: fact.timeZone,
      workingHours: fact.workingHours,
      perDayLimit: fact.perDayLimit,
      perWeekLimit: fact.perWeekLimit,
    });
  }
  return result;
}
