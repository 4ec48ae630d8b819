/**
 * Options: what the engine is asked for a request (its shape, each interviewer's profile, the
 * busy time the calendar sync materialised and what is already booked) and its ranked answer,
 * with warnings for calendars that cannot be trusted and, when nothing fits, the explanation.
 * The engine runs behind the `SlotEngine` port (in-process, or the server's worker pool).
 */
import type { Actor } from "../accounts/service.js";
import { RANGE_WIDENING_DAYS } from "../engine/explain.js";
import { candidateFacts, poolMemberIds } from "../hiring/scheduling-facts.js";
import { isRestricted } from "../privacy/restriction.js";
import { type BookingContext, type Caller, DAY_MS } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { type InterviewerProfile, interviewerProfiles } from "./interviewers.js";
import {
  type InterviewerFacts,
  type RequestShape,
  requestProblem,
  resolveSessions,
  toOption,
} from "./problem.js";
import { candidateHoursOf, offeredOptionsOf, sessionsOf } from "./request-repository.js";
import type { Option, OptionsAnswer } from "./schemas.js";
import { bookedSlots } from "./slot-lock.js";
import type { InterviewRequestsTable } from "./tables.js";

export const RESTRICTED_WARNING =
  "The candidate has restricted the use of their data: no time can be offered or booked until they lift the restriction.";

/** The request as the engine sees it: sessions resolved to their candidate interviewers. */
export async function shapeOf(
  handle: AnyHandle,
  row: InterviewRequestsTable,
): Promise<RequestShape> {
  const q = bookingDb(handle);
  const sessions = sessionsOf(row);
  const poolIds = sessions.flatMap((s) => (s.poolId === undefined ? [] : [s.poolId]));
  const members = await poolMemberIds(q, row.organisation_id, poolIds);
  return {
    id: row.id,
    order: row.session_order,
    maxGapMinutes: row.max_gap_minutes,
    window: { start: Number(row.window_start), end: Number(row.window_end) },
    timeZone: row.time_zone,
    candidateHours: candidateHoursOf(row),
    sessions: resolveSessions(sessions, members),
  };
}

/**
 * What the engine knows of one interviewer: their profile, calendar busy time (epoch ms) and
 * bookings.
 */
export function interviewerFacts(
  userId: string,
  profile: InterviewerProfile,
  busy: ReadonlyArray<{ start: number; end: number }>,
  booked: Map<string, Array<{ start: number; end: number }>>,
): InterviewerFacts {
  return {
    userId,
    timeZone: profile.timeZone,
    workingHours: profile.workingHours,
    perDayLimit: profile.perDayLimit,
    perWeekLimit: profile.perWeekLimit,
    busy: busy.map((b) => ({ start: b.start, end: b.end })),
    booked: booked.get(userId) ?? [],
  };
}

/**
 * Ranked options for a request, with warnings for calendars that cannot be trusted and,
 * when nothing fits, the engine's explanation. A reschedule ignores the request's own slots.
 */
export async function computeOptions(
  ctx: BookingContext,
  row: InterviewRequestsTable,
  reader: Actor,
  exceptBookingId?: string,
): Promise<OptionsAnswer> {
  const { db } = ctx;
  // GDPR art. 18: a candidate who restricted the use of their data is offered and booked nothing.
  const candidate = await candidateFacts(db, row.organisation_id, row.candidate_id);
  if (candidate !== undefined && (await isRestricted(db, candidate.email))) {
    return { options: [], warnings: [RESTRICTED_WARNING], explanation: null };
  }
  const shape = await shapeOf(db, row);
  // In the order the request names them, so warnings read in that order.
  const userIds = [...new Set(shape.sessions.flatMap((s) => s.candidates))];
  const profiles = await interviewerProfiles(db, row.organisation_id, userIds);
  // Limits count interviews by local day and ISO week: look a week beyond the window.
  const around = { start: shape.window.start - 8 * DAY_MS, end: shape.window.end + 8 * DAY_MS };
  const booked = await bookedSlots(db, row.organisation_id, userIds, around, exceptBookingId);
  const warnings: string[] = [];
  const facts: InterviewerFacts[] = [];
  const calendars = await ctx.calendars.busyIntervalsForMany(
    reader,
    userIds.filter((id) => profiles.has(id)),
    // Beyond the window too: "widen the window to Friday" must count Friday's meetings.
    {
      start: shape.window.start - DAY_MS,
      end: shape.window.end + (RANGE_WIDENING_DAYS + 1) * DAY_MS,
    },
  );
  for (const userId of userIds) {
    const profile = profiles.get(userId);
    // Someone who left the organisation cannot be scheduled.
    if (profile === undefined) {
      warnings.push(`${userId} is no longer a member of the organisation`);
      continue;
    }
    const answer = calendars.get(userId) ?? { busy: [], warnings: [] };
    for (const warning of answer.warnings) {
      warnings.push(
        warning === "no calendar is connected for this person"
          ? `${profile.name} has no calendar connected, so their busy time is unknown`
          : warning,
      );
    }
    facts.push(interviewerFacts(userId, profile, answer.busy, booked));
  }
  const problem = requestProblem(
    {
      ...shape,
      sessions: shape.sessions.map((s) => ({
        ...s,
        candidates: s.candidates.filter((id) => profiles.has(id)),
      })),
    },
    facts,
    ctx.clock.now(),
  );
  const answer = await ctx.engine.options(problem);
  const result: OptionsAnswer = {
    options: answer.options.map((o) => toOption(shape, o)),
    warnings,
    explanation: answer.explanation,
  };
  if (!answer.search.complete) result.search = answer.search;
  return result;
}

/**
 * Busy answers need a reader with `hiring:read` in the organisation: the member themselves,
 * or, for a candidate's or the system's call, the request's creator acting as an interviewer would.
 */
export function readerFor(caller: Caller, row: InterviewRequestsTable): Actor {
  if (caller.kind === "user") return caller.actor;
  return { userId: row.created_by, orgId: caller.orgId, role: "interviewer", via: "session" };
}

/**
 * The option with this id: offered to the candidate, or among today's options. An offered
 * option is taken as it was offered (the booking's lock and check guard it), so only an id
 * that was not offered costs a fresh computation; `fresh` is that computation when it ran.
 */
export async function findOption(
  ctx: BookingContext,
  row: InterviewRequestsTable,
  caller: Caller,
  optionId: string,
  exceptBookingId?: string,
): Promise<{ option: Option; fresh?: undefined } | { option?: Option; fresh: OptionsAnswer }> {
  const offered = offeredOptionsOf(row).find((o) => o.id === optionId);
  if (offered !== undefined) return { option: offered };
  const fresh = await computeOptions(ctx, row, readerFor(caller, row), exceptBookingId);
  return { option: fresh.options.find((o) => o.id === optionId), fresh };
}
