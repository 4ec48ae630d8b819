/**
 * The accounts module's retention purge (the daily purge calls it): sessions when they expire,
 * one-time email tokens and invitations when used or expired, rate-limit windows and failed
 * sign-ins a day after. Accounts and memberships are not purged by time: they go when the
 * account is closed or the person leaves (account-closure.ts, member-removal.ts).
 */
import type { Temporal } from "temporal-polyfill";
import {
  cutoffMs,
  type PurgedRows,
  RETENTION_LIMITS,
  removedRows,
} from "../privacy/retention-limits.js";
import { type AnyHandle, accountsDb } from "./db.js";

/**
 * Removes the accounts rows past their limit at `now`.
 * @example await purgeExpired(db, Temporal.Now.instant())
 *   // [{ table: "sessions", category: "session", removed: 3 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = accountsDb(handle);
  const at = now.epochMilliseconds;
  const dayAgo = cutoffMs(now, RETENTION_LIMITS["rate-limit-1d"]);
  const sessions = await db.deleteFrom("sessions").where("expires_at", "<=", at).executeTakeFirst();
  const emailTokens = await db
    .deleteFrom("email_tokens")
    .where((eb) => eb.or([eb("used_at", "is not", null), eb("expires_at", "<=", at)]))
    .executeTakeFirst();
  const invitations = await db
    .deleteFrom("invitations")
    .where((eb) => eb.or([eb("accepted_at", "is not", null), eb("expires_at", "<=", at)]))
    .executeTakeFirst();
  const rates = await db
    .deleteFrom("rate_limits")
    .where("window_start", "<=", dayAgo)
    .executeTakeFirst();
  const failures = await db
    .deleteFrom("sign_in_failures")
    .where("last_failed_at", "<=", dayAgo)
    .executeTakeFirst();
  return [
    { table: "sessions", category: "session", removed: removedRows(sessions) },
    { table: "email_tokens", category: "token", removed: removedRows(emailTokens) },
    { table: "invitations", category: "token", removed: removedRows(invitations) },
    { table: "rate_limits", category: "rate-limit-1d", removed: removedRows(rates) },
    { table: "sign_in_failures", category: "rate-limit-1d", removed: removedRows(failures) },
  ];
}
