/**
 * Calendar replies on every database: an attendee's Accept or Decline, as Google, Outlook and
 * Apple mail it (METHOD:REPLY), reaches the booking through the inbound mail worker (and the
 * real SMTP listener). The answer is stored and on the timeline. An interviewer who declines a
 * pool session more than 48 hours ahead is replaced by the least loaded pool member who is
 * free then (working hours, calendar, booked slots, limits), the candidate's time kept; when
 * nobody fits, when it is too late, or when the candidate declines, the recruiter is emailed.
 * Replies to an older SEQUENCE, from someone else's address or for an unknown UID change
 * nothing. A candidate's "none of these work" is emailed to the recruiter too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarReplyHandler, parseSessionUid } from "../../src/booking/replies.js";
import type { InterviewRequestInput } from "../../src/booking/schemas.js";
import {
  type BookingChange,
  type BookingService,
  createBookingService,
} from "../../src/booking/service.js";
import { sessionUid } from "../../src/calendar/imip.js";
import { handleNextInbound, storeInbound } from "../../src/mail/inbound.js";
import { createReplyAddresses, replyAddressKeys } from "../../src/mail/reply-address.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import type { SignedIn } from "../hiring/factories.js";
import { buildWorld, MASTER_KEY, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { appError, type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../fixtures/imip", name), "utf8");

/**
 * A reply as a calendar client sends it: the Google or Outlook fixture with this event's UID,
 * SEQUENCE, attendee and answer.
 */
function replyIcs(
  shape: "google" | "outlook" | "apple",
  reply: { uid: string; sequence: number; email: string; partstat: string },
): string {
  const text = fixture(`reply-${shape}.ics`)
    .replace(/UID:[^\r\n]+/, `UID:${reply.uid}`)
    .replace(/PARTSTAT=[A-Z-]+/, `PARTSTAT=${reply.partstat}`)
    .replace(/^SEQUENCE:\d+/m, `SEQUENCE:${reply.sequence}`)
    .replace(
      /X-MICROSOFT-CDO-APPT-SEQUENCE:\d+/,
      `X-MICROSOFT-CDO-APPT-SEQUENCE:${reply.sequence}`,
    );
  // The fixtures' attendee addresses, written as their clients write them (mixed case).
  return text.replace(
    /mailto:(Dana\.Scully@gmail\.com|Fox\.Mulder@contoso\.com|walter\.skinner@icloud\.com)/,
    () => {
      const [local, domain] = reply.email.split("@");
      return `mailto:${(local ?? "").toUpperCase()}@${domain}`;
    },
  );
}

/**
 * The raw message a calendar client sends, built by nodemailer as a real client would: to the
 * invitation's ORGANIZER (`to`).
 */
async function rawReply(
  from: string,
  subject: string,
  ics: string,
  to = "ally@ally.test",
  headers: Record<string, string> = {},
): Promise<Buffer> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
    from,
    to,
    headers,
    subject,
    text: subject,
    icalEvent: { method: "REPLY", content: ics },
  });
  return info.message as Buffer;
}

// Fri 4 Dec 2026 10:00–11:00 UTC: 68 hours after NOW (Tue 1 Dec 14:00 UTC).
const FRIDAY = { windowStart: "2026-12-04T10:00:00Z", windowEnd: "2026-12-04T11:00:00Z" };
// Wed 2 Dec 2026 10:00–11:00 UTC: 20 hours after NOW.
const WEDNESDAY = { windowStart: "2026-12-02T10:00:00Z", windowEnd: "2026-12-02T11:00:00Z" };

