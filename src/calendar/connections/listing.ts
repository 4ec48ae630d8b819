/** What pages and the API list: a member's connections, one connection, and the team's health. */
import { requirePermission } from "../../accounts/permissions.js";
import type { Actor } from "../../accounts/service.js";
import { forbidden, notFound } from "../../errors.js";
import { connectionAccess } from "../connection-access.js";
import { calendarDb } from "../db.js";
import type { CalendarContext } from "./context.js";
import { type CalendarConnection, connectionFor, toConnection } from "./rows.js";
import { isStale } from "./sync-policy.js";

/** The actor's own connections, or (with `members:manage`) another member's. */
export async function listConnections(
  context: CalendarContext,
  actor: Actor,
  userId: string = actor.userId,
): Promise<CalendarConnection[]> {
  const { members } = context.deps;
  const db = calendarDb(context.deps.db);
  if (userId !== actor.userId) {
    if (connectionAccess(actor, userId) === "none") throw forbidden();
    const found = await members.membersOf(actor.orgId, [userId]);
    if (!found.has(userId)) throw notFound("member");
  }
  const rows = await db
    .selectFrom("calendar_connections")
    .selectAll()
    .where("organisation_id", "=", actor.orgId)
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toConnection);
}

export async function getConnection(
  context: CalendarContext,
  actor: Actor,
  id: string,
): Promise<CalendarConnection> {
  return toConnection(await connectionFor(context.deps.db, actor, id, "view"));
}

export interface MemberCalendarHealth {
  connected: number;
  unhealthy: number;
  stale: number;
}

/**
 * Per member of the organisation, how far Ally can trust their calendars: how many are
 * connected, how many are not working, how many have not synced for two intervals. For the
 * team page; no labels, addresses or errors (those are their owner's).
 */
export async function healthByMember(
  context: CalendarContext,
  actor: Actor,
): Promise<Map<string, MemberCalendarHealth>> {
  requirePermission(actor.role, "hiring:read");
  const { clock, syncIntervalMs } = context.deps;
  const db = calendarDb(context.deps.db);
  const rows = await db
    .selectFrom("calendar_connections")
    .select(["user_id", "status", "last_synced_at"])
    .where("organisation_id", "=", actor.orgId)
    .execute();
  const now = clock.now();
  const health = new Map<string, MemberCalendarHealth>();
  for (const row of rows) {
    const entry = health.get(row.user_id) ?? { connected: 0, unhealthy: 0, stale: 0 };
    entry.connected += 1;
    if (row.status === "unhealthy") entry.unhealthy += 1;
    else if (isStale(row.last_synced_at, now, syncIntervalMs)) entry.stale += 1;
    health.set(row.user_id, entry);
  }
  return health;
}
