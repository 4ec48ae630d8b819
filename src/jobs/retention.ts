/**
 * The jobs module's retention purge (the daily purge calls it). Scheduled jobs hold ids, never
 * personal data, but are not kept for ever: a finished job goes thirty days after it finished,
 * a job the queue gave up on (a dead letter, listed for admins to retry) ninety days after it
 * was set aside. Recurring jobs move their one row forward and are never finished.
 */
import type { Temporal } from "temporal-polyfill";
import {
  cutoffMs,
  type PurgedRows,
  RETENTION_LIMITS,
  removedRows,
} from "../privacy/retention-limits.js";
import { type AnyHandle, jobsDb } from "./db.js";

/**
 * Removes finished and dead scheduled jobs past their limit at `now`.
 * @example await purgeExpired(db, now) // [{ table: "scheduled_jobs", category: "finished-jobs", removed: 40 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = jobsDb(handle);
  const finished = await db
    .deleteFrom("scheduled_jobs")
    .where("dead_at", "is", null)
    .where("done_at", "<=", cutoffMs(now, RETENTION_LIMITS.finished))
    .executeTakeFirst();
  const dead = await db
    .deleteFrom("scheduled_jobs")
    .where("dead_at", "<=", cutoffMs(now, RETENTION_LIMITS["dead-letter"]))
    .executeTakeFirst();
  return [
    { table: "scheduled_jobs", category: "finished-jobs", removed: removedRows(finished) },
    { table: "scheduled_jobs", category: "dead-letters", removed: removedRows(dead) },
  ];
}
