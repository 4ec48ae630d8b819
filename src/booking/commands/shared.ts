/**
 * What the booking commands share: telling the effects of a change inside its transaction,
 * answering with the committed result, and refusing a time that went to someone else.
 */
import { AppError } from "../../errors.js";
import type { OrgId } from "../../ids.js";
import type { BookingChange, BookingContext, Caller } from "../context.js";
import { type AnyHandle, bookingDb } from "../db.js";
import { addEvent, bookingOf, loadRequest } from "../request-repository.js";
import type { Booking, InterviewRequest, Option } from "../schemas.js";

export interface BookingResult {
  request: InterviewRequest;
  booking: Booking;
}

/** Tells the effects (mail, calendars), when there are any, of a change in this transaction. */
export async function announce(
  ctx: Pick<BookingContext, "effects">,
  handle: AnyHandle,
  kind: BookingChange["kind"],
  orgId: OrgId,
  requestId: string,
  sessions: BookingChange["sessions"],
  previousSessions?: BookingChange["sessions"],
): Promise<void> {
  const trx = bookingDb(handle);
  if (ctx.effects === undefined) return;
  const request = await loadRequest(trx, orgId, requestId);
  const booking = await bookingOf(trx, orgId, requestId);
  if (booking === undefined) throw new Error("a change without a booking");
  await ctx.effects(trx, {
    kind,
    request,
    booking: { id: booking.id, uid: booking.ical_uid, sequence: booking.sequence },
    sessions,
    ...(previousSessions === undefined ? {} : { previousSessions }),
  });
}

/** The request and its booking as committed. */
export async function resultOf(
  ctx: Pick<BookingContext, "db">,
  orgId: OrgId,
  requestId: string,
): Promise<BookingResult> {
  const request = await loadRequest(ctx.db, orgId, requestId);
  if (request.booking === null) throw new Error("expected a booking");
  return { request, booking: request.booking };
}

/** SLOT_TAKEN: the time went to someone else between showing it and booking it. */
export function slotTaken(options: Option[], reason?: string): AppError {
  return new AppError(
    "SLOT_TAKEN",
    "That time was just taken. Please choose another of the options.",
    { detail: { options, ...(reason === undefined ? {} : { reason }) } },
  );
}

/** Records on the timeline that a chosen time was gone, and makes the SLOT_TAKEN error. */
export async function refused(
  ctx: Pick<BookingContext, "db" | "clock">,
  caller: Caller,
  requestId: string,
  action: "book" | "reschedule",
  optionId: string,
  options: Option[],
  reason?: string,
): Promise<AppError> {
  await addEvent(ctx.db, ctx.clock.now(), caller, requestId, "slot-taken", {
    action,
    optionId,
    ...(reason === undefined ? {} : { reason }),
  });
  return slotTaken(options, reason);
}

/** BOOKING_CHANGED: another call changed the booking between reading and locking it. */
export function bookingChanged(message: string): AppError {
  return new AppError("BOOKING_CHANGED", message);
}
