/**
 * Calendar sync health for the operator's metrics: how many connections are in each state, and
 * how long ago the stalest one last read its calendar. Counts only, no organisation or person.
 */
import { type AnyHandle, calendarDb } from "./db.js";

export interface SyncHealth {
  /** Connections per status (`healthy`, `unhealthy`, …). */
  byStatus: Record<string, number>;
  /** The oldest `last_synced_at` among connections that have synced once; null when none has. */
  oldestLastSyncedAt: number | null;
  /** Connections that have never synced. */
  neverSynced: number;
}

export async function syncHealth(handle: AnyHandle): Promise<SyncHealth> {
  const rows = await calendarDb(handle)
    .selectFrom("calendar_connections")
    .select((eb) => [
      "status",
      eb.fn.countAll<number | string>().as("connections"),
      eb.fn.min("last_synced_at").as("oldest"),
      eb.fn
        .sum<number | string | null>(
          eb.case().when("last_synced_at", "is", null).then(1).else(0).end(),
        )
        .as("never"),
    ])
    .groupBy("status")
    .execute();
  const byStatus: Record<string, number> = {};
  let oldest: number | null = null;
  let neverSynced = 0;
  for (const row of rows) {
    byStatus[row.status] = Number(row.connections);
    neverSynced += Number(row.never ?? 0);
    if (row.oldest !== null) oldest = Math.min(oldest ?? Number(row.oldest), Number(row.oldest));
  }
  return { byStatus, oldestLastSyncedAt: oldest, neverSynced };
}
