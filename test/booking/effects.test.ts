/**
 * What a booking does beyond the booking tables, on every database, with a real Radicale as the
 * calendar of one interviewer: the event lands on a connected calendar, the candidate and the
 * interviewers without one get iMIP invitations (one per session, the same UIDs throughout),
 * a reschedule updates the same events with a higher SEQUENCE and moves the reminders, a
 * cancellation sends CANCEL, removes the event and the reminders, and reminders go out in each
 * reader's zone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPLETE_JOB,
  completionHandler,
  REMINDER_JOB,
  reminderHandler,
  sessionIndexes,
} from "../../src/booking/effects.js";
import { CalDavSource } from "../../src/calendar/connectors/caldav.js";
import { writeNext } from "../../src/calendar/event-writes.js";
import { parseICalendar } from "../../src/calendar/ical.js";
import { runNextJob } from "../../src/jobs/scheduled-jobs.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import {
  makeCalendar,
  RADICALE_PASSWORD,
  RADICALE_USER,
  type Radicale,
  radicaleOrSkip,
  startRadicale,
} from "../calendar/connectors/radicale.js";
import { buildWorld, MASTER_KEY, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

const command = radicaleOrSkip("the booking effects tests");

const HOUR = 3_600_000;

describe("session indexes", () => {
  const s = (name: string, startsAt: string) => ({
    name,
    startsAt,
    endsAt: startsAt,
    interviewerIds: [],
  });
  it("follow the request's order of sessions, whatever order they were booked in", () => {
    expect(
      sessionIndexes(
        ["Technical", "Culture", "Technical"],
        [s("Culture", "T1"), s("Technical", "T2"), s("Technical", "T3")],
      ),
    ).toEqual([1, 0, 2]);
  });
});

for (const database of await testDatabases()) {
  describe.skipIf(!command.ok)(`booking effects on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let radicale: Radicale;
    let collection: string;
    let org: BookingOrg;
    let requestId: string;
    let bookingUid: string;
    let bookingId: string;

    beforeAll(async () => {
      if (!command.ok) return;
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      radicale = await startRadicale(command.argv);
      collection = `${radicale.baseUrl}${RADICALE_USER}/interviews-${database.dialect}/`;
      await makeCalendar(collection);
      world.clock.set(NOW);
      org = await buildBookingOrg(world, store, feeds, {
        profiles: { eli: { timeZone: "America/New_York" } },
      });
      await world.deps.calendars.connect(org.dana.actor, {
        provider: "caldav",
        url: collection,
        username: RADICALE_USER,
        password: RADICALE_PASSWORD,
      });
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await radicale?.stop();
      await drop?.();
    });

    const booking = () => world.deps.booking;
    const box = () =>
      createSecretStore({ db: store.db, keyring: singleKeyring(MASTER_KEY), clock: world.clock });
    const writeAll = async () => {
      while (
        await writeNext({ db: store.db, clock: world.clock, box: box(), allowPrivateHosts: true })
      ) {
        // every pending write
      }
    };
    const mails = (kind?: string) =>
      store.db
        .selectFrom("outbox")
        .selectAll()
        .where((eb) => (kind === undefined ? eb.lit(true) : eb("kind", "=", kind)))
        .orderBy("id")
        .execute();
    const danaBusy = async () =>
      (
        await new CalDavSource(new URL(collection), {
          username: RADICALE_USER,
          password: RADICALE_PASSWORD,
        }).busy(
          { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 8) },
          { zone: "UTC" },
        )
      ).busy.map((b) => [
        new Date(b.startEpochMs).toISOString(),
        new Date(b.endEpochMs).toISOString(),
      ]);
    const calendarOf = (ics: string | null) => {
      const parsed = parseICalendar(ics ?? "", "invite.ics");
      if (!parsed.ok) throw new Error(parsed.error.message);
      return { method: /^METHOD:(\w+)/m.exec(ics ?? "")?.[1], events: parsed.calendar.events };
    };

    it("writes the event to a connected calendar and invites the candidate and the others by email", async () => {
      const before = (await mails()).length;
      const request = await booking().createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [
            { name: "Technical", durationMinutes: 60, interviewerIds: [org.dana.actor.userId] },
            { name: "Culture", durationMinutes: 45, interviewerIds: [org.eli.actor.userId] },
          ],
          order: "fixed",
          maxGapMinutes: 30,
        }),
      );
      requestId = request.id;
      const { options } = await booking().options(org.recruiter.actor, request.id);
      // A day ahead or more, so both reminders (24 hours and 1 hour before) are still to come.
      const chosen = options.find((o) => o.startsAt >= "2026-12-03");
      if (chosen === undefined) throw new Error("expected options from Thursday on");
      const booked = await booking().book(org.recruiter.actor, request.id, {
        optionId: chosen.id,
        idempotencyKey: "effects-book-1",
      });
      bookingUid = booked.booking.icalUid;
      bookingId = booked.booking.id;

      const all = (await mails()).slice(before);
      const sent = all.filter((m) => m.kind !== "interviewer-notice");
      const candidate = (
        await store.db
          .selectFrom("candidates")
          .select("email")
          .where("id", "=", org.candidateId)
          .executeTakeFirstOrThrow()
      ).email;
      // The candidate gets one invitation per session; Eli (no calendar) gets hers; Dana, whose
      // calendar Ally writes to, no invitation but a plain note of what is on it.
      expect(sent.map((m) => m.to_address).sort()).toEqual(
        [candidate, candidate, org.eli.email].sort(),
      );
      const notes = all.filter((m) => m.kind === "interviewer-notice");
      expect(notes.map((m) => m.to_address)).toEqual([org.dana.email]);
      expect(notes[0]?.subject).toMatch(/^On your calendar: Technical with /);
      expect(notes[0]?.calendar_ics).toBeNull();
      for (const message of sent) {
        expect(message.kind).toBe("interview-invitation");
        expect(message.text_body).toContain("Platform engineer");
        const calendar = calendarOf(message.calendar_ics);
        expect(calendar.method).toBe("REQUEST");
        expect(calendar.events).toHaveLength(1);
        expect(calendar.events[0]?.uid).toMatch(new RegExp(`^${bookingUid}-[12]@`));
      }
      // The candidate's invitations carry their own link to reschedule or cancel; nobody
      // else's do, as the link acts for the candidate.
      for (const message of sent) {
        const carriesLink = /\/book\/bk_/.test(`${message.text_body}${message.calendar_ics}`);
        expect(carriesLink).toBe(message.to_address === candidate);
      }
      const eliMail = sent.find((m) => m.to_address === org.eli.email);
      // Eli reads her times in New York.
      expect(eliMail?.text_body).toContain("America/New_York");
      expect(calendarOf(eliMail?.calendar_ics ?? null).events[0]?.uid).toMatch(/-2@/);

      await writeAll();
      const technical = chosen.sessions.find((s) => s.name === "Technical");
      expect(await danaBusy()).toEqual([[technical?.startsAt, technical?.endsAt]]);

      const reminders = await store.db
        .selectFrom("scheduled_jobs")
        .select(["key", "run_at"])
        .where("kind", "=", REMINDER_JOB)
        .orderBy("run_at")
        .execute();
      expect(reminders.map((r) => r.key)).toEqual([
        `${REMINDER_JOB}:${bookingId}:1440`,
        `${REMINDER_JOB}:${bookingId}:60`,
      ]);
      expect(Number(reminders[1]?.run_at)).toBe(Date.parse(chosen.startsAt) - HOUR);
    });

    it("reschedules the same events with a higher SEQUENCE and moves the reminders", async () => {
      const before = (await mails()).length;
      const { options } = await booking().options(org.recruiter.actor, requestId);
      const current = (await booking().getRequest(org.recruiter.actor, requestId)).booking;
      const other = options.find(
        (o) => o.startsAt >= "2026-12-03" && o.startsAt !== current?.sessions[0]?.startsAt,
      );
      if (other === undefined) throw new Error("expected another option");
      await booking().reschedule(org.recruiter.actor, requestId, {
        optionId: other.id,
        idempotencyKey: "effects-move-1",
      });
      const all = (await mails()).slice(before);
      const sent = all.filter((m) => m.kind !== "interviewer-notice");
      expect(sent).toHaveLength(3);
      const notes = all.filter((m) => m.kind === "interviewer-notice");
      expect(notes.map((m) => m.to_address)).toEqual([org.dana.email]);
      expect(notes[0]?.text_body).toMatch(/has moved from .+\) to .+\); Ally has updated/);
      for (const message of sent) {
        const calendar = calendarOf(message.calendar_ics);
        expect(calendar.method).toBe("REQUEST");
        expect(calendar.events[0]?.sequence).toBe(1);
        expect(calendar.events[0]?.uid).toMatch(new RegExp(`^${bookingUid}-[12]@`));
        expect(message.subject).toMatch(/^Moved: /);
        // Where it was and where it is now, both in the reader's zone.
        expect(message.text_body).toMatch(/This interview has moved from .+\) to .+\)\./);
      }
      await writeAll();
      const technical = other.sessions.find((s) => s.name === "Technical");
      expect(await danaBusy()).toEqual([[technical?.startsAt, technical?.endsAt]]);
      const reminder = await store.db
        .selectFrom("scheduled_jobs")
        .select("run_at")
        .where("key", "=", `${REMINDER_JOB}:${bookingId}:60`)
        .executeTakeFirstOrThrow();
      expect(Number(reminder.run_at)).toBe(Date.parse(other.startsAt) - HOUR);
    });

    it("sends reminders in each reader's zone, before the interview", async () => {
      const before = (await mails("interview-reminder")).length;
      const job = await store.db
        .selectFrom("scheduled_jobs")
        .select("run_at")
        .where("key", "=", `${REMINDER_JOB}:${bookingId}:1440`)
        .executeTakeFirstOrThrow();
      world.clock.set(Number(job.run_at));
      const handlers = {
        [REMINDER_JOB]: reminderHandler({
          db: store.db,
          mailFrom: "Ally <ally@ally.test>",
          now: () => world.clock.now(),
        }),
      };
      while (await runNextJob({ db: store.db, clock: world.clock, handlers })) {
        // due jobs
      }
      const sent = (await mails("interview-reminder")).slice(before);
      expect(sent.map((m) => m.to_address).sort()).toEqual(
        [
          (
            await store.db
              .selectFrom("candidates")
              .select("email")
              .where("id", "=", org.candidateId)
              .executeTakeFirstOrThrow()
          ).email,
          org.dana.email,
          org.eli.email,
        ].sort(),
      );
      const eli = sent.find((m) => m.to_address === org.eli.email);
      expect(eli?.subject).toContain("tomorrow");
      expect(eli?.text_body).toContain("Culture");
      expect(eli?.text_body).not.toContain("Technical");
      expect(eli?.text_body).toContain("America/New_York");
      world.clock.set(NOW);
    });

    it("marks a request completed once its interview is over, and not before", async () => {
      // With Eli, whose calendar is not connected, so Dana's calendar stays as the tests left it.
      const request = await booking().createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          sessions: [
            { name: "Screen", durationMinutes: 30, interviewerIds: [org.eli.actor.userId] },
          ],
        }),
      );
      const { options } = await booking().options(org.recruiter.actor, request.id);
      const chosen = options[0];
      if (chosen === undefined) throw new Error("expected options");
      await booking().book(org.recruiter.actor, request.id, {
        optionId: chosen.id,
        idempotencyKey: "effects-complete-1",
      });
      const handlers = {
        [COMPLETE_JOB]: completionHandler({ db: store.db, now: () => world.clock.now() }),
      };
      const runDue = async () => {
        while (await runNextJob({ db: store.db, clock: world.clock, handlers })) {
          // due jobs
        }
      };
      world.clock.set(Date.parse(chosen.endsAt) - 60_000);
      await runDue();
      expect((await booking().getRequest(org.recruiter.actor, request.id)).status).toBe(
        "scheduled",
      );
      world.clock.set(Date.parse(chosen.endsAt));
      await runDue();
      expect((await booking().getRequest(org.recruiter.actor, request.id)).status).toBe(
        "completed",
      );
      const timeline = await booking().timeline(org.recruiter.actor, request.id);
      expect(timeline.at(-1)).toMatchObject({ kind: "completed", actor: { kind: "system" } });
      world.clock.set(NOW);
    });

    it("cancels: CANCEL to everyone invited by email, the event removed, the reminders gone", async () => {
      const before = (await mails()).length;
      await booking().cancel(org.recruiter.actor, requestId, {});
      const all = (await mails()).slice(before);
      const sent = all.filter((m) => m.kind !== "interviewer-notice");
      expect(sent).toHaveLength(3);
      const notes = all.filter((m) => m.kind === "interviewer-notice");
      expect(notes.map((m) => [m.to_address, m.subject.split(":")[0]])).toEqual([
        [org.dana.email, "Cancelled"],
      ]);
      for (const message of sent) {
        expect(message.kind).toBe("interview-cancellation");
        const calendar = calendarOf(message.calendar_ics);
        expect(calendar.method).toBe("CANCEL");
        expect(calendar.events[0]?.sequence).toBe(2);
      }
      await writeAll();
      expect(await danaBusy()).toEqual([]);
      const left = await store.db
        .selectFrom("scheduled_jobs")
        .select("key")
        .where("key", "like", `${REMINDER_JOB}:${bookingId}:%`)
        .where("done_at", "is", null)
        .execute();
      expect(left).toEqual([]);
    });
  });
}
