/**
 * One read of a connection's busy time over the sync range, or "unchanged" when the provider
 * says nothing changed: an ICS feed answering 304 to the validators kept in `sync_state`
 * (while its last full read is recent enough), or Google's incremental sync.
 */
import { z } from "zod";
import { parseStoredJson, StoredJsonError } from "../../store/stored-json.js";
import type { Connector } from "../connector-for.js";
import { IcsFeedSource } from "../connectors/ics-feed.js";
import type { EpochMsInterval } from "../connectors/types.js";
import type { CalendarConnectionsTable } from "../tables.js";
import type { CalendarContext } from "./context.js";
import { FULL_READ_EVERY_MS, SYNC_AHEAD_MS, SYNC_BEHIND_MS } from "./sync-policy.js";

export interface Read {
  busy: EpochMsInterval[];
  /** What to keep for the next conditional read (sync_state). */
  syncState: string | null;
}

/** What `sync_state` holds for an ICS feed. */
const feedSyncStateSchema = z.object({
  etag: z.string().nullish(),
  lastModified: z.string().nullish(),
  /** When the feed was last downloaded in full. */
  fullReadAt: z.number().optional(),
});
type FeedSyncState = z.infer<typeof feedSyncStateSchema>;

/** The feed's validators; none (a full read, which rewrites them) when unreadable: it is a cache. */
function feedSyncState(row: Pick<CalendarConnectionsTable, "id">, text: string | null) {
  if (text === null) return {};
  try {
    return parseStoredJson(
      feedSyncStateSchema,
      text,
      `calendar_connections.sync_state of ${row.id}`,
    );
  } catch (error) {
    if (error instanceof StoredJsonError) return {};
    throw error;
  }
}

export async function readCalendar(
  context: CalendarContext,
  connector: Connector,
  row: CalendarConnectionsTable,
  zone: string,
  now: number,
): Promise<Read | "unchanged"> {
  const range = { startEpochMs: now - SYNC_BEHIND_MS, endEpochMs: now + SYNC_AHEAD_MS };
  const source = connector.source();
  // Google: free/busy only when events.list says something changed (google-incremental.ts).
  const incremental = await context.deps.oauth?.readIfChanged(row, source, range, now);
  if (incremental !== undefined) return incremental;
  if (!(source instanceof IcsFeedSource)) {
    return { busy: (await source.busy(range, { zone })).busy, syncState: row.sync_state };
  }
  const state = feedSyncState(row, row.sync_state);
  const recent = state.fullReadAt !== undefined && now - state.fullReadAt < FULL_READ_EVERY_MS;
  const validators = recent
    ? { etag: state.etag ?? null, lastModified: state.lastModified ?? null }
    : { etag: null, lastModified: null };
  const answer = await source.busyIfChanged(range, { zone }, validators);
  if (!answer.changed) return "unchanged";
  const next: FeedSyncState = { ...answer.validators, fullReadAt: now };
  return { busy: answer.read.busy, syncState: JSON.stringify(next) };
}
