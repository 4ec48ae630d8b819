/**
 * The recruiter's overview: what needs attention (attention.ts decides from the facts read
 * here), the interviews of the next two weeks, and how long scheduling takes. One organisation's
 * rows only; nothing here writes.
 */
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import { type AttentionFacts, type AttentionItem, medianMs, needsAttention } from "./attention.js";
import { type BookingContext, DAY_MS, iso, userOfResource } from "./context.js";

export interface UpcomingInterview {
  requestId: string;
  candidateId: string;
  jobId: string;
  timeZone: string;
  startsAt: string;
  endsAt: string;
  sessions: { name: string; startsAt: string; endsAt: string; interviewerIds: string[] }[];
}

export interface RecruiterOverview {
  attention: (AttentionItem & { candidateId: string; jobId: string })[];
  upcoming: UpcomingInterview[];
  /** Median time from request to booking over requests booked in the last 30 days. */
  timeToSchedule: { medianMs: number | null; scheduled: number; days: number };
  /** Requests still open, by status. */
  open: { draft: number; awaiting_candidate: number; scheduled: number; rescheduling: number };
}

export const UPCOMING_DAYS = 14;
export const TIME_TO_SCHEDULE_DAYS = 30;
const OPEN_STATUSES = ["draft", "awaiting_candidate", "scheduled", "rescheduling"] as const;

async function attentionFacts(ctx: BookingContext, orgId: string): Promise<AttentionFacts[]> {
  const { db } = ctx;
  const requests = await db
    .selectFrom("interview_requests")
    .select(["id", "status", "created_at", "offered_at", "candidate_id", "job_id"])
    .where("organisation_id", "=", orgId)
    .where("status", "in", OPEN_STATUSES)
    .execute();
  if (requests.length === 0) return [];
  const ids = requests.map((r) => r.id);
  const events = await db
    .selectFrom("request_events")
    .select(["request_id", "actor_kind", "kind", "at"])
    .where("organisation_id", "=", orgId)
    .where("request_id", "in", ids)
    .where((eb) => eb.or([eb("actor_kind", "=", "user"), eb("kind", "=", "times-proposed")]))
    .execute();
  const declines = await db
    .selectFrom("attendee_responses as a")
    .innerJoin("bookings as b", "b.id", "a.booking_id")
    .select(["b.request_id", "a.updated_at"])
    .where("a.organisation_id", "=", orgId)
    .where("b.organisation_id", "=", orgId)
    .where("b.status", "=", "active")
    .where("a.partstat", "=", "DECLINED")
    .whereRef("a.sequence", ">=", "b.sequence")
    .execute();
  const starts = await db
    .selectFrom("booked_slots as s")
    .innerJoin("bookings as b", "b.id", "s.booking_id")
    .select(["b.request_id", "s.starts_at"])
    .where("s.organisation_id", "=", orgId)
    .where("b.organisation_id", "=", orgId)
    .where("b.status", "=", "active")
    .where("s.active", "=", 1)
    .execute();
  const latest = (map: Map<string, number>, key: string, at: number) =>
    map.set(key, Math.max(map.get(key) ?? Number.NEGATIVE_INFINITY, at));
  const memberAction = new Map<string, number>();
  const proposal = new Map<string, number>();
  for (const e of events) {
    latest(e.kind === "times-proposed" ? proposal : memberAction, e.request_id, Number(e.at));
  }
  const declined = new Map<string, number>();
  for (const d of declines) latest(declined, d.request_id, Number(d.updated_at));
  const firstStart = new Map<string, number>();
  for (const s of starts) {
    firstStart.set(
      s.request_id,
      Math.min(firstStart.get(s.request_id) ?? Infinity, Number(s.starts_at)),
    );
  }
  return requests.map((r) => ({
    id: r.id,
    status: r.status,
    createdAtMs: Number(r.created_at),
    offeredAtMs: r.offered_at === null ? null : Number(r.offered_at),
    lastMemberActionAtMs: memberAction.get(r.id) ?? null,
    lastProposalAtMs: proposal.get(r.id) ?? null,
    declinedAtMs: declined.get(r.id) ?? null,
    bookedStartsAtMs: firstStart.get(r.id) ?? null,
  }));
}

