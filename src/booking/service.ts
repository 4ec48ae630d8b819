/**
 * The booking service: interview requests, their options (from interviewers' profiles, the
 * busy time the calendar sync materialised and the slots already booked), offering and sending
 * them to the candidate, and booking, rescheduling and cancelling without ever double-booking
 * anyone.
 *
 * A thin facade: it applies the defaults to the dependencies once and composes the pieces —
 * the request repository (request-repository.ts), the slot lock and its invariant
 * (slot-lock.ts), options (options.ts), the lifecycle (lifecycle.ts), reads (reads.ts), the
 * recruiter's mail (recruiter-mail.ts), replacement (replacement.ts) and one command per use
 * case (commands/). Each booking, reschedule and cancellation is one transaction that re-checks
 * the invariant under a lock; a lost race is SLOT_TAKEN, carrying fresh options.
 *
 * Recruiters call with their `Actor`; candidates (no account) call the `candidate*` methods
 * with just the request id, after the web layer has authorised them for it (a signed link).
 * Every step adds a timeline entry saying who did it.
 */

import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { OrgId } from "../ids.js";
import * as commands from "./commands/index.js";
import { type BookingContext, type BookingDeps, inlineSlotEngine, userCaller } from "./context.js";
import { bookingDb } from "./db.js";
import { createBookingLinks } from "./links.js";
import { recruiterOverview } from "./overview.js";
import * as reads from "./reads.js";
import { type RecruiterMessage, tellRecruiter } from "./recruiter-mail.js";
import { addEvent, candidateCaller, requestRow } from "./request-repository.js";
import type {
  BookInput,
  CancelInput,
  InterviewRequest,
  InterviewRequestInput,
  Option,
  OptionsAnswer,
  ProposeTimesInput,
} from "./schemas.js";
import type { RequestStatus } from "./tables.js";

export type {
  AttendeeReply,
  BookingResult,
  ReplacementResult,
  UnavailableResult,
} from "./commands/index.js";
export {
  type BookingChange,
  type BookingDeps,
  type BookingEffects,
  inlineSlotEngine,
  type SlotEngine,
} from "./context.js";
export { allowedActions, type LifecycleState, type RequestAction } from "./lifecycle.js";
export { readable } from "./readable.js";
export type { CandidateRequestView } from "./reads.js";

/** The dependencies with their defaults applied, once. */
export function bookingContext(deps: BookingDeps): BookingContext {
  return {
    db: bookingDb(deps.db),
    dialect: deps.dialect,
    clock: deps.clock,
    calendars: deps.calendars,
    effects: deps.effects,
    mailFrom: deps.mailFrom,
    publicUrl: deps.publicUrl,
    engine: deps.engine ?? inlineSlotEngine,
    links: deps.links ?? createBookingLinks({ db: deps.db, clock: deps.clock }),
  };
}

export type BookingService = ReturnType<typeof createBookingService>;

