/**
 * The request repository: interview requests, their bookings and timeline as rows and as the
 * shapes the service answers with. Every query is scoped to the organisation; stored JSON is
 * parsed with its schema. Takes the query handle (the store's, or a transaction's) as its
 * first argument, so the same reads serve inside and outside a transaction.
 */
import { z } from "zod";
import { invalid, notFound } from "../errors.js";
import { mintOrgId, type OrgId } from "../ids.js";
import type { Dialect } from "../store/database.js";
import {
  type CandidateHours,
  candidateHoursSchema,
  DEFAULT_CANDIDATE_HOURS,
} from "./candidate-hours.js";
import { type Caller, iso, userOfResource } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import {
  type Booking,
  type InterviewRequest,
  type Option,
  optionOutput,
  type RequestEvent,
  type RequestSession,
  requestSessionOutput,
} from "./schemas.js";
import type { BookingsTable, EventActorKind, InterviewRequestsTable } from "./tables.js";

const storedSessions = z.array(requestSessionOutput);
const storedOptions = z.array(optionOutput);
const storedDetail = z.record(z.string(), z.unknown());

/** The request's sessions as stored (validated). */
export function sessionsOf(row: Pick<InterviewRequestsTable, "sessions">): RequestSession[] {
  return storedSessions.parse(JSON.parse(row.sessions));
}

/** The hours the candidate may be offered, as stored (validated); the default when unset. */
export function candidateHoursOf(
  row: Pick<InterviewRequestsTable, "candidate_hours">,
): CandidateHours {
  return row.candidate_hours === null
    ? DEFAULT_CANDIDATE_HOURS
    : candidateHoursSchema.parse(JSON.parse(row.candidate_hours));
}

/** The options offered to the candidate, as stored (validated); none when never offered. */
export function offeredOptionsOf(row: Pick<InterviewRequestsTable, "offered_options">): Option[] {
  return row.offered_options === null ? [] : storedOptions.parse(JSON.parse(row.offered_options));
}

/** The request's row; `lock` takes its row lock on PostgreSQL (SQLite's writer holds all). */
export async function requestRow(
  handle: AnyHandle,
  orgId: OrgId,
  id: string,
  options: { lock?: boolean; dialect?: Dialect } = {},
): Promise<InterviewRequestsTable> {
  const q = bookingDb(handle);
  let query = q
    .selectFrom("interview_requests")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", id);
  if (options.lock === true && options.dialect === "postgres") query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) throw notFound("interview request");
  return row;
}

/** The request's latest booking, if it has one. */
export async function bookingOf(
  handle: AnyHandle,
  orgId: OrgId,
  requestId: string,
): Promise<BookingsTable | undefined> {
  const q = bookingDb(handle);
  return q
    .selectFrom("bookings")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("request_id", "=", requestId)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}

export async function bookingById(
  handle: AnyHandle,
  orgId: OrgId,
  bookingId: string,
): Promise<BookingsTable> {
  const q = bookingDb(handle);
  const row = await q
    .selectFrom("bookings")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", bookingId)
    .executeTakeFirst();
  if (row === undefined) throw notFound("booking");
  return row;
}

/** A booking with its active slots grouped into sessions. */
export async function toBooking(
  handle: AnyHandle,
  orgId: OrgId,
  row: BookingsTable,
): Promise<Booking> {
  const q = bookingDb(handle);
  const slots = await q
    .selectFrom("booked_slots")
    .select(["resource", "session_name", "starts_at", "ends_at"])
    .where("organisation_id", "=", orgId)
    .where("booking_id", "=", row.id)
    .where("active", "=", 1)
    .orderBy("starts_at")
    .orderBy("id")
    .execute();
  const sessions: Booking["sessions"] = [];
  for (const slot of slots) {
    const startsAt = iso(Number(slot.starts_at));
    const endsAt = iso(Number(slot.ends_at));
    const userId = userOfResource(slot.resource);
    const same = sessions.find(
      (s) => s.name === slot.session_name && s.startsAt === startsAt && s.endsAt === endsAt,
    );
    if (same !== undefined) same.interviewerIds.push(userId);
    else sessions.push({ name: slot.session_name, startsAt, endsAt, interviewerIds: [userId] });
  }
  for (const s of sessions) s.interviewerIds.sort();
  return {
    id: row.id,
    icalUid: row.ical_uid,
    sequence: row.sequence,
    status: row.status,
    sessions,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function toRequest(
  handle: AnyHandle,
  row: InterviewRequestsTable,
): Promise<InterviewRequest> {
  const q = bookingDb(handle);
  const orgId = row.organisation_id as OrgId;
  const booking = await bookingOf(q, orgId, row.id);
  return {
    id: row.id,
    candidateId: row.candidate_id,
    jobId: row.job_id,
    loopTemplateId: row.loop_template_id,
    sessions: sessionsOf(row),
    order: row.session_order,
    maxGapMinutes: row.max_gap_minutes,
    windowStart: iso(Number(row.window_start)),
    windowEnd: iso(Number(row.window_end)),
    timeZone: row.time_zone,
    candidateHours: candidateHoursOf(row),
    location: row.location,
    videoLink: row.video_link,
    notes: row.notes,
    status: row.status,
    createdBy: row.created_by,
    offeredOptions: row.offered_options === null ? null : offeredOptionsOf(row),
    offeredAt: row.offered_at === null ? null : iso(Number(row.offered_at)),
    booking: booking === undefined ? null : await toBooking(q, orgId, booking),
    createdAt: iso(Number(row.created_at)),
    updatedAt: iso(Number(row.updated_at)),
    scheduledAt: row.scheduled_at === null ? null : iso(Number(row.scheduled_at)),
  };
}

/** The request as answered to its organisation's members. */
export async function loadRequest(
  handle: AnyHandle,
  orgId: OrgId,
  id: string,
): Promise<InterviewRequest> {
  const q = bookingDb(handle);
  return toRequest(q, await requestRow(q, orgId, id));
}

/** Adds a timeline entry saying who did what. */
export async function addEvent(
  handle: AnyHandle,
  at: number,
  caller: Caller,
  requestId: string,
  kind: string,
  detail: Record<string, unknown>,
  idempotencyKey: string | null = null,
): Promise<void> {
  const q = bookingDb(handle);
  const who: { kind: EventActorKind; id: string | null } =
    caller.kind === "user"
      ? { kind: "user", id: caller.actor.userId }
      : caller.kind === "interviewer"
        ? { kind: "user", id: caller.userId }
        : caller.kind === "candidate"
          ? { kind: "candidate", id: caller.candidateId }
          : { kind: "system", id: null };
  await q
    .insertInto("request_events")
    .values({
      organisation_id: caller.orgId,
      request_id: requestId,
      at,
      actor_kind: who.kind,
      actor_id: who.id,
      kind,
      detail: JSON.stringify(detail),
      idempotency_key: idempotencyKey,
    })
    .execute();
}

/** Who did what to the request, oldest first. */
export async function timelineOf(
  handle: AnyHandle,
  orgId: OrgId,
  requestId: string,
): Promise<RequestEvent[]> {
  const q = bookingDb(handle);
  const rows = await q
    .selectFrom("request_events")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("request_id", "=", requestId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    at: iso(Number(r.at)),
    actor: { kind: r.actor_kind, id: r.actor_id },
    kind: r.kind,
    detail: storedDetail.parse(JSON.parse(r.detail)),
  }));
}