async function upcoming(ctx: BookingContext, orgId: string, nowMs: number) {
  const rows = await ctx.db
    .selectFrom("booked_slots as s")
    .innerJoin("bookings as b", "b.id", "s.booking_id")
    .innerJoin("interview_requests as r", "r.id", "b.request_id")
    .select([
      "b.request_id",
      "r.candidate_id",
      "r.job_id",
      "r.time_zone",
      "s.session_name",
      "s.starts_at",
      "s.ends_at",
      "s.resource",
    ])
    .where("s.organisation_id", "=", orgId)
    .where("b.organisation_id", "=", orgId)
    .where("r.organisation_id", "=", orgId)
    .where("b.status", "=", "active")
    .where("s.active", "=", 1)
    .where("s.ends_at", ">", nowMs)
    .where("s.starts_at", "<", nowMs + UPCOMING_DAYS * DAY_MS)
    .orderBy("s.starts_at")
    .orderBy("s.session_name")
    .execute();
  const byRequest = new Map<string, UpcomingInterview>();
  for (const row of rows) {
    const startsAt = iso(Number(row.starts_at));
    const endsAt = iso(Number(row.ends_at));
    let interview = byRequest.get(row.request_id);
    if (interview === undefined) {
      interview = {
        requestId: row.request_id,
        candidateId: row.candidate_id,
        jobId: row.job_id,
        timeZone: row.time_zone,
        startsAt,
        endsAt,
        sessions: [],
      };
      byRequest.set(row.request_id, interview);
    }
    if (endsAt > interview.endsAt) interview.endsAt = endsAt;
    let session = interview.sessions.find(
      (s) => s.name === row.session_name && s.startsAt === startsAt,
    );
    if (session === undefined) {
      session = { name: row.session_name, startsAt, endsAt, interviewerIds: [] };
      interview.sessions.push(session);
    }
    session.interviewerIds.push(userOfResource(row.resource));
  }
  return [...byRequest.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

/** The organisation's overview for a member who may read candidates. */
export async function recruiterOverview(
  ctx: BookingContext,
  actor: Actor,
): Promise<RecruiterOverview> {
  requirePermission(actor.role, "candidates:read");
  const nowMs = ctx.clock.now();
  const orgId = actor.orgId;
  const facts = await attentionFacts(ctx, orgId);
  const requests = await ctx.db
    .selectFrom("interview_requests")
    .select(["id", "status", "candidate_id", "job_id", "created_at", "scheduled_at"])
    .where("organisation_id", "=", orgId)
    .where((eb) =>
      eb.or([
        eb("status", "in", OPEN_STATUSES),
        eb("scheduled_at", ">=", nowMs - TIME_TO_SCHEDULE_DAYS * DAY_MS),
      ]),
    )
    .execute();
  const byId = new Map(requests.map((r) => [r.id, r]));
  const attention = needsAttention(facts, nowMs).map((item) => ({
    ...item,
    candidateId: byId.get(item.requestId)?.candidate_id ?? "",
    jobId: byId.get(item.requestId)?.job_id ?? "",
  }));
  const scheduled = requests.flatMap((r) =>
    r.scheduled_at !== null && Number(r.scheduled_at) >= nowMs - TIME_TO_SCHEDULE_DAYS * DAY_MS
      ? [Number(r.scheduled_at) - Number(r.created_at)]
      : [],
  );
  const count = (status: (typeof OPEN_STATUSES)[number]) =>
    requests.filter((r) => r.status === status).length;
  const open = {
    draft: count("draft"),
    awaiting_candidate: count("awaiting_candidate"),
    scheduled: count("scheduled"),
    rescheduling: count("rescheduling"),
  };
  return {
    attention,
    upcoming: await upcoming(ctx, orgId, nowMs),
    timeToSchedule: {
      medianMs: medianMs(scheduled),
      scheduled: scheduled.length,
      days: TIME_TO_SCHEDULE_DAYS,
    },
    open,
  };
}
