/**
 * Cancel: releases the booked time, cancels the booking (SEQUENCE + 1) and the request, revokes
 * every candidate link of the request and tells the effects, all in one transaction: a
 * cancelled request never leaves a live booking page behind, whichever client cancelled it.
 * Cancelling twice is the same as once (a double submit).
 */

import { parseInput } from "../../hiring/parse-input.js";
import {
  type BookingChange,
  type BookingContext,
  type Caller,
  writeTransaction,
} from "../context.js";
import { requireAllowed } from "../lifecycle.js";
import {
  addEvent,
  bookingOf,
  loadRequest,
  requestRow,
  setStatus,
  toBooking,
} from "../request-repository.js";
import { type CancelInput, cancelInput, type InterviewRequest } from "../schemas.js";
import { releaseSlots } from "../slot-lock.js";
import { mailChangeToRecruiter } from "./change-mail.js";
import { announce } from "./shared.js";

/**
 * @example await cancel(ctx, userCaller(actor), "req_…", { reason: "Role filled" })
 * @throws AppError REQUEST_NOT_OPEN when the interview has already taken place.
 */
export async function cancel(
  ctx: Pick<
    BookingContext,
    "db" | "dialect" | "clock" | "links" | "effects" | "mailFrom" | "publicUrl"
  >,
  caller: Caller,
  requestId: string,
  input: CancelInput = {},
): Promise<InterviewRequest> {
  const value = parseInput(cancelInput, input ?? {});
  const orgId = caller.orgId;
  await writeTransaction(ctx, async (trx) => {
    const row = await requestRow(trx, orgId, requestId, { lock: true, dialect: ctx.dialect });
    if (row.status === "cancelled") {
      // Already cancelled: only make sure no link survived an older cancellation.
      await ctx.links.revokeForRequest(trx, orgId, requestId);
      return;
    }
    const booking = await bookingOf(trx, orgId, requestId);
    requireAllowed({ status: row.status, booking: booking ?? null }, "cancel");
    const now = ctx.clock.now();
    let released: BookingChange["sessions"] = [];
    const active = booking !== undefined && booking.status === "active";
    if (active) {
      released = (await toBooking(trx, orgId, booking)).sessions;
      await releaseSlots(trx, orgId, booking.id);
      await trx
        .updateTable("bookings")
        .set({ status: "cancelled", sequence: booking.sequence + 1, updated_at: now })
        .where("id", "=", booking.id)
        .execute();
    }
    await setStatus(trx, orgId, requestId, { status: "cancelled", updated_at: now });
    const revoked = await ctx.links.revokeForRequest(trx, orgId, requestId);
    await addEvent(trx, now, caller, requestId, "cancelled", {
      reason: value.reason,
      ...(booking === undefined ? {} : { bookingId: booking.id, released }),
      ...(revoked === 0 ? {} : { linksRevoked: revoked }),
    });
    if (active) {
      await announce(ctx, trx, "cancelled", orgId, requestId, released);
      await mailChangeToRecruiter(ctx, trx, caller, row, {
        kind: "cancelled",
        sessions: released,
        reason: value.reason,
      });
    }
  });
  return loadRequest(ctx.db, orgId, requestId);
}
