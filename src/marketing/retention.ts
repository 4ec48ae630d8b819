/**
 * How long the marketing tables keep what they hold (the data map's values):
 * - "marketing": a subscription until the person unsubscribes (suppression.ts deletes it then);
 *   an unconfirmed double opt-in only as long as its confirmation link works (seven days);
 * - "usage-13m": deliveries and opens, thirteen calendar months (UTC) after they happened;
 * - "suppression": kept as long as the opt-out must be honoured, so never purged here.
 * A row is purged at its limit exactly, not one millisecond before.
 */
import type { Temporal } from "temporal-polyfill";
import { cutoffMs, type PurgedRows } from "../privacy/retention-limits.js";
import { type AnyHandle, marketingDb } from "./db.js";
import { CONFIRM_TTL_MS } from "./lists.js";

/** `now` minus thirteen calendar months, in UTC, as epoch ms. */
export function thirteenMonthsBefore(now: Temporal.Instant): number {
  return cutoffMs(now, { months: 13 });
}

export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = marketingDb(handle);
  const nowMs = now.epochMilliseconds;
  const usageBefore = thirteenMonthsBefore(now);
  // A pending request made at t is purged at t + 7 days: its link expired then.
  const pending = await db
    .deleteFrom("marketing_subscribers")
    .where("confirmed_at", "is", null)
    .where("created_at", "<=", nowMs - CONFIRM_TTL_MS)
    .executeTakeFirst();
  const opens = await db
    .deleteFrom("marketing_opens")
    .where("opened_hour", "<=", usageBefore)
    .executeTakeFirst();
  const deliveries = await db
    .deleteFrom("marketing_deliveries")
    .where("created_at", "<=", usageBefore)
    .where("status", "!=", "pending")
    .executeTakeFirst();
  return [
    {
      table: "marketing_subscribers",
      category: "marketing",
      removed: Number(pending.numDeletedRows),
    },
    { table: "marketing_opens", category: "usage-13m", removed: Number(opens.numDeletedRows) },
    {
      table: "marketing_deliveries",
      category: "usage-13m",
      removed: Number(deliveries.numDeletedRows),
    },
  ];
}
