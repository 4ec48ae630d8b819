/**
 * The assistant module's retention purge (the daily purge calls it): the messages of a
 * conversation (what a candidate or recruiter wrote and what Ally answered) are mail, kept
 * ninety days like the rest (`mail-90d`). The conversation itself stays with its request.
 */
import type { Temporal } from "temporal-polyfill";
import {
  cutoffMs,
  type PurgedRows,
  RETENTION_LIMITS,
  removedRows,
} from "../privacy/retention-limits.js";
import { type AnyHandle, assistantDb } from "./db.js";

/**
 * Removes the assistant's messages past ninety days at `now`.
 * @example await purgeExpired(db, now) // [{ table: "assistant_messages", category: "mail-90d", removed: 2 }]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const messages = await assistantDb(handle)
    .deleteFrom("assistant_messages")
    .where("created_at", "<=", cutoffMs(now, RETENTION_LIMITS["mail-90d"]))
    .executeTakeFirst();
  return [{ table: "assistant_messages", category: "mail-90d", removed: removedRows(messages) }];
}