export function createBookingService(deps: BookingDeps) {
  const ctx = bookingContext(deps);
  const asWriter = (actor: Actor) => {
    requirePermission(actor.role, "candidates:write");
    return userCaller(actor);
  };
  const asCandidate = (requestId: string) => candidateCaller(ctx.db, requestId);

  return {
    /** The context the commands run with (for callers that compose commands themselves). */
    context: ctx,

    /**
     * Creates a request in `draft`, from a loop template or ad-hoc sessions.
     * @example createRequest(actor, { candidateId, jobId, loopTemplateId, windowStart, windowEnd })
     */
    createRequest: (actor: Actor, input: InterviewRequestInput): Promise<InterviewRequest> => {
      requirePermission(actor.role, "candidates:write");
      return commands.createRequest(ctx, { kind: "user", orgId: actor.orgId, actor }, input);
    },

    getRequest: (actor: Actor, id: string) => reads.getRequest(ctx, actor, id),

    /** The organisation's requests, newest first, optionally only those with `status`. */
    listRequests: (actor: Actor, filter: { status?: RequestStatus } = {}) =>
      reads.listRequests(ctx, actor, filter),

    /** Who did what to the request, oldest first. */
    timeline: (actor: Actor, id: string) => reads.timeline(ctx, actor, id),

    /** What each attendee answered from their calendar, per session (see reads.ts). */
    answers: (actor: Actor, id: string) => reads.answers(ctx, actor, id),

    /** What needs attention, the next two weeks' interviews and the time to schedule. */
    overview: (actor: Actor) => recruiterOverview(ctx, actor),

    /** Ranked options now, with calendar warnings, or why nothing fits. */
    options: (actor: Actor, id: string): Promise<OptionsAnswer> => {
      requirePermission(actor.role, "candidates:read");
      return reads.optionsFor(ctx, userCaller(actor), actor.orgId, id);
    },

    /** Snapshots today's options into the request for the candidate; `awaiting_candidate`. */
    offer: async (actor: Actor, id: string) => commands.offer(ctx, asWriter(actor), id),

    /** Offers today's options and emails the candidate a new link to choose one. */
    sendToCandidate: async (actor: Actor, id: string) =>
      commands.sendToCandidate(ctx, asWriter(actor), id),

    /** A recruiter books an option on the candidate's behalf. Same key, same booking. */
    book: async (actor: Actor, id: string, input: BookInput) =>
      commands.book(ctx, asWriter(actor), id, input),

    /** Moves the booking to another option: same UID, SEQUENCE + 1. */
    reschedule: async (actor: Actor, id: string, input: BookInput) =>
      commands.reschedule(ctx, asWriter(actor), id, input),

    /** Releases the booked time, revokes the candidate's links and cancels the request. */
    cancel: async (actor: Actor, id: string, input: CancelInput = {}) =>
      commands.cancel(ctx, asWriter(actor), id, input),

    /**
     * Stores an attendee's answer to a session's invitation and adds it to the timeline.
     * Called by the reply handler after it matched the reply; `orgId` comes from the booking.
     */
    recordReply: (orgId: OrgId, reply: commands.AttendeeReply) =>
      commands.recordAttendeeAnswer(ctx, orgId, reply),

    /** Replaces an interviewer who declined a pool session with a free member of the pool. */
    replaceInterviewer: (orgId: OrgId, bookingId: string, sessionIndex: number, userId: string) =>
      commands.replaceInterviewer(ctx, orgId, bookingId, sessionIndex, userId),

    /**
     * An interviewer said by email that they cannot make the booked interview: each upcoming
     * session they are on is handled as a calendar Decline (replaced from the pool, or the
     * recruiter told); the candidate's time stays. `orgId` comes from the conversation.
     */
    interviewerUnavailable: (
      orgId: OrgId,
      requestId: string,
      userId: string,
      said: { words: string },
    ) => commands.interviewerUnavailable(ctx, orgId, requestId, userId, said),

    /** Emails the request's creator and notes it on the timeline. */
    tellRecruiter: (
      orgId: OrgId,
      requestId: string,
      message: RecruiterMessage & { detail: Record<string, unknown>; needsNewTime?: boolean },
    ) => tellRecruiter(ctx, orgId, requestId, message),

    /** Notes what another module did about the request on its timeline (the email assistant's mail). */
    note: async (
      orgId: OrgId,
      requestId: string,
      kind: string,
      detail: Record<string, unknown>,
    ) => {
      await requestRow(ctx.db, orgId, requestId);
      await addEvent(ctx.db, ctx.clock.now(), { kind: "system", orgId }, requestId, kind, detail);
    },

    // The candidate's side: the caller has authorised them for `requestId` (a signed link).

    candidateGet: async (requestId: string) =>
      reads.candidateView(ctx, (await asCandidate(requestId)).orgId, requestId),

    /** Today's options for the candidate (no internal warnings or explanation). */
    candidateOptions: async (requestId: string): Promise<{ options: Option[] }> => {
      const caller = await asCandidate(requestId);
      const answer = await reads.optionsFor(ctx, caller, caller.orgId, requestId);
      return { options: answer.options };
    },

    candidateBook: async (requestId: string, input: BookInput) =>
      commands.book(ctx, await asCandidate(requestId), requestId, input),

    candidateReschedule: async (requestId: string, input: BookInput) =>
      commands.reschedule(ctx, await asCandidate(requestId), requestId, input),

    candidateCancel: async (requestId: string, input: CancelInput = {}) =>
      commands.cancel(ctx, await asCandidate(requestId), requestId, input),

    /**
     * The candidate says none of the times work: their own ranges and words go on the
     * timeline as "times-proposed" for the recruiter; the request's status stays.
     */
    proposeTimes: async (requestId: string, input: ProposeTimesInput) =>
      commands.proposeTimes(ctx, await asCandidate(requestId), requestId, input),
  };
}
