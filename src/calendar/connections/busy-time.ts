/** Materialised busy time of members, merged and clipped, with warnings naming calendars that cannot be trusted. */
import { requirePermission } from "../../accounts/permissions.js";
import type { Actor } from "../../accounts/service.js";
import { notFound } from "../../errors.js";
import { calendarDb } from "../db.js";
import type { CalendarContext } from "./context.js";
import { iso } from "./rows.js";
import { duration, isStale } from "./sync-policy.js";

/** Epoch milliseconds, half-open. */
export interface Interval {
  start: number;
  end: number;
}

export interface BusyAnswer {
  busy: { start: string; end: string }[];
  warnings: string[];
}

function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const next of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && next.start <= last.end) last.end = Math.max(last.end, next.end);
    else merged.push({ start: next.start, end: next.end });
  }
  return merged;
}

interface ConnectionFacts {
  user_id: string;
  label: string;
  status: string;
  last_synced_at: number | null;
  last_error: string | null;
}

function warningsFor(
  context: CalendarContext,
  name: string,
  theirs: ConnectionFacts[],
  now: number,
): string[] {
  const warnings: string[] = [];
  for (const c of theirs) {
    const whose = `${name}'s calendar (${c.label})`;
    const since =
      c.last_synced_at === null
        ? "has never synced"
        : `has not synced for ${duration(now - c.last_synced_at)}`;
    if (c.status === "unhealthy") {
      warnings.push(`${whose} ${since}: ${c.last_error ?? "it cannot be read"}`);
    } else if (isStale(c.last_synced_at, now, context.deps.syncIntervalMs)) {
      warnings.push(`${whose} ${since}`);
    }
  }
  if (theirs.length === 0) warnings.push("no calendar is connected for this person");
  return warnings;
}

/** Busy time as epoch-millisecond intervals (what the engine reads), with the same warnings. */
export interface BusyIntervals {
  busy: Interval[];
  warnings: string[];
}

/**
 * `busyFor` for several members in three queries, whatever their number (a pool's options
 * read everyone at once).
 * @throws AppError NOT_FOUND when one of them is not a member of the actor's organisation.
 */
export async function busyForMany(
  context: CalendarContext,
  actor: Actor,
  userIds: readonly string[],
  range: Interval,
): Promise<Map<string, BusyAnswer>> {
  const answers = new Map<string, BusyAnswer>();
  for (const [userId, answer] of await busyIntervalsForMany(context, actor, userIds, range)) {
    answers.set(userId, {
      busy: answer.busy.map((b) => ({ start: iso(b.start), end: iso(b.end) })),
      warnings: answer.warnings,
    });
  }
  return answers;
}

/**
 * `busyForMany` with the busy time as epoch milliseconds: what the slot engine takes, without
 * writing instants as text and reading them back.
 * @throws AppError NOT_FOUND when one of them is not a member of the actor's organisation.
 */
export async function busyIntervalsForMany(
  context: CalendarContext,
  actor: Actor,
  userIds: readonly string[],
  range: Interval,
): Promise<Map<string, BusyIntervals>> {
  requirePermission(actor.role, "hiring:read");
  const { clock, members } = context.deps;
  const db = calendarDb(context.deps.db);
  const answers = new Map<string, BusyIntervals>();
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return answers;
  const people = await members.membersOf(actor.orgId, ids);
  if (people.size !== ids.length) throw notFound("member");
  const blocks = await db
    .selectFrom("busy_blocks")
    .select(["user_id", "start_at", "end_at"])
    .where("organisation_id", "=", actor.orgId)
    .where("user_id", "in", ids)
    .where("start_at", "<", range.end)
    .where("end_at", ">", range.start)
    .execute();
  const connections = await db
    .selectFrom("calendar_connections")
    .select(["user_id", "label", "status", "last_synced_at", "last_error"])
    .where("organisation_id", "=", actor.orgId)
    .where("user_id", "in", ids)
    .orderBy("created_at")
    .execute();
  // One pass over each result, whatever the number of members.
  const blocksOf = new Map<string, Interval[]>(ids.map((id) => [id, []]));
  for (const b of blocks) {
    blocksOf.get(b.user_id)?.push({
      start: Math.max(Number(b.start_at), range.start),
      end: Math.min(Number(b.end_at), range.end),
    });
  }
  const connectionsOf = new Map<string, ConnectionFacts[]>(ids.map((id) => [id, []]));
  for (const c of connections) connectionsOf.get(c.user_id)?.push(c);
  const now = clock.now();
  for (const userId of ids) {
    const name = people.get(userId)?.name ?? "";
    answers.set(userId, {
      busy: mergeIntervals(blocksOf.get(userId) ?? []),
      warnings: warningsFor(context, name, connectionsOf.get(userId) ?? [], now),
    });
  }
  return answers;
}
