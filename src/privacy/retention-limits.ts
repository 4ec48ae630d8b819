/**
 * How long each kind of data is kept, as numbers, and the shape every module's purge returns.
 * The data map (data-map.ts) names a retention per personal column; the limits here say when a
 * row of that retention is past it. A row is removed when its limit is reached: at `t + limit`,
 * not one millisecond before.
 *
 * Years and months are calendar spans in UTC (two years after 29 Feb 2024 is 28 Feb 2026).
 */
import { Temporal } from "temporal-polyfill";
import type { AnyHandle } from "../store/handle.js";

/** What one module's purge removed from one table for one retention category. */
export interface PurgedRows {
  table: string;
  category: string;
  removed: number;
}

/**
 * A module's purge (`src/<module>/retention.ts`, `purgeExpired`): removes its own rows past
 * their limit at `now`, and says per table and category how many (a zero count too, so the
 * registry sees which categories it covers).
 */
export type ModulePurge = (handle: AnyHandle, now: Temporal.Instant) => Promise<PurgedRows[]>;

export interface RetentionSpan {
  years?: number;
  months?: number;
  days?: number;
}

/** The fixed limits (the operator's; an organisation's own are in the retention module). */
export const RETENTION_LIMITS = {
  "audit-2y": { years: 2 },
  "rate-limit-1d": { days: 1 },
  "mail-90d": { days: 90 },
  "request-3y": { years: 3 },
  /** A finished background job (scheduled job, calendar event write), after it finished. */
  finished: { days: 30 },
  /** Work a queue gave up on (a dead letter), after it was set aside. */
  "dead-letter": { days: 90 },
} satisfies Record<string, RetentionSpan>;

/** Closed interview requests' candidates, unless the organisation sets its own (months). */
export const DEFAULT_CLOSED_REQUESTS_MONTHS = 24;

/**
 * The last instant (epoch ms) a row's clock can show and be past `span` at `now`: rows with a
 * time `<=` this are due. @example cutoffMs(Temporal.Instant.from("2026-12-01T00:00Z"), { days: 1 })
 *   // Date.UTC(2026, 10, 30)
 */
export function cutoffMs(now: Temporal.Instant, span: RetentionSpan): number {
  return now.toZonedDateTimeISO("UTC").subtract(span).epochMilliseconds;
}

/** `Temporal.Instant` from epoch ms (the clock's unit). */
export function instantOf(epochMsValue: number): Temporal.Instant {
  return Temporal.Instant.fromEpochMilliseconds(epochMsValue);
}

/** Rows removed, from a Kysely delete result. */
export function removedRows(result: { numDeletedRows?: bigint }): number {
  return Number(result.numDeletedRows ?? 0n);
}
