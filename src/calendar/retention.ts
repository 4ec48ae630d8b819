/**
 * The calendar module's retention purge (the daily purge calls it): an event write (an event
 * Ally wrote to someone's calendar, with its details) goes thirty days after it was done, one
 * the queue gave up on ninety days after it was set aside; a calendar connection's OAuth state
 * goes when it expires. Where an event lives (calendar_event_links) stays, so a later change
 * still reaches it; connections and busy time go with the member (member-removal.ts).
 */
import type { Temporal } from "temporal-polyfill";
import {
  cutoffMs,
  type PurgedRows,
  RETENTION_LIMITS,
  removedRows,
} from "../privacy/retention-limits.js";
import { type AnyHandle, calendarDb } from "./db.js";

/**
 * Removes finished and dead event writes, and expired OAuth states, at `now`.
 * @example await purgeExpired(db, now) // [{ table: "calendar_event_writes", category: "event-writes", removed: 9 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = calendarDb(handle);
  const done = await db
    .deleteFrom("calendar_event_writes")
    .where("status", "=", "done")
    .where("dead_at", "is", null)
    .where("done_at", "<=", cutoffMs(now, RETENTION_LIMITS.finished))
    .executeTakeFirst();
  const dead = await db
    .deleteFrom("calendar_event_writes")
    .where("dead_at", "<=", cutoffMs(now, RETENTION_LIMITS["dead-letter"]))
    .executeTakeFirst();
  const states = await db
    .deleteFrom("oauth_states")
    .where("expires_at", "<=", now.epochMilliseconds)
    .executeTakeFirst();
  return [
    { table: "calendar_event_writes", category: "event-writes", removed: removedRows(done) },
    { table: "calendar_event_writes", category: "dead-letters", removed: removedRows(dead) },
    { table: "oauth_states", category: "token", removed: removedRows(states) },
  ];
}
