/**
 * What the testimonials module holds about one person, by email address, for the privacy
 * module's requests: which organisations asked them (each the controller of its own), and, for
 * an access export, each testimonial with its text and every step. Across organisations on
 * purpose: only privacy requests, verified by the person, call these.
 */
import { sql } from "kysely";
import { type AnyHandle, testimonialsDb } from "./db.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The organisations that asked this address for a testimonial (case-insensitive). */
export async function organisationsWithTestimonial(
  handle: AnyHandle,
  email: string,
): Promise<string[]> {
  const rows = await testimonialsDb(handle)
    .selectFrom("testimonials")
    .select("organisation_id")
    .distinct()
    .where(sql<string>`lower(person_email)`, "=", email.trim().toLowerCase())
    .execute();
  return rows.map((r) => r.organisation_id);
}

/** The testimonials one organisation asked this address for, as the person sees them. */
export async function testimonialRecords(
  handle: AnyHandle,
  organisationId: string,
  email: string,
): Promise<Array<Record<string, unknown>>> {
  const db = testimonialsDb(handle);
  const rows = await db
    .selectFrom("testimonials")
    .selectAll()
    .where("organisation_id", "=", organisationId)
    .where(sql<string>`lower(person_email)`, "=", email.trim().toLowerCase())
    .orderBy("created_at")
    .execute();
  if (rows.length === 0) return [];
  const steps = await db
    .selectFrom("testimonial_steps")
    .select(["testimonial_id", "kind", "actor", "version", "at"])
    .where(
      "testimonial_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    askedAs: r.person_name,
    email: r.person_email,
    status: r.status,
    textVersion: r.version,
    consentedVersion: r.consented_version,
    quote: r.quote,
    displayName: r.display_name,
    role: r.role,
    company: r.company,
    requestedAt: iso(r.created_at),
    endedAt: iso(r.ended_at),
    steps: steps
      .filter((s) => s.testimonial_id === r.id)
      .map((s) => ({ step: s.kind, by: s.actor, version: s.version, at: iso(s.at) })),
  }));
}
