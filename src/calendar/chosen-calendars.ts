/**
 * `calendar_connections.calendars`: for a Google or Microsoft connection, each calendar of the
 * account, whether it counts as busy and whether it receives Ally's events (exactly one does).
 * CalDAV and ICS feed connections are one calendar each and keep null. Parsed with a schema.
 */
import { z } from "zod";
import { parseStoredJson } from "../store/stored-json.js";
import type { CalendarConnectionsTable } from "./tables.js";

export const chosenCalendarSchema = z.object({
  id: z.string(),
  /** For pages only; rows written before names were kept have none. */
  name: z.string().default(""),
  /** Its events count as busy time. */
  busy: z.boolean().default(false),
  /** Ally's events are written here; exactly one per connection. */
  receivesEvents: z.boolean().default(false),
});

/** One calendar of the account, as stored in `calendar_connections.calendars`. */
export type ChosenCalendar = z.infer<typeof chosenCalendarSchema>;

const chosenCalendarsSchema = z.array(chosenCalendarSchema);

/**
 * The row's calendars; none for a connection that is one calendar.
 * @throws StoredJsonError when the column holds something else.
 */
export function chosenCalendars(
  row: Pick<CalendarConnectionsTable, "id" | "calendars">,
): ChosenCalendar[] {
  if (row.calendars === null) return [];
  return parseStoredJson(
    chosenCalendarsSchema,
    row.calendars,
    `calendar_connections.calendars of ${row.id}`,
  );
}

/** The ids of the row's calendars that count as busy. */
export function busyCalendarIds(row: Pick<CalendarConnectionsTable, "id" | "calendars">): string[] {
  return chosenCalendars(row)
    .filter((calendar) => calendar.busy)
    .map((calendar) => calendar.id);
}
