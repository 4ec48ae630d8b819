/**
 * What scheduling needs to know from hiring, read in one place: interviewers' zones, working
 * hours and limits with the profile defaults applied once; pool members; and the candidate,
 * job and loop template a request is made from. Other modules (booking) call these instead of
 * reading hiring's tables. Every read is scoped to the organisation; stored JSON is parsed with
 * its schema.
 */
import { z } from "zod";
import type { WorkingHoursSpan } from "../engine/types.js";
import type { OrgId } from "../ids.js";
import { type AnyHandle, hiringDb } from "./db.js";
import { DEFAULT_TIME_ZONE, DEFAULT_WORKING_HOURS } from "./profiles.js";
import { type LoopSession, loopSessionOutput, WEEKDAY_CODES } from "./schemas.js";

/** An interviewer as the scheduler and the invitations see them. */
export interface SchedulingFacts {
  userId: string;
  /** IANA zone their working hours, days and weeks are in, and their invitations are written in. */
  timeZone: string;
  workingHours: WorkingHoursSpan[];
  perDayLimit: number | null;
  perWeekLimit: number | null;
  /** False when the person saved no profile and these are the defaults. */
  saved: boolean;
}

const storedWorkingHours = z.array(
  z.object({ days: z.array(z.enum(WEEKDAY_CODES)), start: z.string(), end: z.string() }),
);
const storedLoopSessions = z.array(loopSessionOutput);

/**
 * Zone, working hours and limits of each of `userIds`, with the defaults applied here and
 * nowhere else: someone who saved no profile is scheduled AND emailed in UTC, Monday to Friday
 * 09:00–17:00, without limits (the suggestion their profile page shows until they save). UTC
 * rather than the request's zone, because one person's hours must not move with each
 * candidate they meet. Membership is not checked here: ask accounts who is a member.
 * @example (await schedulingFacts(db, orgId, ["usr_1"])).get("usr_1")?.timeZone // "UTC"
 */
export async function schedulingFacts(
  handle: AnyHandle,
  orgId: OrgId | string,
  userIds: readonly string[],
): Promise<Map<string, SchedulingFacts>> {
  const db = hiringDb(handle);
  const ids = [...new Set(userIds)];
  const result = new Map<string, SchedulingFacts>();
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom("interviewer_profiles")
    .select(["user_id", "time_zone", "working_hours", "per_day_limit", "per_week_limit"])
    .where("organisation_id", "=", orgId)
    .where("user_id", "in", ids)
    .execute();
  const saved = new Map(rows.map((r) => [r.user_id, r]));
  for (const userId of ids) {
    const row = saved.get(userId);
    result.set(
      userId,
      row === undefined
        ? {
            userId,
            timeZone: DEFAULT_TIME_ZONE,
            workingHours: DEFAULT_WORKING_HOURS.map((s) => ({ ...s, days: [...s.days] })),
            perDayLimit: null,
            perWeekLimit: null,
            saved: false,
          }
        : {
            userId,
            timeZone: row.time_zone,
            workingHours: storedWorkingHours.parse(JSON.parse(row.working_hours)),
            perDayLimit: row.per_day_limit ?? null,
            perWeekLimit: row.per_week_limit ?? null,
            saved: true,
          },
    );
  }
  return result;
}

/** Members of each pool, by pool id, in user-id order; an unknown pool has none. */
export async function poolMemberIds(
  handle: AnyHandle,
  orgId: OrgId | string,
  poolIds: readonly string[],
): Promise<Map<string, string[]>> {
  const db = hiringDb(handle);
  const ids = [...new Set(poolIds)];
  const members = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return members;
  const rows = await db
    .selectFrom("pool_members")
    .select(["pool_id", "user_id"])
    .where("organisation_id", "=", orgId)
    .where("pool_id", "in", ids)
    .orderBy("user_id")
    .execute();
  for (const r of rows) members.get(r.pool_id)?.push(r.user_id);
  return members;
}

/** The pool's number of members, or undefined when the organisation has no such pool. */
export async function poolSize(
  handle: AnyHandle,
  orgId: OrgId | string,
  poolId: string,
): Promise<number | undefined> {
  const db = hiringDb(handle);
  const pool = await db
    .selectFrom("pools")
    .leftJoin("pool_members", "pool_members.pool_id", "pools.id")
    .select(["pools.id", (eb) => eb.fn.count<number | string>("pool_members.user_id").as("size")])
    .where("pools.organisation_id", "=", orgId)
    .where("pools.id", "=", poolId)
    .groupBy("pools.id")
    .executeTakeFirst();
  return pool === undefined ? undefined : Number(pool.size);
}

export interface CandidateFacts {
  id: string;
  name: string;
  email: string;
  /** Null when the candidate's zone is not known. */
  timeZone: string | null;
}

export async function candidateFacts(
  handle: AnyHandle,
  orgId: OrgId | string,
  candidateId: string,
): Promise<CandidateFacts | undefined> {
  const db = hiringDb(handle);
  const row = await db
    .selectFrom("candidates")
    .select(["id", "name", "email", "time_zone"])
    .where("organisation_id", "=", orgId)
    .where("id", "=", candidateId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { id: row.id, name: row.name, email: row.email, timeZone: row.time_zone };
}

export async function jobFacts(
  handle: AnyHandle,
  orgId: OrgId | string,
  jobId: string,
): Promise<{ id: string; title: string } | undefined> {
  const db = hiringDb(handle);
  return db
    .selectFrom("jobs")
    .select(["id", "title"])
    .where("organisation_id", "=", orgId)
    .where("id", "=", jobId)
    .executeTakeFirst();
}

export interface LoopFacts {
  order: "fixed" | "any";
  maxGapMinutes: number;
  sessions: LoopSession[];
}

export async function loopTemplateFacts(
  handle: AnyHandle,
  orgId: OrgId | string,
  templateId: string,
): Promise<LoopFacts | undefined> {
  const db = hiringDb(handle);
  const row = await db
    .selectFrom("loop_templates")
    .select(["session_order", "max_gap_minutes", "sessions"])
    .where("organisation_id", "=", orgId)
    .where("id", "=", templateId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    order: row.session_order,
    maxGapMinutes: row.max_gap_minutes,
    sessions: storedLoopSessions.parse(JSON.parse(row.sessions)),
  };
}
