/**
 * Which candidate records one organisation keeps under an email address, by id: for the other
 * modules' parts of a person's access package (their bookings hang off the candidate's id).
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../store/schema.js";

/** The ids of the organisation's candidates with this address (case-insensitive). */
export async function candidateIdsOf(
  db: Kysely<Database> | Transaction<Database>,
  organisationId: string,
  email: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("candidates")
    .select("id")
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.id);
}
