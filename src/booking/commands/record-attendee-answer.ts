/**
 * Record an attendee's answer (an iMIP REPLY the reply handler matched to a booking, a session
 * and an attendee): stores the latest answer per attendee and session and puts it on the
 * timeline as theirs, in one transaction.
 */
import type { OrgId } from "../../ids.js";
import { type BookingContext, type Caller, writeTransaction } from "../context.js";
import { addEvent, bookingById, requestRow, sessionAt } from "../request-repository.js";
import type { AttendeePartstat } from "../tables.js";

/** An attendee's answer to a session's invitation, already matched to the booking. */
export interface AttendeeReply {
  bookingId: string;
  sessionIndex: number;
  /** Lower case. */
  email: string;
  /** The interviewer's user id; null for the candidate. */
  userId: string | null;
  partstat: AttendeePartstat;
  sequence: number;
}

/** @example await recordAttendeeAnswer(ctx, orgId, { bookingId, sessionIndex: 0, email, userId, partstat: "DECLINED", sequence: 0 }) */
export async function recordAttendeeAnswer(
  ctx: Pick<BookingContext, "db" | "dialect" | "clock">,
  orgId: OrgId,
  reply: AttendeeReply,
): Promise<void> {
  const booking = await bookingById(ctx.db, orgId, reply.bookingId);
  const row = await requestRow(ctx.db, orgId, booking.request_id);
  const session = sessionAt(row, reply.sessionIndex);
  const caller: Caller =
    reply.userId === null
      ? { kind: "candidate", orgId, candidateId: row.candidate_id, requestId: row.id }
      : { kind: "interviewer", orgId, userId: reply.userId };
  const email = reply.email.toLowerCase();
  const now = ctx.clock.now();
  await writeTransaction(ctx, async (trx) => {
    await trx
      .insertInto("attendee_responses")
      .values({
        organisation_id: orgId,
        booking_id: booking.id,
        session_index: reply.sessionIndex,
        attendee_email: email,
        user_id: reply.userId,
        partstat: reply.partstat,
        sequence: reply.sequence,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["booking_id", "session_index", "attendee_email"]).doUpdateSet({
          user_id: reply.userId,
          partstat: reply.partstat,
          sequence: reply.sequence,
          updated_at: now,
        }),
      )
      .execute();
    await addEvent(trx, now, caller, row.id, "attendee-replied", {
      bookingId: booking.id,
      session: session.name,
      sessionIndex: reply.sessionIndex,
      email,
      partstat: reply.partstat,
      sequence: reply.sequence,
    });
  });
}
