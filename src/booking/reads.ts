/**
 * Reads: requests, their timeline, attendees' answers and today's options, for the
 * organisation's members (with `candidates:read`) and for the candidate (through a link the
 * web layer checked). Nothing here writes.
 */

import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { OrgId } from "../ids.js";
import { type BookingContext, type Caller, iso } from "./context.js";
import { computeOptions, readerFor } from "./options.js";
import { bookingOf, loadRequest, requestRow, timelineOf, toRequest } from "./request-repository.js";
import type { Booking, InterviewRequest, Option, OptionsAnswer, RequestEvent } from "./schemas.js";
import type { RequestStatus } from "./tables.js";

/** What a candidate sees of their request: no internal notes, no recruiter ids. */
export interface CandidateRequestView {
  id: string;
  status: RequestStatus;
  sessions: { name: string; durationMinutes: number }[];
  windowStart: string;
  windowEnd: string;
  timeZone: string;
  location: string | null;
  videoLink: string | null;
  offeredOptions: Option[] | null;
  booking: Booking | null;
}

export interface AttendeeAnswer {
  sessionIndex: number;
  email: string;
  partstat: string;
  /** Whether it answers the current version of the invitation (not an earlier SEQUENCE). */
  current: boolean;
  at: string;
}

export async function getRequest(
  ctx: BookingContext,
  actor: Actor,
  id: string,
): Promise<InterviewRequest> {
  requirePermission(actor.role, "candidates:read");
  return loadRequest(ctx.db, actor.orgId, id);
}

/** The organisation's requests, newest first, optionally only those with `status`. */
export async function listRequests(
  ctx: BookingContext,
  actor: Actor,
  filter: { status?: RequestStatus } = {},
): Promise<InterviewRequest[]> {
  requirePermission(actor.role, "candidates:read");
  let query = ctx.db
    .selectFrom("interview_requests")
    .selectAll()
    .where("organisation_id", "=", actor.orgId);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  const rows = await query.orderBy("created_at", "desc").orderBy("id").execute();
  return Promise.all(rows.map((r) => toRequest(ctx.db, r)));
}

/** Who did what to the request, oldest first. */
export async function timeline(
  ctx: BookingContext,
  actor: Actor,
  id: string,
): Promise<RequestEvent[]> {
  requirePermission(actor.role, "candidates:read");
  await requestRow(ctx.db, actor.orgId, id);
  return timelineOf(ctx.db, actor.orgId, id);
}

/**
 * What each attendee of the booked interview answered from their calendar (iMIP REPLY), per
 * session index of the request: the latest answer and whether it was to the current
 * version of the invitation (an answer to an earlier SEQUENCE is about another time).
 */
export async function answers(
  ctx: BookingContext,
  actor: Actor,
  id: string,
): Promise<AttendeeAnswer[]> {
  requirePermission(actor.role, "candidates:read");
  await requestRow(ctx.db, actor.orgId, id);
  const booking = await bookingOf(ctx.db, actor.orgId, id);
  if (booking === undefined) return [];
  const rows = await ctx.db
    .selectFrom("attendee_responses")
    .select(["session_index", "attendee_email", "partstat", "sequence", "updated_at"])
    .where("organisation_id", "=", actor.orgId)
    .where("booking_id", "=", booking.id)
    .orderBy("session_index")
    .orderBy("attendee_email")
    .execute();
  return rows.map((r) => ({
    sessionIndex: r.session_index,
    email: r.attendee_email,
    partstat: r.partstat,
    current: r.sequence >= booking.sequence,
    at: iso(Number(r.updated_at)),
  }));
}

/** Ranked options now (a booked request's own time counts as free), or why nothing fits. */
export async function optionsFor(
  ctx: BookingContext,
  caller: Caller,
  orgId: OrgId,
  id: string,
): Promise<OptionsAnswer> {
  const row = await requestRow(ctx.db, orgId, id);
  const booking = await bookingOf(ctx.db, orgId, id);
  return computeOptions(
    ctx,
    row,
    readerFor(caller, row),
    booking?.status === "active" ? booking.id : undefined,
  );
}

/** The request as its candidate sees it. */
export async function candidateView(
  ctx: BookingContext,
  orgId: OrgId,
  requestId: string,
): Promise<CandidateRequestView> {
  const request = await loadRequest(ctx.db, orgId, requestId);
  return {
    id: request.id,
    status: request.status,
    sessions: request.sessions.map((s) => ({ name: s.name, durationMinutes: s.durationMinutes })),
    windowStart: request.windowStart,
    windowEnd: request.windowEnd,
    timeZone: request.timeZone,
    location: request.location,
    videoLink: request.videoLink,
    offeredOptions: request.offeredOptions,
    booking: request.booking,
  };
}
