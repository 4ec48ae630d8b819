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

/** The candidate records one organisation keeps with this address, as the person sees them. */
export async function candidateRecords(
  db: Handle,
  organisationId: string,
  email: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await db
    .selectFrom("candidates")
    .select(["name", "email", "phone", "time_zone", "notes", "created_at", "updated_at"])
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => ({
    name: r.name,
    email: r.email,
    phone: r.phone,
    timeZone: r.time_zone,
    notes: r.notes,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  }));
}
