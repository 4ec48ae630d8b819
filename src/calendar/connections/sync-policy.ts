/** When a connection is synced again, and when it counts as unhealthy or stale. */
import { ConnectorError } from "../connectors/types.js";

const DAY_MS = 86_400_000;
/** What a sync reads: from a day ago to sixty days ahead. */
export const SYNC_BEHIND_MS = DAY_MS;
export const SYNC_AHEAD_MS = 60 * DAY_MS;

/** Failed syncs in a row after which a connection that may recover by itself is unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 2;
/** The longest wait between attempts of a failing connection. */
export const MAX_BACKOFF_MS = 6 * 3_600_000;
/** An ICS feed answering "not modified" is still downloaded in full this often, so the synced horizon moves on. */
export const FULL_READ_EVERY_MS = 6 * 3_600_000;

/**
 * How long to wait after the `failures`-th failure in a row: a quick second look (one blip
 * should not alarm anyone), then the sync interval doubling up to MAX_BACKOFF_MS, with "equal
 * jitter" (half fixed, half random) so processes do not retry in step; never sooner than a
 * server's Retry-After.
 * @example backoffMs(1, 15 * 60_000, () => 1) // 120000
 * @example backoffMs(3, 15 * 60_000, () => 0) // 900000 (half of 30 minutes)
 */
export function backoffMs(
  failures: number,
  syncIntervalMs: number,
  random: () => number,
  retryAfterMs = 0,
): number {
  const quickLook = 2 * 60_000;
  const ceiling =
    failures <= 1
      ? quickLook
      : Math.max(quickLook, Math.min(MAX_BACKOFF_MS, syncIntervalMs * 2 ** (failures - 2)));
  return Math.max(retryAfterMs, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}

/**
 * Whether a failure can fix itself (a server down, a rate limit, a 401 that a proxy sent once):
 * those mark a connection unhealthy only when repeated. A missing calendar, an answer that is
 * not a calendar, or credentials Ally cannot open will not fix themselves.
 */
export function transient(error: unknown): boolean {
  return (
    error instanceof ConnectorError &&
    !error.permanent &&
    (error.code === "CALENDAR_UNREACHABLE" ||
      error.code === "CALENDAR_AUTH_FAILED" ||
      error.code === "CALENDAR_RATE_LIMITED")
  );
}

/** Whether a connection last synced at `lastSyncedAt` is out of date at `now`. */
export function isStale(lastSyncedAt: number | null, now: number, syncIntervalMs: number): boolean {
  return lastSyncedAt === null || now - lastSyncedAt > 2 * syncIntervalMs;
}

/** "3 hours", "1 day", "20 minutes". */
export function duration(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (ms >= 2 * DAY_MS) return unit(Math.floor(ms / DAY_MS), "day");
  if (ms >= 3_600_000) return unit(Math.floor(ms / 3_600_000), "hour");
  return unit(Math.max(1, Math.floor(ms / 60_000)), "minute");
}
