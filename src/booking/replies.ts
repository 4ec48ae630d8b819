/**
 * Calendar replies: when an attendee presses Accept, Tentative or Decline on one of Ally's
 * invitations, their calendar client mails an iMIP REPLY (RFC 6047) naming the event's UID
 * (`<bookingUid>-<n>@host`, session n of the booking), its SEQUENCE and their PARTSTAT. This
 * handler matches it to the booking and the session, keeps the answer, and puts it on the
 * request's timeline. An interviewer who declines a pool session more than 48 hours ahead is
 * replaced by another member of that pool who is free then; otherwise (no one free, too late,
 * named interviewers, or the candidate declining) the recruiter is told by email.
 *
 * A reply acts only when it is about the invitation as it stands now, from one of the session's
 * own attendees, and authenticated: it came back to the reply address Ally gave that attendee's
 * invitation (reply-address.ts: an HMAC of organisation, booking and attendee, which only the
 * invitation's reader knows), and, when Ally's MX is configured, DMARC passed for its `From:`
 * domain. `From:` alone can be written by anyone. A reply that names a real attendee but is not
 * authenticated changes nothing: the recruiter is emailed, and the request's timeline says so.
 */
import { type MemberContact, userContact } from "../accounts/reads.js";
import { parseReply } from "../calendar/imip.js";
import type { Clock } from "../clock.js";
import { candidateFacts } from "../hiring/scheduling-facts.js";
import { mintOrgId, type OrgId } from "../ids.js";
import type { InboundHandler, InboundMessage } from "../mail/inbound.js";
import type { ReplyAddresses } from "../mail/reply-address.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { settleDecline } from "./interviewer-decline.js";
import { readable } from "./readable.js";
import { requestRow, sessionsOf } from "./request-repository.js";
import type { BookingService } from "./service.js";

export { REPLACE_NOTICE_MS } from "./interviewer-decline.js";

export interface ReplyHandlerDeps {
  db: AnyHandle;
  clock: Clock;
  booking: Pick<BookingService, "recordReply" | "replaceInterviewer" | "tellRecruiter">;
  /** The per-attendee reply addresses the invitations were sent with. */
  replyAddresses: ReplyAddresses;
  /** Ally's MX stamps Authentication-Results: a reply acts only when DMARC passed (aligned). */
  requireDmarcPass: boolean;
}

/**
 * Why a reply cannot be believed, or undefined when it can: its envelope must reach the
 * attendee's own reply address, and DMARC must not have failed (nor be missing, when the MX is
 * expected to say).
 */
export function distrustOf(
  message: Pick<InboundMessage, "envelopeTo" | "dmarc">,
  binding: { organisationId: string; bookingUid: string; attendeeEmail: string },
  deps: Pick<ReplyHandlerDeps, "replyAddresses" | "requireDmarcPass">,
): string | undefined {
  if (message.dmarc !== null && message.dmarc !== "pass") {
    return `DMARC did not pass for the sender's domain (${message.dmarc})`;
  }
  if (message.dmarc === null && deps.requireDmarcPass) {
    return "Ally's mail server did not vouch for the sender (no DMARC result)";
  }
  if (!deps.replyAddresses.verifies(message.envelopeTo, binding)) {
    return "it was not sent to the reply address of that person's invitation";
  }
  return undefined;
}

/** `<bookingUid>-<n>@<host>` → the booking's UID and the 0-based session index. */
export function parseSessionUid(uid: string): { bookingUid: string; sessionIndex: number } | null {
  const match = /^(.+)-(\d{1,4})@[^@\s]+$/.exec(uid);
  if (match === null) return null;
  const n = Number(match[2]);
  if (n < 1) return null;
  return { bookingUid: match[1] as string, sessionIndex: n - 1 };
}

/**
 * The candidate declined a session on their calendar: Ally changes nothing and asks the
 * recruiter to find a new time. Returns the reason given.
 */
async function tellOfCandidateDecline(
  deps: ReplyHandlerDeps,
  orgId: OrgId,
  declined: {
    requestId: string;
    candidateName: string;
    bookingId: string;
    sessionIndex: number;
    sessionName: string;
    startsAt: number;
    who: string;
    email: string;
  },
): Promise<string> {
  const reason = "the candidate declined";
  const { who, sessionName, candidateName } = declined;
  await deps.booking.tellRecruiter(orgId, declined.requestId, {
    kind: "decline-needs-attention",
    subject: `${who} declined ${sessionName} with ${candidateName}`,
    paragraphs: [
      `${who} declined ${sessionName} with ${candidateName} on ${readable(new Date(declined.startsAt).toISOString())}.`,
      `Ally did not change the interview: ${reason}.`,
      "Ask them for times that work, or reschedule or cancel the interview.",
    ],
    detail: {
      bookingId: declined.bookingId,
      session: sessionName,
      sessionIndex: declined.sessionIndex,
      email: declined.email,
      reason,
    },
    needsNewTime: true,
  });
  return reason;
}

/**
 * Handles mail whose calendar part is a METHOD:REPLY; passes on everything else. Returns what
 * it did (or why it ignored the reply) for the inbound record.
 * @example handlers: [calendarReplyHandler({ db, clock, booking })]
 */
