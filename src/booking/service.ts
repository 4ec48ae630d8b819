/**
 * The booking service: interview requests, their options (from interviewers' profiles, the
 * busy time the calendar sync materialised and the slots already booked), offering them to the
 * candidate, and booking, rescheduling and cancelling without ever double-booking anyone.
 *
 * The no-double-booking invariant: two active booked slots of one interviewer never overlap,
 * and no booking takes an interviewer past their per-day or per-week limit. Each booking,
 * reschedule and cancellation is one transaction that re-checks both under a lock (PostgreSQL:
 * the request's row, then the interviewers' membership rows `FOR UPDATE` in sorted order;
 * SQLite: `BEGIN IMMEDIATE`, one writer at a time), and on PostgreSQL an exclusion constraint
 * on `booked_slots` holds the first half even against a bug here. A lost race is SLOT_TAKEN,
 * carrying fresh options.
 *
 * Recruiters call with their `Actor`; candidates (no account) call the `candidate*` methods
 * with just the request id, after the web layer has authorised them for it (a signed link).
 * Every step adds a timeline entry saying who did it.
 */
import { type Kysely, sql } from "kysely";
import { mintOrgId, newId, type OrgId } from "../accounts/ids.js";
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import type { CalendarService } from "../calendar/connections.js";
import type { Clock } from "../clock.js";
import { answerOptions, type OptionsAnswer as EngineAnswer } from "../engine/answer.js";
import type { EngineProblem, WorkingHoursSpan } from "../engine/types.js";
import { AppError, conflict, invalid, notFound } from "../errors.js";
import { readSessions as readTemplateSessions } from "../hiring/loop-templates.js";
import { parseInput } from "../hiring/parse-input.js";
import { DEFAULT_TIME_ZONE, DEFAULT_WORKING_HOURS } from "../hiring/profiles.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import type { Dialect } from "../store/database.js";
import type { Database } from "../store/schema.js";
import {
  claimsOf,
  fitsExactly,
  type InterviewerFacts,
  type LimitFacts,
  limitViolation,
  localDayAndWeek,
  type RequestShape,
  requestProblem,
  resolveSessions,
  type SlotClaim,
  toOption,
} from "./problem.js";
import {
  type BookInput,
  type Booking,
  bookInput,
  type CancelInput,
  cancelInput,
  type InterviewRequest,
  type InterviewRequestInput,
  interviewRequestInput,
  MAX_WINDOW_DAYS,
  type Option,
  type OptionsAnswer,
  type ProposeTimesInput,
  proposeTimesInput,
  type RequestEvent,
  type RequestSession,
} from "./schemas.js";
import type {
  AttendeePartstat,
  BookingsTable,
  EventActorKind,
  InterviewRequestsTable,
  RequestStatus,
} from "./tables.js";

