/**
 * The data map's `testimonial` retention, enforced (the daily purge calls `purgeExpired`):
 * - the text goes at once when the person removes the testimonial or a member declines it (in
 *   that command's transaction: service.ts); what stays is the record of the steps (who, when,
 *   which version) with the name and address asked;
 * - that record is kept three calendar years (UTC) after the end when the person had consented,
 *   as proof of the consent and of its withdrawal, then deleted;
 * - thirty days after the end when they never consented (nothing to prove; the admins see the
 *   outcome for a while);
 * - an unanswered request (never consented, not ended) sixty days after its last change.
 * A published testimonial is kept until the person removes it or the organisation closes.
 */
import type { Temporal } from "temporal-polyfill";
import { cutoffMs, type PurgedRows } from "../privacy/retention-limits.js";
import { type AnyHandle, type TestimonialsDb, testimonialsDb } from "./db.js";
import { UNANSWERED_DAYS } from "./mail.js";

export const PROOF_YEARS = 3;
export const NEVER_CONSENTED_DAYS = 30;

/** The testimonials whose record has reached its limit at `now`. */
async function expiredIds(db: TestimonialsDb, now: Temporal.Instant): Promise<string[]> {
  const proofCutoff = cutoffMs(now, { years: PROOF_YEARS });
  const rows = await db
    .selectFrom("testimonials")
    .select("id")
    .where((eb) =>
      eb.or([
        eb.and([
          eb("ended_at", "is not", null),
          eb("consented_version", "is not", null),
          eb("ended_at", "<=", proofCutoff),
        ]),
        eb.and([
          eb("ended_at", "is not", null),
          eb("consented_version", "is", null),
          eb("ended_at", "<=", cutoffMs(now, { days: NEVER_CONSENTED_DAYS })),
        ]),
        eb.and([
          eb("ended_at", "is", null),
          eb("consented_version", "is", null),
          eb("updated_at", "<=", cutoffMs(now, { days: UNANSWERED_DAYS })),
        ]),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Deletes every testimonial record past its limit, with its steps and links.
 * @example await purgeExpired(db, Temporal.Now.instant())
 *   // [{ table: "testimonials", category: "testimonial", removed: 2 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = testimonialsDb(handle);
  const ids = await expiredIds(db, now);
  const counts = { testimonial_links: 0, testimonial_steps: 0, testimonials: 0 };
  // In slices, so a large backlog stays within every database's parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    for (const table of ["testimonial_links", "testimonial_steps"] as const) {
      const done = await db
        .deleteFrom(table)
        .where("testimonial_id", "in", slice)
        .executeTakeFirst();
      counts[table] += Number(done.numDeletedRows);
    }
    const done = await db.deleteFrom("testimonials").where("id", "in", slice).executeTakeFirst();
    counts.testimonials += Number(done.numDeletedRows);
  }
  return Object.entries(counts).map(([table, removed]) => ({
    table,
    category: "testimonial",
    removed,
  }));
}
