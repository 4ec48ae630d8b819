/**
 * An interviewer says in their own words (by email, read by the email assistant) that they
 * cannot make a booked interview: each upcoming session of the active booking they are on is
 * handled exactly as a Decline on its calendar invitation (interviewer-decline.ts): their answer
 * is recorded as DECLINED, then they are replaced from the pool, or the recruiter is told. The
 * candidate's time is never moved here.
 */
import { userContact } from "../../accounts/reads.js";
import { candidateFacts } from "../../hiring/scheduling-facts.js";
import type { OrgId } from "../../ids.js";
import { type BookingContext, resource } from "../context.js";
import { type DeclineOutcome, settleDecline } from "../interviewer-decline.js";
import { tellRecruiter } from "../recruiter-mail.js";
import { bookingOf, requestRow, sessionSlots, sessionsOf } from "../request-repository.js";
import { recordAttendeeAnswer } from "./record-attendee-answer.js";
import { replaceInterviewer } from "./replace-interviewer.js";

/** What came of an interviewer's "can't make it": per session, or why nothing was changed. */
export type UnavailableResult =
  | { handled: true; sessions: Array<{ session: string } & DeclineOutcome> }
  | { handled: false; reason: string };

/**
 * @example await interviewerUnavailable(ctx, orgId, "req_…", "usr_dana", { words: "Sorry, I can't make it." })
 */
export async function interviewerUnavailable(
  ctx: BookingContext,
  orgId: OrgId,
  requestId: string,
  userId: string,
  said: { words: string },
): Promise<UnavailableResult> {
  const row = await requestRow(ctx.db, orgId, requestId);
  const booking = await bookingOf(ctx.db, orgId, requestId);
  if (booking === undefined || booking.status !== "active") {
    return { handled: false, reason: "the request has no booked interview" };
  }
  const contact = await userContact(ctx.db, userId);
  const candidate = await candidateFacts(ctx.db, orgId, row.candidate_id);
  if (contact === undefined || candidate === undefined) {
    return { handled: false, reason: "the interviewer or the candidate is no longer known" };
  }
  const now = ctx.clock.now();
  const seats: Array<{ sessionIndex: number; sessionName: string; startsAt: number }> = [];
  for (const [sessionIndex, session] of sessionsOf(row).entries()) {
    const slots = await sessionSlots(ctx.db, orgId, booking.id, session.name);
    const held = slots.find((s) => s.resource === resource(userId));
    if (held !== undefined && Number(held.starts_at) > now) {
      seats.push({ sessionIndex, sessionName: session.name, startsAt: Number(held.starts_at) });
    }
  }
  if (seats.length === 0) {
    return { handled: false, reason: `${contact.name} is not on an upcoming session of it` };
  }
  const steps = {
    now,
    replaceInterviewer: (o: OrgId, b: string, i: number, u: string) =>
      replaceInterviewer(ctx, o, b, i, u),
    tellRecruiter: (o: OrgId, r: string, m: Parameters<typeof tellRecruiter>[3]) =>
      tellRecruiter(ctx, o, r, m),
  };
  const sessions: Array<{ session: string } & DeclineOutcome> = [];
  for (const seat of seats) {
    await recordAttendeeAnswer(ctx, orgId, {
      bookingId: booking.id,
      sessionIndex: seat.sessionIndex,
      email: contact.email.toLowerCase(),
      userId,
      partstat: "DECLINED",
      sequence: booking.sequence,
    });
    const outcome = await settleDecline(
      steps,
      orgId,
      {
        ...seat,
        requestId,
        candidateName: candidate.name,
        bookingId: booking.id,
        userId,
        who: contact.name,
        email: contact.email.toLowerCase(),
      },
      { verb: "wrote that they cannot make", words: said.words, source: "email" },
    );
    sessions.push({ session: seat.sessionName, ...outcome });
  }
  return { handled: true, sessions };
}
