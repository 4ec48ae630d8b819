/**
 * The privacy module's retention purge (the daily purge calls it): the audit log and answered
 * privacy messages after two years, data-subject requests three years after they were answered
 * (completed or refused; an open one is kept), unverified or used request codes after a day,
 * and access-package links when used or expired. Tombstones and erasure proofs hold no
 * personal data and stay: they are how an erasure is kept and shown.
 */
import type { Temporal } from "temporal-polyfill";
import { type AnyHandle, privacyDb } from "./db.js";
import { cutoffMs, type PurgedRows, RETENTION_LIMITS, removedRows } from "./retention-limits.js";

/**
 * Removes the privacy rows past their limit at `now`.
 * @example await purgeExpired(db, now) // [{ table: "audit_log", category: "audit-2y", removed: 12 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = privacyDb(handle);
  const at = now.epochMilliseconds;
  const twoYearsAgo = cutoffMs(now, RETENTION_LIMITS["audit-2y"]);
  const audit = await db.deleteFrom("audit_log").where("at", "<=", twoYearsAgo).executeTakeFirst();
  const messages = await db
    .deleteFrom("privacy_contact_messages")
    .where("answered_at", "<=", twoYearsAgo)
    .executeTakeFirst();
  const requests = await db
    .deleteFrom("privacy_requests")
    .where("status", "in", ["completed", "refused"])
    .where("completed_at", "<=", cutoffMs(now, RETENTION_LIMITS["request-3y"]))
    .executeTakeFirst();
  const verifications = await db
    .deleteFrom("privacy_verifications")
    .where("created_at", "<=", cutoffMs(now, RETENTION_LIMITS["rate-limit-1d"]))
    .executeTakeFirst();
  const exports = await db
    .deleteFrom("privacy_exports")
    .where((eb) => eb.or([eb("used_at", "is not", null), eb("expires_at", "<=", at)]))
    .executeTakeFirst();
  return [
    { table: "audit_log", category: "audit-2y", removed: removedRows(audit) },
    { table: "privacy_contact_messages", category: "audit-2y", removed: removedRows(messages) },
    { table: "privacy_requests", category: "request-3y", removed: removedRows(requests) },
    {
      table: "privacy_verifications",
      category: "rate-limit-1d",
      removed: removedRows(verifications),
    },
    { table: "privacy_exports", category: "token", removed: removedRows(exports) },
  ];
}
