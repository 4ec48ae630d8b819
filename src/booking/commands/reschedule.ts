/**
 * Reschedule: moves the booking to another option in one transaction with its effects. Same
 * event UID, SEQUENCE + 1; the old time is released first (the new one may overlap it) and
 * restored with the rollback when the new one is taken.
 */

import { parseInput } from "../../hiring/parse-input.js";
import { type BookingContext, type Caller, TakenInside } from "../context.js";
import { allows, refusalOf } from "../lifecycle.js";
import {
  addEvent,
  bookingOf,
  keyHolder,
  nextSequence,
  setStatus,
  toBooking,
} from "../request-repository.js";
import { type BookInput, bookInput } from "../schemas.js";
import { insertSlots, lockAndCheck, releaseSlots } from "../slot-lock.js";
import { mailChangeToRecruiter } from "./change-mail.js";
import { choose } from "./choose.js";
import { announce, type BookingResult, bookingChanged } from "./shared.js";

/**
 * @example await reschedule(ctx, userCaller(actor), "req_…", { optionId, idempotencyKey })
 * @throws AppError SLOT_TAKEN (with fresh options), REQUEST_NOT_OPEN, BOOKING_CHANGED
 */
export async function reschedule(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
  input: BookInput,
): Promise<BookingResult> {
  const value = parseInput(bookInput, input);
  const orgId = caller.orgId;
  return choose(ctx, caller, requestId, value.optionId, value.idempotencyKey, {
    action: "reschedule",
    keyTable: "request_events",
    async ready(row) {
      const current = await bookingOf(ctx.db, orgId, requestId);
      const refusal = refusalOf({ status: row.status, booking: current ?? null }, "reschedule");
      return refusal === undefined ? { moving: current?.id } : { refusal };
    },
    async write(trx, locked, option, claims) {
      const replay = await keyHolder(trx, "request_events", orgId, value.idempotencyKey);
      if (replay !== undefined) return { replay: true };
      const booking = await bookingOf(trx, orgId, requestId);
      if (booking === undefined || !allows({ status: locked.status, booking }, "reschedule")) {
        throw bookingChanged("This interview changed a moment ago; look at it again.");
      }
      const previous = await toBooking(trx, orgId, booking);
      // Choosing the time it already has changes nothing: no new SEQUENCE, no mail.
      if (sameTimes(previous.sessions, option.sessions)) return { replay: true };
      // Release the old time first: the new time may overlap it.
      await releaseSlots(trx, orgId, booking.id);
      const why = await lockAndCheck(trx, ctx.dialect, orgId, claims);
      // Roll the release back with the transaction.
      if (why !== undefined) throw new TakenInside(why);
      await insertSlots(trx, orgId, booking.id, claims);
      const now = ctx.clock.now();
      await nextSequence(trx, booking, now);
      await setStatus(trx, orgId, requestId, {
        status: "scheduled",
        scheduled_at: now,
        updated_at: now,
      });
      await addEvent(
        trx,
        now,
        caller,
        requestId,
        "rescheduled",
        {
          bookingId: booking.id,
          optionId: option.id,
          from: previous.sessions,
          to: option.sessions,
        },
        value.idempotencyKey,
      );
      await announce(ctx, trx, "rescheduled", orgId, requestId, option.sessions, previous.sessions);
      await mailChangeToRecruiter(ctx, trx, caller, locked, {
        kind: "rescheduled",
        sessions: option.sessions,
        previous: previous.sessions,
      });
      return { done: true };
    },
  });
}

type Held = ReadonlyArray<{
  name: string;
  startsAt: string;
  endsAt: string;
  interviewerIds: string[];
}>;

/** The same sessions at the same times with the same interviewers. */
function sameTimes(a: Held, b: Held): boolean {
  const key = (sessions: Held) =>
    JSON.stringify(
      sessions.map((s) => [
        s.name,
        Date.parse(s.startsAt),
        Date.parse(s.endsAt),
        [...s.interviewerIds].sort(),
      ]),
    );
  return key(a) === key(b);
}
