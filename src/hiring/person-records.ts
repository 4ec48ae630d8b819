/**
 * What the hiring module holds about one person, by email address, for the privacy module's
 * requests (who is the controller; what goes into an access export). Across organisations on
 * purpose: only privacy requests, verified by the person, call these.
 */
import { sql } from "kysely";
import { type AnyHandle, hiringDb } from "./db.js";

/** The organisations that hold candidate records with this address (case-insensitive). */
export async function organisationsWithCandidate(
  handle: AnyHandle,
  email: string,
): Promise<string[]> {
  const db = hiringDb(handle);
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
  handle: AnyHandle,
  organisationId: string,
  email: string,
): Promise<Array<Record<string, unknown>>> {
  const db = hiringDb(handle);
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
