/**
 * Tables owned by the testimonials module: a testimonial an organisation asked a person for
 * (the person's current text, its version, the version they consented to), every step taken
 * on it (requested, viewed, written, edited, consented, published, declined, removed: when,
 * by whom, for which version), and the signed links sent to the person (only their hashes).
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";
import type { TestimonialStatus } from "./lifecycle.js";

export interface TestimonialsTable {
  /** `tml_…`. */
  id: string;
  organisation_id: string;
  /** Whom the organisation asked, as the admin typed it (the person chooses the name shown). */
  person_name: string;
  person_email: string;
  /** The member who asked. */
  requested_by: string;
  status: TestimonialStatus;
  /** The current text's version: 0 before the person writes; +1 on every change by anyone. */
  version: number;
  /** The version the person consented to publish; consent to an older version is stale. */
  consented_version: number | null;
  /** The current text; null before the person writes, and from removal or decline on. */
  quote: string | null;
  /** The name shown under the quote, as the person chose it. */
  display_name: string | null;
  /** Optional, as the person chose. */
  role: string | null;
  company: string | null;
  created_at: number;
  updated_at: number;
  /** Epoch ms of removal or decline (the end retention counts from); null while live. */
  ended_at: number | null;
}

export type RecordedStep =
  | "requested"
  | "link-sent"
  | "viewed"
  | "written"
  | "edited"
  | "consented"
  | "published"
  | "declined"
  | "removed";

export interface TestimonialStepsTable {
  id: Generated<number>;
  testimonial_id: string;
  organisation_id: string;
  kind: RecordedStep;
  /** person (through their signed link) or member (an admin of the organisation). */
  actor: "person" | "member";
  /** The member, when a member acted. */
  actor_user_id: string | null;
  /** The text version the step was about (consent and publication name the exact version). */
  version: number | null;
  at: number;
}

export interface TestimonialLinksTable {
  /** SHA-256 of the token in the person's email; the token itself is never stored. */
  token_hash: string;
  testimonial_id: string;
  organisation_id: string;
  created_at: number;
}

export interface TestimonialsTables {
  testimonials: TestimonialsTable;
  testimonial_steps: TestimonialStepsTable;
  testimonial_links: TestimonialLinksTable;
}

const ask = "ask a person for a testimonial and keep the proof of their consent";
const publish = "publish the testimonial the person consented to";

export const testimonialsDataMap: TableNotes<TestimonialsTables> = {
  testimonials: {
    id: notPersonal,
    organisation_id: notPersonal,
    person_name: personal("identity", ask, "testimonial"),
    person_email: personal("contact", ask, "testimonial"),
    requested_by: notPersonal,
    status: notPersonal,
    version: notPersonal,
    consented_version: notPersonal,
    quote: personal("published", publish, "testimonial"),
    display_name: personal("identity", publish, "testimonial"),
    role: personal("employment", publish, "testimonial"),
    company: personal("employment", publish, "testimonial"),
    created_at: notPersonal,
    updated_at: notPersonal,
    ended_at: notPersonal,
  },
  testimonial_steps: {
    id: notPersonal,
    testimonial_id: notPersonal,
    organisation_id: notPersonal,
    kind: notPersonal,
    actor: notPersonal,
    actor_user_id: notPersonal,
    version: notPersonal,
    at: notPersonal,
  },
  testimonial_links: {
    token_hash: personal(
      "credential",
      "let the person write, consent to and remove their testimonial without an account",
      "testimonial",
    ),
    testimonial_id: notPersonal,
    organisation_id: notPersonal,
    created_at: notPersonal,
  },
};
