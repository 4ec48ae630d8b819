/**
 * The addresses the testimonials module keeps (the people asked), for finding erased people
 * again after a restore (privacy/reapply-erasures.ts).
 */
import { heldAddresses } from "../privacy/held-addresses.js";
import { testimonialsDb } from "./db.js";

export const testimonialsAddresses = heldAddresses(testimonialsDb, {
  testimonials: ["person_email"],
});
