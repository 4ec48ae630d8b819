/**
 * Replace an interviewer who declined a pool session with another member of that pool who is
 * free at the same time (see `standIns`). The candidate's time stays; the booking's SEQUENCE
 * goes up and effects hear of it as "rescheduled" with the sessions as they were. One locked
 * transaction re-checks the newcomer's slots and limits, as a booking does.
 */
import type { OrgId } from "../../ids.js";
import {
  type BookingContext,
  dbErrorCode,
  iso,
  resource,
  TakenInside,
  userOfResource,
  writeTransaction,
} from "../context.js";
import { interviewerProfiles } from "../interviewers.js";
import { allows } from "../lifecycle.js";
import type { SlotClaim } from "../problem.js";
import { type StandIn, standIns } from "../replacement.js";
import {
  addEvent,
  bookingById,
  nextSequence,
  requestRow,
  sessionAt,
  sessionSlots,
  setStatus,
  toBooking,
} from "../request-repository.js";
import type { RequestSession } from "../schemas.js";
import { insertSlots, lockAndCheck, releaseSlot } from "../slot-lock.js";
import { announce } from "./shared.js";

/** What replacing an interviewer who declined came to. */
export type ReplacementResult =
  | { replaced: true; userId: string; name: string }
  | { replaced: false; reason: string };

interface Seat {
  bookingId: string;
  requestId: string;
  session: RequestSession;
  sessionIndex: number;
  userId: string;
  declinerName: string;
  time: { start: number; end: number };
}

/** @example await replaceInterviewer(ctx, orgId, "bkg_…", 0, "usr_decliner") */
export async function replaceInterviewer(
  ctx: BookingContext,
  orgId: OrgId,
  bookingId: string,
  sessionIndex: number,
  userId: string,
): Promise<ReplacementResult> {
  const booking = await bookingById(ctx.db, orgId, bookingId);
  const row = await requestRow(ctx.db, orgId, booking.request_id);
  const session = sessionAt(row, sessionIndex);
  const declinerName =
    (await interviewerProfiles(ctx.db, orgId, [userId])).get(userId)?.name ?? userId;
  if (booking.status !== "active") return { replaced: false, reason: "the booking is cancelled" };
  if (session.poolId === undefined) {
    return {
      replaced: false,
      reason: `${session.name} has named interviewers, not a pool to draw someone else from`,
    };
  }
  const slots = await sessionSlots(ctx.db, orgId, booking.id, session.name);
  const held = slots.find((s) => s.resource === resource(userId));
  if (held === undefined) {
    return { replaced: false, reason: `${declinerName} is no longer on ${session.name}` };
  }
  const time = { start: Number(held.starts_at), end: Number(held.ends_at) };
  const onSession = new Set(slots.map((s) => userOfResource(s.resource)));
  const fitting = await standIns(ctx, orgId, row, session.poolId, onSession, time);
  const nobody = `nobody else in the pool is free for ${session.name} then`;
  if (fitting.length === 0) return { replaced: false, reason: nobody };
  const seat: Seat = {
    bookingId: booking.id,
    requestId: row.id,
    session,
    sessionIndex,
    userId,
    declinerName,
    time,
  };
  try {
    return await writeTransaction(ctx, (trx) => swap(ctx, trx, orgId, seat, fitting, nobody));
  } catch (error) {
    if (error instanceof TakenInside) return { replaced: false, reason: error.message };
    if (dbErrorCode(error) === "23P01") {
      return { replaced: false, reason: "another booking took that time meanwhile" };
    }
    throw error;
  }
}

/** Inside the transaction: re-checks the seat, then gives it to the first stand-in who passes. */
async function swap(
  ctx: BookingContext,
  trx: Parameters<Parameters<typeof writeTransaction>[1]>[0],
  orgId: OrgId,
  seat: Seat,
  fitting: StandIn[],
  nobody: string,
): Promise<ReplacementResult> {
  const { session } = seat;
  const locked = await requestRow(trx, orgId, seat.requestId, { lock: true, dialect: ctx.dialect });
  const current = await bookingById(trx, orgId, seat.bookingId);
  if (!allows({ status: locked.status, booking: current }, "reschedule")) {
    return { replaced: false, reason: "the booking changed meanwhile" };
  }
  const still = (await sessionSlots(trx, orgId, current.id, session.name)).find(
    (s) =>
      s.resource === resource(seat.userId) &&
      Number(s.starts_at) === seat.time.start &&
      Number(s.ends_at) === seat.time.end,
  );
  if (still === undefined) {
    return { replaced: false, reason: `${seat.declinerName} is no longer on ${session.name}` };
  }
  const previous = await toBooking(trx, orgId, current);
  await releaseSlot(trx, still.id);
  let chosen: StandIn | undefined;
  for (const person of fitting) {
    const claim: SlotClaim = {
      userId: person.userId,
      sessionName: session.name,
      start: seat.time.start,
      end: seat.time.end,
    };
    if ((await lockAndCheck(trx, ctx.dialect, orgId, [claim])) === undefined) {
      await insertSlots(trx, orgId, current.id, [claim]);
      chosen = person;
      break;
    }
  }
  // Nobody passed the re-check: roll the release back with the transaction.
  if (chosen === undefined) throw new TakenInside(nobody);
  const now = ctx.clock.now();
  await nextSequence(trx, current, now);
  await setStatus(trx, orgId, seat.requestId, { updated_at: now });
  await addEvent(trx, now, { kind: "system", orgId }, seat.requestId, "interviewer-replaced", {
    bookingId: current.id,
    session: session.name,
    sessionIndex: seat.sessionIndex,
    startsAt: iso(seat.time.start),
    endsAt: iso(seat.time.end),
    declined: seat.userId,
    replacement: chosen.userId,
  });
  if (ctx.effects !== undefined) {
    const after = await toBooking(trx, orgId, current);
    await announce(
      ctx,
      trx,
      "rescheduled",
      orgId,
      seat.requestId,
      after.sessions,
      previous.sessions,
    );
  }
  return { replaced: true, userId: chosen.userId, name: chosen.name };
}
