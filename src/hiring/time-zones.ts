/** A member's time zone, for modules that read their calendars. */
import { type AnyHandle, hiringDb } from "./db.js";
import { DEFAULT_TIME_ZONE } from "./profiles.js";

/** The zone of the member's saved profile; DEFAULT_TIME_ZONE (UTC) without one. */
export async function memberTimeZone(
  handle: AnyHandle,
  orgId: string,
  userId: string,
): Promise<string> {
  const db = hiringDb(handle);
  const row = await db
    .selectFrom("interviewer_profiles")
    .select("time_zone")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}
