/**
 * What a booking change does outside the booking tables, inside the change's transaction (so it
 * happens exactly when the change commits):
 *
 * - one calendar event per session, UID `sessionUid(booking uid, index of the session in the
 *   request, host)`, SEQUENCE the booking's: written to each interviewer's connected calendar
 *   (event-writes.ts), with a plain note by email so they are always told (interviewer-notice.ts),
 *   or, for an interviewer without one, sent as an iMIP invitation; the
 *   candidate always gets the iMIP invitation (REQUEST; CANCEL when cancelled), in their zone,
 *   with the booking page's reschedule and cancel link when one is given;
 * - interviewers taken off a session by a reschedule get a CANCEL (or their event removed);
 * - each attendee's copy names as ORGANIZER that attendee's own reply address (reply-address.ts),
 *   so the calendar answer comes back to an address only that attendee's invitation carries;
 * - reminders before the interview (scheduled jobs, keyed by booking, so a reschedule moves
 *   them and a cancellation removes them).
 */
import { Temporal } from "temporal-polyfill";
import { organisationName, userContact } from "../accounts/reads.js";
import { enqueueEventWrite } from "../calendar/event-writes.js";
import { type Attendee, type InterviewEvent, type Person, sessionUid } from "../calendar/imip.js";
import { enqueueInvitations, formatWhen } from "../calendar/invitation-mail.js";
import { writableCalendars } from "../calendar/receiving-events.js";
import type { Clock } from "../clock.js";
import { candidateFacts, jobFacts, schedulingFacts } from "../hiring/scheduling-facts.js";
import { mintOrgId, type OrgId } from "../ids.js";
import { cancelJobs, type Job, type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import type { BookingChange, BookingEffects } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { interviewerNotice } from "./interviewer-notice.js";
import { interviewerProfiles } from "./interviewers.js";

export interface EffectsDeps {
  clock: Clock;
  /** The sender, e.g. `Ally <ally@acme.example>`: the organiser of the events, so replies come back. */
  mailFrom: string;
  /**
   * The ORGANIZER address written into the copy of a booking's events sent to one attendee
   * (reply-address.ts). Unset: the sender's address, for every attendee.
   */
  replyAddress?: (binding: {
    organisationId: string;
    bookingUid: string;
    attendeeEmail: string;
  }) => string;
  /** Ally's address; its host names the events' UIDs. */
  publicUrl: string;
  /** When reminders go out, in minutes before the first session (default 24 hours and 1 hour). */
  reminderMinutesBefore?: readonly number[];
  /**
   * The candidate's page for this request (reschedule, cancel), when the caller can give one;
   * called inside the transaction.
   */
  candidateLink?: (trx: AnyHandle, orgId: string, requestId: string) => Promise<string | undefined>;
  /** Ends the candidate's links when the interview is cancelled, in the same transaction. */
  revokeLinks?: (trx: AnyHandle, orgId: string, requestId: string) => Promise<unknown>;
}

export const DEFAULT_REMINDER_MINUTES = [24 * 60, 60] as const;
export const REMINDER_JOB = "interview-reminder";
export const COMPLETE_JOB = "interview-completed";

type Session = BookingChange["sessions"][number];

interface PersonRow {
  id: string;
  name: string;
  email: string;
  zone: string;
}

/** The address inside `Name <address>`, or the text itself. */
export function addressOf(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

/**
 * Each booked session's index in the request's session list: the k-th session named X (in
 * time) is the k-th request session named X, so a UID follows its session across reschedules
 * even when an "any order" loop changes order.
 */
export function sessionIndexes(
  requestSessionNames: readonly string[],
  sessions: readonly Session[],
): number[] {
  const used = new Set<number>();
  return sessions.map((session) => {
    const index = requestSessionNames.findIndex((name, i) => name === session.name && !used.has(i));
    const chosen = index === -1 ? requestSessionNames.length + used.size : index;
    used.add(chosen);
    return chosen;
  });
}

const epoch = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;

export function createBookingEffects(deps: EffectsDeps): BookingEffects {
  const organizerEmail = addressOf(deps.mailFrom);
  const host = new URL(deps.publicUrl).hostname;
  const reminders = deps.reminderMinutesBefore ?? DEFAULT_REMINDER_MINUTES;

  return async (trx, change) => {
    const orgId = mintOrgId(await orgOf(trx, change));
    const now = deps.clock.now();
    const facts = await factsOf(trx, orgId, change);
    const link =
      change.kind === "cancelled"
        ? undefined
        : await deps.candidateLink?.(trx, orgId, change.request.id);
    if (change.kind === "cancelled") await deps.revokeLinks?.(trx, orgId, change.request.id);
    /** The organiser as `attendeeEmail`'s copy names it: their reply address. */
    const organizerFor = (attendeeEmail: string): Person => ({
      email:
        deps.replyAddress?.({
          organisationId: orgId,
          bookingUid: change.booking.uid,
          attendeeEmail,
        }) ?? organizerEmail,
      name: `${facts.organisation} via Ally`,
    });
    const run: EffectRun = {
      trx,
      orgId,
      now,
      change,
      facts,
      mailFrom: deps.mailFrom,
      zones: zonesOf(facts),
      eventFor: eventBuilder(change, facts, { host, link, organizerFor }),
    };
    const names = change.request.sessions.map((s) => s.name);
    const indexes = sessionIndexes(names, change.sessions);
    const previous = change.previousSessions ?? [];
    const previousIndexes = sessionIndexes(names, previous);
    for (const [position, session] of change.sessions.entries()) {
      const index = indexes[position] ?? position;
      const before = previous[previousIndexes.indexOf(index)];
      await tellSessionAttendees(run, session, index, before);
      await removeDroppedInterviewers(run, session, index, before);
    }
    await scheduleFollowUps(trx, orgId, change, now, reminders);
  };
}

/** One booking change being applied, and what each of its steps needs. */
interface EffectRun {
  trx: AnyHandle;
  orgId: OrgId;
  now: number;
  change: BookingChange;
  facts: Facts;
  mailFrom: string;
  /** Each attendee's zone, by lower-case address: invitations show times in it. */
  zones: Record<string, string>;
  /** The event of `session` (its `index` in the request) as `reader` sees it. */
  eventFor: (
    session: Session,
    index: number,
    reader: string,
    forCandidate?: boolean,
  ) => InterviewEvent;
}

function zonesOf(facts: Facts): Record<string, string> {
  const zones: Record<string, string> = {
    [facts.candidate.email.toLowerCase()]: facts.candidate.zone,
  };
  for (const p of facts.people.values()) zones[p.email.toLowerCase()] = p.zone;
  return zones;
}

/**
 * The event as an attendee sees it. The candidate's copy carries their link to reschedule
 * or cancel; the interviewers' copies (emails and calendars) never do, as the link acts for
 * the candidate.
 */
function eventBuilder(
  change: BookingChange,
  facts: Facts,
  options: {
    host: string;
    link: string | undefined;
    organizerFor: (attendeeEmail: string) => Person;
  },
): EffectRun["eventFor"] {
  const { host, link, organizerFor } = options;
  const where = change.request.location ?? change.request.videoLink ?? undefined;
  return (session, index, reader, forCandidate = false) => {
    const interviewers = session.interviewerIds
      .map((id) => facts.people.get(id))
      .filter((p): p is PersonRow => p !== undefined);
    const attendees: Attendee[] = [
      { email: facts.candidate.email, name: facts.candidate.name },
      ...interviewers.map((p) => ({ email: p.email, name: p.name })),
    ];
    const description = [
      `${session.name} for ${facts.job} with ${facts.candidate.name}.`,
      `Interviewers: ${interviewers.map((p) => p.name).join(", ") || "to be confirmed"}.`,
      ...(change.request.videoLink ? [`Video link: ${change.request.videoLink}`] : []),
      ...(forCandidate && link ? [`To reschedule or cancel: ${link}`] : []),
    ].join("\n");
    return {
      uid: sessionUid(change.booking.uid, index, host),
      sequence: change.booking.sequence,
      time: { startEpochMs: epoch(session.startsAt), endEpochMs: epoch(session.endsAt) },
      summary: `${session.name}: ${facts.job} interview with ${facts.candidate.name}`,
      description,
      ...(where === undefined ? {} : { location: where }),
      ...(forCandidate && link !== undefined ? { url: link } : {}),
      organizer: organizerFor(reader),
      attendees,
    };
  };
}

/**
 * Tells everyone on a session of the change: interviewers with a writable calendar get the
 * event written there and a plain note by email; the others, and the candidate, an iMIP
 * invitation (a CANCEL when the booking is cancelled).
 */
async function tellSessionAttendees(
  run: EffectRun,
  session: Session,
  index: number,
  before: Session | undefined,
): Promise<void> {
  const { trx, orgId, now, change, facts } = run;
  const cancelled = change.kind === "cancelled";
  const previousTime =
    before === undefined || change.kind !== "rescheduled"
      ? undefined
      : { startEpochMs: epoch(before.startsAt), endEpochMs: epoch(before.endsAt) };
  // Interviewers whose calendars Ally cannot write to get the invitation by email.
  const byMail = new Set<string>();
  for (const id of session.interviewerIds) {
    const person = facts.people.get(id);
    if (person === undefined) continue;
    if (facts.writable.has(id)) {
      await writeToCalendar(run, session, index, person, previousTime);
    } else {
      byMail.add(person.email.toLowerCase());
    }
  }
  // One message per recipient: each copy names that recipient's own reply address.
  const invite = async (invited: InterviewEvent, recipient: string) => {
    await enqueueInvitations(
      trx,
      {
        organisationId: orgId,
        method: cancelled ? "CANCEL" : "REQUEST",
        event: invited,
        dtstampEpochMs: now,
        zones: run.zones,
        recipients: [recipient],
        ...(previousTime === undefined ? {} : { previousTime }),
      },
      now,
      run.mailFrom,
    );
  };
  const candidateEmail = facts.candidate.email.toLowerCase();
  await invite(run.eventFor(session, index, candidateEmail, true), candidateEmail);
  for (const email of byMail) await invite(run.eventFor(session, index, email), email);
}

/** Writes the session to an interviewer's calendar and tells them by email, in their zone. */
async function writeToCalendar(
  run: EffectRun,
  session: Session,
  index: number,
  person: PersonRow,
  previousTime: { startEpochMs: number; endEpochMs: number } | undefined,
): Promise<void> {
  const { trx, orgId, now, change, facts } = run;
  await enqueueEventWrite(
    trx,
    {
      organisationId: orgId,
      userId: person.id,
      action: change.kind === "cancelled" ? "cancel" : "upsert",
      event: run.eventFor(session, index, person.email),
      dtstampEpochMs: now,
    },
    now,
  );
  // Their calendar has it; they are still told, in their zone.
  await enqueueMail(
    trx,
    interviewerNotice({
      organisationId: orgId,
      kind: change.kind,
      to: { email: person.email, name: person.name, zone: person.zone },
      candidateName: facts.candidate.name,
      job: facts.job,
      sessionName: session.name,
      time: { startEpochMs: epoch(session.startsAt), endEpochMs: epoch(session.endsAt) },
      ...(previousTime === undefined ? {} : { previousTime }),
      videoLink: change.request.videoLink,
    }),
    now,
    run.mailFrom,
  );
}

/** Interviewers on a session before a reschedule but not now: their event goes. */
async function removeDroppedInterviewers(
  run: EffectRun,
  session: Session,
  index: number,
  before: Session | undefined,
): Promise<void> {
  const { trx, orgId, now, change, facts } = run;
  const gone = (before?.interviewerIds ?? []).filter((id) => !session.interviewerIds.includes(id));
  for (const id of gone) {
    const person = facts.people.get(id);
    if (person === undefined || before === undefined) continue;
    const old = { ...run.eventFor(before, index, person.email), sequence: change.booking.sequence };
    if (facts.writable.has(id)) {
      await enqueueEventWrite(
        trx,
        {
          organisationId: orgId,
          userId: id,
          action: "cancel",
          event: old,
          dtstampEpochMs: now,
        },
        now,
      );
    } else {
      await enqueueInvitations(
        trx,
        {
          organisationId: orgId,
          method: "CANCEL",
          event: old,
          dtstampEpochMs: now,
          zones: run.zones,
          recipients: [person.email.toLowerCase()],
        },
        now,
        run.mailFrom,
      );
    }
  }
}

/**
 * Reminders, and marking the request completed once the interview is over: moved with the
 * interview, removed with it.
 */
async function scheduleFollowUps(
  trx: AnyHandle,
  orgId: string,
  change: BookingChange,
  now: number,
  reminders: readonly number[],
): Promise<void> {
  const cancelled = change.kind === "cancelled";
  const prefix = `${REMINDER_JOB}:${change.booking.id}:`;
  const completion = `${COMPLETE_JOB}:${change.booking.id}`;
  // A reminder whose new time has passed must not go out at its old one.
  await cancelJobs(trx, prefix);
  if (cancelled) {
    await cancelJobs(trx, completion);
    return;
  }
  const last = Math.max(...change.sessions.map((s) => epoch(s.endsAt)));
  await scheduleJob(
    trx,
    {
      organisationId: orgId,
      kind: COMPLETE_JOB,
      key: completion,
      runAt: last,
      payload: { bookingId: change.booking.id },
    },
    now,
  );
  const first = Math.min(...change.sessions.map((s) => epoch(s.startsAt)));
  for (const minutes of reminders) {
    const runAt = first - minutes * 60_000;
    if (runAt <= now) continue;
    await scheduleJob(
      trx,
      {
        organisationId: orgId,
        kind: REMINDER_JOB,
        key: `${prefix}${minutes}`,
        runAt,
        payload: { bookingId: change.booking.id, minutesBefore: minutes },
      },
      now,
    );
  }
}

async function orgOf(handle: AnyHandle, change: BookingChange): Promise<string> {
  const row = await bookingDb(handle)
    .selectFrom("bookings")
    .select("organisation_id")
    .where("id", "=", change.booking.id)
    .executeTakeFirstOrThrow();
  return row.organisation_id;
}

interface Facts {
  organisation: string;
  job: string;
  candidate: { name: string; email: string; zone: string };
  /** Interviewers of the change, before and after, by user id. */
  people: Map<string, PersonRow>;
  /** Interviewers with a calendar Ally writes events to. */
  writable: Set<string>;
}

async function factsOf(trx: AnyHandle, orgId: string, change: BookingChange): Promise<Facts> {
  const organisation = await organisationName(trx, orgId);
  if (organisation === undefined) throw new Error(`organisation ${orgId} not found`);
  const job = await jobFacts(trx, orgId, change.request.jobId);
  const candidate = await candidateFacts(trx, orgId, change.request.candidateId);
  if (candidate === undefined) throw new Error(`candidate ${change.request.candidateId} not found`);
  const ids = [
    ...new Set(
      [...change.sessions, ...(change.previousSessions ?? [])].flatMap((s) => s.interviewerIds),
    ),
  ];
  const people = new Map<string, PersonRow>();
  const writable = new Set<string>();
  if (ids.length > 0) {
    // Each interviewer is written to in the zone they are scheduled in (hiring's defaults).
    for (const [id, profile] of await interviewerProfiles(trx, orgId, ids)) {
      people.set(id, { id, name: profile.name, email: profile.email, zone: profile.timeZone });
    }
    for (const userId of (await writableCalendars(trx, orgId, ids)).keys()) writable.add(userId);
  }
  return {
    organisation,
    job: job?.title ?? "the job",
    candidate: {
      name: candidate.name,
      email: candidate.email,
      zone: candidate.timeZone ?? change.request.timeZone,
    },
    people,
    writable,
  };
}

/**
 * Sends a booking's reminder to the candidate and its interviewers, each in their own zone;
 * nothing when the booking was cancelled since (its job would have been removed, but a
 * reminder must never announce a cancelled interview).
 */
export function reminderHandler(deps: {
  db: AnyHandle;
  mailFrom: string;
  now: () => number;
}): JobHandler {
  return async (job: Job) => {
    const bookingId = String(job.payload.bookingId ?? "");
    const booking = await bookingDb(deps.db)
      .selectFrom("bookings")
      .innerJoin("interview_requests", "interview_requests.id", "bookings.request_id")
      .select([
        "bookings.id",
        "bookings.status",
        "bookings.organisation_id",
        "interview_requests.candidate_id",
        "interview_requests.job_id",
        "interview_requests.time_zone",
        "interview_requests.location",
        "interview_requests.video_link",
      ])
      .where("bookings.id", "=", bookingId)
      .executeTakeFirst();
    if (booking === undefined || booking.status !== "active") return;
    const orgId = mintOrgId(booking.organisation_id);
    const slots = await bookingDb(deps.db)
      .selectFrom("booked_slots")
      .select(["resource", "session_name", "starts_at", "ends_at"])
      .where("booking_id", "=", bookingId)
      .where("active", "=", 1)
      .orderBy("starts_at")
      .execute();
    if (slots.length === 0) return;
    const candidate = await candidateFacts(deps.db, orgId, booking.candidate_id);
    if (candidate === undefined) throw new Error(`candidate ${booking.candidate_id} not found`);
    const job_ = await jobFacts(deps.db, orgId, booking.job_id);
    const userIds = [...new Set(slots.map((s) => s.resource.replace(/^user:/, "")))];
    const zones = await schedulingFacts(deps.db, orgId, userIds);
    const interviewers: { id: string; name: string; email: string; zone: string }[] = [];
    for (const id of userIds) {
      // Someone who left the organisation since is still reminded of what they were booked for.
      const contact = await userContact(deps.db, id);
      const zone = zones.get(id)?.timeZone;
      if (contact !== undefined && zone !== undefined) interviewers.push({ ...contact, id, zone });
    }
    const title = job_?.title ?? "your interview";
    const where = booking.location ?? booking.video_link;
    const lines = (zone: string, onlyFor?: string) =>
      slots
        .filter((s) => onlyFor === undefined || s.resource === `user:${onlyFor}`)
        .map(
          (s) => `- ${s.session_name}: ${formatWhen(Number(s.starts_at), Number(s.ends_at), zone)}`,
        )
        .join("\n");
    const when = Number(job.payload.minutesBefore) >= 24 * 60 ? "tomorrow" : "soon";
    const recipients = [
      {
        email: candidate.email,
        name: candidate.name,
        text: lines(candidate.timeZone ?? booking.time_zone),
      },
      ...interviewers.map((p) => ({
        email: p.email,
        name: p.name,
        text: lines(p.zone, p.id),
      })),
    ];
    for (const r of recipients) {
      const text = `Hello ${r.name},\n\nA reminder: the ${title} interview is ${when}.\n\n${r.text}\n${where ? `\nWhere: ${where}\n` : ""}`;
      await enqueueMail(
        deps.db,
        {
          organisationId: orgId,
          kind: "interview-reminder",
          to: r.email,
          subject: `Reminder: ${title} interview ${when}`,
          text,
          html: `<p>${escapeHtml(`Hello ${r.name},`)}</p><p>${escapeHtml(`A reminder: the ${title} interview is ${when}.`)}</p><pre>${escapeHtml(r.text)}</pre>${where ? `<p>Where: ${escapeHtml(where)}</p>` : ""}`,
        },
        deps.now(),
        deps.mailFrom,
      );
    }
  };
}

/**
 * Marks a request completed once its booked interview has ended, with a timeline entry; a
 * booking that was cancelled or moved later (its job would have moved too) is left alone.
 */
export function completionHandler(deps: { db: AnyHandle; now: () => number }): JobHandler {
  return async (job: Job) => {
    const bookingId = String(job.payload.bookingId ?? "");
    await bookingDb(deps.db)
      .transaction()
      .execute(async (trx) => {
        const booking = await trx
          .selectFrom("bookings")
          .select(["id", "organisation_id", "request_id", "status"])
          .where("id", "=", bookingId)
          .executeTakeFirst();
        if (booking === undefined || booking.status !== "active") return;
        const last = await trx
          .selectFrom("booked_slots")
          .select((eb) => eb.fn.max("ends_at").as("ends_at"))
          .where("booking_id", "=", bookingId)
          .where("active", "=", 1)
          .executeTakeFirst();
        const now = deps.now();
        if (last?.ends_at == null || Number(last.ends_at) > now) return;
        const updated = await trx
          .updateTable("interview_requests")
          .set({ status: "completed", updated_at: now })
          .where("organisation_id", "=", booking.organisation_id)
          .where("id", "=", booking.request_id)
          .where("status", "=", "scheduled")
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await trx
          .insertInto("request_events")
          .values({
            organisation_id: booking.organisation_id,
            request_id: booking.request_id,
            at: now,
            actor_kind: "system",
            actor_id: null,
            kind: "completed",
            detail: JSON.stringify({ bookingId }),
            idempotency_key: null,
          })
          .execute();
      });
  };
}
