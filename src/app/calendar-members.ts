/**
 * What the calendar module learns about members, wired from their owners: names and
 * addresses from accounts, time zones from hiring. Calendar never reads their tables.
 */
import { memberContacts } from "../accounts/reads.js";
import type { CalendarMembers } from "../calendar/connections.js";
import { memberTimeZone } from "../hiring/time-zones.js";
import type { AnyHandle } from "../store/handle.js";

export function calendarMembers(db: AnyHandle): CalendarMembers {
  return {
    membersOf: (orgId, userIds) => memberContacts(db, orgId, userIds),
    timeZoneOf: (orgId, userId) => memberTimeZone(db, orgId, userId),
  };
}
