/**
 * What Ally does when an interviewer cannot make a booked session, however they said so (a
 * Decline on the calendar invitation, replies.ts, or plain words by email,
 * commands/interviewer-unavailable.ts): more than 48 hours ahead, a pool session gets another
 * member of the pool who is free at the same time (the candidate's time stays); otherwise (too
 * late, nobody free, named interviewers) the recruiter is told by email and the request needs a
 * new time. The candidate's time is never moved here.
 */
import type { OrgId } from "../ids.js";
import type { ReplacementResult } from "./commands/replace-interviewer.js";
import { readable } from "./readable.js";
import type { RecruiterMessage } from "./recruiter-mail.js";

/** An interviewer who declined at least this long before the session is replaced from the pool. */
export const REPLACE_NOTICE_MS = 48 * 3_600_000;

/** The seat an interviewer gives up: one session of one booking, at the time it is booked. */
export interface DeclinedSeat {
  requestId: string;
  candidateName: string;
  bookingId: string;
  sessionIndex: number;
  sessionName: string;
  /** Epoch milliseconds: when the session starts. */
  startsAt: number;
  userId: string;
  /** The interviewer's name, for the recruiter's email. */
  who: string;
  email: string;
}

/** The two steps the rule may take, as the booking service offers them. */
export interface DeclineSteps {
  now: number;
  replaceInterviewer(
    orgId: OrgId,
    bookingId: string,
    sessionIndex: number,
    userId: string,
  ): Promise<ReplacementResult>;
  tellRecruiter(
    orgId: OrgId,
    requestId: string,
    message: RecruiterMessage & { detail: Record<string, unknown>; needsNewTime?: boolean },
  ): Promise<void>;
}

/** What came of it: replaced by someone, or the recruiter told why not. */
export type DeclineOutcome =
  | { replaced: true; userId: string; name: string }
  | { replaced: false; reason: string };

/**
 * Replaces the interviewer from the pool when there is time and someone free, else tells the
 * recruiter. `said` is how the interviewer said it ("declined", or their words by email).
 * @example await settleDecline(steps, orgId, seat, { verb: "declined" })
 */
export async function settleDecline(
  steps: DeclineSteps,
  orgId: OrgId,
  seat: DeclinedSeat,
  said: { verb: string; words?: string; source?: string },
): Promise<DeclineOutcome> {
  const when = readable(new Date(seat.startsAt).toISOString());
  const tell = async (reason: string, advice: string): Promise<DeclineOutcome> => {
    await steps.tellRecruiter(orgId, seat.requestId, {
      kind: "decline-needs-attention",
      subject: `${seat.who} ${said.verb} ${seat.sessionName} with ${seat.candidateName}`,
      paragraphs: [
        `${seat.who} ${said.verb} ${seat.sessionName} with ${seat.candidateName} on ${when}.`,
        ...(said.words === undefined ? [] : [`They wrote:\n${said.words}`]),
        `Ally did not change the interview: ${reason}.`,
        advice,
      ],
      detail: {
        bookingId: seat.bookingId,
        session: seat.sessionName,
        sessionIndex: seat.sessionIndex,
        email: seat.email,
        reason,
        ...(said.source === undefined ? {} : { source: said.source }),
      },
      needsNewTime: true,
    });
    return { replaced: false, reason };
  };
  if (seat.startsAt - steps.now <= REPLACE_NOTICE_MS) {
    return tell(
      "the session is less than 48 hours away",
      "Find someone to stand in, or reschedule the interview.",
    );
  }
  const result = await steps.replaceInterviewer(
    orgId,
    seat.bookingId,
    seat.sessionIndex,
    seat.userId,
  );
  if (result.replaced) return result;
  return tell(result.reason, "Find someone to stand in, or reschedule the interview.");
}
