/**
 * Create a request: a draft for one of the organisation's candidates and jobs, its sessions
 * from a loop template or given, each with named members or a pool big enough for its count.
 */
import { memberContacts } from "../../accounts/reads.js";
import { invalid } from "../../errors.js";
import { parseInput } from "../../hiring/parse-input.js";
import {
  candidateFacts,
  jobFacts,
  loopTemplateFacts,
  poolSize,
} from "../../hiring/scheduling-facts.js";
import { newId, type OrgId } from "../../ids.js";
import { type BookingContext, type Caller, DAY_MS } from "../context.js";
import { type AnyHandle, bookingDb } from "../db.js";
import { addEvent, loadRequest } from "../request-repository.js";
import {
  type InterviewRequest,
  type InterviewRequestInput,
  interviewRequestInput,
  MAX_WINDOW_DAYS,
  type RequestSession,
} from "../schemas.js";
import type { InterviewRequestsTable } from "../tables.js";

type Value = ReturnType<typeof interviewRequestInput.parse>;

/**
 * Creates a request in `draft`, from a loop template or ad-hoc sessions.
 * @example createRequest(ctx, userCaller(actor), { candidateId, jobId, loopTemplateId, windowStart, windowEnd })
 * @throws AppError VALIDATION_FAILED with the field at fault.
 */
export async function createRequest(
  ctx: Pick<BookingContext, "db" | "clock">,
  caller: Caller & { kind: "user" },
  input: InterviewRequestInput,
): Promise<InterviewRequest> {
  const { db } = ctx;
  const value = parseInput(interviewRequestInput, input);
  const orgId = caller.orgId;
  const candidate = await candidateFacts(db, orgId, value.candidateId);
  if (candidate === undefined) {
    throw invalid("candidateId", "Choose one of your organisation's candidates");
  }
  const job = await jobFacts(db, orgId, value.jobId);
  if (job === undefined) throw invalid("jobId", "Choose one of your organisation's jobs");
  const { sessions, order, maxGapMinutes } = await sessionsFor(db, orgId, value);
  await checkInterviewers(db, orgId, sessions);
  const windowStart = Date.parse(value.windowStart);
  const windowEnd = Date.parse(value.windowEnd);
  if (windowEnd <= windowStart) throw invalid("windowEnd", "Window end must be after its start");
  if (windowEnd - windowStart > MAX_WINDOW_DAYS * DAY_MS) {
    throw invalid("windowEnd", `The window may span at most ${MAX_WINDOW_DAYS} days`);
  }
  const now = ctx.clock.now();
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
    time_zone: value.timeZone ?? candidate.timeZone ?? "UTC",
    candidate_hours:
      value.candidateHours === undefined ? null : JSON.stringify(value.candidateHours),
    location: value.location,
    video_link: value.videoLink,
    notes: value.notes,
    status: "draft",
    created_by: caller.actor.userId,
    offered_options: null,
    offered_at: null,
    created_at: now,
    updated_at: now,
    scheduled_at: null,
  };
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("interview_requests").values(row).execute();
    await addEvent(trx, now, caller, row.id, "created", {});
  });
  return loadRequest(db, orgId, row.id);
}

/** The sessions, order and gap: given, or the loop template's where not given. */
async function sessionsFor(
  db: AnyHandle,
  orgId: OrgId,
  value: Value,
): Promise<{
  sessions: RequestSession[];
  order: Value["order"];
  maxGapMinutes: Value["maxGapMinutes"];
}> {
  let sessions: RequestSession[];
  let order = value.order;
  let maxGapMinutes = value.maxGapMinutes;
  if (value.loopTemplateId !== null) {
    const template = await loopTemplateFacts(db, orgId, value.loopTemplateId);
    if (template === undefined) {
      throw invalid("loopTemplateId", "Choose one of your organisation's loop templates");
    }
    order ??= template.order;
    maxGapMinutes ??= template.maxGapMinutes;
    sessions =
      value.sessions ??
      template.sessions.map((s) => ({
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
    if (names.has(s.name)) throw invalid(`sessions.${i}.name`, "Each session needs its own name");
    names.add(s.name);
  }
  return { sessions, order, maxGapMinutes };
}

/** Named interviewers are members; a pool is the organisation's and has enough members. */
async function checkInterviewers(
  handle: AnyHandle,
  orgId: OrgId,
  sessions: RequestSession[],
): Promise<void> {
  const db = bookingDb(handle);
  const members = await memberContacts(
    db,
    orgId,
    sessions.flatMap((s) => s.interviewerIds ?? []),
  );
  for (const [i, s] of sessions.entries()) {
    for (const [k, id] of (s.interviewerIds ?? []).entries()) {
      if (!members.has(id)) {
        throw invalid(
          `sessions.${i}.interviewerIds.${k}`,
          "Choose members of your organisation as interviewers",
        );
      }
    }
    if (s.poolId !== undefined) {
      const size = await poolSize(db, orgId, s.poolId);
      if (size === undefined) {
        throw invalid(`sessions.${i}.poolId`, "Choose one of your organisation's pools");
      }
      if ((s.count ?? 1) > size) {
        throw invalid(
          `sessions.${i}.count`,
          `Number of interviewers (${s.count}) is more than the pool's ${size} member${size === 1 ? "" : "s"}`,
        );
      }
    }
  }
}
