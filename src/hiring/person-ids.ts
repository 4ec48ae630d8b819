/**
 * Which candidate records one organisation keeps under an email address, by id: for the other
 * modules' parts of a person's access package (their bookings hang off the candidate's id).
 */
import { sql } from "kysely";
import { type AnyHandle, hiringDb } from "./db.js";

/** The ids of the organisation's candidates with this address (case-insensitive). */
export async function candidateIdsOf(
  handle: AnyHandle,
  organisationId: string,
  email: string,
): Promise<string[]> {
  const rows = await hiringDb(handle)
    .selectFrom("candidates")
    .select("id")
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.id);
}
