/**
 * The booking module's part of an erasure (privacy/erasure.ts). Interview requests and
 * bookings stay with the customer (the candidate record itself becomes "a candidate", in
 * hiring); what they say about the person goes: the request's notes, the person's name, email
 * and phone in any request or timeline entry (request_events.detail), their answers to
 * invitations, their own calendar feed and their booking links.
 */
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  mentions,
  needlesOf,
  redactedColumns,
  type SubjectFacts,
  type TableErasure,
} from "../privacy/erasure-subject.js";
import { heldAddresses } from "../privacy/held-addresses.js";
import { type AnyHandle, bookingDb } from "./db.js";

async function identify(handle: AnyHandle, subject: ErasureSubject): Promise<SubjectFacts> {
  const trx = bookingDb(handle);
  if (subject.candidateIds.length === 0) return {};
  const requests = await trx
    .selectFrom("interview_requests")
    .select("id")
    .where("candidate_id", "in", subject.candidateIds)
    .execute();
  const requestIds = requests.map((r) => r.id);
  if (requestIds.length === 0) return {};
  const bookings = await trx
    .selectFrom("bookings")
    .select("ical_uid")
    .where("request_id", "in", requestIds)
    .execute();
  return { requestIds, bookingUids: bookings.map((b) => b.ical_uid) };
}

const REQUEST_TEXT = ["notes", "location", "video_link", "offered_options", "sessions"] as const;

async function eraseRequests(handle: AnyHandle, subject: ErasureSubject): Promise<TableErasure> {
  const trx = bookingDb(handle);
  const needles = needlesOf(subject);
  let anonymised = 0;
  if (subject.requestIds.length > 0) {
    anonymised += affected(
      await trx
        .updateTable("interview_requests")
        .set({ notes: null })
        .where("id", "in", subject.requestIds)
        .where("notes", "is not", null)
        .executeTakeFirst(),
    );
  }
  let query = trx
    .selectFrom("interview_requests")
    .select(["id", ...REQUEST_TEXT])
    .where((eb) => mentions(eb, REQUEST_TEXT, needles));
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  for (const row of await query.execute()) {
    const changes = redactedColumns(row, REQUEST_TEXT, needles);
    if (changes === undefined) continue;
    await trx.updateTable("interview_requests").set(changes).where("id", "=", row.id).execute();
    anonymised += 1;
  }
  return { deleted: 0, anonymised };
}

async function eraseTimeline(handle: AnyHandle, subject: ErasureSubject): Promise<TableErasure> {
  const trx = bookingDb(handle);
  const needles = needlesOf(subject);
  let query = trx
    .selectFrom("request_events")
    .select(["id", "detail"])
    .where((eb) => mentions(eb, ["detail"], needles));
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  let anonymised = 0;
  for (const row of await query.execute()) {
    const changes = redactedColumns(row, ["detail"], needles);
    if (changes === undefined) continue;
    await trx.updateTable("request_events").set(changes).where("id", "=", row.id).execute();
    anonymised += 1;
  }
  return { deleted: 0, anonymised };
}

async function erase(handle: AnyHandle, subject: ErasureSubject) {
  const trx = bookingDb(handle);
  const tables: Record<string, TableErasure> = {
    interview_requests: await eraseRequests(trx, subject),
    request_events: await eraseTimeline(trx, subject),
  };
  let answers = trx
    .deleteFrom("attendee_responses")
    .where((eb) =>
      eb.or([
        eb("attendee_email", "in", subject.emails),
        ...(subject.userIds.length > 0 ? [eb("user_id", "in", subject.userIds)] : []),
      ]),
    );
  if (subject.orgId !== null) answers = answers.where("organisation_id", "=", subject.orgId);
  tables.attendee_responses = {
    deleted: affected(await answers.executeTakeFirst()),
    anonymised: 0,
  };
  let feeds = 0;
  let links = 0;
  if (subject.requestIds.length > 0) {
    feeds = affected(
      await trx
        .deleteFrom("candidate_calendars")
        .where("request_id", "in", subject.requestIds)
        .executeTakeFirst(),
    );
    links = affected(
      await trx
        .deleteFrom("booking_links")
        .where("request_id", "in", subject.requestIds)
        .executeTakeFirst(),
    );
  }
  tables.candidate_calendars = { deleted: feeds, anonymised: 0 };
  tables.booking_links = { deleted: links, anonymised: 0 };
  return { tables };
}

/** The booking module's erasure step. */
export const bookingErasure: ModuleErasure = { module: "booking", identify, erase };

/** The addresses the booking module keeps, for finding erased people again after a restore. */
export const bookingAddresses = heldAddresses(bookingDb, {
  attendee_responses: ["attendee_email"],
});
