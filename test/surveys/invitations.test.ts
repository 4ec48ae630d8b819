/**
 * After an interview, on every database: one survey per booked interview, sent the
 * organisation's delay after its end (2 hours unless set) with a signed link, never twice, not
 * for a cancelled interview, not to a candidate who restricted processing, objected or asked
 * not to be surveyed again; each interviewer gets one feedback reminder when it ends. The
 * candidate answers once; their surveys are in their access package and go with their erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHash } from "../../src/accounts/tokens.js";
import { runNextJob } from "../../src/jobs/scheduled-jobs.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import { setPersonFlag } from "../../src/privacy/restriction.js";
import type { Store } from "../../src/store/database.js";
import { answerSurvey, openSurvey, optOutOfSurveys } from "../../src/surveys/answers.js";
import { saveSurveySettings } from "../../src/surveys/settings.js";
import {
  REMINDER_MAIL_KIND,
  runSurveySweep,
  SURVEY_MAIL_KIND,
  SURVEY_SWEEP_EVERY_MS,
  SURVEY_SWEEP_JOB,
  type SurveyDeps,
  scheduleSurveySweep,
  surveySweepHandler,
} from "../../src/surveys/sweep.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "../booking/factories.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
let serial = 0;

for (const database of await testDatabases()) {
  describe(`surveys after interviews on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let deps: SurveyDeps;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      deps = {
        db: store.db,
        clock: world.clock,
        mailFrom: "Ally <ally@ally.test>",
        publicUrl: "http://ally.test",
      };
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const fresh = async () => {
      world.clock.set(NOW);
      return buildBookingOrg(world, store, feeds);
    };
    /** Books the first option offered for a one-hour screen with Dana (Wed 2 Dec 2026 or later). */
    const bookInterview = async (org: BookingOrg, interviewerIds = [org.dana.actor.userId]) => {
      const request = await world.deps.booking.createRequest(
        org.recruiter.actor,
        buildRequest(org, { sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds }] }),
      );
      const [option] = (await world.deps.booking.options(org.recruiter.actor, request.id)).options;
      if (option === undefined) throw new Error("expected an option");
      serial += 1;
      const { booking } = await world.deps.booking.book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: `survey-booking-${serial}-0001`,
      });
      const endedAt = Math.max(...booking.sessions.map((s) => Date.parse(s.endsAt)));
      return { requestId: request.id, bookingId: booking.id, endedAt };
    };
    const candidateEmail = async (org: BookingOrg) =>
      (
        await store.db
          .selectFrom("candidates")
          .select("email")
          .where("id", "=", org.candidateId)
          .executeTakeFirstOrThrow()
      ).email;
    const mailTo = (to: string, kind: string) =>
      store.db
        .selectFrom("outbox")
        .select(["subject", "text_body"])
        .where("to_address", "=", to)
        .where("kind", "=", kind)
        .execute();
    const invitationOf = (bookingId: string) =>
      store.db
        .selectFrom("survey_invitations")
        .selectAll()
        .where("booking_id", "=", bookingId)
        .execute();
    const sweepAt = async (at: number) => {
      world.clock.set(at);
      return runSurveySweep(deps);
    };
    const surveyToken = async (to: string) => {
      const [mail] = await mailTo(to, SURVEY_MAIL_KIND);
      const match = /\/survey\/(sv_[A-Za-z0-9_-]{43})/.exec(mail?.text_body ?? "");
      if (match?.[1] === undefined) throw new Error(`no survey link sent to ${to}`);
      return match[1];
    };

    it("records one survey per interview when it ends and reminds each interviewer once, with the request's page", async () => {
      const org = await fresh();
      const interview = await bookInterview(org, [org.dana.actor.userId, org.eli.actor.userId]);
      await sweepAt(interview.endedAt - 1);
      expect(await invitationOf(interview.bookingId)).toEqual([]);
      await sweepAt(interview.endedAt);
      await sweepAt(interview.endedAt + 15 * MINUTE);
      const invitations = await invitationOf(interview.bookingId);
      expect(invitations).toHaveLength(1);
      expect(invitations[0]).toMatchObject({ status: "scheduled", send_at: expect.anything() });
      expect(Number(invitations[0]?.send_at)).toBe(interview.endedAt + 2 * HOUR);
      for (const person of [org.dana, org.eli]) {
        const reminders = await mailTo(person.email, REMINDER_MAIL_KIND);
        expect(reminders).toHaveLength(1);
        expect(reminders[0]?.text_body).toContain(
          `http://ally.test/app/requests/${interview.requestId}`,
        );
      }
      expect(await mailTo(org.finn.email, REMINDER_MAIL_KIND)).toEqual([]);
    });

    it("sends the candidate one survey two hours after the end, with a link whose token only is hashed in the database", async () => {
      const org = await fresh();
      const interview = await bookInterview(org);
      const email = await candidateEmail(org);
      await sweepAt(interview.endedAt + 1);
      await sweepAt(interview.endedAt + 2 * HOUR - 1);
      expect(await mailTo(email, SURVEY_MAIL_KIND)).toEqual([]);
      await sweepAt(interview.endedAt + 2 * HOUR);
      await sweepAt(interview.endedAt + 3 * HOUR);
      await sweepAt(interview.endedAt + 2 * DAY);
      const sent = await mailTo(email, SURVEY_MAIL_KIND);
      expect(sent).toHaveLength(1);
      const token = await surveyToken(email);
      const [invitation] = await invitationOf(interview.bookingId);
      expect(invitation).toMatchObject({ status: "sent", token_hash: tokenHash(token) });
      expect(JSON.stringify(invitation)).not.toContain(token);
      expect(Number(invitation?.expires_at)).toBe(interview.endedAt + 2 * HOUR + 30 * DAY);
    });

    it("waits as many hours as the organisation set", async () => {
      const org = await fresh();
      await saveSurveySettings(
        store.db,
        org.owner.actor,
        { candidateSurveys: true, delayHours: 5, interviewerReminders: true },
        NOW,
      );
      const interview = await bookInterview(org);
      const email = await candidateEmail(org);
      await sweepAt(interview.endedAt);
      await sweepAt(interview.endedAt + 5 * HOUR - 1);
      expect(await mailTo(email, SURVEY_MAIL_KIND)).toEqual([]);
      await sweepAt(interview.endedAt + 5 * HOUR);
      expect(await mailTo(email, SURVEY_MAIL_KIND)).toHaveLength(1);
    });

    it("surveys no one and reminds no one about a cancelled interview", async () => {
      const org = await fresh();
      const interview = await bookInterview(org);
      await world.deps.booking.cancel(org.recruiter.actor, interview.requestId, {
        reason: "Role filled.",
      });
      await sweepAt(interview.endedAt + 3 * HOUR);
      expect(await invitationOf(interview.bookingId)).toEqual([]);
      expect(await mailTo(await candidateEmail(org), SURVEY_MAIL_KIND)).toEqual([]);
      expect(await mailTo(org.dana.email, REMINDER_MAIL_KIND)).toEqual([]);
    });

    for (const flag of ["objected", "restricted"] as const) {
      it(`sends no survey to a candidate who ${flag === "objected" ? "objected" : "restricted processing"}, and says why`, async () => {
        const org = await fresh();
        const interview = await bookInterview(org);
        const email = await candidateEmail(org);
        await setPersonFlag(store.db, email.toUpperCase(), flag, NOW, null);
        await sweepAt(interview.endedAt + 2 * HOUR);
        await sweepAt(interview.endedAt + 4 * HOUR);
        expect(await mailTo(email, SURVEY_MAIL_KIND)).toEqual([]);
        expect(await invitationOf(interview.bookingId)).toMatchObject([
          { status: "skipped", skipped_reason: flag, token_hash: null },
        ]);
      });
    }

    it("sends nothing when the organisation turned surveys and reminders off", async () => {
      const org = await fresh();
      await saveSurveySettings(
        store.db,
        org.owner.actor,
        { candidateSurveys: false, delayHours: 2, interviewerReminders: false },
        NOW,
      );
      const interview = await bookInterview(org);
      await sweepAt(interview.endedAt + 2 * HOUR);
      expect(await mailTo(await candidateEmail(org), SURVEY_MAIL_KIND)).toEqual([]);
      expect(await mailTo(org.dana.email, REMINDER_MAIL_KIND)).toEqual([]);
      expect(await invitationOf(interview.bookingId)).toMatchObject([
        { status: "skipped", skipped_reason: "surveys-off" },
      ]);
    });

    it("keeps the first answer, refuses an expired link, and asks no more after “don't ask me again”", async () => {
      const org = await fresh();
      const first = await bookInterview(org);
      const email = await candidateEmail(org);
      await sweepAt(first.endedAt + 2 * HOUR);
      const token = await surveyToken(email);
      const at = first.endedAt + 3 * HOUR;
      const answer = {
        nps: 9,
        scheduling: 5,
        preparation: 4,
        clarity: null,
        comment: "Friendly panel.",
      };
      expect(await answerSurvey(store.db, token, answer, at)).toEqual({ outcome: "answered" });
      expect(await answerSurvey(store.db, token, { ...answer, nps: 0 }, at + 1)).toEqual({
        outcome: "already-answered",
      });
      const rows = await store.db.selectFrom("survey_responses").selectAll().execute();
      expect(rows.filter((r) => r.comment === "Friendly panel.").map((r) => Number(r.nps))).toEqual(
        [9],
      );
      const expiresAt = first.endedAt + 2 * HOUR + 30 * DAY;
      expect((await openSurvey(store.db, token, expiresAt - 1)).ok).toBe(true);
      expect(await openSurvey(store.db, token, expiresAt)).toEqual({
        ok: false,
        problem: "expired",
      });
      expect(await optOutOfSurveys(store.db, token, at)).toEqual({ outcome: "opted-out" });

      const second = await bookInterview(org);
      await sweepAt(second.endedAt + 2 * HOUR);
      expect(await mailTo(email, SURVEY_MAIL_KIND)).toHaveLength(1);
      expect(await invitationOf(second.bookingId)).toMatchObject([
        { status: "skipped", skipped_reason: "opted-out" },
      ]);
    });

    it("runs as a scheduled job that sends what is due and comes back fifteen minutes later", async () => {
      const org = await fresh();
      const interview = await bookInterview(org);
      const email = await candidateEmail(org);
      const at = interview.endedAt + 2 * HOUR;
      world.clock.set(at);
      await store.db.deleteFrom("scheduled_jobs").where("key", "=", SURVEY_SWEEP_JOB).execute();
      await scheduleSurveySweep(store.db, at, at);
      // Set up again at the next start: the one already scheduled is kept.
      await scheduleSurveySweep(store.db, at + DAY, at);
      const handlers = { [SURVEY_SWEEP_JOB]: surveySweepHandler(deps) };
      while (await runNextJob({ db: store.db, clock: world.clock, handlers })) {
        // Only the sweep is due among the jobs handled here.
      }
      expect(await mailTo(email, SURVEY_MAIL_KIND)).toHaveLength(1);
      const job = await store.db
        .selectFrom("scheduled_jobs")
        .select(["run_at", "done_at"])
        .where("key", "=", SURVEY_SWEEP_JOB)
        .executeTakeFirstOrThrow();
      expect(Number(job.run_at)).toBe(at + SURVEY_SWEEP_EVERY_MS);
      expect(job.done_at).toBeNull();
    });

    it("puts the candidate's surveys in their access package and erases them with the person", async () => {
      const org = await fresh();
      const interview = await bookInterview(org);
      const email = await candidateEmail(org);
      await sweepAt(interview.endedAt + 2 * HOUR);
      const token = await surveyToken(email);
      await answerSurvey(
        store.db,
        token,
        {
          nps: 3,
          scheduling: 2,
          preparation: null,
          clarity: 1,
          comment: "Nobody told me the format.",
        },
        interview.endedAt + 3 * HOUR,
      );
      const collected = await world.deps.privacy.collectRecords(
        store.db,
        email,
        org.owner.actor.orgId,
      );
      const surveys = collected.sections.find((s) => s.module === "surveys");
      expect(surveys?.records).toEqual([
        expect.objectContaining({
          status: "sent",
          answer: expect.objectContaining({
            recommend0to10: 3,
            comment: "Nobody told me the format.",
          }),
        }),
      ]);

      await erasePerson(world.deps.erasure, { email, orgId: org.owner.actor.orgId });
      expect(await invitationOf(interview.bookingId)).toEqual([]);
      const left = await store.db
        .selectFrom("survey_responses")
        .select("comment")
        .where("comment", "=", "Nobody told me the format.")
        .execute();
      expect(left).toEqual([]);
      expect(
        await store.db
          .selectFrom("survey_opt_outs")
          .select("candidate_id")
          .where("candidate_id", "=", org.candidateId)
          .execute(),
      ).toEqual([]);
    });
  });
}
