/**
 * The testimonials module's database handle, typed to its own tables: a query on another
 * module's table does not compile. Functions take the shared `AnyHandle` and narrow it; mail
 * goes through the outbox's `enqueueMail` with the same handle.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { TestimonialsTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the testimonials tables and no other. */
export type TestimonialsDb = Kysely<TestimonialsTables>;

/** The same connection or transaction, typed to the testimonials tables (the one cast). */
export function testimonialsDb(handle: AnyHandle): TestimonialsDb {
  return handle as unknown as TestimonialsDb;
}