/** The session at this index of the request, or bad input. */
export function sessionAt(row: InterviewRequestsTable, sessionIndex: number): RequestSession {
  const session = sessionsOf(row)[sessionIndex];
  if (session === undefined) {
    throw invalid("sessionIndex", `The request has no session number ${sessionIndex + 1}`);
  }
  return session;
}

/** Sets the request's status (and `updated_at`), with any other columns given. */
export async function setStatus(
  handle: AnyHandle,
  orgId: OrgId,
  requestId: string,
  values: Partial<InterviewRequestsTable> & { updated_at: number },
): Promise<void> {
  const q = bookingDb(handle);
  await q
    .updateTable("interview_requests")
    .set(values)
    .where("organisation_id", "=", orgId)
    .where("id", "=", requestId)
    .execute();
}

/** Raises a booking's SEQUENCE: its invitations change. */
export async function nextSequence(
  handle: AnyHandle,
  booking: BookingsTable,
  now: number,
): Promise<void> {
  const q = bookingDb(handle);
  await q
    .updateTable("bookings")
    .set({ sequence: booking.sequence + 1, updated_at: now })
    .where("id", "=", booking.id)
    .execute();
}

export type KeyTable = "bookings" | "request_events";

/** The request whose committed call used this idempotency key, if any. */
export async function keyHolder(
  handle: AnyHandle,
  table: KeyTable,
  orgId: OrgId,
  key: string,
): Promise<string | undefined> {
  const q = bookingDb(handle);
  const row = await q
    .selectFrom(table)
    .select("request_id")
    .where("organisation_id", "=", orgId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  return row?.request_id;
}

/** Whether this call was already made for this request; the key on another request is bad input. */
export async function madeBefore(
  handle: AnyHandle,
  table: KeyTable,
  orgId: OrgId,
  requestId: string,
  key: string,
): Promise<boolean> {
  const q = bookingDb(handle);
  const holder = await keyHolder(q, table, orgId, key);
  if (holder === undefined) return false;
  if (holder !== requestId) {
    throw invalid("idempotencyKey", "This idempotency key was used for another request");
  }
  return true;
}

/**
 * Resolves a candidate's request id to their organisation and candidate id. The web layer
 * proved the candidate holds a link to this request: its own organisation is the one they act in.
 */
export async function candidateCaller(handle: AnyHandle, requestId: string): Promise<Caller> {
  const q = bookingDb(handle);
  const row = await q
    .selectFrom("interview_requests")
    .select(["organisation_id", "candidate_id"])
    .where("id", "=", requestId)
    .executeTakeFirst();
  if (row === undefined) throw notFound("interview request");
  return {
    kind: "candidate",
    orgId: mintOrgId(row.organisation_id),
    candidateId: row.candidate_id,
    requestId,
  };
}

/** Active booked slots of one session of a booking, by the session's (unique) name. */
export async function sessionSlots(
  handle: AnyHandle,
  orgId: OrgId,
  bookingId: string,
  sessionName: string,
) {
  const q = bookingDb(handle);
  return q
    .selectFrom("booked_slots")
    .select(["id", "resource", "starts_at", "ends_at"])
    .where("organisation_id", "=", orgId)
    .where("booking_id", "=", bookingId)
    .where("session_name", "=", sessionName)
    .where("active", "=", 1)
    .orderBy("resource")
    .execute();
}