export function calendarReplyHandler(deps: ReplyHandlerDeps): InboundHandler {
  const { clock } = deps;
  const db = bookingDb(deps.db);
  return async (message) => {
    if (message.calendar === null || message.calendar.method !== "REPLY") return undefined;
    const parsed = parseReply(message.calendar.ics);
    if (!parsed.ok) return `calendar reply ignored: ${parsed.error}`;
    const reply = parsed.reply;
    const target = parseSessionUid(reply.uid);
    if (target === null) {
      return `calendar reply ignored: UID ${reply.uid} is not one of Ally's interviews`;
    }
    // Across organisations: the UID is the only key a calendar client sends back.
    const booking = await db
      .selectFrom("bookings")
      .selectAll()
      .where("ical_uid", "=", target.bookingUid)
      .executeTakeFirst();
    if (booking === undefined) {
      return `calendar reply ignored: no booking has UID ${reply.uid}`;
    }
    const orgId: OrgId = mintOrgId(booking.organisation_id);
    const row = await requestRow(db, orgId, booking.request_id);
    const candidate = await candidateFacts(db, orgId, row.candidate_id);
    if (candidate === undefined) throw new Error(`candidate ${row.candidate_id} not found`);
    const request = {
      id: row.id,
      candidate_name: candidate.name,
      candidate_email: candidate.email,
    };
    const session = sessionsOf(row)[target.sessionIndex];
    if (session === undefined) {
      return `calendar reply ignored: the booking has no session ${target.sessionIndex + 1} (UID ${reply.uid})`;
    }
    const slots = await db
      .selectFrom("booked_slots")
      .select(["resource", "starts_at"])
      .where("organisation_id", "=", orgId)
      .where("booking_id", "=", booking.id)
      .where("session_name", "=", session.name)
      .where("active", "=", 1)
      .execute();
    const userIds = slots.map((s) => s.resource.replace(/^user:/, ""));
    const interviewers: MemberContact[] = [];
    for (const id of userIds) {
      // Whether or not they are still a member: they were invited, and may answer.
      const contact = await userContact(db, id);
      if (contact !== undefined) interviewers.push(contact);
    }
    const email = reply.attendeeEmail;
    const interviewer = interviewers.find((u) => u.email.toLowerCase() === email);
    const isCandidate = request.candidate_email.toLowerCase() === email;
    if (interviewer === undefined && !isCandidate) {
      return `calendar reply ignored: ${email} is not an attendee of ${session.name} (UID ${reply.uid})`;
    }
    if (message.fromAddress !== email) {
      return `calendar reply ignored: it answers for ${email} but was sent from ${message.fromAddress || "no address"}`;
    }
    if (booking.status !== "active") {
      return `calendar reply ignored: the interview (UID ${reply.uid}) is cancelled`;
    }
    if (reply.sequence < booking.sequence) {
      return `calendar reply ignored: it answers SEQUENCE ${reply.sequence}, but the invitation is at ${booking.sequence}`;
    }
    const who = interviewer?.name ?? request.candidate_name;
    const verb =
      reply.partstat === "TENTATIVE" ? "tentatively accepted" : reply.partstat.toLowerCase();
    const answered = `${who} (${email}) ${verb} ${session.name}`;
    const distrust = distrustOf(
      message,
      { organisationId: orgId, bookingUid: booking.ical_uid, attendeeEmail: email },
      deps,
    );
    if (distrust !== undefined) {
      await deps.booking.tellRecruiter(orgId, request.id, {
        kind: "calendar-reply-unverified",
        subject: `Please check: an unconfirmed answer for ${session.name} with ${request.candidate_name}`,
        paragraphs: [
          `Ally received a calendar answer saying that ${answered}, but could not confirm that ${who} sent it: ${distrust}.`,
          `Ally changed nothing. If ${who} did answer, ask them to use the buttons on the invitation Ally sent them, or change the interview yourself.`,
        ],
        detail: {
          bookingId: booking.id,
          session: session.name,
          sessionIndex: target.sessionIndex,
          email,
          partstat: reply.partstat,
          reason: distrust,
        },
      });
      return `calendar reply not acted on: ${distrust}; recruiter told (${answered})`;
    }
    await deps.booking.recordReply(orgId, {
      bookingId: booking.id,
      sessionIndex: target.sessionIndex,
      email,
      userId: interviewer?.userId ?? null,
      partstat: reply.partstat,
      sequence: reply.sequence,
    });
    if (reply.partstat !== "DECLINED") return `recorded: ${answered}`;

    // A session's interviewers share its time; a cancelled booking was refused above.
    const startsAt = Number(slots[0]?.starts_at ?? 0);
    if (interviewer === undefined) {
      const reason = await tellOfCandidateDecline(deps, orgId, {
        requestId: request.id,
        candidateName: request.candidate_name,
        bookingId: booking.id,
        sessionIndex: target.sessionIndex,
        sessionName: session.name,
        startsAt,
        who,
        email,
      });
      return `recorded: ${answered}; recruiter told (${reason})`;
    }
    const outcome = await settleDecline(
      {
        now: clock.now(),
        replaceInterviewer: deps.booking.replaceInterviewer,
        tellRecruiter: deps.booking.tellRecruiter,
      },
      orgId,
      {
        requestId: request.id,
        candidateName: request.candidate_name,
        bookingId: booking.id,
        sessionIndex: target.sessionIndex,
        sessionName: session.name,
        startsAt,
        userId: interviewer.userId,
        who,
        email,
      },
      { verb: "declined" },
    );
    if (outcome.replaced) {
      return `recorded: ${answered}; replaced by ${outcome.name} (${outcome.userId})`;
    }
    return `recorded: ${answered}; recruiter told (${outcome.reason})`;
  };
}
