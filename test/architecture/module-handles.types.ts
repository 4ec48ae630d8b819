/**
 * Compile-time checks (run by `tsc`, not by vitest): each module's database handle reaches its
 * own tables and no other, and the handle modules pass to one another (`AnyHandle`) cannot be
 * queried until its owner narrows it. Each `@ts-expect-error` fails the type check if the line
 * below it ever compiles, i.e. if a handle were widened to the whole schema.
 */

import type { Kysely, Transaction } from "kysely";
import { type AssistantDb, assistantDb } from "../../src/assistant/db.js";
import { type BookingDb, bookingDb } from "../../src/booking/db.js";
import type { BookingEffects } from "../../src/booking/service.js";
import { type CalendarDb, calendarDb } from "../../src/calendar/db.js";
import { type HiringDb, hiringDb } from "../../src/hiring/db.js";
import { type JobsDb, jobsDb } from "../../src/jobs/db.js";
import { type MailDb, mailDb } from "../../src/mail/db.js";
import { type PrivacyDb, privacyDb } from "../../src/privacy/db.js";
import type { ErasureTrx } from "../../src/privacy/erasure-subject.js";
import type { Tx as PrivacyRequestTx } from "../../src/privacy/requests/deps.js";
import type { RetentionDb } from "../../src/retention/db.js";
import { type SecretsDb, secretsDb } from "../../src/secrets/db.js";
import type { AnyHandle } from "../../src/store/handle.js";
import type { Database } from "../../src/store/schema.js";
import { type TestimonialsDb, testimonialsDb } from "../../src/testimonials/db.js";

export function hiringReachesItsOwnTablesOnly(db: HiringDb) {
  return [
    db.selectFrom("candidates").select("name"),
    db.selectFrom("pools").innerJoin("pool_members", "pool_members.pool_id", "pools.id"),
    // @ts-expect-error accounts owns users: hiring asks accounts/reads.ts
    db.selectFrom("users").selectAll(),
    // @ts-expect-error booking owns interview_requests
    db.selectFrom("interview_requests").selectAll(),
  ];
}

export function hiringCannotJoinAnotherModulesTable(db: HiringDb) {
  const members = db.selectFrom("pool_members");
  // @ts-expect-error accounts owns memberships, even in a join
  return members.innerJoin("memberships", "memberships.user_id", "pool_members.user_id");
}

export function bookingReachesItsOwnTablesOnly(db: BookingDb) {
  return [
    db.selectFrom("interview_requests").select("status"),
    db.updateTable("booking_links").set({ revoked_at: 1 }),
    db.selectFrom("booked_slots").select("resource"),
    // @ts-expect-error hiring owns candidates: booking calls hiring/scheduling-facts.ts
    db.selectFrom("candidates").selectAll(),
    // @ts-expect-error calendar owns calendar_connections: booking calls calendar/receiving-events.ts
    db.selectFrom("calendar_connections").selectAll(),
    // @ts-expect-error mail owns the outbox: booking enqueues through mail/outbox.ts
    db.insertInto("outbox"),
    // @ts-expect-error jobs owns scheduled_jobs: booking schedules through jobs/scheduled-jobs.ts
    db.deleteFrom("scheduled_jobs"),
  ];
}

export function calendarReachesItsOwnTablesOnly(db: CalendarDb) {
  return [
    db.selectFrom("calendar_connections").select("provider"),
    db.deleteFrom("busy_blocks"),
    // @ts-expect-error booking owns bookings
    db.selectFrom("bookings").selectAll(),
    // @ts-expect-error hiring owns interviewer_profiles: calendar asks its `members` port
    db.selectFrom("interviewer_profiles").selectAll(),
    // @ts-expect-error secrets owns data_keys: calendar seals through the secret store
    db.selectFrom("data_keys").selectAll(),
  ];
}

export function mailReachesItsOwnTablesOnly(db: MailDb) {
  return [
    db.selectFrom("outbox").select("to_address"),
    db.selectFrom("inbound_mail").select("subject"),
    // @ts-expect-error privacy owns person_flags: mail asks privacy/restriction.ts
    db.selectFrom("person_flags").selectAll(),
    // @ts-expect-error booking owns attendee_responses
    db.insertInto("attendee_responses"),
  ];
}

export function jobsReachesItsOwnTablesOnly(db: JobsDb) {
  return [
    db.selectFrom("scheduled_jobs").select("kind"),
    // @ts-expect-error mail owns the outbox
    db.selectFrom("outbox").selectAll(),
    // @ts-expect-error booking owns bookings
    db.selectFrom("bookings").selectAll(),
  ];
}

export function privacyReachesItsOwnTablesOnly(db: PrivacyDb) {
  return [
    db.insertInto("audit_log"),
    db.selectFrom("erasure_tombstones").select("email_hash"),
    db.selectFrom("person_flags").select("flag"),
    // @ts-expect-error accounts owns users
    db.selectFrom("users").selectAll(),
    // @ts-expect-error hiring owns candidates
    db.selectFrom("candidates").selectAll(),
  ];
}

