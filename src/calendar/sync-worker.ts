/**
 * Keeps materialised busy time fresh: every poll, claims each connection whose last attempt is
 * older than the sync interval, or whose retry time has come, and syncs it. Connections are a
 * periodic lease queue (jobs/lease-queue.ts): SKIP LOCKED on PostgreSQL, so several processes
 * share the work without syncing a connection twice; a worker that dies mid-sync loses its
 * lease. The queue only claims: backoff, Retry-After and health stay the calendar's rules
 * (`syncConnection` sets `next_attempt_at`, and a connection that turns unhealthy emails its
 * owner once, until it recovers). A connection is never a dead letter.
 */
import { sql } from "kysely";
import type { Clock } from "../clock.js";
import { type QueueSpec, runNext, startQueueWorker } from "../jobs/lease-queue.js";
import { type RunningWorker, startPolling } from "../jobs/polling.js";
import type { CalendarService } from "./connections.js";
import type { AnyHandle } from "./db.js";

export interface SyncWorkerDeps {
  calendars: CalendarService;
  pollMs: number;
  /** How long a claim lasts before another worker may take the connection over. */
  leaseMs?: number;
  /**
   * The database, clock and sync interval (config.calendar.syncMinutes) for the queue's claim.
   * Without them the calendar service's own claim (`claimDue`) is used.
   */
  queue?: { db: AnyHandle; clock: Clock; syncIntervalMs: number };
  log?: (line: string) => void;
}

export type RunningSyncWorker = RunningWorker;

const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * Connections as a periodic lease queue: due when their retry time has come, or, with none set,
 * when they were last tried a sync interval ago (or never).
 */
export function connectionSyncQueue(syncIntervalMs: number): QueueSpec<string, void> {
  return {
    name: "calendar-sync",
    table: "calendar_connections",
    mode: "periodic",
    due: (now) => sql`next_attempt_at <= ${now} or (next_attempt_at is null and
      (last_attempt_at is null or last_attempt_at <= ${now - syncIntervalMs}))`,
    order: sql`last_attempt_at, id`,
    parse: (row) => String(row.id),
    backoffMs: () => 0,
  };
}

/** Claims and syncs one due connection; false when none was due. */
export async function syncNext(deps: SyncWorkerDeps): Promise<boolean> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  if (deps.queue !== undefined) {
    const outcome = await runNext(
      connectionSyncQueue(deps.queue.syncIntervalMs),
      (id) => deps.calendars.syncConnection(id).then(() => undefined),
      { ...deps.queue, leaseMs, maxAttempts: 1, ...(deps.log ? { log: deps.log } : {}) },
    );
    return outcome !== "idle";
  }
  const id = await deps.calendars.claimDue(leaseMs);
  if (id === undefined) return false;
  if (id === "") return true; // another worker won; look again
  await deps.calendars.syncConnection(id);
  return true;
}

export function startSyncWorker(deps: SyncWorkerDeps): RunningSyncWorker {
  if (deps.queue !== undefined) {
    return startQueueWorker(
      connectionSyncQueue(deps.queue.syncIntervalMs),
      (id) => deps.calendars.syncConnection(id).then(() => undefined),
      {
        ...deps.queue,
        leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
        maxAttempts: 1,
        pollMs: deps.pollMs,
        ...(deps.log ? { log: deps.log } : {}),
      },
    );
  }
  return startClaimDueWorker(deps);
}

/** The worker over the calendar service's own claim. */
function startClaimDueWorker(deps: SyncWorkerDeps): RunningSyncWorker {
  return startPolling(() => syncNext(deps), {
    pollMs: deps.pollMs,
    name: "calendar sync worker",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
