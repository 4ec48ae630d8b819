/**
 * How long the consent module keeps its rows (the data map's `usage-13m` and `consent-proof`):
 *
 * - a page view goes thirteen months (calendar months, UTC) after the visit;
 * - a consent record is proof of a choice: kept while it is the person's choice, and three years
 *   (calendar years, UTC) after it stopped being so: replaced by a newer choice (a withdrawal is
 *   one) or lapsed at the end of its `CONSENT_LIFETIME_DAYS`, whichever came first.
 *
 * A row goes when its limit is reached (the limit itself included), not one millisecond before.
 * The daily purge job calls `purgeExpired`.
 */
import type { Temporal } from "temporal-polyfill";
import { cutoffMs, type PurgedRows } from "../privacy/retention-limits.js";
import { type AnyHandle, consentDb } from "./db.js";
import { CONSENT_LIFETIME_MS } from "./notice.js";

export const PAGE_VIEW_MONTHS = 13;
export const CONSENT_PROOF_YEARS = 3;

/**
 * Removes page views and consent records past their limit.
 * @example await purgeExpired(db, Temporal.Instant.from("2026-12-01T03:00:00Z"))
 *   // [{ table: "page_views", category: "usage-13m", removed: 12 }, { table: "consent_records", category: "consent-proof", removed: 1 }]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = consentDb(handle);
  const viewsBefore = cutoffMs(now, { months: PAGE_VIEW_MONTHS });
  const views = await db
    .deleteFrom("page_views")
    .where("visited_at", "<=", viewsBefore)
    .executeTakeFirst();
  const proofBefore = cutoffMs(now, { years: CONSENT_PROOF_YEARS });
  const records = await db
    .deleteFrom("consent_records")
    .where((eb) =>
      eb.or([
        eb("replaced_at", "<=", proofBefore),
        eb("recorded_at", "<=", proofBefore - CONSENT_LIFETIME_MS),
      ]),
    )
    .executeTakeFirst();
  return [
    { table: "page_views", category: "usage-13m", removed: Number(views.numDeletedRows) },
    {
      table: "consent_records",
      category: "consent-proof",
      removed: Number(records.numDeletedRows),
    },
  ];
}
