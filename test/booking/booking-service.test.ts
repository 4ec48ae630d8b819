/**
 * The booking service on every database: options come from interviewers' profiles, the busy
 * time their calendar sync materialised and what is already booked; calendars that cannot be
 * trusted are named; when nothing fits the engine says why. Booking takes every interviewer's
 * time once, a double submit books once, booked time is gone for the next request, limits are
 * re-checked at booking time, a reschedule keeps the event's UID with SEQUENCE + 1, and a
 * cancellation frees the time. Every step is on the request's timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Option } from "../../src/booking/schemas.js";
import { type BookingChange, createBookingService } from "../../src/booking/service.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { appError, buildBookingOrg, buildRequest } from "./factories.js";

const HOUR = 3_600_000;
const overlaps = (a: { startsAt: string; endsAt: string }, start: string, end: string) =>
  Date.parse(a.startsAt) < Date.parse(end) && Date.parse(a.endsAt) > Date.parse(start);
const starts = (options: Option[]) => options.map((o) => o.startsAt);

for (const database of await testDatabases()) {
  describe(`booking on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const booking = () => world.deps.booking;
    const fresh = async (options?: Parameters<typeof buildBookingOrg>[3]) => {
      world.clock.set(NOW);
      return buildBookingOrg(world, store, feeds, options);
    };
    const activeSlots = (bookingId: string) =>
      store.db
        .selectFrom("booked_slots")
        .selectAll()
        .where("booking_id", "=", bookingId)
        .where("active", "=", 1)
        .orderBy("starts_at")
        .orderBy("resource")
        .execute();

    it("offers only times outside the busy time the calendar sync materialised", async () => {
      // Dana is busy Wed 2 Dec 2026 09:00–12:00 UTC.
      const org = await fresh({ busy: { dana: [["20261202T090000Z", "20261202T120000Z"]] } });
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const answer = await booking().options(org.recruiter.actor, request.id);
      expect(answer.options.length).toBeGreaterThan(0);
      for (const option of answer.options) {
        expect(overlaps(option, "2026-12-02T09:00:00Z", "2026-12-02T12:00:00Z")).toBe(false);
      }
      expect(starts(answer.options)).toContain("2026-12-02T12:00:00.000Z");
      expect(answer.options[0]?.sessions).toEqual([
        {
          name: "Screen",
          startsAt: answer.options[0]?.startsAt,
          endsAt: answer.options[0]?.endsAt,
          interviewerIds: [org.dana.actor.userId],
        },
      ]);
      expect(answer.warnings).toEqual([]);
      expect(answer.explanation).toBeNull();
      // The same options, computed again, carry the same ids.
      const again = await booking().options(org.recruiter.actor, request.id);
      expect(again.options.map((o) => o.id)).toEqual(answer.options.map((o) => o.id));
    });

    it("names interviewers whose calendars have not synced lately or are not connected", async () => {
      const org = await fresh({ busy: { dana: [["20261202T090000Z", "20261202T120000Z"]] } });
      const request = await booking().createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [
            {
              name: "Panel",
              durationMinutes: 45,
              interviewerIds: [org.dana.actor.userId, org.eli.actor.userId],
            },
          ],
        }),
      );
      world.clock.advance(3 * HOUR);
      const answer = await booking().options(org.recruiter.actor, request.id);
      expect(answer.warnings).toEqual([
        expect.stringMatching(
          /^Dana's calendar \(ICS feed at 127\.0\.0\.1:\d+\) has not synced for 3 hours$/,
        ),
        "Eli has no calendar connected, so their busy time is unknown",
      ]);
      expect(answer.options.length).toBeGreaterThan(0);
    });

    it("explains what binds and what to relax when nothing fits", async () => {
      const org = await fresh();
      // Sat 5 Dec to Mon 7 Dec 00:00 UTC: a weekend, outside everyone's working hours and the
      // candidate's (weekdays by default).
      const request = await booking().createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          windowStart: "2026-12-05T00:00:00Z",
          windowEnd: "2026-12-07T00:00:00Z",
        }),
      );
      const answer = await booking().options(org.recruiter.actor, request.id);
      expect(answer.options).toEqual([]);
      expect(answer.explanation?.feasibleStarts).toBe(0);
      expect(answer.explanation?.blockers.map((b) => b.constraint)).toContain("workingHours");
      expect(answer.explanation?.blockers.map((b) => b.constraint)).toContain("candidateWindow");
      // Both the interviewers' and the candidate's hours rule the weekend out: no one person's
      // hours are enough; reaching into Monday is.
      expect(answer.explanation?.relaxations.map((r) => r.constraint)).toEqual(["range"]);
      const error = await appError(booking().offer(org.recruiter.actor, request.id));
      expect(error.code).toBe("NO_TIME_FITS");
    });

    it("books every interviewer of a loop in one booking and records who booked", async () => {
      const org = await fresh();
      const request = await booking().createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [
            { name: "Coding", durationMinutes: 60, interviewerIds: [org.dana.actor.userId] },
            {
              name: "Panel",
              durationMinutes: 45,
              interviewerIds: [org.eli.actor.userId, org.finn.actor.userId],
            },
          ],
          maxGapMinutes: 15,
        }),
      );
      const [option] = (await booking().options(org.recruiter.actor, request.id)).options;
      if (option === undefined) throw new Error("expected an option");
      const result = await booking().book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: "book-loop-0001",
      });
      expect(result.request.status).toBe("scheduled");
      expect(result.booking).toMatchObject({ sequence: 0, status: "active" });
      expect(result.booking.icalUid).toMatch(/@ally$/);
      expect(result.booking.sessions).toEqual(
        option.sessions.map((s) => ({ ...s, interviewerIds: [...s.interviewerIds].sort() })),
      );
      const slots = await activeSlots(result.booking.id);
      expect(slots.map((s) => s.resource).sort()).toEqual(
        [org.dana, org.eli, org.finn].map((p) => `user:${p.actor.userId}`).sort(),
      );
      const timeline = await booking().timeline(org.recruiter.actor, request.id);
      expect(timeline.map((e) => [e.kind, e.actor])).toEqual([
        ["created", { kind: "user", id: org.recruiter.actor.userId }],
        ["booked", { kind: "user", id: org.recruiter.actor.userId }],
      ]);
    });

    it("books once when the same request is submitted twice at the same moment", async () => {
      const org = await fresh();
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const [option] = (await booking().options(org.recruiter.actor, request.id)).options;
      if (option === undefined) throw new Error("expected an option");
      const input = { optionId: option.id, idempotencyKey: "double-submit-01" };
      const [first, second] = await Promise.all([
        booking().book(org.recruiter.actor, request.id, input),
        booking().book(org.recruiter.actor, request.id, input),
      ]);
      expect(second.booking.id).toBe(first.booking.id);
      const again = await booking().book(org.recruiter.actor, request.id, input);
      expect(again.booking.id).toBe(first.booking.id);
      // Three at once, on other requests for other interviewers: still one booking each.
      for (const who of [org.eli, org.finn]) {
        const other = await booking().createRequest(
          org.recruiter.actor,
          buildRequest(org, {
            sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds: [who.actor.userId] }],
          }),
        );
        const [choice] = (await booking().options(org.recruiter.actor, other.id)).options;
        if (choice === undefined) throw new Error("expected an option");
        const same = { optionId: choice.id, idempotencyKey: `triple-${who.actor.userId}` };
        const results = await Promise.all(
          [0, 1, 2].map(() => booking().book(org.recruiter.actor, other.id, same)),
        );
        expect(new Set(results.map((r) => r.booking.id)).size).toBe(1);
      }
      const rows = await store.db
        .selectFrom("bookings")
        .select("id")
        .where("request_id", "=", request.id)
        .execute();
      expect(rows).toHaveLength(1);
      expect(await activeSlots(first.booking.id)).toHaveLength(1);
      // Another key for a booked request is refused (it is no longer open), not a second booking.
      const error = await appError(
        booking().book(org.recruiter.actor, request.id, {
          optionId: option.id,
          idempotencyKey: "double-submit-02",
        }),
      );
      expect(error.code).toBe("REQUEST_NOT_OPEN");
    });

    it("takes booked time away from the next request, and refuses it with fresh options", async () => {
      const org = await fresh();
      const first = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const second = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      // The candidate of the second request was offered times before the first was booked.
      const offered = await booking().offer(org.recruiter.actor, second.id);
      const [firstOption] = (await booking().options(org.recruiter.actor, first.id)).options;
      if (firstOption === undefined) throw new Error("expected an option");
      await booking().book(org.recruiter.actor, first.id, {
        optionId: firstOption.id,
        idempotencyKey: "take-away-0001",
      });

      const after = await booking().options(org.recruiter.actor, second.id);
      for (const option of after.options) {
        expect(overlaps(option, firstOption.startsAt, firstOption.endsAt)).toBe(false);
      }
      const stale = offered.offeredOptions?.find((o) => o.startsAt === firstOption.startsAt);
      if (stale === undefined) throw new Error("expected the same time offered to both");
      const error = await appError(
        booking().candidateBook(second.id, {
          optionId: stale.id,
          idempotencyKey: "take-away-0002",
        }),
      );
      expect(error.code).toBe("SLOT_TAKEN");
      expect(error.message).toBe("That time was just taken. Please choose another of the options.");
      const freshOptions = error.detail?.options as Option[];
      expect(freshOptions.length).toBeGreaterThan(0);
      expect(freshOptions.map((o) => o.id)).not.toContain(stale.id);
      expect((await booking().getRequest(org.recruiter.actor, second.id)).status).toBe(
        "awaiting_candidate",
      );
      // The recruiter sees that the candidate's choice was gone.
      expect((await booking().timeline(org.recruiter.actor, second.id)).at(-1)).toMatchObject({
        kind: "slot-taken",
        actor: { kind: "candidate", id: org.candidateId },
        detail: { action: "book", optionId: stale.id, reason: "Dana is already booked then" },
      });
    });

    it("re-checks the interviewer's daily limit when booking", async () => {
      const org = await fresh({ profiles: { dana: { perDayLimit: 1 } } });
      const first = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const second = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const offered = (await booking().offer(org.recruiter.actor, second.id)).offeredOptions ?? [];
      const [firstOption] = (await booking().options(org.recruiter.actor, first.id)).options;
      if (firstOption === undefined) throw new Error("expected an option");
      await booking().book(org.recruiter.actor, first.id, {
        optionId: firstOption.id,
        idempotencyKey: "limit-check-01",
      });
      const day = firstOption.startsAt.slice(0, 10);
      const sameDay = offered.find(
        (o) =>
          o.startsAt.slice(0, 10) === day && !overlaps(o, firstOption.startsAt, firstOption.endsAt),
      );
      if (sameDay === undefined) throw new Error("expected another time that day");
      const error = await appError(
        booking().candidateBook(second.id, {
          optionId: sameDay.id,
          idempotencyKey: "limit-check-02",
        }),
      );
      expect(error.code).toBe("SLOT_TAKEN");
      expect(error.detail?.reason).toBe(`Dana would have 2 interviews on ${day} (limit 1 a day)`);
      // The fresh options avoid that day altogether.
      for (const option of (error.detail?.options ?? []) as Option[]) {
        expect(option.startsAt.slice(0, 10)).not.toBe(day);
      }
    });

    it("reschedules to another time with the same UID and the next SEQUENCE", async () => {
      const org = await fresh();
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const options = (await booking().options(org.recruiter.actor, request.id)).options;
      const [first, later] = [options[0], options.at(-1)];
      if (first === undefined || later === undefined) throw new Error("expected options");
      const booked = await booking().book(org.recruiter.actor, request.id, {
        optionId: first.id,
        idempotencyKey: "resched-book-1",
      });
      const moved = await booking().candidateReschedule(request.id, {
        optionId: later.id,
        idempotencyKey: "resched-move-1",
      });
      expect(moved.booking.icalUid).toBe(booked.booking.icalUid);
      expect(moved.booking.sequence).toBe(1);
      expect(moved.booking.sessions.map((s) => s.startsAt)).toEqual([later.startsAt]);
      const slots = await store.db
        .selectFrom("booked_slots")
        .select(["starts_at", "active"])
        .where("booking_id", "=", booked.booking.id)
        .orderBy("id")
        .execute();
      expect(slots.map((s) => [Number(s.starts_at), Number(s.active)])).toEqual([
        [Date.parse(first.startsAt), 0],
        [Date.parse(later.startsAt), 1],
      ]);
      // The same reschedule again changes nothing.
      const replay = await booking().candidateReschedule(request.id, {
        optionId: later.id,
        idempotencyKey: "resched-move-1",
      });
      expect(replay.booking.sequence).toBe(1);
      const timeline = await booking().timeline(org.recruiter.actor, request.id);
      expect(timeline.map((e) => `${e.kind} by ${e.actor.kind}`)).toEqual([
        "created by user",
        "booked by user",
        "rescheduled by candidate",
      ]);
    });

    it("frees the time when an interview is cancelled", async () => {
      const org = await fresh();
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      const [option] = (await booking().options(org.recruiter.actor, request.id)).options;
      if (option === undefined) throw new Error("expected an option");
      const booked = await booking().book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: "cancel-book-01",
      });
      const next = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      expect(starts((await booking().options(org.recruiter.actor, next.id)).options)).not.toContain(
        option.startsAt,
      );
      const cancelled = await booking().cancel(org.recruiter.actor, request.id, {
        reason: "Candidate withdrew",
      });
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.booking).toMatchObject({ status: "cancelled", sequence: 1, sessions: [] });
      expect(await activeSlots(booked.booking.id)).toEqual([]);
      expect(starts((await booking().options(org.recruiter.actor, next.id)).options)).toContain(
        option.startsAt,
      );
      // Cancelling twice is cancelling once.
      expect((await booking().candidateCancel(request.id)).booking?.sequence).toBe(1);
    });

    it("hands each change to the effects inside its transaction, and rolls back when they fail", async () => {
      const org = await fresh();
      const changes: BookingChange[] = [];
      let fail = false;
      const service = createBookingService({
        db: store.db,
        dialect: store.dialect,
        clock: world.clock,
        calendars: world.deps.calendars,
        effects: async (trx, change) => {
          // Inside the transaction: the booking is visible through its handle.
          const seen = await trx
            .selectFrom("bookings")
            .select("sequence")
            .where("id", "=", change.booking.id)
            .executeTakeFirstOrThrow();
          expect(seen.sequence).toBe(change.booking.sequence);
          if (fail) throw new Error("mail relay down");
          changes.push(change);
        },
      });
      const request = await service.createRequest(org.recruiter.actor, buildRequest(org));
      const [option, other] = (await service.options(org.recruiter.actor, request.id)).options;
      if (option === undefined || other === undefined) throw new Error("expected options");
      fail = true;
      await expect(
        service.book(org.recruiter.actor, request.id, {
          optionId: option.id,
          idempotencyKey: "effects-fail-1",
        }),
      ).rejects.toThrow("mail relay down");
      expect((await service.getRequest(org.recruiter.actor, request.id)).status).toBe("draft");
      expect(
        await store.db
          .selectFrom("bookings")
          .select("id")
          .where("request_id", "=", request.id)
          .execute(),
      ).toEqual([]);
      fail = false;
      const booked = await service.book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: "effects-ok-01",
      });
      await service.reschedule(org.recruiter.actor, request.id, {
        optionId: other.id,
        idempotencyKey: "effects-ok-02",
      });
      await service.cancel(org.recruiter.actor, request.id);
      expect(changes.map((c) => [c.kind, c.booking.uid, c.booking.sequence])).toEqual([
        ["booked", booked.booking.icalUid, 0],
        ["rescheduled", booked.booking.icalUid, 1],
        ["cancelled", booked.booking.icalUid, 2],
      ]);
      expect(changes[0]?.sessions).toEqual(option.sessions);
      expect(changes[0]?.request.status).toBe("scheduled");
    });

    it("lets the candidate propose other times, which the recruiter sees on the timeline", async () => {
      const org = await fresh();
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      await booking().offer(org.recruiter.actor, request.id);
      await booking().proposeTimes(request.id, {
        ranges: [{ start: "2026-12-07T15:00:00Z", end: "2026-12-07T18:00:00Z" }],
        message: "None of these work; Monday afternoon would.",
      });
      const view = await booking().candidateGet(request.id);
      expect(view.status).toBe("awaiting_candidate");
      expect(view).not.toHaveProperty("notes");
      const last = (await booking().timeline(org.recruiter.actor, request.id)).at(-1);
      expect(last).toMatchObject({
        kind: "times-proposed",
        actor: { kind: "candidate", id: org.candidateId },
        detail: {
          ranges: [{ start: "2026-12-07T15:00:00.000Z", end: "2026-12-07T18:00:00.000Z" }],
          message: "None of these work; Monday afternoon would.",
        },
      });
      const error = await appError(booking().proposeTimes(request.id, { ranges: [] }));
      expect(error.field).toBe("ranges");
    });

    it("creates requests from a loop template, and names the field of bad input", async () => {
      const org = await fresh();
      const pool = await world.hiring.createPool(org.owner.actor, {
        name: "Backend",
        memberIds: [org.dana.actor.userId, org.eli.actor.userId],
      });
      const template = await world.hiring.createLoopTemplate(org.owner.actor, {
        name: "Onsite",
        order: "any",
        maxGapMinutes: 20,
        sessions: [
          { name: "Coding", durationMinutes: 60, poolId: pool.id, count: 1 },
          { name: "Design", durationMinutes: 45, poolId: pool.id, count: 1 },
        ],
      });
      const { sessions: _ignored, ...withoutSessions } = buildRequest(org);
      const request = await booking().createRequest(org.recruiter.actor, {
        ...withoutSessions,
        loopTemplateId: template.id,
      });
      expect(request).toMatchObject({
        status: "draft",
        order: "any",
        maxGapMinutes: 20,
        loopTemplateId: template.id,
        sessions: [
          { name: "Coding", durationMinutes: 60, poolId: pool.id, count: 1 },
          { name: "Design", durationMinutes: 45, poolId: pool.id, count: 1 },
        ],
      });
      const [option] = (await booking().options(org.recruiter.actor, request.id)).options;
      expect(option?.sessions.flatMap((s) => s.interviewerIds).sort()).toEqual(
        [org.dana.actor.userId, org.eli.actor.userId].sort(),
      );

      const field = async (input: Parameters<typeof buildRequest>[1]) =>
        (await appError(booking().createRequest(org.recruiter.actor, buildRequest(org, input))))
          .field;
      expect(await field({ candidateId: "cand_nope" })).toBe("candidateId");
      expect(await field({ jobId: "job_nope" })).toBe("jobId");
      expect(await field({ windowEnd: "2026-12-01T00:00:00Z" })).toBe("windowEnd");
      expect(await field({ windowStart: "next tuesday" })).toBe("windowStart");
      expect(await field({ timeZone: "Mars/Olympus" })).toBe("timeZone");
      expect(
        await field({
          sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds: ["user_stranger"] }],
        }),
      ).toBe("sessions.0.interviewerIds.0");
      expect(await field({ sessions: [{ name: "Screen", durationMinutes: 60 }] })).toBe(
        "sessions.0.interviewerIds",
      );
      expect(
        await field({
          sessions: [{ name: "Screen", durationMinutes: 60, poolId: pool.id, count: 3 }],
        }),
      ).toBe("sessions.0.count");
      expect(await field({ sessions: [] })).toBe("sessions");
    });

    it("keeps requests inside their organisation and lists them by status", async () => {
      const org = await fresh();
      const other = await fresh();
      const request = await booking().createRequest(org.recruiter.actor, buildRequest(org));
      for (const call of [
        () => booking().getRequest(other.owner.actor, request.id),
        () => booking().options(other.owner.actor, request.id),
        () => booking().cancel(other.owner.actor, request.id),
      ]) {
        expect((await appError(call())).code).toBe("NOT_FOUND");
      }
      expect((await appError(booking().getRequest(org.dana.actor, request.id))).code).toBe(
        "FORBIDDEN",
      );
      await booking().offer(org.recruiter.actor, request.id);
      expect(
        (await booking().listRequests(org.recruiter.actor, { status: "awaiting_candidate" })).map(
          (r) => r.id,
        ),
      ).toEqual([request.id]);
      expect(await booking().listRequests(org.recruiter.actor, { status: "draft" })).toEqual([]);
      expect(await booking().listRequests(other.owner.actor)).toEqual([]);
    });
  });
}
