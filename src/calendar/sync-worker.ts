/**
 * Keeps materialised busy time fresh: every poll, claims each connection whose last attempt is
 * older than the sync interval (a lease, so several processes share the work without syncing a
 * connection twice) and syncs it. A connection that turns unhealthy emails its owner once
 * (connections.ts), until it recovers.
 */
import type { CalendarService } from "./connections.js";

export interface SyncWorkerDeps {
  calendars: CalendarService;
  pollMs: number;
  /** How long a claim lasts before another worker may take the connection over. */
  leaseMs?: number;
  log?: (line: string) => void;
}

export interface RunningSyncWorker {
  /** Syncs everything due now; resolves when nothing more is due. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

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
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const drain = async () => {
    while (!stopped && (await syncNext(deps))) {
      // keep going while connections are due
    }
  };
  const tick = () => {
    running = running
      .then(drain)
      .catch((error) => deps.log?.(`ally: calendar sync worker: ${(error as Error).message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, deps.pollMs);
      });
  };
  tick();
  return {
    drain: () => {
      running = running.then(drain);
      return running;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
