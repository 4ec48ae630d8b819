/**
 * Google's incremental sync: while the chosen calendars are the same and the last full read
 * is recent (FULL_READ_EVERY_MS, so the synced horizon moves on), asks events.list for
 * what changed since each calendar's sync token and answers "unchanged" (saving the new
 * tokens) when nothing did, sparing the free/busy read. Otherwise takes fresh tokens first
 * and then reads free/busy, so a change between the two is seen next time. A 410 (token
 * expired) means a full read.
 */
import { z } from "zod";
import { parseStoredJson, StoredJsonError } from "../../store/stored-json.js";
import { busyCalendarIds } from "../chosen-calendars.js";
import { FULL_READ_EVERY_MS } from "../connections/sync-policy.js";
import type { GoogleCalendar } from "../connectors/google.js";
import { ConnectorError, type EpochMsInterval } from "../connectors/types.js";
import { type AnyHandle, calendarDb } from "../db.js";
import type { CalendarConnectionsTable } from "../tables.js";

/**
 * What `sync_state` holds for a Google connection: the events.list sync token of each busy
 * calendar, for the set of calendars they were taken for, and when busy time was last read in
 * full. Not secret (a sync token is useless without an access token).
 */
const googleSyncStateSchema = z.object({
  google: z.object({
    calendars: z.array(z.string()),
    tokens: z.record(z.string(), z.string()),
    fullReadAt: z.number(),
  }),
});
type GoogleSyncState = z.infer<typeof googleSyncStateSchema>;

/** The kept tokens; none (a full read, which rewrites them) when unreadable: it is a cache. */
function googleSyncState(row: CalendarConnectionsTable): GoogleSyncState["google"] | undefined {
  if (row.sync_state === null) return undefined;
  try {
    return parseStoredJson(
      googleSyncStateSchema,
      row.sync_state,
      `calendar_connections.sync_state of ${row.id}`,
    ).google;
  } catch (error) {
    if (error instanceof StoredJsonError) return undefined;
    throw error;
  }
}

/** "unchanged" when every busy calendar's sync token says nothing changed (tokens saved). */
async function unchangedSince(
  handle: AnyHandle,
  row: CalendarConnectionsTable,
  source: GoogleCalendar,
  ids: string[],
  state: GoogleSyncState["google"],
): Promise<"unchanged" | undefined> {
  const db = calendarDb(handle);
  const tokens: Record<string, string> = {};
  for (const id of ids) {
    const answer = await source.listChanges(id, { syncToken: state.tokens[id] as string });
    if (answer.kind === "full-resync-needed" || answer.events.length > 0) return undefined;
    tokens[id] = answer.nextSyncToken;
  }
  const next: GoogleSyncState = { google: { ...state, tokens } };
  await db
    .updateTable("calendar_connections")
    .set({ sync_state: JSON.stringify(next) })
    .where("id", "=", row.id)
    .where("organisation_id", "=", row.organisation_id)
    .execute();
  return "unchanged";
}

export async function readGoogleIfChanged(
  handle: AnyHandle,
  row: CalendarConnectionsTable,
  source: GoogleCalendar,
  range: EpochMsInterval,
  now: number,
): Promise<{ busy: EpochMsInterval[]; syncState: string } | "unchanged"> {
  const db = calendarDb(handle);
  const ids = busyCalendarIds(row);
  const state = googleSyncState(row);
  const sameCalendars =
    state !== undefined &&
    state.calendars.length === ids.length &&
    ids.every((id) => state.calendars.includes(id) && typeof state.tokens[id] === "string");
  if (state !== undefined && sameCalendars && now - state.fullReadAt < FULL_READ_EVERY_MS) {
    if ((await unchangedSince(db, row, source, ids, state)) === "unchanged") return "unchanged";
  }
  const tokens: Record<string, string> = {};
  for (const id of ids) {
    try {
      const answer = await source.listChanges(id, {
        fullSyncFromEpochMs: range.startEpochMs,
        pageSize: 2500,
      });
      if (answer.kind === "changes") tokens[id] = answer.nextSyncToken;
    } catch (error) {
      // Without a token this calendar is simply read in full next time too; free/busy
      // below still decides whether the read succeeds.
      if (!(error instanceof ConnectorError)) throw error;
      if (error.code !== "CALENDAR_NOT_FOUND" && error.code !== "CALENDAR_INVALID") throw error;
    }
  }
  const read = await source.busy(range);
  const next: GoogleSyncState = { google: { calendars: ids, tokens, fullReadAt: now } };
  return { busy: read.busy, syncState: JSON.stringify(next) };
}
