/**
 * When a member leaves an organisation, the interviews they are booked on still stand: the
 * recruiter who asked for each one is told by email (and on the request's timeline), so they
 * can find someone else. Runs inside the caller's transaction; booking itself is unchanged.
 */
import type { OrgId } from "../ids.js";
import type { BookingContext } from "./context.js";
import { resource } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { mailRecruiter } from "./recruiter-mail.js";
import { addEvent } from "./request-repository.js";

export interface UpcomingBooking {
  requestId: string;
  sessionName: string;
  startsAt: number;
}

/** The member's booked sessions in `orgId` that start after `now`, earliest first. */
export async function upcomingBookingsOf(
  handle: AnyHandle,
  orgId: OrgId,
  userId: string,
  now: number,
): Promise<UpcomingBooking[]> {
  const q = bookingDb(handle);
  const rows = await q
    .selectFrom("booked_slots")
    .innerJoin("bookings", "bookings.id", "booked_slots.booking_id")
    .select(["bookings.request_id", "booked_slots.session_name", "booked_slots.starts_at"])
    .where("booked_slots.organisation_id", "=", orgId)
    .where("bookings.organisation_id", "=", orgId)
    .where("booked_slots.resource", "=", resource(userId))
    .where("booked_slots.active", "=", 1)
    .where("bookings.status", "=", "active")
    .where("booked_slots.starts_at", ">", now)
    .orderBy("booked_slots.starts_at")
    .execute();
  return rows.map((r) => ({
    requestId: r.request_id,
    sessionName: r.session_name,
    startsAt: r.starts_at,
  }));
}

/**
 * Emails the creator of each request the member is booked on (one message per request) and
 * notes it on the request's timeline; returns the requests told about.
 */
export async function tellRecruitersOfRemovedInterviewer(
  ctx: Pick<BookingContext, "clock" | "mailFrom" | "publicUrl">,
  handle: AnyHandle,
  orgId: OrgId,
  member: { userId: string; name: string },
): Promise<string[]> {
  const trx = bookingDb(handle);
  const upcoming = await upcomingBookingsOf(trx, orgId, member.userId, ctx.clock.now());
  const byRequest = new Map<string, UpcomingBooking[]>();
  for (const b of upcoming) byRequest.set(b.requestId, [...(byRequest.get(b.requestId) ?? []), b]);
  for (const [requestId, sessions] of byRequest) {
    const row = await trx
      .selectFrom("interview_requests")
      .selectAll()
      .where("organisation_id", "=", orgId)
      .where("id", "=", requestId)
      .executeTakeFirstOrThrow();
    const lines = sessions.map((s) => `${s.sessionName}, ${new Date(s.startsAt).toISOString()}`);
    const emailed = await mailRecruiter(ctx, trx, orgId, row, {
      kind: "interviewer-removed",
      subject: `${member.name} has left: booked interviews need a new interviewer`,
      paragraphs: [
        `${member.name} was removed from your organisation in Ally, and was booked on these sessions:`,
        lines.join("\n"),
        "Their calendar is no longer read. Reschedule the sessions or ask another interviewer.",
      ],
    });
    await addEvent(
      trx,
      ctx.clock.now(),
      { kind: "system", orgId },
      requestId,
      "interviewer-removed",
      {
        userId: member.userId,
        sessions: sessions.length,
        recruiterEmailed: emailed,
      },
    );
  }
  return [...byRequest.keys()];
}
