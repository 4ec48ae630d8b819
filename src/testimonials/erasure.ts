/**
 * The testimonials module's part of an erasure (privacy/erasure.ts): every testimonial asked of
 * the person (by their email, in the organisation in scope or everywhere) is deleted with its
 * steps and links. Nothing is kept: the tombstone keeps them from being asked again. The names
 * they were asked under join the subject, so other modules find them in free text.
 */
import { sql } from "kysely";
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  type SubjectFacts,
} from "../privacy/erasure-subject.js";
import { type AnyHandle, testimonialsDb } from "./db.js";

async function idsOf(handle: AnyHandle, subject: ErasureSubject) {
  if (subject.emails.length === 0) return [];
  let query = testimonialsDb(handle)
    .selectFrom("testimonials")
    .select(["id", "person_name"])
    .where(sql<string>`lower(person_email)`, "in", subject.emails);
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  return query.execute();
}

async function identify(handle: AnyHandle, subject: ErasureSubject): Promise<SubjectFacts> {
  return { names: (await idsOf(handle, subject)).map((r) => r.person_name) };
}

async function erase(handle: AnyHandle, subject: ErasureSubject) {
  const trx = testimonialsDb(handle);
  const ids = (await idsOf(trx, subject)).map((r) => r.id);
  if (ids.length === 0) {
    return {
      tables: {
        testimonial_links: { deleted: 0, anonymised: 0 },
        testimonial_steps: { deleted: 0, anonymised: 0 },
        testimonials: { deleted: 0, anonymised: 0 },
      },
    };
  }
  const links = affected(
    await trx.deleteFrom("testimonial_links").where("testimonial_id", "in", ids).executeTakeFirst(),
  );
  const steps = affected(
    await trx.deleteFrom("testimonial_steps").where("testimonial_id", "in", ids).executeTakeFirst(),
  );
  const rows = affected(
    await trx.deleteFrom("testimonials").where("id", "in", ids).executeTakeFirst(),
  );
  return {
    tables: {
      testimonial_links: { deleted: links, anonymised: 0 },
      testimonial_steps: { deleted: steps, anonymised: 0 },
      testimonials: { deleted: rows, anonymised: 0 },
    },
  };
}

/** The testimonials module's erasure step. */
export const testimonialsErasure: ModuleErasure = { module: "testimonials", identify, erase };