const DAY_MS = 86_400_000;
const iso = (epochMs: number) => new Date(epochMs).toISOString();
const resource = (userId: string) => `user:${userId}`;
/** An instant for people: `2026-12-02 14:00 UTC`. */
export const readable = (rfc3339: string) =>
  `${new Date(rfc3339).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** What changed, handed to `effects` inside the transaction that changed it. */
export interface BookingChange {
  kind: "booked" | "rescheduled" | "cancelled";
  request: InterviewRequest;
  booking: { id: string; uid: string; sequence: number };
  /** The sessions booked (for "cancelled": the ones just released). */
  sessions: { name: string; startsAt: string; endsAt: string; interviewerIds: string[] }[];
  /**
   * For "rescheduled": the sessions as they were, so effects can tell interviewers who are no
   * longer on the booking (their events are cancelled) from those who stay (updated).
   */
  previousSessions?: { name: string; startsAt: string; endsAt: string; interviewerIds: string[] }[];
}

/**
 * Side effects of a change (invitations, calendar writes), run inside its transaction with the
 * transaction's handle, so they commit or roll back with it. A throw aborts the change. The
 * handle is already inside the transaction (on SQLite, a connection in BEGIN IMMEDIATE): query
 * through it, and do not start another transaction on it or use the store's own handle.
 */
export type BookingEffects = (trx: Kysely<Database>, change: BookingChange) => Promise<void>;

export interface BookingDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: Clock;
  /** Materialised busy time and trust warnings (`busyFor`). */
  calendars: Pick<CalendarService, "busyFor" | "busyForMany">;
  effects?: BookingEffects;
  /** Sender of the emails Ally writes to recruiters (MAIL_FROM). */
  mailFrom?: string;
  /** Ally's address (PUBLIC_URL): recruiters' emails link to the request's page. */
  publicUrl?: string;
  /** Runs the slot engine; in-process by default, a worker thread pool in `ally serve`. */
  engine?: SlotEngine;
}

/**
 * The slot engine as the booking module uses it: options and, when none fit, the explanation.
 * A port, so that the server can run it off the event loop.
 */
export interface SlotEngine {
  options(problem: EngineProblem): Promise<EngineAnswer>;
}

/** The engine in this thread. Every call is bounded by the engine's step budget. */
export const inlineSlotEngine: SlotEngine = {
  options: async (problem) => answerOptions(problem),
};

/** What replacing an interviewer who declined came to. */
export type ReplacementResult =
  | { replaced: true; userId: string; name: string }
  | { replaced: false; reason: string };

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

/** Who acts: a signed-in member, or the candidate of the request (authorised by the caller). */
type Caller =
  | { kind: "user"; orgId: OrgId; actor: Actor }
  | { kind: "candidate"; orgId: OrgId; candidateId: string; requestId: string }
  | { kind: "interviewer"; orgId: OrgId; userId: string }
  | { kind: "system"; orgId: OrgId };

export interface BookingResult {
  request: InterviewRequest;
  booking: Booking;
}

/** What a candidate sees of their request: no internal notes, no recruiter ids. */
export interface CandidateRequestView {
  id: string;
  status: RequestStatus;
  sessions: { name: string; durationMinutes: number }[];
  windowStart: string;
  windowEnd: string;
  timeZone: string;
  location: string | null;
  videoLink: string | null;
  offeredOptions: Option[] | null;
  booking: Booking | null;
}

/** SLOT_TAKEN: the time went to someone else between showing it and booking it. */
function slotTaken(options: Option[], reason?: string): AppError {
  return new AppError(
    "SLOT_TAKEN",
    "That time was just taken. Please choose another of the options.",
    { detail: { options, ...(reason === undefined ? {} : { reason }) } },
  );
}

/** A PostgreSQL error code, when the error is one. */
function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function sqliteUnique(error: unknown): boolean {
  return pgCode(error) === "SQLITE_CONSTRAINT_UNIQUE";
}

export type BookingService = ReturnType<typeof createBookingService>;

export function createBookingService(deps: BookingDeps) {
  const { db, clock, dialect } = deps;
  const engine = deps.engine ?? inlineSlotEngine;

  /**
   * One write transaction that holds the write lock from its first statement: PostgreSQL's
   * transaction with row locks taken inside; SQLite's BEGIN IMMEDIATE on the store's one
   * connection, so another process's writer waits (busy_timeout) instead of failing mid-way.
   */
  async function writeTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (dialect === "postgres") return db.transaction().execute(work);
    return db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      let result: T;
      try {
        result = await work(connection);
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
      await sql`commit`.execute(connection);
      return result;
    });
  }

  // Reading ---------------------------------------------------------------------------------

  async function requestRow(
    q: Kysely<Database>,
    orgId: OrgId,
    id: string,
    lock = false,
  ): Promise<InterviewRequestsTable> {
    let query = q
      .selectFrom("interview_requests")
      .selectAll()
      .where("organisation_id", "=", orgId)
      .where("id", "=", id);
    if (lock && dialect === "postgres") query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (row === undefined) throw notFound("interview request");
    return row;
  }

  async function bookingOf(
    q: Kysely<Database>,
    orgId: OrgId,
    requestId: string,
  ): Promise<BookingsTable | undefined> {
    return q
      .selectFrom("bookings")
      .selectAll()
      .where("organisation_id", "=", orgId)
      .where("request_id", "=", requestId)
      .orderBy("created_at", "desc")
      .executeTakeFirst();
  }

  async function toBooking(
    q: Kysely<Database>,
    orgId: OrgId,
    row: BookingsTable,
  ): Promise<Booking> {
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
      const userId = slot.resource.replace(/^user:/, "");
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

  async function toRequest(
    q: Kysely<Database>,
    row: InterviewRequestsTable,
  ): Promise<InterviewRequest> {
    const orgId = row.organisation_id as OrgId;
    const booking = await bookingOf(q, orgId, row.id);
    return {
      id: row.id,
      candidateId: row.candidate_id,
      jobId: row.job_id,
      loopTemplateId: row.loop_template_id,
      sessions: JSON.parse(row.sessions) as RequestSession[],
      order: row.session_order,
      maxGapMinutes: row.max_gap_minutes,
      windowStart: iso(Number(row.window_start)),
      windowEnd: iso(Number(row.window_end)),
      timeZone: row.time_zone,
      location: row.location,
      videoLink: row.video_link,
      notes: row.notes,
      status: row.status,
      createdBy: row.created_by,
      offeredOptions:
        row.offered_options === null ? null : (JSON.parse(row.offered_options) as Option[]),
      offeredAt: row.offered_at === null ? null : iso(Number(row.offered_at)),
      booking: booking === undefined ? null : await toBooking(q, orgId, booking),
      createdAt: iso(Number(row.created_at)),
      updatedAt: iso(Number(row.updated_at)),
      scheduledAt: row.scheduled_at === null ? null : iso(Number(row.scheduled_at)),
    };
  }

  async function addEvent(
    q: Kysely<Database>,
    caller: Caller,
    requestId: string,
    kind: string,
    detail: Record<string, unknown>,
    idempotencyKey: string | null = null,
  ): Promise<void> {
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
        at: clock.now(),
        actor_kind: who.kind,
        actor_id: who.id,
        kind,
        detail: JSON.stringify(detail),
        idempotency_key: idempotencyKey,
      })
      .execute();
  }

  // Options ---------------------------------------------------------------------------------

  async function shapeOf(q: Kysely<Database>, row: InterviewRequestsTable): Promise<RequestShape> {
    const sessions = JSON.parse(row.sessions) as RequestSession[];
    const poolIds = [
      ...new Set(sessions.flatMap((s) => (s.poolId === undefined ? [] : [s.poolId]))),
    ];
    const members = new Map<string, string[]>(poolIds.map((id) => [id, []]));
    if (poolIds.length > 0) {
      const rows = await q
        .selectFrom("pool_members")
        .select(["pool_id", "user_id"])
        .where("organisation_id", "=", row.organisation_id)
        .where("pool_id", "in", poolIds)
        .orderBy("user_id")
        .execute();
      for (const r of rows) members.get(r.pool_id)?.push(r.user_id);
    }
    return {
      id: row.id,
      order: row.session_order,
      maxGapMinutes: row.max_gap_minutes,
      window: { start: Number(row.window_start), end: Number(row.window_end) },
      timeZone: row.time_zone,
      sessions: resolveSessions(sessions, members),
    };
  }

  interface Profile {
    timeZone: string;
    workingHours: WorkingHoursSpan[];
    perDayLimit: number | null;
    perWeekLimit: number | null;
    name: string;
  }

  /** What the engine knows of one interviewer: their profile, calendar busy time and bookings. */
  function interviewerFacts(
    userId: string,
    profile: Profile,
    busy: ReadonlyArray<{ start: string; end: string }>,
    booked: Map<string, Array<{ start: number; end: number }>>,
  ): InterviewerFacts {
    return {
      userId,
      timeZone: profile.timeZone,
      workingHours: profile.workingHours,
      perDayLimit: profile.perDayLimit,
      perWeekLimit: profile.perWeekLimit,
      busy: busy.map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end) })),
      booked: booked.get(userId) ?? [],
    };
  }

  async function profilesOf(
    q: Kysely<Database>,
    orgId: string,
    userIds: string[],
  ): Promise<Map<string, Profile>> {
    const result = new Map<string, Profile>();
    if (userIds.length === 0) return result;
    const rows = await q
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .leftJoin("interviewer_profiles", (join) =>
        join
          .onRef("interviewer_profiles.user_id", "=", "memberships.user_id")
          .onRef("interviewer_profiles.organisation_id", "=", "memberships.organisation_id"),
      )
      .select([
        "memberships.user_id",
        "users.name",
        "interviewer_profiles.time_zone",
        "interviewer_profiles.working_hours",
        "interviewer_profiles.per_day_limit",
        "interviewer_profiles.per_week_limit",
      ])
      .where("memberships.organisation_id", "=", orgId)
      .where("memberships.user_id", "in", userIds)
      .execute();
    for (const r of rows) {
      result.set(r.user_id, {
        name: r.name,
        timeZone: r.time_zone ?? DEFAULT_TIME_ZONE,
        workingHours:
          r.working_hours === null
            ? DEFAULT_WORKING_HOURS
            : (JSON.parse(r.working_hours) as WorkingHoursSpan[]),
        perDayLimit: r.per_day_limit ?? null,
        perWeekLimit: r.per_week_limit ?? null,
      });
    }
    return result;
  }

  /** Active booked slots of these people overlapping `range`, except one booking's. */
  async function bookedSlots(
    q: Kysely<Database>,
    orgId: string,
    userIds: string[],
    range: { start: number; end: number },
    exceptBookingId?: string,
  ): Promise<Map<string, { start: number; end: number }[]>> {
    const byUser = new Map<string, { start: number; end: number }[]>(userIds.map((u) => [u, []]));
    if (userIds.length === 0) return byUser;
    let query = q
      .selectFrom("booked_slots")
      .select(["resource", "starts_at", "ends_at"])
      .where("organisation_id", "=", orgId)
      .where("resource", "in", userIds.map(resource))
      .where("active", "=", 1)
      .where("starts_at", "<", range.end)
      .where("ends_at", ">", range.start);
    if (exceptBookingId !== undefined) query = query.where("booking_id", "!=", exceptBookingId);
    for (const r of await query.execute()) {
      byUser
        .get(r.resource.replace(/^user:/, ""))
        ?.push({ start: Number(r.starts_at), end: Number(r.ends_at) });
    }
    return byUser;
  }

  /**
   * Ranked options for a request, with warnings for calendars that cannot be trusted and,
   * when nothing fits, the engine's explanation. A reschedule ignores the request's own slots.
   */
  async function computeOptions(
    row: InterviewRequestsTable,
    reader: Actor,
    exceptBookingId?: string,
  ): Promise<OptionsAnswer> {
    const shape = await shapeOf(db, row);
    // In the order the request names them, so warnings read in that order.
    const userIds = [...new Set(shape.sessions.flatMap((s) => s.candidates))];
    const profiles = await profilesOf(db, row.organisation_id, userIds);
    // Limits count interviews by local day and ISO week: look a week beyond the window.
    const around = { start: shape.window.start - 8 * DAY_MS, end: shape.window.end + 8 * DAY_MS };
    const booked = await bookedSlots(db, row.organisation_id, userIds, around, exceptBookingId);
    const warnings: string[] = [];
    const facts: InterviewerFacts[] = [];
    const calendars = await deps.calendars.busyForMany(
      reader,
      userIds.filter((id) => profiles.has(id)),
      { start: shape.window.start - DAY_MS, end: shape.window.end + DAY_MS },
    );
    for (const userId of userIds) {
      const profile = profiles.get(userId);
      // Someone who left the organisation cannot be scheduled.
      if (profile === undefined) {
        warnings.push(`${userId} is no longer a member of the organisation`);
        continue;
      }
      const answer = calendars.get(userId) ?? { busy: [], warnings: [] };
      for (const warning of answer.warnings) {
        warnings.push(
          warning === "no calendar is connected for this person"
            ? `${profile.name} has no calendar connected, so their busy time is unknown`
            : warning,
        );
      }
      facts.push(interviewerFacts(userId, profile, answer.busy, booked));
    }
    const problem = requestProblem(
      {
        ...shape,
        sessions: shape.sessions.map((s) => ({
          ...s,
          candidates: s.candidates.filter((id) => profiles.has(id)),
        })),
      },
      facts,
      clock.now(),
    );
    const answer = await engine.options(problem);
    const result: OptionsAnswer = {
      options: answer.options.map((o) => toOption(shape, o)),
      warnings,
      explanation: answer.explanation,
    };
    if (!answer.search.complete) result.search = answer.search;
    return result;
  }

  /**
   * Busy answers need a reader with `hiring:read` in the organisation: the member themselves,
   * or, for a candidate's call, the request's creator acting as an interviewer would.
   */
  function readerFor(caller: Caller, row: InterviewRequestsTable): Actor {
    if (caller.kind === "user") return caller.actor;
    return { userId: row.created_by, orgId: caller.orgId, role: "interviewer", via: "session" };
  }

  /** The option with this id: offered to the candidate, or among today's options. */
  async function findOption(
    row: InterviewRequestsTable,
    caller: Caller,
    optionId: string,
    exceptBookingId?: string,
  ): Promise<{ option: Option | undefined; fresh: OptionsAnswer }> {
    const fresh = await computeOptions(row, readerFor(caller, row), exceptBookingId);
    const offered =
      row.offered_options === null ? [] : (JSON.parse(row.offered_options) as Option[]);
    const option =
      fresh.options.find((o) => o.id === optionId) ?? offered.find((o) => o.id === optionId);
    return { option, fresh };
  }

  // Writing ---------------------------------------------------------------------------------

  /**
   * Locks the interviewers' membership rows in sorted order (PostgreSQL; on SQLite the
   * immediate transaction already excludes other writers), then checks the claims against
   * active booked slots and load limits. Returns why it cannot book, or undefined.
   */
  async function lockAndCheck(
    trx: Kysely<Database>,
    orgId: OrgId,
    claims: SlotClaim[],
  ): Promise<string | undefined> {
    const userIds = [...new Set(claims.map((c) => c.userId))].sort();
    if (dialect === "postgres") {
      await trx
        .selectFrom("memberships")
        .select("user_id")
        .where("organisation_id", "=", orgId)
        .where("user_id", "in", userIds)
        .orderBy("user_id")
        .forUpdate()
        .execute();
    }
    const profiles = await profilesOf(trx, orgId, userIds);
    for (const claim of claims) {
      if (!profiles.has(claim.userId)) {
        return `${claim.userId} is no longer a member of the organisation`;
      }
      const overlap = await trx
        .selectFrom("booked_slots")
        .select("id")
        .where("organisation_id", "=", orgId)
        .where("resource", "=", resource(claim.userId))
        .where("active", "=", 1)
        .where("starts_at", "<", claim.end)
        .where("ends_at", ">", claim.start)
        .executeTakeFirst();
      if (overlap !== undefined) {
        return `${profiles.get(claim.userId)?.name ?? claim.userId} is already booked then`;
      }
    }
    const starts = claims.map((c) => c.start);
    const range = {
      start: Math.min(...starts) - 8 * DAY_MS,
      end: Math.max(...starts) + 8 * DAY_MS,
    };
    const booked = await bookedSlots(trx, orgId, userIds, range);
    for (const userId of userIds) {
      const profile = profiles.get(userId);
      if (profile === undefined) continue;
      const facts: LimitFacts = {
        userId,
        name: profile.name,
        timeZone: profile.timeZone,
        perDayLimit: profile.perDayLimit,
        perWeekLimit: profile.perWeekLimit,
        bookedStarts: (booked.get(userId) ?? []).map((b) => b.start),
      };
      const violation = limitViolation(facts, claims);
      if (violation !== undefined) return violation;
    }
    return undefined;
  }

  async function insertSlots(
    trx: Kysely<Database>,
    orgId: OrgId,
    bookingId: string,
    claims: SlotClaim[],
  ): Promise<void> {
    await trx
      .insertInto("booked_slots")
      .values(
        claims.map((c) => ({
          organisation_id: orgId,
          booking_id: bookingId,
          resource: resource(c.userId),
          session_name: c.sessionName,
          starts_at: c.start,
          ends_at: c.end,
          active: 1,
        })),
      )
      .execute();
  }

  /** Tells the effects (mail, calendars), when there are any, of a change in this transaction. */
  async function announce(
    trx: Kysely<Database>,
    kind: BookingChange["kind"],
    orgId: OrgId,
    requestId: string,
    sessions: BookingChange["sessions"],
    previousSessions?: BookingChange["sessions"],
  ): Promise<void> {
    if (deps.effects === undefined) return;
    const request = await toRequest(trx, await requestRow(trx, orgId, requestId));
    const booking = await bookingOf(trx, orgId, requestId);
    if (booking === undefined) throw new Error("a change without a booking");
    await deps.effects(trx, {
      kind,
      request,
      booking: { id: booking.id, uid: booking.ical_uid, sequence: booking.sequence },
      sessions,
      ...(previousSessions === undefined ? {} : { previousSessions }),
    });
  }

  async function resultOf(orgId: OrgId, requestId: string): Promise<BookingResult> {
    const request = await toRequest(db, await requestRow(db, orgId, requestId));
    if (request.booking === null) throw new Error("expected a booking");
    return { request, booking: request.booking };
  }

  type KeyTable = "bookings" | "request_events";

  /** The request whose committed call used this idempotency key, if any. */
  async function keyHolder(
    q: Kysely<Database>,
    table: KeyTable,
    orgId: OrgId,
    key: string,
  ): Promise<string | undefined> {
    const row = await q
      .selectFrom(table)
      .select("request_id")
      .where("organisation_id", "=", orgId)
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
    return row?.request_id;
  }

  /** Whether this call was already made for this request; the key on another request is bad input. */
  async function madeBefore(
    q: Kysely<Database>,
    table: KeyTable,
    orgId: OrgId,
    requestId: string,
    key: string,
  ): Promise<boolean> {
    const holder = await keyHolder(q, table, orgId, key);
    if (holder === undefined) return false;
    if (holder !== requestId) {
      throw invalid("idempotencyKey", "This idempotency key was used for another request");
    }
    return true;
  }

  /** Records on the timeline that a chosen time was gone, and makes the SLOT_TAKEN error. */
  async function refused(
    caller: Caller,
    requestId: string,
    action: "book" | "reschedule",
    optionId: string,
    options: Option[],
    reason?: string,
  ): Promise<AppError> {
    await addEvent(db, caller, requestId, "slot-taken", {
      action,
      optionId,
      ...(reason === undefined ? {} : { reason }),
    });
    return slotTaken(options, reason);
  }

  /** Marks the request scheduled now. */
  async function markScheduled(
    trx: Kysely<Database>,
    orgId: OrgId,
    requestId: string,
    now: number,
  ): Promise<void> {
    await trx
      .updateTable("interview_requests")
      .set({ status: "scheduled", scheduled_at: now, updated_at: now })
      .where("organisation_id", "=", orgId)
      .where("id", "=", requestId)
      .execute();
  }

  /** Frees every time a booking holds. */
  async function releaseSlots(
    trx: Kysely<Database>,
    orgId: OrgId,
    bookingId: string,
  ): Promise<void> {
    await trx
      .updateTable("booked_slots")
      .set({ active: 0 })
      .where("organisation_id", "=", orgId)
      .where("booking_id", "=", bookingId)
      .where("active", "=", 1)
      .execute();
  }

  /** Raises a booking's SEQUENCE: its invitations change. */
  async function nextSequence(
    trx: Kysely<Database>,
    booking: BookingsTable,
    now: number,
  ): Promise<void> {
    await trx
      .updateTable("bookings")
      .set({ sequence: booking.sequence + 1, updated_at: now })
      .where("id", "=", booking.id)
      .execute();
  }

  const BOOKABLE: readonly RequestStatus[] = ["draft", "awaiting_candidate"];
  const RESCHEDULABLE: readonly RequestStatus[] = ["scheduled", "rescheduling"];

  /** What booking and rescheduling do differently; `choose` does the rest. */
  interface Choice {
    action: "book" | "reschedule";
    /** Where a committed call leaves its idempotency key. */
    keyTable: KeyTable;
    /** Why the request cannot take this action now, or the booking the choice moves, if any. */
    ready(
      row: InterviewRequestsTable,
    ): Promise<{ refusal: string } | { moving: string | undefined }>;
    /** Inside the transaction, with the request locked: writes the choice or says why not. */
    write(
      trx: Kysely<Database>,
      locked: InterviewRequestsTable,
      option: Option,
      claims: SlotClaim[],
    ): Promise<{ taken: string } | { done: true } | { replay: true }>;
  }

  /**
   * Commits the option a caller chose: a repeat of a committed call (same idempotency key)
   * answers as that call did; a time gone since it was offered is recorded and refused with
   * fresh options.
   */
  async function choose(
    caller: Caller,
    requestId: string,
    optionId: string,
    key: string,
    choice: Choice,
  ): Promise<BookingResult> {
    const orgId = caller.orgId;
    const keyUsed = async () => (await keyHolder(db, choice.keyTable, orgId, key)) === requestId;
    if (await madeBefore(db, choice.keyTable, orgId, requestId, key)) {
      return resultOf(orgId, requestId);
    }
    const row = await requestRow(db, orgId, requestId);
    const ready = await choice.ready(row);
    if ("refusal" in ready) {
      // A double submit whose twin committed since the check above.
      if (await keyUsed()) return resultOf(orgId, requestId);
      throw conflict(ready.refusal);
    }
    const { option, fresh } = await findOption(row, caller, optionId, ready.moving);
    if (option === undefined) {
      // A double submit whose twin committed meanwhile: the time is its own booking's now.
      if (await keyUsed()) return resultOf(orgId, requestId);
      throw await refused(caller, requestId, choice.action, optionId, fresh.options);
    }
    let outcome: { taken: string } | { done: true } | { replay: true };
    try {
      outcome = await writeTransaction(async (trx) =>
        choice.write(trx, await requestRow(trx, orgId, requestId, true), option, claimsOf(option)),
      );
    } catch (error) {
      const code = pgCode(error);
      // Another transaction won: the exclusion constraint (PostgreSQL) or the same key.
      if (error instanceof TakenInside) outcome = { taken: error.message };
      else if (code === "23P01") outcome = { taken: "another booking holds that time" };
      else if ((code === "23505" || sqliteUnique(error)) && (await keyUsed())) {
        return resultOf(orgId, requestId);
      } else throw error;
    }
    if ("taken" in outcome) {
      const again = await computeOptions(
        await requestRow(db, orgId, requestId),
        readerFor(caller, row),
        ready.moving,
      );
      throw await refused(
        caller,
        requestId,
        choice.action,
        option.id,
        again.options,
        outcome.taken,
      );
    }
    return resultOf(orgId, requestId);
  }

  async function book(caller: Caller, requestId: string, input: BookInput): Promise<BookingResult> {
    const value = parseInput(bookInput, input);
    const orgId = caller.orgId;
    return choose(caller, requestId, value.optionId, value.idempotencyKey, {
      action: "book",
      keyTable: "bookings",
      async ready(row) {
        if (BOOKABLE.includes(row.status)) return { moving: undefined };
        return {
          refusal:
            row.status === "scheduled" || row.status === "rescheduling"
              ? "This interview is already booked; reschedule it instead."
              : `This request is ${row.status} and cannot be booked.`,
        };
      },
      async write(trx, locked, option, claims) {
        if (await madeBefore(trx, "bookings", orgId, requestId, value.idempotencyKey)) {
          return { replay: true };
        }
        if (!BOOKABLE.includes(locked.status)) {
          throw conflict("This interview was booked a moment ago; reschedule it instead.");
        }
        const why = await lockAndCheck(trx, orgId, claims);
        if (why !== undefined) return { taken: why };
        const now = clock.now();
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
        await markScheduled(trx, orgId, requestId, now);
        await addEvent(trx, caller, requestId, "booked", {
          bookingId,
          optionId: option.id,
          sessions: option.sessions,
        });
        await announce(trx, "booked", orgId, requestId, option.sessions);
        return { done: true };
      },
    });
  }

  async function reschedule(
    caller: Caller,
    requestId: string,
    input: BookInput,
  ): Promise<BookingResult> {
    const value = parseInput(bookInput, input);
    const orgId = caller.orgId;
    return choose(caller, requestId, value.optionId, value.idempotencyKey, {
      action: "reschedule",
      keyTable: "request_events",
      async ready(row) {
        const current = await bookingOf(db, orgId, requestId);
        if (RESCHEDULABLE.includes(row.status) && current?.status === "active") {
          return { moving: current.id };
        }
        return {
          refusal: `This request is ${row.status}; only a booked interview can be rescheduled.`,
        };
      },
      async write(trx, locked, option, claims) {
        const replay = await keyHolder(trx, "request_events", orgId, value.idempotencyKey);
        if (replay !== undefined) return { replay: true };
        const booking = await bookingOf(trx, orgId, requestId);
        if (!RESCHEDULABLE.includes(locked.status) || booking?.status !== "active") {
          throw conflict("This interview changed a moment ago; look at it again.");
        }
        const previous = await toBooking(trx, orgId, booking);
        // Release the old time first: the new time may overlap it.
        await releaseSlots(trx, orgId, booking.id);
        const why = await lockAndCheck(trx, orgId, claims);
        if (why !== undefined) {
          // Roll the release back with the transaction.
          throw new TakenInside(why);
        }
        await insertSlots(trx, orgId, booking.id, claims);
        const now = clock.now();
        await nextSequence(trx, booking, now);
        await markScheduled(trx, orgId, requestId, now);
        await addEvent(
          trx,
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
        await announce(trx, "rescheduled", orgId, requestId, option.sessions, previous.sessions);
        return { done: true };
      },
    });
  }

  async function cancel(
    caller: Caller,
    requestId: string,
    input: CancelInput,
  ): Promise<InterviewRequest> {
    const value = parseInput(cancelInput, input ?? {});
    const orgId = caller.orgId;
    await writeTransaction(async (trx) => {
      const row = await requestRow(trx, orgId, requestId, true);
      // Cancelling twice is the same as once (a double submit).
      if (row.status === "cancelled") return;
      if (row.status === "completed") throw conflict("This interview has already taken place.");
      const booking = await bookingOf(trx, orgId, requestId);
      const now = clock.now();
      let released: BookingChange["sessions"] = [];
      if (booking !== undefined && booking.status === "active") {
        released = (await toBooking(trx, orgId, booking)).sessions;
        await releaseSlots(trx, orgId, booking.id);
        await trx
          .updateTable("bookings")
          .set({ status: "cancelled", sequence: booking.sequence + 1, updated_at: now })
          .where("id", "=", booking.id)
          .execute();
      }
      await trx
        .updateTable("interview_requests")
        .set({ status: "cancelled", updated_at: now })
        .where("organisation_id", "=", orgId)
        .where("id", "=", requestId)
        .execute();
      await addEvent(trx, caller, requestId, "cancelled", {
        reason: value.reason,
        ...(booking === undefined ? {} : { bookingId: booking.id, released }),
      });
      if (booking?.status === "active") {
        await announce(trx, "cancelled", orgId, requestId, released);
      }
    });
    return toRequest(db, await requestRow(db, orgId, requestId));
  }

  /** Resolves a candidate's request id to their organisation and candidate id. */
  async function candidateCaller(requestId: string): Promise<Caller> {
    const row = await db
      .selectFrom("interview_requests")
      .select(["organisation_id", "candidate_id"])
      .where("id", "=", requestId)
      .executeTakeFirst();
    if (row === undefined) throw notFound("interview request");
    // The web layer proved the candidate holds a link to this request: the request's own
    // organisation is the one they act in.
    return {
      kind: "candidate",
      orgId: mintOrgId(row.organisation_id),
      candidateId: row.candidate_id,
      requestId,
    };
  }

  const user = (actor: Actor): Caller => ({ kind: "user", orgId: actor.orgId, actor });

  // Answers to invitations, replacements and the recruiter ----------------------------------

  /** Emails the request's creator; false when that user no longer exists. */
  async function mailRecruiter(
    q: Kysely<Database>,
    orgId: OrgId,
    row: InterviewRequestsTable,
    message: { kind: string; subject: string; paragraphs: string[] },
  ): Promise<boolean> {
    const recruiter = await q
      .selectFrom("users")
      .select(["email", "name"])
      .where("id", "=", row.created_by)
      .executeTakeFirst();
    if (recruiter === undefined) return false;
    const page =
      deps.publicUrl === undefined
        ? `Interview request ${row.id}`
        : `${deps.publicUrl}/app/requests/${row.id}`;
    const paragraphs = [
      ...message.paragraphs,
      `The request's page has its timeline and what to do next: ${page}`,
    ];
    const queued = await enqueueMail(
      q,
      {
        organisationId: orgId,
        kind: message.kind,
        to: recruiter.email,
        subject: message.subject,
        text: `Hello ${recruiter.name},\n\n${paragraphs.join("\n\n")}\n`,
        html: [
          `<p>Hello ${escapeHtml(recruiter.name)},</p>`,
          ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`),
        ].join(""),
      },
      clock.now(),
      deps.mailFrom,
    );
    return queued.messageId !== null;
  }

  /** Active booked slots of one session of a booking, by the session's (unique) name. */
  async function sessionSlots(
    q: Kysely<Database>,
    orgId: OrgId,
    bookingId: string,
    sessionName: string,
  ) {
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

  async function bookingById(
    q: Kysely<Database>,
    orgId: OrgId,
    bookingId: string,
  ): Promise<BookingsTable> {
    const row = await q
      .selectFrom("bookings")
      .selectAll()
      .where("organisation_id", "=", orgId)
      .where("id", "=", bookingId)
      .executeTakeFirst();
    if (row === undefined) throw notFound("booking");
    return row;
  }

  function sessionAt(row: InterviewRequestsTable, sessionIndex: number): RequestSession {
    const session = (JSON.parse(row.sessions) as RequestSession[])[sessionIndex];
    if (session === undefined) {
      throw invalid("sessionIndex", `The request has no session number ${sessionIndex + 1}`);
    }
    return session;
  }

  /**
   * Stores what an attendee answered and puts it on the timeline as theirs. The caller has
   * matched the reply to the booking, the session and the attendee.
   */
  async function recordReply(orgId: OrgId, reply: AttendeeReply): Promise<void> {
    const booking = await bookingById(db, orgId, reply.bookingId);
    const row = await requestRow(db, orgId, booking.request_id);
    const session = sessionAt(row, reply.sessionIndex);
    const caller: Caller =
      reply.userId === null
        ? { kind: "candidate", orgId, candidateId: row.candidate_id, requestId: row.id }
        : { kind: "interviewer", orgId, userId: reply.userId };
    const email = reply.email.toLowerCase();
    const now = clock.now();
    await writeTransaction(async (trx) => {
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
      await addEvent(trx, caller, row.id, "attendee-replied", {
        bookingId: booking.id,
        session: session.name,
        sessionIndex: reply.sessionIndex,
        email,
        partstat: reply.partstat,
        sequence: reply.sequence,
      });
    });
  }

  /**
   * Swaps an interviewer who declined a pool session for another member of that pool who is
   * free at the same time (working hours, busy time, booked slots, daily and weekly limits),
   * the least loaded that week first. The candidate's time stays; the booking's SEQUENCE goes
   * up and effects hear of it as "rescheduled" with the sessions as they were. One locked
   * transaction re-checks the newcomer's slots and limits, as a booking does.
   */
  async function replaceInterviewer(
    orgId: OrgId,
    bookingId: string,
    sessionIndex: number,
    userId: string,
  ): Promise<ReplacementResult> {
    const booking = await bookingById(db, orgId, bookingId);
    const row = await requestRow(db, orgId, booking.request_id);
    const session = sessionAt(row, sessionIndex);
    const declinerName = (await profilesOf(db, orgId, [userId])).get(userId)?.name ?? userId;
    if (booking.status !== "active") return { replaced: false, reason: "the booking is cancelled" };
    if (session.poolId === undefined) {
      return {
        replaced: false,
        reason: `${session.name} has named interviewers, not a pool to draw someone else from`,
      };
    }
    const slots = await sessionSlots(db, orgId, booking.id, session.name);
    const held = slots.find((s) => s.resource === resource(userId));
    if (held === undefined) {
      return { replaced: false, reason: `${declinerName} is no longer on ${session.name}` };
    }
    const time = { start: Number(held.starts_at), end: Number(held.ends_at) };
    const onSession = new Set(slots.map((s) => s.resource.replace(/^user:/, "")));
    const pool = (
      await db
        .selectFrom("pool_members")
        .select("user_id")
        .where("organisation_id", "=", orgId)
        .where("pool_id", "=", session.poolId)
        .orderBy("user_id")
        .execute()
    )
      .map((r) => r.user_id)
      .filter((id) => !onSession.has(id));
    const profiles = await profilesOf(db, orgId, pool);
    const around = { start: time.start - 8 * DAY_MS, end: time.end + 8 * DAY_MS };
    const booked = await bookedSlots(db, orgId, pool, around);
    const reader = readerFor({ kind: "system", orgId }, row);
    const fitting: { userId: string; name: string; load: number }[] = [];
    for (const memberId of pool) {
      const profile = profiles.get(memberId);
      if (profile === undefined) continue;
      const busy = await deps.calendars.busyFor(reader, memberId, {
        start: time.start - DAY_MS,
        end: time.end + DAY_MS,
      });
      const facts = interviewerFacts(memberId, profile, busy.busy, booked);
      if (!fitsExactly(facts, time, row.time_zone, clock.now())) continue;
      const { week } = localDayAndWeek(time.start, profile.timeZone);
      const load = facts.booked.filter(
        (b) => localDayAndWeek(b.start, profile.timeZone).week === week,
      ).length;
      fitting.push({ userId: memberId, name: profile.name, load });
    }
    fitting.sort((a, b) => a.load - b.load || (a.userId < b.userId ? -1 : 1));
    const nobody = `nobody else in the pool is free for ${session.name} then`;
    if (fitting.length === 0) return { replaced: false, reason: nobody };
    try {
      return await writeTransaction(async (trx): Promise<ReplacementResult> => {
        const locked = await requestRow(trx, orgId, row.id, true);
        const current = await bookingById(trx, orgId, booking.id);
        if (current.status !== "active" || !RESCHEDULABLE.includes(locked.status)) {
          return { replaced: false, reason: "the booking changed meanwhile" };
        }
        const still = (await sessionSlots(trx, orgId, current.id, session.name)).find(
          (s) =>
            s.resource === resource(userId) &&
            Number(s.starts_at) === time.start &&
            Number(s.ends_at) === time.end,
        );
        if (still === undefined) {
          return { replaced: false, reason: `${declinerName} is no longer on ${session.name}` };
        }
        const previous = await toBooking(trx, orgId, current);
        await trx
          .updateTable("booked_slots")
          .set({ active: 0 })
          .where("id", "=", still.id)
          .execute();
        let chosen: (typeof fitting)[number] | undefined;
        for (const person of fitting) {
          const claim: SlotClaim = {
            userId: person.userId,
            sessionName: session.name,
            start: time.start,
            end: time.end,
          };
          if ((await lockAndCheck(trx, orgId, [claim])) === undefined) {
            await insertSlots(trx, orgId, current.id, [claim]);
            chosen = person;
            break;
          }
        }
        // Nobody passed the re-check: roll the release back with the transaction.
        if (chosen === undefined) throw new TakenInside(nobody);
        const now = clock.now();
        await nextSequence(trx, current, now);
        await trx
          .updateTable("interview_requests")
          .set({ updated_at: now })
          .where("organisation_id", "=", orgId)
          .where("id", "=", row.id)
          .execute();
        await addEvent(trx, { kind: "system", orgId }, row.id, "interviewer-replaced", {
          bookingId: current.id,
          session: session.name,
          sessionIndex,
          startsAt: iso(time.start),
          endsAt: iso(time.end),
          declined: userId,
          replacement: chosen.userId,
        });
        if (deps.effects !== undefined) {
          const after = await toBooking(trx, orgId, current);
          await announce(trx, "rescheduled", orgId, row.id, after.sessions, previous.sessions);
        }
        return { replaced: true, userId: chosen.userId, name: chosen.name };
      });
    } catch (error) {
      if (error instanceof TakenInside) return { replaced: false, reason: error.message };
      if (pgCode(error) === "23P01") {
        return { replaced: false, reason: "another booking took that time meanwhile" };
      }
      throw error;
    }
  }

  /**
   * Tells the request's creator what Ally could not settle itself: an email (text and HTML)
   * and a timeline entry of `kind` with `detail`.
   */
  async function tellRecruiter(
    orgId: OrgId,
    requestId: string,
    message: {
      kind: string;
      subject: string;
      paragraphs: string[];
      detail: Record<string, unknown>;
      /** The booked interview can no longer stand as it is: the request needs a new time. */
      needsNewTime?: boolean;
    },
  ): Promise<void> {
    await writeTransaction(async (trx) => {
      const row = await requestRow(trx, orgId, requestId, true);
      if (message.needsNewTime === true && row.status === "scheduled") {
        await trx
          .updateTable("interview_requests")
          .set({ status: "rescheduling", updated_at: clock.now() })
          .where("organisation_id", "=", orgId)
          .where("id", "=", requestId)
          .execute();
      }
      const emailed = await mailRecruiter(trx, orgId, row, message);
      await addEvent(trx, { kind: "system", orgId }, requestId, message.kind, {
        ...message.detail,
        recruiterEmailed: emailed,
      });
    });
  }

  async function getRequest(actor: Actor, id: string): Promise<InterviewRequest> {
    requirePermission(actor.role, "candidates:read");
    return toRequest(db, await requestRow(db, actor.orgId, id));
  }

  return {
    /**
     * Creates a request in `draft`, from a loop template or ad-hoc sessions.
     * @example createRequest(actor, { candidateId, jobId, loopTemplateId, windowStart, windowEnd })
     */
    async createRequest(actor: Actor, input: InterviewRequestInput): Promise<InterviewRequest> {
      requirePermission(actor.role, "candidates:write");
      const value = parseInput(interviewRequestInput, input);
      const orgId = actor.orgId;
      const candidate = await db
        .selectFrom("candidates")
        .select(["id", "time_zone"])
        .where("organisation_id", "=", orgId)
        .where("id", "=", value.candidateId)
        .executeTakeFirst();
      if (candidate === undefined) {
        throw invalid("candidateId", "Choose one of your organisation's candidates");
      }
      const job = await db
        .selectFrom("jobs")
        .select("id")
        .where("organisation_id", "=", orgId)
        .where("id", "=", value.jobId)
        .executeTakeFirst();
      if (job === undefined) throw invalid("jobId", "Choose one of your organisation's jobs");

      let sessions: RequestSession[];
      let order = value.order;
      let maxGapMinutes = value.maxGapMinutes;
      if (value.loopTemplateId !== null) {
        const template = await db
          .selectFrom("loop_templates")
          .selectAll()
          .where("organisation_id", "=", orgId)
          .where("id", "=", value.loopTemplateId)
          .executeTakeFirst();
        if (template === undefined) {
          throw invalid("loopTemplateId", "Choose one of your organisation's loop templates");
        }
        order ??= template.session_order;
        maxGapMinutes ??= template.max_gap_minutes;
        sessions =
          value.sessions ??
          readTemplateSessions(template.sessions).map((s) => ({
            name: s.name,
            durationMinutes: s.durationMinutes,
            poolId: s.poolId,
            count: s.count,
          }));
      } else {
        if (value.sessions === undefined) {
          throw invalid("sessions", "Add at least one session, or choose a loop template");
        }
        sessions = value.sessions;
      }
      sessions = sessions.map((s) =>
        s.interviewerIds !== undefined && s.interviewerIds.length > 0
          ? {
              name: s.name,
              durationMinutes: s.durationMinutes,
              interviewerIds: [...new Set(s.interviewerIds)],
            }
          : {
              name: s.name,
              durationMinutes: s.durationMinutes,
              poolId: s.poolId ?? "",
              count: s.count ?? 1,
            },
      );
      const names = new Set<string>();
      for (const [i, s] of sessions.entries()) {
        if (names.has(s.name))
          invalidThrow(`sessions.${i}.name`, "Each session needs its own name");
        names.add(s.name);
      }
      const memberIds = [...new Set(sessions.flatMap((s) => s.interviewerIds ?? []))];
      const members = new Set(
        memberIds.length === 0
          ? []
          : (
              await db
                .selectFrom("memberships")
                .select("user_id")
                .where("organisation_id", "=", orgId)
                .where("user_id", "in", memberIds)
                .execute()
            ).map((r) => r.user_id),
      );
      for (const [i, s] of sessions.entries()) {
        for (const [k, id] of (s.interviewerIds ?? []).entries()) {
          if (!members.has(id)) {
            invalidThrow(
              `sessions.${i}.interviewerIds.${k}`,
              "Choose members of your organisation as interviewers",
            );
          }
        }
        if (s.poolId !== undefined) {
          const pool = await db
            .selectFrom("pools")
            .leftJoin("pool_members", "pool_members.pool_id", "pools.id")
            .select([
              "pools.id",
              (eb) => eb.fn.count<number | string>("pool_members.user_id").as("size"),
            ])
            .where("pools.organisation_id", "=", orgId)
            .where("pools.id", "=", s.poolId)
            .groupBy("pools.id")
            .executeTakeFirst();
          if (pool === undefined) {
            invalidThrow(`sessions.${i}.poolId`, "Choose one of your organisation's pools");
          }
          const size = Number(pool.size);
          if ((s.count ?? 1) > size) {
            invalidThrow(
              `sessions.${i}.count`,
              `Number of interviewers (${s.count}) is more than the pool's ${size} member${size === 1 ? "" : "s"}`,
            );
          }
        }
      }
      const windowStart = Date.parse(value.windowStart);
      const windowEnd = Date.parse(value.windowEnd);
      if (windowEnd <= windowStart)
        throw invalid("windowEnd", "Window end must be after its start");
      if (windowEnd - windowStart > MAX_WINDOW_DAYS * DAY_MS) {
        throw invalid("windowEnd", `The window may span at most ${MAX_WINDOW_DAYS} days`);
      }
      const now = clock.now();
      if (windowEnd <= now) throw invalid("windowEnd", "Window end must be in the future");

      const row: InterviewRequestsTable = {
        id: newId("req"),
        organisation_id: orgId,
        candidate_id: candidate.id,
        job_id: job.id,
        loop_template_id: value.loopTemplateId,
        sessions: JSON.stringify(sessions),
        session_order: order ?? "fixed",
        max_gap_minutes: maxGapMinutes ?? 30,
        window_start: windowStart,
        window_end: windowEnd,
        time_zone: value.timeZone ?? candidate.time_zone ?? "UTC",
        location: value.location,
        video_link: value.videoLink,
        notes: value.notes,
        status: "draft",
        created_by: actor.userId,
        offered_options: null,
        offered_at: null,
        created_at: now,
        updated_at: now,
        scheduled_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("interview_requests").values(row).execute();
        await addEvent(trx, user(actor), row.id, "created", {});
      });
      return toRequest(db, row);
    },

    getRequest,

    /** The organisation's requests, newest first, optionally only those with `status`. */
    async listRequests(
      actor: Actor,
      filter: { status?: RequestStatus } = {},
    ): Promise<InterviewRequest[]> {
      requirePermission(actor.role, "candidates:read");
      let query = db
        .selectFrom("interview_requests")
        .selectAll()
        .where("organisation_id", "=", actor.orgId);
      if (filter.status !== undefined) query = query.where("status", "=", filter.status);
      const rows = await query.orderBy("created_at", "desc").orderBy("id").execute();
      return Promise.all(rows.map((r) => toRequest(db, r)));
    },

    /** Who did what to the request, oldest first. */
    async timeline(actor: Actor, id: string): Promise<RequestEvent[]> {
      requirePermission(actor.role, "candidates:read");
      await requestRow(db, actor.orgId, id);
      const rows = await db
        .selectFrom("request_events")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .where("request_id", "=", id)
        .orderBy("id")
        .execute();
      return rows.map((r) => ({
        at: iso(Number(r.at)),
        actor: { kind: r.actor_kind, id: r.actor_id },
        kind: r.kind,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },

    /**
     * What each attendee of the booked interview answered from their calendar (iMIP REPLY), per
     * session index of the request: the latest answer and whether it was to the current
     * version of the invitation (an answer to an earlier SEQUENCE is about another time).
     */
    async answers(
      actor: Actor,
      id: string,
    ): Promise<
      { sessionIndex: number; email: string; partstat: string; current: boolean; at: string }[]
    > {
      requirePermission(actor.role, "candidates:read");
      await requestRow(db, actor.orgId, id);
      const booking = await bookingOf(db, actor.orgId, id);
      if (booking === undefined) return [];
      const rows = await db
        .selectFrom("attendee_responses")
        .select(["session_index", "attendee_email", "partstat", "sequence", "updated_at"])
        .where("organisation_id", "=", actor.orgId)
        .where("booking_id", "=", booking.id)
        .orderBy("session_index")
        .orderBy("attendee_email")
        .execute();
      return rows.map((r) => ({
        sessionIndex: r.session_index,
        email: r.attendee_email,
        partstat: r.partstat,
        current: r.sequence >= booking.sequence,
        at: iso(Number(r.updated_at)),
      }));
    },

    /** Ranked options now, with calendar warnings, or why nothing fits. */
    async options(actor: Actor, id: string): Promise<OptionsAnswer> {
      requirePermission(actor.role, "candidates:read");
      const row = await requestRow(db, actor.orgId, id);
      const booking = await bookingOf(db, actor.orgId, id);
      return computeOptions(row, actor, booking?.status === "active" ? booking.id : undefined);
    },

    /** Snapshots today's options into the request for the candidate; `awaiting_candidate`. */
    async offer(actor: Actor, id: string): Promise<InterviewRequest> {
      requirePermission(actor.role, "candidates:write");
      const row = await requestRow(db, actor.orgId, id);
      if (row.status !== "draft" && row.status !== "awaiting_candidate") {
        throw conflict(`This request is ${row.status}; only a draft or open request is offered.`);
      }
      const answer = await computeOptions(row, actor);
      if (answer.options.length === 0) {
        throw conflict("No time fits this request; see its options for what to relax.");
      }
      const now = clock.now();
      await writeTransaction(async (trx) => {
        await trx
          .updateTable("interview_requests")
          .set({
            status: "awaiting_candidate",
            offered_options: JSON.stringify(answer.options),
            offered_at: now,
            updated_at: now,
          })
          .where("organisation_id", "=", actor.orgId)
          .where("id", "=", id)
          .execute();
        await addEvent(trx, user(actor), id, "offered", {
          optionIds: answer.options.map((o) => o.id),
          warnings: answer.warnings,
        });
      });
      return getRequest(actor, id);
    },

    /** A recruiter books an option on the candidate's behalf. Same key, same booking. */
    async book(actor: Actor, id: string, input: BookInput): Promise<BookingResult> {
      requirePermission(actor.role, "candidates:write");
      return book(user(actor), id, input);
    },

    /** Moves the booking to another option: same UID, SEQUENCE + 1. */
    async reschedule(actor: Actor, id: string, input: BookInput): Promise<BookingResult> {
      requirePermission(actor.role, "candidates:write");
      return reschedule(user(actor), id, input);
    },

    /** Releases the booked time and cancels the request. */
    async cancel(actor: Actor, id: string, input: CancelInput = {}): Promise<InterviewRequest> {
      requirePermission(actor.role, "candidates:write");
      return cancel(user(actor), id, input);
    },

    /**
     * Stores an attendee's answer to a session's invitation and adds it to the timeline.
     * Called by the reply handler after it matched the reply; `orgId` comes from the booking.
     */
    recordReply,

    /** Replaces an interviewer who declined a pool session (see `replaceInterviewer` above). */
    replaceInterviewer,

    /** Emails the request's creator and notes it on the timeline. */
    tellRecruiter,

    // The candidate's side: the caller has authorised them for `requestId` (a signed link).

    async candidateGet(requestId: string): Promise<CandidateRequestView> {
      const caller = await candidateCaller(requestId);
      const request = await toRequest(db, await requestRow(db, caller.orgId, requestId));
      return {
        id: request.id,
        status: request.status,
        sessions: request.sessions.map((s) => ({
          name: s.name,
          durationMinutes: s.durationMinutes,
        })),
        windowStart: request.windowStart,
        windowEnd: request.windowEnd,
        timeZone: request.timeZone,
        location: request.location,
        videoLink: request.videoLink,
        offeredOptions: request.offeredOptions,
        booking: request.booking,
      };
    },

    /** Today's options for the candidate (no internal warnings or explanation). */
    async candidateOptions(requestId: string): Promise<{ options: Option[] }> {
      const caller = await candidateCaller(requestId);
      const row = await requestRow(db, caller.orgId, requestId);
      const booking = await bookingOf(db, caller.orgId, requestId);
      const answer = await computeOptions(
        row,
        readerFor(caller, row),
        booking?.status === "active" ? booking.id : undefined,
      );
      return { options: answer.options };
    },

    async candidateBook(requestId: string, input: BookInput): Promise<BookingResult> {
      return book(await candidateCaller(requestId), requestId, input);
    },

    async candidateReschedule(requestId: string, input: BookInput): Promise<BookingResult> {
      return reschedule(await candidateCaller(requestId), requestId, input);
    },

    async candidateCancel(requestId: string, input: CancelInput = {}): Promise<InterviewRequest> {
      return cancel(await candidateCaller(requestId), requestId, input);
    },

    /**
     * The candidate says none of the times work: their own ranges and words go on the
     * timeline as "times-proposed" for the recruiter; the request's status stays.
     */
    async proposeTimes(requestId: string, input: ProposeTimesInput): Promise<void> {
      const value = parseInput(proposeTimesInput, input);
      if (value.ranges.length === 0 && value.message === null) {
        throw invalid("ranges", "Give at least one time that works, or a message");
      }
      const caller = await candidateCaller(requestId);
      const row = await requestRow(db, caller.orgId, requestId);
      if (row.status === "cancelled" || row.status === "completed") {
        throw conflict(`This request is ${row.status}.`);
      }
      const ranges = value.ranges.map((r) => ({
        start: iso(Date.parse(r.start)),
        end: iso(Date.parse(r.end)),
      }));
      const candidate = await db
        .selectFrom("candidates")
        .select("name")
        .where("organisation_id", "=", caller.orgId)
        .where("id", "=", row.candidate_id)
        .executeTakeFirst();
      const who = candidate?.name ?? "The candidate";
      await writeTransaction(async (trx) => {
        await addEvent(trx, caller, requestId, "times-proposed", {
          ranges,
          message: value.message,
        });
        await mailRecruiter(trx, caller.orgId, row, {
          kind: "times-proposed",
          subject: `${who} proposed other interview times`,
          paragraphs: [
            `${who} says none of the offered times work.`,
            ...(ranges.length === 0
              ? []
              : [
                  `Times that would work for them:\n${ranges
                    .map((r) => `- ${readable(r.start)} to ${readable(r.end)}`)
                    .join("\n")}`,
                ]),
            ...(value.message === null ? [] : [`Their message:\n${value.message}`]),
          ],
        });
      });
    },
  };
}

/** A re-check inside a transaction failed: thrown to roll back what the transaction did. */
class TakenInside extends Error {}

function invalidThrow(field: string, message: string): never {
  throw invalid(field, message);
}