export function retentionReachesItsOwnTablesOnly(db: RetentionDb) {
  return [
    db.selectFrom("retention_runs").select("removed"),
    db.insertInto("retention_settings"),
    // @ts-expect-error accounts owns sessions: their purge is accounts/retention.ts
    db.deleteFrom("sessions"),
    // @ts-expect-error booking owns interview_requests: closed ones are read through booking/retention.ts
    db.selectFrom("interview_requests").selectAll(),
  ];
}

export function assistantReachesItsOwnTablesOnly(db: AssistantDb) {
  return [
    db.selectFrom("assistant_conversations").select("reply_address"),
    db.insertInto("assistant_messages"),
    // @ts-expect-error booking owns interview_requests: the assistant calls the booking service
    db.selectFrom("interview_requests").selectAll(),
    // @ts-expect-error mail owns the outbox: the assistant enqueues through mail/outbox.ts
    db.insertInto("outbox"),
    // @ts-expect-error jobs owns scheduled_jobs: follow-ups go through jobs/scheduled-jobs.ts
    db.selectFrom("scheduled_jobs").selectAll(),
  ];
}

export async function theErasureTransactionIsNarrowedByEachModule(trx: ErasureTrx) {
  // @ts-expect-error each module's erasure step narrows it to its own tables first
  await trx.deleteFrom("users").execute();
  return [
    privacyDb(trx).insertInto("erasure_proofs"),
    // @ts-expect-error narrowed to privacy, it does not reach accounts' tables
    privacyDb(trx).deleteFrom("users"),
  ];
}

export function privacyRequestsTransactionReachesPrivacyTablesOnly(tx: PrivacyRequestTx) {
  return [
    tx.selectFrom("privacy_requests").select("email"),
    // @ts-expect-error hiring owns candidates: holders come through hiring's functions
    tx.selectFrom("candidates").selectAll(),
    // @ts-expect-error mail owns the outbox: privacy mail goes through `sendMail`
    tx.insertInto("outbox"),
  ];
}

export function secretsReachesItsOwnTablesOnly(db: SecretsDb) {
  return [
    db.selectFrom("data_keys").select("scope"),
    // @ts-expect-error calendar owns calendar_connections
    db.selectFrom("calendar_connections").selectAll(),
    // @ts-expect-error accounts owns users, whose TOTP secrets the store seals
    db.updateTable("users"),
  ];
}

export async function theSharedHandleCannotBeQueriedAsItIs(handle: AnyHandle) {
  // @ts-expect-error a union of every module's handle: narrow it through its owner first
  await handle.selectFrom("candidates").selectAll().execute();
  // @ts-expect-error not even the owner's own table, without narrowing
  await handle.insertInto("outbox");
}

export function everyHandleCanBePassedOn(
  whole: Kysely<Database>,
  trx: Transaction<Database>,
  handles: [HiringDb, BookingDb, CalendarDb, MailDb, JobsDb, PrivacyDb, SecretsDb, AssistantDb],
): AnyHandle[] {
  return [whole, trx, ...handles];
}

export function narrowingGivesTheOwnersTablesOnly(handle: AnyHandle) {
  return [
    hiringDb(handle).selectFrom("jobs").select("title"),
    bookingDb(handle).selectFrom("bookings").select("ical_uid"),
    calendarDb(handle).selectFrom("busy_blocks").select("start_at"),
    mailDb(handle).selectFrom("outbox").select("subject"),
    jobsDb(handle).selectFrom("scheduled_jobs").select("key"),
    privacyDb(handle).selectFrom("audit_log").select("action"),
    secretsDb(handle).selectFrom("data_keys").select("generation"),
    assistantDb(handle).selectFrom("assistant_settings").select("address"),
    // @ts-expect-error narrowed to hiring, the handle no longer reaches booking's tables
    hiringDb(handle).selectFrom("bookings").selectAll(),
    // @ts-expect-error narrowed to booking, the handle no longer reaches accounts' tables
    bookingDb(handle).selectFrom("memberships").selectAll(),
  ];
}

export const effectsSeeTheTransactionNarrowed: BookingEffects = async (trx) => {
  await trx.selectFrom("bookings").select("sequence").execute();
  // @ts-expect-error booking's effects run on booking's handle: other modules are called
  await trx.selectFrom("calendar_event_writes").selectAll().execute();
};

export function testimonialsReachItsOwnTablesOnly(db: TestimonialsDb, handle: AnyHandle) {
  return [
    db.selectFrom("testimonials").select("quote"),
    testimonialsDb(handle).selectFrom("testimonial_steps").selectAll(),
    // @ts-expect-error accounts owns organisations: testimonials asks accounts/reads.ts
    db.selectFrom("organisations").selectAll(),
    // @ts-expect-error mail owns the outbox: testimonials calls enqueueMail
    db.selectFrom("outbox").selectAll(),
  ];
}
