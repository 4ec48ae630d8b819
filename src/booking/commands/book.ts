/**
 * Book: holds every interviewer of the chosen option in one transaction with its effects
 * (booking, slots, status, timeline, invitations). Same idempotency key, same booking.
 */

import { parseInput } from "../../hiring/parse-input.js";
import { newId } from "../../ids.js";
import type { BookingContext, Caller } from "../context.js";
import { allows, refusalOf } from "../lifecycle.js";
import { addEvent, madeBefore, setStatus } from "../request-repository.js";
import { type BookInput, bookInput } from "../schemas.js";
import { insertSlots, lockAndCheck } from "../slot-lock.js";
import { mailChangeToRecruiter } from "./change-mail.js";
import { choose } from "./choose.js";
import { announce, type BookingResult, bookingChanged } from "./shared.js";

/**
 * @example await book(ctx, userCaller(actor), "req_…", { optionId, idempotencyKey })
 * @throws AppError SLOT_TAKEN (with fresh options), REQUEST_NOT_OPEN, BOOKING_CHANGED
 */
export async function book(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
  input: BookInput,
): Promise<BookingResult> {
  const value = parseInput(bookInput, input);
  const orgId = caller.orgId;
  return choose(ctx, caller, requestId, value.optionId, value.idempotencyKey, {
    action: "book",
    keyTable: "bookings",
    async ready(row) {
      const refusal = refusalOf({ status: row.status, booking: null }, "book");
      return refusal === undefined ? { moving: undefined } : { refusal };
    },
    async write(trx, locked, option, claims) {
      if (await madeBefore(trx, "bookings", orgId, requestId, value.idempotencyKey)) {
        return { replay: true };
      }
      if (!allows({ status: locked.status, booking: null }, "book")) {
        throw bookingChanged("This interview was booked a moment ago; reschedule it instead.");
      }
      const why = await lockAndCheck(trx, ctx.dialect, orgId, claims);
      if (why !== undefined) return { taken: why };
      const now = ctx.clock.now();
      const bookingId = newId("bkg");
      await trx
        .insertInto("bookings")
        .values({
          id: bookingId,
          organisation_id: orgId,
          request_id: requestId,
          ical_uid: `${bookingId}@ally`,
          sequence: 0,
          status: "active",
          idempotency_key: value.idempotencyKey,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await insertSlots(trx, orgId, bookingId, claims);
      await setStatus(trx, orgId, requestId, {
        status: "scheduled",
        scheduled_at: now,
        updated_at: now,
      });
      await addEvent(trx, now, caller, requestId, "booked", {
        bookingId,
        optionId: option.id,
        sessions: option.sessions,
      });
      await announce(ctx, trx, "booked", orgId, requestId, option.sessions);
      await mailChangeToRecruiter(ctx, trx, caller, locked, {
        kind: "booked",
        sessions: option.sessions,
      });
      return { done: true };
    },
  });
}
