/**
 * What the hiring module holds about one person, by email address, for the privacy module's
 * requests (who is the controller; what goes into an access export). Across organisations on
 * purpose: only privacy requests, verified by the person, call these.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../store/schema.js";

type Handle = Kysely<Database> | Transaction<Database>;

/** The organisations that hold candidate records with this address (case-insensitive). */
export async function organisationsWithCandidate(db: Handle, email: string): Promise<string[]> {
  const rows = await db
    .selectFrom("candidates")
    .select("organisation_id")
    .distinct()
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.organisation_id);
}
