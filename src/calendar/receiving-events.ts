/**
 * "Can receive Ally's events", decided once. A connection can when Ally can write to it: a
 * CalDAV collection, or a Google or Microsoft account with one of its calendars chosen to
 * receive events. An ICS feed is read-only and never can. Health does not matter here: a
 * write to a calendar that is failing is retried (event-writes.ts), and its owner is told.
 *
 * Of a person's connections, the one that receives a new event is the first Google or
 * Microsoft connection with a receiving calendar, else the first CalDAV connection (oldest
 * first). Other modules ask `writableCalendars` instead of reading `calendar_connections`.
 */
import { StoredJsonError } from "../store/stored-json.js";
import { chosenCalendars } from "./chosen-calendars.js";
import { type AnyHandle, calendarDb } from "./db.js";
import type { CalendarConnectionsTable, CalendarProvider } from "./tables.js";

type RowFacts = Pick<CalendarConnectionsTable, "id" | "provider" | "calendars">;

const isOAuth = (provider: CalendarProvider) => provider === "google" || provider === "microsoft";

/**
 * The id of the calendar chosen to receive Ally's events; undefined when none is, or when the
 * stored list cannot be read (the sync reports that one as broken; no event is written to it).
 */
export function receivingCalendarId(
  row: Pick<CalendarConnectionsTable, "calendars"> & Partial<Pick<CalendarConnectionsTable, "id">>,
): string | undefined {
  try {
    return chosenCalendars({ id: row.id ?? "?", calendars: row.calendars }).find(
      (calendar) => calendar.receivesEvents,
    )?.id;
  } catch (error) {
    if (error instanceof StoredJsonError) return undefined;
    throw error;
  }
}

/** Whether Ally can write its events to this connection. */
export function canReceiveEvents(row: RowFacts): boolean {
  if (row.provider === "caldav") return true;
  return isOAuth(row.provider) && receivingCalendarId(row) !== undefined;
}

/** Of one person's connections, oldest first, the one that receives new events. */
export function receivingConnection<R extends RowFacts>(rows: readonly R[]): R | undefined {
  return (
    rows.find((row) => isOAuth(row.provider) && canReceiveEvents(row)) ??
    rows.find((row) => row.provider === "caldav")
  );
}

/** Where a person's events go. */
export interface WritableCalendar {
  connectionId: string;
  provider: CalendarProvider;
  label: string;
}

/**
 * For each of `userIds` who can receive Ally's events in the organisation, the connection that
 * receives them; the others are absent.
 */
export async function writableCalendars(
  handle: AnyHandle,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, WritableCalendar>> {
  const db = calendarDb(handle);
  const ids = [...new Set(userIds)];
  const writable = new Map<string, WritableCalendar>();
  if (ids.length === 0) return writable;
  const rows = await connectionsOf(db, orgId, ids);
  for (const userId of ids) {
    const chosen = receivingConnection(rows.filter((row) => row.user_id === userId));
    if (chosen !== undefined) {
      writable.set(userId, {
        connectionId: chosen.id,
        provider: chosen.provider,
        label: chosen.label,
      });
    }
  }
  return writable;
}

/** The whole row of the person's connection that receives new events; undefined when none. */
export async function receivingConnectionOf(
  handle: AnyHandle,
  orgId: string,
  userId: string,
): Promise<CalendarConnectionsTable | undefined> {
  const db = calendarDb(handle);
  return receivingConnection(await connectionsOf(db, orgId, [userId]));
}

function connectionsOf(handle: AnyHandle, orgId: string, userIds: string[]) {
  const db = calendarDb(handle);
  return db
    .selectFrom("calendar_connections")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("user_id", "in", userIds)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}