for (const database of await testDatabases()) {
  describe(`calendar replies on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let service: BookingService;
    const changes: BookingChange[] = [];

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      service = createBookingService({
        db: store.db,
        dialect: store.dialect,
        clock: world.clock,
        calendars: world.deps.calendars,
        mailFrom: "Ally <ally@ally.test>",
        effects: async (_trx, change) => {
          changes.push(change);
        },
      });
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const fresh = async (options?: Parameters<typeof buildBookingOrg>[3]) => {
      world.clock.set(NOW);
      return buildBookingOrg(world, store, feeds, options);
    };

    const replyAddresses = createReplyAddresses({
      keys: replyAddressKeys(singleKeyring(MASTER_KEY)),
      mailbox: "ally@ally.test",
    });
    /** Ally's MX, when one is configured, writes this authserv-id. */
    const AUTHSERV_ID = "mx.ally.test";
    const handlers = (requireDmarcPass = false) => [
      calendarReplyHandler({
        db: store.db,
        clock: world.clock,
        booking: service,
        replyAddresses,
        requireDmarcPass,
      }),
    ];

    /**
     * The ORGANIZER of `email`'s invitation to the session with this UID (what their calendar
     * client replies to); Ally's plain address for a UID that is not a booking's.
     */
    async function organizerFor(uid: string, email: string): Promise<string> {
      const target = parseSessionUid(uid);
      const booking =
        target === null
          ? undefined
          : await store.db
              .selectFrom("bookings")
              .select(["organisation_id", "ical_uid"])
              .where("ical_uid", "=", target.bookingUid)
              .executeTakeFirst();
      if (booking === undefined) return "ally@ally.test";
      return replyAddresses.addressFor({
        organisationId: booking.organisation_id,
        bookingUid: booking.ical_uid,
        attendeeEmail: email,
      });
    }

    /** Stores the message as the SMTP listener would and lets the inbound worker handle it. */
    async function deliver(
      raw: Buffer,
      envelopeFrom: string,
      rcptTo = "ally@ally.test",
      mx: { requireDmarcPass: boolean } = { requireDmarcPass: false },
    ): Promise<string | null> {
      const { messageId } = await storeInbound(
        store.db,
        raw,
        { mailFrom: envelopeFrom, rcptTo: [rcptTo] },
        world.clock.now(),
        { trustedAuthservId: AUTHSERV_ID },
      );
      while (
        await handleNextInbound({
          db: store.db,
          clock: world.clock,
          handlers: handlers(mx.requireDmarcPass),
        })
      ) {
        // drain
      }
      const row = await store.db
        .selectFrom("inbound_mail")
        .select(["outcome", "handled_at"])
        .where("message_id", "=", messageId)
        .executeTakeFirstOrThrow();
      expect(row.handled_at).not.toBeNull();
      return row.outcome;
    }

    async function answer(
      shape: "google" | "outlook" | "apple",
      reply: { uid: string; sequence: number; email: string; partstat: string },
      from = reply.email,
    ): Promise<string | null> {
      const to = await organizerFor(reply.uid, reply.email);
      return deliver(
        await rawReply(from, `${reply.partstat}: Interview`, replyIcs(shape, reply), to),
        from,
        to,
      );
    }

    /** `who` declines the first invitation (SEQUENCE 0) of `uid`, answering from `shape`. */
    const declines = (who: { email: string }, uid: string, shape: "google" | "outlook" | "apple") =>
      answer(shape, { uid, sequence: 0, email: who.email, partstat: "DECLINED" });

    /** A pool of Dana, Eli and Finn, and a request for one pool session booked with Dana. */
    async function bookedWithDana(
      org: BookingOrg,
      window: { windowStart: string; windowEnd: string },
      overrides: Partial<InterviewRequestInput> = {},
      growPool = true,
      via: BookingService = service,
    ) {
      // Dana alone at first, so the engine's one option for the hour is hers; then the pool
      // grows to three.
      const name = `Engineers ${Math.random()}`;
      const pool = await world.hiring.createPool(org.owner.actor, {
        name,
        memberIds: [org.dana.actor.userId],
      });
      const request = await via.createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [{ name: "Coding", durationMinutes: 60, poolId: pool.id, count: 1 }],
          ...window,
          ...overrides,
        }),
      );
      const { options } = await via.options(org.recruiter.actor, request.id);
      const withDana = options.find(
        (o) =>
          o.startsAt === new Date(window.windowStart).toISOString() &&
          o.sessions[0]?.interviewerIds.join() === org.dana.actor.userId,
      );
      if (withDana === undefined)
        throw new Error(`expected an option with Dana: ${JSON.stringify(options)}`);
      const booked = await via.book(org.recruiter.actor, request.id, {
        optionId: withDana.id,
        idempotencyKey: `book-${request.id}`,
      });
      if (growPool) {
        await world.hiring.updatePool(org.owner.actor, pool.id, {
          name,
          memberIds: [org.dana.actor.userId, org.eli.actor.userId, org.finn.actor.userId],
        });
      }
      return {
        request,
        booking: booked.booking,
        uid: sessionUid(booked.booking.icalUid, 0, "ally.test"),
      };
    }

    /** A request for `userId` alone: one hour-long session named `sessionName`, in `window`. */
    const requestFor = (
      org: BookingOrg,
      userId: string,
      sessionName: string,
      window: { windowStart: string; windowEnd: string },
    ) =>
      service.createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [{ name: sessionName, durationMinutes: 60, interviewerIds: [userId] }],
          ...window,
        }),
      );

    /** The request's first option; without one the test fails saying `expected`. */
    async function firstOption(org: BookingOrg, requestId: string, expected: string) {
      const [option] = (await service.options(org.recruiter.actor, requestId)).options;
      if (option === undefined) throw new Error(`expected ${expected}`);
      return option;
    }

    /** Books `userId` alone for an hour from `startsAt`, on another request. */
    async function bookAlone(org: BookingOrg, userId: string, startsAt: string) {
      const end = new Date(Date.parse(startsAt) + 3_600_000).toISOString();
      const request = await requestFor(org, userId, "Other", {
        windowStart: startsAt,
        windowEnd: end,
      });
      const option = await firstOption(org, request.id, `${userId} to be free at ${startsAt}`);
      await service.book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: `alone-${request.id}`,
      });
    }

    const activeSlots = async (bookingId: string) =>
      (
        await store.db
          .selectFrom("booked_slots")
          .select(["resource", "starts_at", "ends_at"])
          .where("booking_id", "=", bookingId)
          .where("active", "=", 1)
          .execute()
      ).map((s) => [s.resource, Number(s.starts_at), Number(s.ends_at)]);
    const sequenceOf = async (bookingId: string) =>
      (
        await store.db
          .selectFrom("bookings")
          .select("sequence")
          .where("id", "=", bookingId)
          .executeTakeFirstOrThrow()
      ).sequence;
    const responses = (bookingId: string) =>
      store.db
        .selectFrom("attendee_responses")
        .select(["session_index", "attendee_email", "user_id", "partstat", "sequence"])
        .where("booking_id", "=", bookingId)
        .orderBy("attendee_email")
        .execute();
    const timelineKinds = async (org: BookingOrg, requestId: string) =>
      (await service.timeline(org.recruiter.actor, requestId)).map((e) => e.kind);
    const mailTo = (email: string) =>
      store.db
        .selectFrom("outbox")
        .select(["kind", "subject", "text_body", "html_body"])
        .where("to_address", "=", email)
        .orderBy("id")
        .execute();
    const FRI_10 = Date.parse("2026-12-04T10:00:00Z");
    const FRI_11 = Date.parse("2026-12-04T11:00:00Z");

    it("stores an interviewer's acceptance and puts it on the timeline as theirs", async () => {
      const org = await fresh();
      const { request, booking, uid } = await bookedWithDana(org, FRIDAY);
      const outcome = await answer("google", {
        uid,
        sequence: 0,
        email: org.dana.email,
        partstat: "ACCEPTED",
      });
      expect(outcome).toBe(`recorded: Dana (${org.dana.email}) accepted Coding`);
      expect(await responses(booking.id)).toEqual([
        {
          session_index: 0,
          attendee_email: org.dana.email,
          user_id: org.dana.actor.userId,
          partstat: "ACCEPTED",
          sequence: 0,
        },
      ]);
      const last = (await service.timeline(org.recruiter.actor, request.id)).at(-1);
      expect(last).toMatchObject({
        kind: "attendee-replied",
        actor: { kind: "user", id: org.dana.actor.userId },
        detail: { session: "Coding", email: org.dana.email, partstat: "ACCEPTED" },
      });
      // A second answer from the same attendee replaces the first (Apple Calendar's shape).
      expect(
        await answer("apple", { uid, sequence: 0, email: org.dana.email, partstat: "TENTATIVE" }),
      ).toBe(`recorded: Dana (${org.dana.email}) tentatively accepted Coding`);
      expect((await responses(booking.id)).map((r) => r.partstat)).toEqual(["TENTATIVE"]);
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${org.dana.actor.userId}`, FRI_10, FRI_11],
      ]);
      // The recruiter sees the answer on the request page.
      expect(await service.answers(org.recruiter.actor, request.id)).toEqual([
        {
          sessionIndex: 0,
          email: org.dana.email,
          partstat: "TENTATIVE",
          current: true,
          at: new Date(world.clock.now()).toISOString(),
        },
      ]);
      const page = await createApp(world.deps).app.request(`/app/requests/${request.id}`, {
        headers: { cookie: `ally_session=${org.recruiter.sessionToken}` },
      });
      const html = await page.text();
      expect(html).toContain("<h2>Answers to the invitations</h2>");
      expect(html).toContain(`<td data-label="Attendee">${org.dana.email}</td>`);
      expect(html).toContain('<td data-label="Answer">Maybe</td>');
    });

    it("passes on mail that is not a calendar reply", async () => {
      const raw = await nodemailer
        .createTransport({ streamTransport: true, buffer: true })
        .sendMail({
          from: "sam@example.com",
          to: "ally@ally.test",
          subject: "Hi",
          text: "Monday?",
        });
      expect(await deliver(raw.message as Buffer, "sam@example.com")).toBe("no handler took it");
    });

    it("replaces an interviewer who declines two days ahead with the least loaded free pool member, keeping the candidate's time", async () => {
      const org = await fresh();
      // Of Eli and Finn, the one who comes first in Ally's order already has an interview that
      // week (Thursday), so the other, less loaded, must be chosen.
      const [busier, lighter] = [org.eli, org.finn].sort((x, y) =>
        x.actor.userId < y.actor.userId ? -1 : 1,
      ) as [SignedIn, SignedIn];
      await bookAlone(org, busier.actor.userId, "2026-12-03T10:00:00Z");
      const { request, booking, uid } = await bookedWithDana(org, FRIDAY);
      changes.length = 0;
      const outcome = await declines(org.dana, uid, "outlook");
      expect(outcome).toBe(
        `recorded: Dana (${org.dana.email}) declined Coding; replaced by ${lighter.name} (${lighter.actor.userId})`,
      );
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${lighter.actor.userId}`, FRI_10, FRI_11],
      ]);
      expect(await sequenceOf(booking.id)).toBe(1);
      expect(await responses(booking.id)).toMatchObject([
        { attendee_email: org.dana.email, partstat: "DECLINED", user_id: org.dana.actor.userId },
      ]);
      const slot = {
        name: "Coding",
        startsAt: "2026-12-04T10:00:00.000Z",
        endsAt: "2026-12-04T11:00:00.000Z",
      };
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        kind: "rescheduled",
        booking: { id: booking.id, uid: booking.icalUid, sequence: 1 },
        sessions: [{ ...slot, interviewerIds: [lighter.actor.userId] }],
        previousSessions: [{ ...slot, interviewerIds: [org.dana.actor.userId] }],
      });
      expect(await timelineKinds(org, request.id)).toEqual(
        expect.arrayContaining(["attendee-replied", "interviewer-replaced"]),
      );
      const last = (await service.timeline(org.recruiter.actor, request.id)).at(-1);
      expect(last).toMatchObject({
        kind: "interviewer-replaced",
        actor: { kind: "system", id: null },
        detail: { declined: org.dana.actor.userId, replacement: lighter.actor.userId },
      });
      // The newcomer's hour is taken now: another request for them then finds nothing and cannot book.
      const other = await requestFor(org, lighter.actor.userId, "Other", FRIDAY);
      expect((await service.options(org.recruiter.actor, other.id)).options).toEqual([]);
      // Dana's hour is free again.
      await bookAlone(org, org.dana.actor.userId, "2026-12-04T10:00:00Z");
      // Dana is off the session now: her change of mind is not taken.
      const late = await answer("google", {
        uid,
        sequence: 0,
        email: org.dana.email,
        partstat: "ACCEPTED",
      });
      expect(late).toBe(
        `calendar reply ignored: ${org.dana.email} is not an attendee of Coding (UID ${uid})`,
      );
      // The newcomer answers the new invitation (SEQUENCE 1).
      expect(
        await answer("google", { uid, sequence: 1, email: lighter.email, partstat: "ACCEPTED" }),
      ).toBe(`recorded: ${lighter.name} (${lighter.email}) accepted Coding`);
    });

    it("a replacement holds the newcomer's time: a booking from options shown before is refused", async () => {
      // Only Finn can stand in (Eli is busy on the calendar then).
      const withBusy = await fresh({
        busy: { eli: [["20261204T090000Z", "20261204T120000Z"]] },
      });
      const { uid } = await bookedWithDana(withBusy, FRIDAY);
      // A second request for Finn, its options computed before Dana declines.
      const second = await requestFor(withBusy, withBusy.finn.actor.userId, "Other", FRIDAY);
      const stale = await firstOption(withBusy, second.id, "Finn to be free before the decline");
      expect(await declines(withBusy.dana, uid, "outlook")).toContain(
        `replaced by Finn (${withBusy.finn.actor.userId})`,
      );
      const error = await appError(
        service.book(withBusy.recruiter.actor, second.id, {
          optionId: stale.id,
          idempotencyKey: `second-${second.id}`,
        }),
      );
      expect(error.code).toBe("SLOT_TAKEN");
    });

    it("emails the recruiter and changes nothing when nobody in the pool fits: a daily limit reached, a busy calendar", async () => {
      const org = await fresh({
        profiles: { eli: { perDayLimit: 1 } },
        busy: { finn: [["20261204T093000Z", "20261204T103000Z"]] },
      });
      // Eli's one interview that Friday is already booked (14:00).
      await bookAlone(org, org.eli.actor.userId, "2026-12-04T14:00:00Z");
      const { request, booking, uid } = await bookedWithDana(org, FRIDAY);
      changes.length = 0;
      const outcome = await declines(org.dana, uid, "outlook");
      expect(outcome).toBe(
        `recorded: Dana (${org.dana.email}) declined Coding; recruiter told (nobody else in the pool is free for Coding then)`,
      );
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${org.dana.actor.userId}`, FRI_10, FRI_11],
      ]);
      expect(await sequenceOf(booking.id)).toBe(0);
      expect(changes).toEqual([]);
      const mail = (await mailTo(org.recruiter.email)).filter(
        (m) => m.kind === "decline-needs-attention",
      );
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toMatch(/^Dana declined Coding with Candidate \d+$/);
      expect(mail[0]?.text_body).toContain("Dana declined Coding with Candidate");
      expect(mail[0]?.text_body).toContain("on 2026-12-04 10:00 UTC");
      expect(mail[0]?.text_body).toContain("nobody else in the pool is free for Coding then");
      expect(mail[0]?.text_body).toContain(request.id);
      expect(mail[0]?.html_body).toContain("<p>Hello Recruiter");
      // The interview can no longer stand as booked: the request waits for a new time.
      expect((await service.getRequest(org.recruiter.actor, request.id)).status).toBe(
        "rescheduling",
      );
      const last = (await service.timeline(org.recruiter.actor, request.id)).at(-1);
      expect(last).toMatchObject({
        kind: "decline-needs-attention",
        actor: { kind: "system" },
        detail: {
          reason: "nobody else in the pool is free for Coding then",
          recruiterEmailed: true,
        },
      });
    });

    it("emails the recruiter instead of replacing anyone when the decline comes within 48 hours", async () => {
      const org = await fresh();
      const { booking, uid } = await bookedWithDana(org, WEDNESDAY);
      changes.length = 0;
      const outcome = await declines(org.dana, uid, "outlook");
      expect(outcome).toBe(
        `recorded: Dana (${org.dana.email}) declined Coding; recruiter told (the session is less than 48 hours away)`,
      );
      expect(await activeSlots(booking.id)).toEqual([
        [
          `user:${org.dana.actor.userId}`,
          Date.parse(WEDNESDAY.windowStart),
          Date.parse(WEDNESDAY.windowEnd),
        ],
      ]);
      expect(await sequenceOf(booking.id)).toBe(0);
      expect(changes).toEqual([]);
      expect((await mailTo(org.recruiter.email)).map((m) => m.kind)).toContain(
        "decline-needs-attention",
      );
    });

    it("emails the recruiter when the candidate declines, and when a session has named interviewers", async () => {
      const org = await fresh();
      const { booking, uid } = await bookedWithDana(org, FRIDAY);
      const candidate = await world.hiring.getCandidate(org.owner.actor, org.candidateId);
      const byCandidate = await declines(candidate, uid, "google");
      expect(byCandidate).toMatch(/; recruiter told \(the candidate declined\)$/);
      expect(await responses(booking.id)).toMatchObject([
        { attendee_email: candidate.email, user_id: null, partstat: "DECLINED" },
      ]);
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${org.dana.actor.userId}`, FRI_10, FRI_11],
      ]);

      const named = await requestFor(org, org.eli.actor.userId, "Screen", FRIDAY);
      const option = await firstOption(org, named.id, "Eli to be free");
      const booked = await service.book(org.recruiter.actor, named.id, {
        optionId: option.id,
        idempotencyKey: `named-${named.id}`,
      });
      const outcome = await answer("outlook", {
        uid: sessionUid(booked.booking.icalUid, 0, "ally.example.com"),
        sequence: 0,
        email: org.eli.email,
        partstat: "DECLINED",
      });
      expect(outcome).toMatch(/recruiter told \(Screen has named interviewers, not a pool/);
      expect(await activeSlots(booked.booking.id)).toEqual([
        [`user:${org.eli.actor.userId}`, FRI_10, FRI_11],
      ]);
      expect(
        (await mailTo(org.recruiter.email)).filter((m) => m.kind === "decline-needs-attention"),
      ).toHaveLength(2);
    });

    it("ignores a reply to an older SEQUENCE than the booking's", async () => {
      const org = await fresh();
      const { request, booking, uid } = await bookedWithDana(
        org,
        FRIDAY,
        { windowEnd: "2026-12-04T12:00:00Z" },
        false,
      );
      const later = (await service.options(org.recruiter.actor, request.id)).options.find(
        (o) =>
          o.startsAt === "2026-12-04T11:00:00.000Z" &&
          o.sessions[0]?.interviewerIds.join() === org.dana.actor.userId,
      );
      if (later === undefined) throw new Error("expected a later option with Dana");
      await service.reschedule(org.recruiter.actor, request.id, {
        optionId: later.id,
        idempotencyKey: `move-${request.id}`,
      });
      const before = await timelineKinds(org, request.id);
      const outcome = await declines(org.dana, uid, "google");
      expect(outcome).toBe(
        "calendar reply ignored: it answers SEQUENCE 0, but the invitation is at 1",
      );
      expect(await responses(booking.id)).toEqual([]);
      expect(await timelineKinds(org, request.id)).toEqual(before);
      // The same answer to the current invitation counts.
      const current = await answer("google", {
        uid,
        sequence: 1,
        email: org.dana.email,
        partstat: "ACCEPTED",
      });
      expect(current).toMatch(/^recorded: /);
    });

    it("ignores a forged reply: sent from another address, or for someone not on the session", async () => {
      const org = await fresh();
      const { request, booking, uid } = await bookedWithDana(org, FRIDAY);
      const before = await timelineKinds(org, request.id);
      const forged = await answer(
        "outlook",
        { uid, sequence: 0, email: org.dana.email, partstat: "DECLINED" },
        "mallory@example.net",
      );
      expect(forged).toBe(
        `calendar reply ignored: it answers for ${org.dana.email} but was sent from mallory@example.net`,
      );
      const stranger = await declines(org.eli, uid, "outlook");
      expect(stranger).toBe(
        `calendar reply ignored: ${org.eli.email} is not an attendee of Coding (UID ${uid})`,
      );
      expect(await responses(booking.id)).toEqual([]);
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${org.dana.actor.userId}`, FRI_10, FRI_11],
      ]);
      expect(await sequenceOf(booking.id)).toBe(0);
      expect(await timelineKinds(org, request.id)).toEqual(before);
    });

    it("never acts on a decline that did not come back to the attendee's own reply address, and tells the recruiter", async () => {
      const org = await fresh();
      const { request, booking, uid } = await bookedWithDana(org, FRIDAY);
      const candidate = await world.hiring.getCandidate(org.owner.actor, org.candidateId);
      changes.length = 0;
      const decline = replyIcs("outlook", {
        uid,
        sequence: 0,
        email: org.dana.email,
        partstat: "DECLINED",
      });
      const forgeries: { envelopeFrom: string; to: string }[] = [
        // A stranger writes Dana's address in From: and mails Ally's plain address.
        { envelopeFrom: "mallory@example.net", to: "ally@ally.test" },
        // Dana's own address, but to the plain address: no token.
        { envelopeFrom: org.dana.email, to: "ally@ally.test" },
        // A token, but the one for another attendee of the same interview (the candidate).
        { envelopeFrom: org.dana.email, to: await organizerFor(uid, candidate.email) },
        // A token for Dana, but of another booking.
        {
          envelopeFrom: org.dana.email,
          to: replyAddresses.addressFor({
            organisationId: org.owner.actor.orgId,
            bookingUid: `${booking.icalUid}x`,
            attendeeEmail: org.dana.email,
          }),
        },
      ];
      for (const forgery of forgeries) {
        const outcome = await deliver(
          await rawReply(org.dana.email, "Declined: Interview", decline, forgery.to),
          forgery.envelopeFrom,
          forgery.to,
        );
        expect(outcome).toBe(
          `calendar reply not acted on: it was not sent to the reply address of that person's invitation; recruiter told (Dana (${org.dana.email}) declined Coding)`,
        );
      }
      expect(await responses(booking.id)).toEqual([]);
      expect(await activeSlots(booking.id)).toEqual([
        [`user:${org.dana.actor.userId}`, FRI_10, FRI_11],
      ]);
      expect(await sequenceOf(booking.id)).toBe(0);
      expect(changes).toEqual([]);
      expect((await service.getRequest(org.recruiter.actor, request.id)).status).toBe("scheduled");
      const told = (await mailTo(org.recruiter.email)).filter(
        (m) => m.kind === "calendar-reply-unverified",
      );
      expect(told).toHaveLength(forgeries.length);
      expect(told[0]?.text_body).toContain(`could not confirm that Dana sent it`);
      expect(told[0]?.text_body).toContain("Ally changed nothing.");
      // The request named, to find its page (a link where Ally knows its public address).
      expect(told[0]?.text_body).toContain(request.id);
      const last = (await service.timeline(org.recruiter.actor, request.id)).at(-1);
      expect(last).toMatchObject({
        kind: "calendar-reply-unverified",
        actor: { kind: "system" },
        detail: { email: org.dana.email, partstat: "DECLINED", recruiterEmailed: true },
      });
      // The genuine answer, to Dana's own reply address, is still taken.
      expect(await declines(org.dana, uid, "outlook")).toMatch(/; replaced by /);
    });

    it("honours Authentication-Results from Ally's own MX only: a DMARC failure never acts, and without a verdict nothing acts when the MX is expected to give one", async () => {
      const org = await fresh();
      const { booking, uid } = await bookedWithDana(org, FRIDAY);
      changes.length = 0;
      const danaDomain = org.dana.email.split("@")[1] as string;
      const to = await organizerFor(uid, org.dana.email);
      const decline = replyIcs("outlook", {
        uid,
        sequence: 0,
        email: org.dana.email,
        partstat: "DECLINED",
      });
      const send = (headers: Record<string, string>, requireDmarcPass: boolean) =>
        rawReply(org.dana.email, "Declined: Interview", decline, to, headers).then((raw) =>
          deliver(raw, org.dana.email, to, { requireDmarcPass }),
        );
      expect(
        await send(
          {
            "Authentication-Results": `${AUTHSERV_ID}; dmarc=fail (p=reject) header.from=${danaDomain}`,
          },
          false,
        ),
      ).toMatch(
        /^calendar reply not acted on: DMARC did not pass for the sender's domain \(fail\)/,
      );
      // DMARC passed, but for the attacker's domain, not the From: address's.
      expect(
        await send(
          { "Authentication-Results": `${AUTHSERV_ID}; dmarc=pass header.from=example.net` },
          false,
        ),
      ).toMatch(
        /^calendar reply not acted on: DMARC did not pass for the sender's domain \(unaligned\)/,
      );
      // A pass written by someone else's server is not read: no verdict, which the MX must give.
      expect(
        await send(
          { "Authentication-Results": `mx.attacker.example; dmarc=pass header.from=${danaDomain}` },
          true,
        ),
      ).toMatch(/^calendar reply not acted on: Ally's mail server did not vouch for the sender/);
      expect(await responses(booking.id)).toEqual([]);
      expect(changes).toEqual([]);
      expect(await sequenceOf(booking.id)).toBe(0);
      const stored = await store.db
        .selectFrom("inbound_mail")
        .select("dmarc")
        .orderBy("id", "desc")
        .limit(3)
        .execute();
      expect(stored.map((row) => row.dmarc)).toEqual([null, "unaligned", "fail"]);
      // Aligned pass from Ally's MX, on Dana's reply address: taken.
      expect(
        await send(
          {
            "Authentication-Results": `${AUTHSERV_ID}; spf=pass smtp.mailfrom=${danaDomain}; dmarc=pass (p=none) header.from=${danaDomain}`,
          },
          true,
        ),
      ).toMatch(/^recorded: Dana .* declined Coding; replaced by /);
    });

    it("says so when the UID is not one of Ally's bookings, and changes nothing", async () => {
      const org = await fresh();
      const countRows = async () => ({
        responses: (await store.db.selectFrom("attendee_responses").select("id").execute()).length,
        events: (await store.db.selectFrom("request_events").select("id").execute()).length,
        outbox: (await store.db.selectFrom("outbox").select("id").execute()).length,
      });
      const before = await countRows();
      const unknown = await answer("google", {
        uid: "bkg_nosuchbooking@ally-1@ally.test",
        sequence: 0,
        email: org.dana.email,
        partstat: "DECLINED",
      });
      expect(unknown).toBe(
        "calendar reply ignored: no booking has UID bkg_nosuchbooking@ally-1@ally.test",
      );
      const foreign = await answer("google", {
        uid: "7kq2e9@google.com",
        sequence: 0,
        email: org.dana.email,
        partstat: "ACCEPTED",
      });
      expect(foreign).toBe(
        "calendar reply ignored: UID 7kq2e9@google.com is not one of Ally's interviews",
      );
      expect(await countRows()).toEqual(before);
    });

    it("as the server wires it, a replacement cancels the decliner's invitation and invites the newcomer", async () => {
      const org = await fresh({ busy: { eli: [["20261204T090000Z", "20261204T120000Z"]] } });
      const live = world.deps.booking;
      const { request, booking } = await bookedWithDana(org, FRIDAY, {}, true, live);
      const host = new URL(world.deps.config.http.publicUrl).hostname;
      const uid = sessionUid(booking.icalUid, 0, host);
      // Dana's calendar client answers her invitation's ORGANIZER.
      const danaInvitation = await store.db
        .selectFrom("outbox")
        .select("calendar_ics")
        .where("to_address", "=", org.dana.email)
        .where("calendar_method", "=", "REQUEST")
        .executeTakeFirstOrThrow();
      const organizer = /^ORGANIZER[^:\r\n]*:mailto:([^\r\n]+)/m.exec(
        // RFC 5545 3.1: long lines are folded.
        (danaInvitation.calendar_ics ?? "").replace(/\r\n[ \t]/g, ""),
      )?.[1];
      expect(organizer).toMatch(/^ally\+[0-9a-f]{24}@localhost$/);
      const raw = await rawReply(
        org.dana.email,
        "Declined: Interview",
        replyIcs("outlook", { uid, sequence: 0, email: org.dana.email, partstat: "DECLINED" }),
        organizer,
      );
      await storeInbound(
        store.db,
        raw,
        { mailFrom: org.dana.email, rcptTo: [organizer as string] },
        world.clock.now(),
      );
      while (
        await handleNextInbound({
          db: store.db,
          clock: world.clock,
          handlers: world.deps.inboundHandlers,
        })
      ) {
        // drain
      }
      expect((await live.getRequest(org.recruiter.actor, request.id)).booking).toMatchObject({
        sequence: 1,
        sessions: [{ name: "Coding", interviewerIds: [org.finn.actor.userId] }],
      });
      const invitations = async (email: string) =>
        (
          await store.db
            .selectFrom("outbox")
            .select(["calendar_method", "calendar_ics"])
            .where("to_address", "like", `%${email}%`)
            .where("calendar_method", "is not", null)
            .orderBy("id")
            .execute()
        ).map((m) => [m.calendar_method, m.calendar_ics?.includes(`UID:${uid}`)]);
      expect(await invitations(org.dana.email)).toEqual([
        ["REQUEST", true],
        ["CANCEL", true],
      ]);
      expect(await invitations(org.finn.email)).toEqual([["REQUEST", true]]);
    });

    it("takes a reply that arrives through the SMTP listener", async () => {
      const org = await fresh();
      const { booking, uid } = await bookedWithDana(org, FRIDAY);
      const listener: RunningSmtpListener = await startSmtpListener({
        db: store.db,
        clock: world.clock,
        host: "127.0.0.1",
        port: 0,
        domain: "ally.test",
        maxBytes: 256 * 1024,
      });
      try {
        await nodemailer
          .createTransport({
            host: "127.0.0.1",
            port: listener.port,
            secure: false,
            ignoreTLS: true,
          })
          .sendMail({
            from: `Dana <${org.dana.email}>`,
            to: await organizerFor(uid, org.dana.email),
            subject: "Accepted: Interview",
            text: "Dana has accepted this invitation.",
            icalEvent: {
              method: "REPLY",
              content: replyIcs("google", {
                uid,
                sequence: 0,
                email: org.dana.email,
                partstat: "ACCEPTED",
              }),
            },
          });
      } finally {
        await listener.close();
      }
      while (await handleNextInbound({ db: store.db, clock: world.clock, handlers: handlers() })) {
        // drain
      }
      expect(await responses(booking.id)).toMatchObject([
        { attendee_email: org.dana.email, partstat: "ACCEPTED", sequence: 0 },
      ]);
    });

    it("emails the recruiter a candidate's own times when none of the offered ones work", async () => {
      const org = await fresh();
      const request = await service.createRequest(org.recruiter.actor, buildRequest(org));
      await service.offer(org.recruiter.actor, request.id);
      await service.proposeTimes(request.id, {
        ranges: [{ start: "2026-12-07T15:00:00Z", end: "2026-12-07T18:00:00Z" }],
        message: "None of these work; Monday afternoon would.",
      });
      const [mail] = (await mailTo(org.recruiter.email)).filter((m) => m.kind === "times-proposed");
      expect(mail?.subject).toMatch(/^Candidate \d+ proposed other interview times$/);
      expect(mail?.text_body).toContain("- 2026-12-07 15:00 UTC to 2026-12-07 18:00 UTC");
      expect(mail?.text_body).toContain("None of these work; Monday afternoon would.");
      expect(mail?.html_body).toContain("None of these work; Monday afternoon would.");
      expect((await service.timeline(org.recruiter.actor, request.id)).at(-1)?.kind).toBe(
        "times-proposed",
      );
    });
  });
}
