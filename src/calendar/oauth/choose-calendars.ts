/**
 * Which of a Google or Microsoft account's calendars count as busy, and which one receives
 * Ally's events (exactly one). Its owner chooses; `members:manage` may look (connection-access.ts).
 */
import type { Actor } from "../../accounts/service.js";
import { invalid } from "../../errors.js";
import { type ChosenCalendar, chosenCalendars } from "../chosen-calendars.js";
import { connectionFor } from "../connections/rows.js";
import { type AnyHandle, calendarDb } from "../db.js";
import type { CalendarConnectionsTable } from "../tables.js";
import { isOAuthProvider } from "./providers.js";

export interface CalendarChoices {
  connectionId: string;
  provider: string;
  label: string;
  account: string | null;
  calendars: ChosenCalendar[];
}

export interface ChooseInput {
  /** Ids of the calendars that count as busy. */
  busy: string[];
  /** Id of the calendar that receives Ally's events. */
  receivesEvents: string;
}

function choicesOf(row: CalendarConnectionsTable): CalendarChoices {
  return {
    connectionId: row.id,
    provider: row.provider,
    label: row.label,
    account: row.account,
    calendars: chosenCalendars(row),
  };
}

/** The connection's calendars and what each is used for (its owner, or `members:manage`). */
export async function calendarChoices(
  handle: AnyHandle,
  actor: Actor,
  id: string,
): Promise<CalendarChoices> {
  const db = calendarDb(handle);
  return choicesOf(await connectionFor(db, actor, id, "view"));
}

/** The choice, checked against the account's calendars. */
function chosen(calendars: ChosenCalendar[], input: ChooseInput): ChosenCalendar[] {
  const known = new Set(calendars.map((calendar) => calendar.id));
  const busy = new Set(input.busy);
  if ([...busy].some((calendarId) => !known.has(calendarId))) {
    throw invalid("busy", "choose among the calendars listed; one of them is not this account's");
  }
  if (input.receivesEvents === "") {
    throw invalid("receivesEvents", "choose the calendar that receives Ally's events");
  }
  if (!known.has(input.receivesEvents)) {
    throw invalid("receivesEvents", "choose one of the calendars listed to receive Ally's events");
  }
  return calendars.map((calendar) => ({
    ...calendar,
    busy: busy.has(calendar.id),
    receivesEvents: calendar.id === input.receivesEvents,
  }));
}

/**
 * Saves which calendars count as busy and which one receives Ally's events (exactly one),
 * then syncs, so busy time reflects the choice at once.
 */
export async function chooseCalendars(
  deps: { db: AnyHandle; syncConnection: (id: string) => Promise<unknown> },
  actor: Actor,
  id: string,
  input: ChooseInput,
): Promise<CalendarChoices> {
  const row = await connectionFor(deps.db, actor, id, "change");
  const calendars = chosenCalendars(row);
  if (!isOAuthProvider(row.provider) || calendars.length === 0) {
    throw invalid("busy", "this connection is a single calendar: there is nothing to choose");
  }
  const calendarsJson = JSON.stringify(chosen(calendars, input));
  await calendarDb(deps.db)
    .updateTable("calendar_connections")
    .set({ calendars: calendarsJson })
    .where("organisation_id", "=", actor.orgId)
    .where("id", "=", id)
    .execute();
  await deps.syncConnection(id);
  return choicesOf({ ...row, calendars: calendarsJson });
}
