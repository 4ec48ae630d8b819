/**
 * Fixed-window rate limits kept in the database, so every process shares them.
 */
import type { AccountsDb } from "./db.js";

export interface RateRule {
  windowMs: number;
  max: number;
}

export const SIGN_IN_RATE: RateRule = { windowMs: 15 * 60_000, max: 10 };
export const RESET_RATE: RateRule = { windowMs: 60 * 60_000, max: 5 };
/** Password checks to turn off two-step sign-in, per account. */
export const SECOND_FACTOR_OFF_RATE: RateRule = { windowMs: 15 * 60_000, max: 5 };

/** Counts one attempt under `key`; false when the limit for the window is already used. */
export async function takeRate(
  db: AccountsDb,
  key: string,
  rule: RateRule,
  now: number,
): Promise<boolean> {
  const windowStart = now - (now % rule.windowMs);
  await db
    .insertInto("rate_limits")
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(["key", "window_start"])
        .doUpdateSet((eb) => ({ count: eb("rate_limits.count", "+", 1) })),
    )
    .execute();
  const row = await db
    .selectFrom("rate_limits")
    .select("count")
    .where("key", "=", key)
    .where("window_start", "=", windowStart)
    .executeTakeFirst();
  return (row?.count ?? 0) <= rule.max;
}
