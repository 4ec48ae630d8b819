/** A member's time zone, for modules that read their calendars. */
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.js";
import { DEFAULT_TIME_ZONE } from "./profiles.js";

/** The zone of the member's saved profile; DEFAULT_TIME_ZONE (UTC) without one. */
export async function memberTimeZone(
  db: Kysely<Database>,
  orgId: string,
  userId: string,
): Promise<string> {
  const row = await db
    .selectFrom("interviewer_profiles")
    .select("time_zone")
    .where("organisation_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}
