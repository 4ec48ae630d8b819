/**
 * The testimonials module's part of erasing a closed organisation (accounts/org-closure.ts):
 * its testimonials with their steps and links, deleted in the closing's transaction; off the
 * home page with them. Returns rows deleted per table, never what they held.
 */
import type { OrgId } from "../ids.js";
import type { AnyHandle } from "../store/handle.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { testimonialsDb } from "./db.js";

/** Children before the testimonials they belong to. */
const TABLES = ["testimonial_links", "testimonial_steps", "testimonials"] as const;

/**
 * Deletes the organisation's testimonial rows.
 * @example await eraseTestimonialsOfOrganisation(trx, orgId) // { tables: { testimonials: 2, … } }
 */
export async function eraseTestimonialsOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  return { tables: await deleteOrganisationRows(testimonialsDb(handle), TABLES, orgId) };
}
