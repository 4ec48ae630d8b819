/**
 * Keeps materialised busy time fresh: every poll, claims each connection whose last attempt is
 * older than the sync interval (a lease, so several processes share the work without syncing a
 * connection twice) and syncs it. A connection that turns unhealthy emails its owner once
 * (connections.ts), until it recovers.
 */
import { type RunningWorker, startPolling } from "../jobs/polling.js";
import type { CalendarService } from "./connections.js";

export interface SyncWorkerDeps {
  calendars: CalendarService;
  pollMs: number;
  /** How long a claim lasts before another worker may take the connection over. */
  leaseMs?: number;
  log?: (line: string) => void;
}

export type RunningSyncWorker = RunningWorker;

const DEFAULT_LEASE_MS = 5 * 60_000;

/** Claims and syncs one due connection; false when none was due. */
export async function syncNext(deps: SyncWorkerDeps): Promise<boolean> {
  const id = await deps.calendars.claimDue(deps.leaseMs ?? DEFAULT_LEASE_MS);
  if (id === undefined) return false;
  if (id === "") return true; // another worker won; look again
  await deps.calendars.syncConnection(id);
  return true;
}

export function startSyncWorker(deps: SyncWorkerDeps): RunningSyncWorker {
  return startPolling(() => syncNext(deps), {
    pollMs: deps.pollMs,
    name: "calendar sync worker",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
