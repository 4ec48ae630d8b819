/**
 * The booking pages over HTTP, on every database: a recruiter creates a request with the form
 * and sends it; the candidate opens the link from the email (no account), sees the job, the
 * format and the options in their zone grouped by day, changes zone, books once however often
 * the form is sent, reschedules and cancels; a time taken meanwhile shows fresh options; "none
 * of these work" sends their own times; bad, expired and revoked links say how to get a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkFormToken } from "../../src/booking/links.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { testDatabases } from "../support/databases.js";
import { calendarIcs } from "../support/failures.js";
import { bookingTokenFromMail, makeRequest, sendRequest } from "../support/object-factories.js";
import {
  anonymous,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  snapshot,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

const DAY = 86_400_000;

/** The option ids of a page's radio buttons, in page order. */
const optionIds = (html: string) =>
  [...html.matchAll(/name="option"[^>]*value="(opt_[0-9a-f]+)"/g)].map((m) => m[1] as string);
const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)?.[1] as string;

for (const database of await testDatabases()) {
  describe(`booking pages on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme Rockets");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    /** A request sent to its candidate; the token from their email. */
    async function sentRequest(sessions = 1) {
      world.clock.set(T0);
      const made = await makeRequest(world, org, sessions);
      await sendRequest(world, org.owner, made.request.id);
      const token = await bookingTokenFromMail(world, made.candidateEmail);
      return { ...made, token };
    }
    const bookingsOf = (requestId: string) =>
      world.store.db
        .selectFrom("bookings")
        .selectAll()
        .where("request_id", "=", requestId)
        .execute();

    it("lets a recruiter create a request with the form, see its options and send it by email", async () => {
      world.clock.set(T0);
      const made = await makeRequest(world, org); // for a candidate and job to choose
      const candidate = await world.store.db
        .selectFrom("candidates")
        .select(["id", "email"])
        .where("email", "=", made.candidateEmail)
        .executeTakeFirstOrThrow();
      const job = await world.store.db
        .selectFrom("jobs")
        .select("id")
        .where("id", "=", made.request.jobId)
        .executeTakeFirstOrThrow();
      const as = viaSession(org.recruiter);
      const form = await send(world.ally, "GET", "/app/requests/new", { as });
      expect(form.status).toBe(200);
      expect(form.text).toContain('name="sessions.1.name"');
      const created = await send(world.ally, "POST", "/app/requests", {
        as,
        form: {
          candidateId: candidate.id,
          jobId: job.id,
          "sessions.0.name": "Technical",
          "sessions.0.durationMinutes": "60",
          "sessions.0.interviewerIds": [org.owner.userId],
          "sessions.1.name": "Hiring manager",
          "sessions.1.durationMinutes": "45",
          "sessions.1.interviewerIds": [org.admin.userId],
          windowStart: "2026-12-02",
          windowEnd: "2026-12-04",
          videoLink: "https://meet.example.com/loop",
        },
      });
      expect(created.status, created.text.slice(0, 800)).toBe(303);
      const path = created.headers.get("location") as string;
      expect(path).toMatch(/^\/app\/requests\/req_/);
      const page = await send(world.ally, "GET", path, { as });
      expect(page.status).toBe(200);
      expect(page.text).toContain("Send to candidate");
      expect(page.text).toContain("Technical (60 min), Hiring manager (45 min)");
      expect(optionIds(page.text).length).toBeGreaterThan(0);
      expect(page.text).toContain(org.admin.name);
      expect(page.text).toContain("created the request");

      const sent = await send(world.ally, "POST", `${path}/offer`, { as });
      expect(sent.status).toBe(303);
      expect(sent.headers.get("location")).toBe(`${path}?done=sent`);
      const mail = await world.store.db
        .selectFrom("outbox")
        .selectAll()
        .where("to_address", "=", candidate.email)
        .where("kind", "=", "booking-link")
        .executeTakeFirstOrThrow();
      expect(mail.subject).toContain("Choose a time for your interview");
      expect(mail.text_body).toMatch(/http:\/\/ally\.test\/book\/bk_[A-Za-z0-9_-]{43}/);
      expect(mail.html_body).toMatch(/<a href="http:\/\/ally\.test\/book\/bk_[A-Za-z0-9_-]{43}">/);
      const after = await send(world.ally, "GET", path, { as });
      expect(after.text).toContain("Waiting for the candidate");
      expect(after.text).toContain("sent the options to the candidate");
    });

    it("names the fields of a bad request form and creates nothing", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/requests", {
        as: viaSession(org.recruiter),
        form: { candidateId: "", jobId: "", windowStart: "2 December", windowEnd: "2026-12-04" },
      });
      expect(answer.status).toBe(422);
      expect(answer.text).toContain('href="#field-windowStart"');
      expect(answer.text).toMatch(
        /id="field-windowStart"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="field-windowStart"/,
      );
      expect(await snapshot(world)).toEqual(before);
      const noCandidate = await send(world.ally, "POST", "/app/requests", {
        as: viaSession(org.recruiter),
        form: { candidateId: "", jobId: "", windowStart: "2026-12-02", windowEnd: "2026-12-04" },
      });
      expect(noCandidate.status).toBe(422);
      expect(noCandidate.text).toContain('href="#field-candidateId"');
      expect(await snapshot(world)).toEqual(before);
    });

    it("shows the candidate the job, the format and the options in their zone, grouped by day", async () => {
      const { token, secrets } = await sentRequest();
      const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      expect(page.status).toBe(200);
      expect(page.text).toContain(secrets[1] as string); // the job title
      expect(page.text).toContain("Acme Rockets");
      expect(page.text).toContain('Video call: <a href="https://meet.example.com/secret');
      expect(page.text).toContain("<legend>Wednesday 2 December 2026</legend>");
      // The owner works 09:00–17:00 UTC by default: 10:00 in Berlin, the candidate's zone.
      expect(page.text).toContain("10:00–11:00");
      expect(page.text).toContain("Times are shown in Europe/Berlin.");
      expect(page.text).not.toContain("Secret request notes");
      expect(page.text).toContain(`name="_form" value="${linkFormToken(token)}"`);
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(page.text).toContain('<script src="/assets/book.js" defer="">');
      expect(page.text).not.toContain("Sign in");
      const script = await send(world.ally, "GET", "/assets/book.js");
      expect(script.status).toBe(200);
      expect(script.text).toContain("resolvedOptions().timeZone");
    });

    it("shows times in the zone the candidate picks and remembers it for that link", async () => {
      const { token } = await sentRequest();
      const tokyo = await send(world.ally, "GET", `/book/${token}?zone=Asia%2FTokyo`, {
        as: anonymous,
      });
      expect(tokyo.status).toBe(200);
      expect(tokyo.text).toContain("Times are shown in Asia/Tokyo.");
      expect(tokyo.text).toContain("18:00–19:00"); // 09:00 UTC
      expect(tokyo.text).toContain('data-zone-picked="yes"');
      const cookie = tokyo.headers.get("set-cookie") ?? "";
      expect(cookie).toContain("ally_book_zone=Asia%2FTokyo");
      expect(cookie).toContain(`Path=/book/${token}`);
      const again = await world.ally.app.request(`/book/${token}`, {
        headers: { cookie: "ally_book_zone=Asia%2FTokyo" },
      });
      expect(await again.text()).toContain("Times are shown in Asia/Tokyo.");
      const unknown = await send(world.ally, "GET", `/book/${token}?zone=Mars%2FOlympus`, {
        as: anonymous,
      });
      expect(unknown.text).toContain("Times are shown in Europe/Berlin.");
      expect(unknown.text).toContain('data-zone-picked="no"');
    });

    it("books the chosen time once, however often the form is sent, and confirms it", async () => {
      const { token, request } = await sentRequest();
      const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      const [first] = optionIds(page.text);
      const form = {
        _form: linkFormToken(token),
        key: keyOf(page.text),
        option: first as string,
        zone: "Europe/Berlin",
      };
      const booked = await send(world.ally, "POST", `/book/${token}/book`, { as: anonymous, form });
      expect(booked.status, booked.text.slice(0, 600)).toBe(303);
      expect(booked.headers.get("location")).toBe(`/book/${token}?done=booked`);
      const twice = await send(world.ally, "POST", `/book/${token}/book`, { as: anonymous, form });
      expect(twice.status).toBe(303);
      expect(await bookingsOf(request.id)).toHaveLength(1);
      // The same page in another tab (another key) books nothing more and shows the booking.
      const otherTab = await send(world.ally, "POST", `/book/${token}/book`, {
        as: anonymous,
        form: { ...form, key: "another-tab-key-0001" },
      });
      expect(otherTab.status).toBe(303);
      expect(otherTab.headers.get("location")).toBe(`/book/${token}`);
      expect(await bookingsOf(request.id)).toHaveLength(1);
      const done = await send(world.ally, "GET", `/book/${token}?done=booked`, { as: anonymous });
      expect(done.text).toContain("Your interview is booked");
      expect(done.text).toContain("Done: your interview is booked.");
      expect(done.text).toContain(`href="/book/${token}/reschedule"`);
      expect(done.text).toContain(`href="/book/${token}/cancel"`);
    });

    it("puts the booked interview in the candidate's own calendar: a file with every session, and Google and Outlook links", async () => {
      world.clock.set(T0);
      const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
        name: "Casey Calendar",
        email: "casey.calendar@example.com",
      });
      const job = await world.deps.hiring.createJob(org.owner.actor, {
        title: "Rocket engineer",
        department: null,
        location: null,
        description: null,
      });
      const request = await world.deps.booking.createRequest(org.owner.actor, {
        candidateId: candidate.id,
        jobId: job.id,
        sessions: [
          { name: "Session 1", durationMinutes: 60, interviewerIds: [org.owner.userId] },
          { name: "Session 2", durationMinutes: 45, interviewerIds: [org.admin.userId] },
        ],
        maxGapMinutes: 15,
        windowStart: "2026-12-02T00:00:00Z",
        windowEnd: "2026-12-05T00:00:00Z",
        videoLink: "https://meet.example.com/secret",
      });
      await sendRequest(world, org.owner, request.id);
      const token = await bookingTokenFromMail(world, candidate.email);
      const before = await send(world.ally, "GET", `/book/${token}/interview.ics`, {
        as: anonymous,
      });
      expect(before.status).toBe(303);
      expect(before.headers.get("location")).toBe(`/book/${token}`);
      const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      // The video call is a link to join, not text to copy.
      expect(page.text).toContain(
        '<a href="https://meet.example.com/secret" rel="noopener noreferrer">',
      );
      const form = {
        _form: linkFormToken(token),
        key: keyOf(page.text),
        option: optionIds(page.text)[0] as string,
      };
      await send(world.ally, "POST", `/book/${token}/book`, { as: anonymous, form });

      const done = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      expect(done.text).toContain("Add it to your calendar");
      expect(done.text).toContain(`href="/book/${token}/interview.ics"`);
      const google = [...done.text.matchAll(/href="(https:\/\/calendar\.google\.com[^"]+)"/g)];
      const outlook = [...done.text.matchAll(/href="(https:\/\/outlook\.live\.com[^"]+)"/g)];
      expect(google).toHaveLength(2);
      expect(outlook).toHaveLength(2);
      const firstGoogle = new URL((google[0]?.[1] ?? "").replaceAll("&amp;", "&"));
      expect(firstGoogle.searchParams.get("text")).toBe("Interview: Session 1 (Acme Rockets)");
      expect(firstGoogle.searchParams.get("location")).toBe("https://meet.example.com/secret");

      const file = await send(world.ally, "GET", `/book/${token}/interview.ics`, { as: anonymous });
      expect(file.status).toBe(200);
      expect(file.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
      expect(file.headers.get("content-disposition")).toContain("interview.ics");
      expect(file.text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
      expect(file.text).toContain("SUMMARY:Interview: Session 1");
      expect(file.text).toContain("SUMMARY:Interview: Session 2");
      // The same UIDs as the invitations the candidate was sent: importing updates, not doubles.
      const uids = [...file.text.matchAll(/^UID:(.+)$/gm)].map((m) => (m[1] ?? "").trim());
      const invitations = await world.store.db
        .selectFrom("outbox")
        .select("calendar_ics")
        .where("calendar_ics", "is not", null)
        .execute();
      const invited = invitations.map((row) => row.calendar_ics ?? "").join("\n");
      for (const uid of uids) expect(invited).toContain(`UID:${uid}`);
    });

    it("asks for a time when none is chosen, and refuses a form without its link's token", async () => {
      const { token, request } = await sentRequest();
      const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      const none = await send(world.ally, "POST", `/book/${token}/book`, {
        as: anonymous,
        form: { _form: linkFormToken(token), key: keyOf(page.text) },
      });
      expect(none.status).toBe(422);
      expect(none.text).toContain('href="#field-option"');
      expect(none.text).toMatch(/id="field-option"[^>]*aria-invalid="true"/);
      const before = await snapshot(world);
      for (const _form of [undefined, linkFormToken(`bk_${"x".repeat(43)}`)]) {
        const forged = await send(world.ally, "POST", `/book/${token}/book`, {
          as: anonymous,
          form: {
            ...(_form ? { _form } : {}),
            key: keyOf(page.text),
            option: optionIds(page.text)[0] as string,
          },
        });
        expect(forged.status).toBe(403);
      }
      const crossSite = await send(world.ally, "POST", `/book/${token}/book`, {
        as: anonymous,
        form: {
          _form: linkFormToken(token),
          key: keyOf(page.text),
          option: optionIds(page.text)[0] as string,
        },
        headers: { "sec-fetch-site": "cross-site" },
      });
      expect(crossSite.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
      expect(await bookingsOf(request.id)).toHaveLength(0);
    });

    it("says when a time was just taken and offers the times open now", async () => {
      const one = await sentRequest();
      const other = await sentRequest();
      const page = await send(world.ally, "GET", `/book/${other.token}`, { as: anonymous });
      const wanted = optionIds(page.text)[0] as string;
      // The first candidate takes the same hour with the same interviewer.
      const theirs = await send(world.ally, "GET", `/book/${one.token}`, { as: anonymous });
      const sameTime = optionIds(theirs.text)[0] as string;
      expect(
        (
          await send(world.ally, "POST", `/book/${one.token}/book`, {
            as: anonymous,
            form: { _form: linkFormToken(one.token), key: keyOf(theirs.text), option: sameTime },
          })
        ).status,
      ).toBe(303);
      const taken = await send(world.ally, "POST", `/book/${other.token}/book`, {
        as: anonymous,
        form: { _form: linkFormToken(other.token), key: keyOf(page.text), option: wanted },
      });
      expect(taken.status).toBe(409);
      expect(taken.text).toContain("That time was just taken");
      const fresh = optionIds(taken.text);
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh).not.toContain(wanted);
      expect(await bookingsOf(other.request.id)).toHaveLength(0);
    });

    it("moves a booking to a fresh time (same event) and cancels it after confirmation", async () => {
      const { token, request } = await sentRequest();
      const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      await send(world.ally, "POST", `/book/${token}/book`, {
        as: anonymous,
        form: {
          _form: linkFormToken(token),
          key: keyOf(page.text),
          option: optionIds(page.text)[0] as string,
        },
      });
      const [original] = await bookingsOf(request.id);
      const moving = await send(world.ally, "GET", `/book/${token}/reschedule`, { as: anonymous });
      expect(moving.status).toBe(200);
      expect(moving.text).toContain("Choose a new time");
      const target = optionIds(moving.text).at(-1) as string;
      const moved = await send(world.ally, "POST", `/book/${token}/reschedule`, {
        as: anonymous,
        form: { _form: linkFormToken(token), key: keyOf(moving.text), option: target },
      });
      expect(moved.status, moved.text.slice(0, 600)).toBe(303);
      expect(moved.headers.get("location")).toBe(`/book/${token}?done=moved`);
      const [after] = await bookingsOf(request.id);
      expect(after?.ical_uid).toBe(original?.ical_uid);
      expect(after?.sequence).toBe((original?.sequence ?? 0) + 1);

      const confirm = await send(world.ally, "GET", `/book/${token}/cancel`, { as: anonymous });
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain("Yes, cancel the interview");
      const cancelled = await send(world.ally, "POST", `/book/${token}/cancel`, {
        as: anonymous,
        form: { _form: linkFormToken(token), reason: "Accepted another offer." },
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.text).toContain("Your interview is cancelled");
      expect((await bookingsOf(request.id))[0]?.status).toBe("cancelled");
      const gone = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      expect(gone.status).toBe(410);
      expect(gone.text).toContain("This link is no longer in use");
      expect(gone.text).toContain("reply to the email");
    });

    it("takes the candidate's own times when none of the options work", async () => {
      const { token, request } = await sentRequest();
      const grid = await send(world.ally, "GET", `/book/${token}/other`, { as: anonymous });
      expect(grid.status).toBe(200);
      // The grid starts where the request's window does, Wed 2 Dec 2026.
      expect(grid.text).toContain("<legend>Wednesday 2 December 2026</legend>");
      expect(grid.text).toContain('value="2026-12-03/morning"');
      const bad = await send(world.ally, "POST", `/book/${token}/other`, {
        as: anonymous,
        form: { _form: linkFormToken(token), zone: "Europe/Berlin", text: "" },
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('href="#field-ticked"');
      const sent = await send(world.ally, "POST", `/book/${token}/other`, {
        as: anonymous,
        form: {
          _form: linkFormToken(token),
          zone: "Europe/Berlin",
          ticked: ["2026-12-03/morning", "2026-12-03/afternoon"],
          text: "Mornings are best.",
        },
      });
      expect(sent.status).toBe(200);
      expect(sent.text).toContain("Thank you");
      const timeline = await world.deps.booking.timeline(org.owner.actor, request.id);
      const proposed = timeline.find((e) => e.kind === "times-proposed");
      // 09:00–17:00 in Berlin on Thu 3 Dec 2026 is 08:00–16:00 UTC.
      expect(proposed?.detail.ranges).toEqual([
        { start: "2026-12-03T08:00:00.000Z", end: "2026-12-03T16:00:00.000Z" },
      ]);
      expect(String(proposed?.detail.message)).toContain("Mornings are best.");
      const recruiterView = await send(world.ally, "GET", `/app/requests/${request.id}`, {
        as: viaSession(org.recruiter),
      });
      expect(recruiterView.text).toContain("proposed their own");
      expect(recruiterView.text).toContain("Mornings are best.");
    });

    it("answers a made-up link with 404 and an expired one with 410, each saying what to do", async () => {
      const missing = await send(world.ally, "GET", `/book/bk_${"Q".repeat(43)}`, {
        as: anonymous,
      });
      expect(missing.status).toBe(404);
      expect(missing.text).toContain("This link does not work");
      const { token } = await sentRequest();
      world.clock.set(T0 + 15 * DAY);
      const expired = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
      expect(expired.status).toBe(410);
      expect(expired.text).toContain("This link has expired");
      expect(expired.text).toContain("To get a new link");
      world.clock.set(T0);
    });

    it("revokes the old link when the recruiter sends a new one, or cancels", async () => {
      const { token, request, candidateEmail } = await sentRequest();
      const as = viaSession(org.recruiter);
      expect(
        (await send(world.ally, "POST", `/app/requests/${request.id}/offer`, { as })).status,
      ).toBe(303);
      const newer = await bookingTokenFromMail(world, candidateEmail);
      expect(newer).not.toBe(token);
      expect((await send(world.ally, "GET", `/book/${token}`, { as: anonymous })).status).toBe(410);
      expect((await send(world.ally, "GET", `/book/${newer}`, { as: anonymous })).status).toBe(200);
      const unticked = await send(world.ally, "POST", `/app/requests/${request.id}/cancel`, {
        as,
        form: {},
      });
      expect(unticked.status).toBe(422);
      expect(unticked.text).toContain('href="#field-confirm"');
      const cancelled = await send(world.ally, "POST", `/app/requests/${request.id}/cancel`, {
        as,
        form: { confirm: "yes" },
      });
      expect(cancelled.status).toBe(303);
      expect((await send(world.ally, "GET", `/book/${newer}`, { as: anonymous })).status).toBe(410);
    });

    it("says on the request page why nothing fits, and offers nothing to send", async () => {
      world.clock.set(T0);
      // Sat 5 and Sun 6 Dec 2026: outside the owner's default working week.
      const { request } = await makeRequest(world, org, 1, {
        start: "2026-12-05T00:00:00Z",
        end: "2026-12-07T00:00:00Z",
      });
      const explanation = (await world.deps.booking.options(org.owner.actor, request.id))
        .explanation;
      expect(explanation).not.toBeNull();
      const page = await send(world.ally, "GET", `/app/requests/${request.id}`, {
        as: viaSession(org.recruiter),
      });
      expect(page.status).toBe(200);
      // In the recruiter's words: the change that helps most, days in the request's zone, no ids.
      expect(page.text).toContain(
        "No time fits. The change that would help most: widen the window to Monday 7 December 2026",
      );
      expect(page.text).toMatch(/is outside their working hours at \d+ of \d+ possible starts/);
      expect(page.text).not.toContain(org.owner.userId);
      expect(page.text).not.toContain("Send to candidate");
      expect(optionIds(page.text)).toEqual([]);
      const before = await snapshot(world);
      const refused = await send(world.ally, "POST", `/app/requests/${request.id}/offer`, {
        as: viaSession(org.recruiter),
      });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain("No time fits this request");
      expect(await snapshot(world)).toEqual(before);
    });

    it("books on the candidate's behalf from the request page", async () => {
      world.clock.set(T0);
      const { request } = await makeRequest(world, org);
      const as = viaSession(org.recruiter);
      const page = await send(world.ally, "GET", `/app/requests/${request.id}`, { as });
      const none = await send(world.ally, "POST", `/app/requests/${request.id}/book`, {
        as,
        form: { key: keyOf(page.text) },
      });
      expect(none.status).toBe(422);
      expect(none.text).toContain('href="#field-option"');
      const booked = await send(world.ally, "POST", `/app/requests/${request.id}/book`, {
        as,
        form: { key: keyOf(page.text), option: optionIds(page.text)[0] as string },
      });
      expect(booked.status, booked.text.slice(0, 500)).toBe(303);
      const after = await send(world.ally, "GET", `/app/requests/${request.id}?done=booked`, {
        as,
      });
      expect(after.text).toContain("Scheduled");
      expect(after.text).toContain("booked the interview");
    });

    it("lists requests by status with the time each took to schedule", async () => {
      world.clock.set(T0);
      const { request } = await makeRequest(world, org);
      world.clock.set(T0 + 2 * DAY + 3 * 3_600_000);
      const options = await world.deps.booking.options(org.owner.actor, request.id);
      await world.deps.booking.book(org.owner.actor, request.id, {
        optionId: options.options[0]?.id as string,
        idempotencyKey: "dashboard-key-1",
      });
      const list = await send(world.ally, "GET", "/app/requests", {
        as: viaSession(org.recruiter),
      });
      world.clock.set(T0);
      expect(list.status).toBe(200);
      expect(list.text).toContain("Scheduled (");
      expect(list.text).toContain("2 d 3 h");
      expect(list.text).toContain(`href="/app/requests/${request.id}"`);
      expect(list.text).toContain('href="/app/requests" aria-current="page"');
      const interviewer = await send(world.ally, "GET", "/app/requests", {
        as: viaSession(org.interviewer),
      });
      expect(interviewer.status).toBe(403);
    });

    describe("the candidate's own calendar", () => {
      let feeds: FeedServer;
      let feedNumber = 0;
      beforeAll(async () => {
        feeds = await startFeedServer();
      });
      afterAll(async () => {
        await feeds?.close();
      });

      /** RFC 3339 to the UTC basic format of ICS. */
      const basic = (iso: string) => iso.replace(/[-:]/g, "").replace(/\.\d+/, "");
      /** A secret feed address answering one busy event over `[startsAt, endsAt)`. */
      function busyFeed(startsAt: string, endsAt: string): { path: string; url: string } {
        feedNumber += 1;
        const path = `/calendar/${feedNumber}/private-0123456789abcdef/basic.ics`;
        const body = calendarIcs([
          {
            uid: `candidate-${feedNumber}@example.com`,
            start: basic(startsAt),
            end: basic(endsAt),
          },
        ]);
        feeds.route(path, (_request, response) => {
          response.writeHead(200, { "content-type": "text/calendar" }).end(body);
        });
        return { path, url: `${feeds.baseUrl}${path}` };
      }
      /**
       * The request's options, a busy time over its first option (other tests in this file book
       * the owner's earlier times), and which options overlap it.
       */
      async function optionsAndBusy(requestId: string) {
        const { options } = await world.deps.booking.candidateOptions(requestId);
        const first = options[0];
        if (first === undefined) throw new Error("the request has no options");
        const busyTime = { startsAt: first.startsAt, endsAt: first.endsAt };
        const overlapping = options.filter(
          (o) =>
            Date.parse(o.startsAt) < Date.parse(busyTime.endsAt) &&
            Date.parse(busyTime.startsAt) < Date.parse(o.endsAt),
        );
        return {
          all: options.map((o) => o.id),
          busy: overlapping.map((o) => o.id),
          feed: busyFeed(busyTime.startsAt, busyTime.endsAt),
        };
      }
      const hiddenText = (n: number) =>
        `${n === 1 ? "1 time is" : `${n} times are`} hidden because your calendar shows you busy then.`;
      const connect = (token: string, calendarUrl: string) =>
        send(world.ally, "POST", `/book/${token}/calendar`, {
          as: anonymous,
          form: { _form: linkFormToken(token), calendarUrl },
        });
      const disconnect = (token: string) =>
        send(world.ally, "POST", `/book/${token}/calendar/disconnect`, {
          as: anonymous,
          form: { _form: linkFormToken(token) },
        });
      const calendarsOf = (requestId: string) =>
        world.store.db
          .selectFrom("candidate_calendars")
          .selectAll()
          .where("request_id", "=", requestId)
          .execute();

      it("hides the times the connected calendar shows busy, says how many, and shows them all again once disconnected", async () => {
        const { token, request } = await sentRequest();
        const { all, busy, feed } = await optionsAndBusy(request.id);
        expect(busy.length).toBeGreaterThan(0);
        const before = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
        expect(optionIds(before.text)).toEqual(all);
        expect(before.text).toContain("Check these times against your calendar");
        expect(before.text).toContain('name="calendarUrl"');

        const connected = await connect(token, feed.url);
        expect(connected.status, connected.text.slice(0, 800)).toBe(303);
        expect(connected.headers.get("location")).toBe(`/book/${token}`);

        const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
        expect(page.status).toBe(200);
        expect(optionIds(page.text)).toEqual(all.filter((id) => !busy.includes(id)));
        expect(page.text).toContain(hiddenText(busy.length));
        expect(page.text).toContain("Disconnect my calendar");
        expect(page.text).not.toContain(feed.path);

        // The secret address is sealed: neither it nor its path is stored in the clear.
        const [row] = await calendarsOf(request.id);
        expect(row?.label).toBe(new URL(feeds.baseUrl).host);
        expect(row?.url).toMatch(/^v2\.dk_/);
        expect(JSON.stringify(row)).not.toContain("private-0123456789abcdef");
        expect(row?.last_error).toBeNull();

        const gone = await disconnect(token);
        expect(gone.status).toBe(303);
        expect(gone.headers.get("location")).toBe(`/book/${token}`);
        expect(await calendarsOf(request.id)).toEqual([]);
        const after = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
        expect(optionIds(after.text)).toEqual(all);
        expect(after.text).not.toContain("times are hidden");
        expect(after.text).toContain('name="calendarUrl"');
      });

      it("hides busy times on the reschedule page too, and still books a time it hid when the form names it", async () => {
        const { token, request } = await sentRequest();
        const { busy, feed } = await optionsAndBusy(request.id);
        expect((await connect(token, feed.url)).status).toBe(303);
        const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
        // Filtering is what the page shows; the booking service decides what can be booked.
        const booked = await send(world.ally, "POST", `/book/${token}/book`, {
          as: anonymous,
          form: { _form: linkFormToken(token), key: keyOf(page.text), option: busy[0] as string },
        });
        expect(booked.status, booked.text.slice(0, 600)).toBe(303);
        const moving = await send(world.ally, "GET", `/book/${token}/reschedule`, {
          as: anonymous,
        });
        expect(moving.status).toBe(200);
        const shown = optionIds(moving.text);
        expect(shown.length).toBeGreaterThan(0);
        expect(shown.some((id) => busy.includes(id))).toBe(false);
        expect(moving.text).toContain("because your calendar shows you busy then.");
        const gone = await disconnect(token);
        expect(gone.headers.get("location")).toBe(`/book/${token}/reschedule`);
      });

      it("refuses an address that is not a calendar, not a web address or on a private network on its field, and stores nothing", async () => {
        const { token, request } = await sentRequest();
        feeds.route("/not-a-calendar.html", (_request, response) => {
          response.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
        });
        const before = await snapshot(world);
        for (const address of [
          "my calendar",
          "ftp://calendar.example.com/basic.ics",
          "",
          `${feeds.baseUrl}/not-a-calendar.html`,
          `${feeds.baseUrl}/no-such-feed.ics`,
        ]) {
          const answer = await connect(token, address);
          expect(answer.status, address).toBe(422);
          expect(answer.text).toContain('href="#field-calendarUrl"');
          expect(answer.text).toMatch(/id="field-calendarUrl"[^>]*aria-invalid="true"/);
          // The options are still there to choose from.
          expect(optionIds(answer.text).length).toBeGreaterThan(0);
        }
        expect(await calendarsOf(request.id)).toEqual([]);
        expect(await snapshot(world)).toEqual(before);
      });

      it("shows every time, saying why, when the connected calendar cannot be read", async () => {
        const { token, request } = await sentRequest();
        const { all, feed } = await optionsAndBusy(request.id);
        expect((await connect(token, feed.url)).status).toBe(303);
        feeds.route(feed.path, (_request, response) => {
          response.writeHead(503).end("down for maintenance");
        });
        const page = await send(world.ally, "GET", `/book/${token}`, { as: anonymous });
        expect(page.status).toBe(200);
        expect(optionIds(page.text)).toEqual(all);
        expect(page.text).toContain("We could not read your calendar at");
        expect(page.text).toContain("so all the times are shown");
        expect(page.text).toContain("Disconnect my calendar");
        const [row] = await calendarsOf(request.id);
        expect(row?.last_error).toContain("503");
        const booked = await send(world.ally, "POST", `/book/${token}/book`, {
          as: anonymous,
          form: { _form: linkFormToken(token), key: keyOf(page.text), option: all[0] as string },
        });
        expect(booked.status).toBe(303);
      });

      it("keeps a candidate's calendar from every other link: it cannot read or disconnect it", async () => {
        const mine = await sentRequest();
        const theirs = await sentRequest();
        const { feed } = await optionsAndBusy(mine.request.id);
        expect((await connect(mine.token, feed.url)).status).toBe(303);
        const other = await send(world.ally, "GET", `/book/${theirs.token}`, { as: anonymous });
        expect(other.text).not.toContain("times are hidden");
        expect(other.text).not.toContain("Disconnect my calendar");
        expect(other.text).not.toContain(new URL(feeds.baseUrl).host);
        expect((await disconnect(theirs.token)).status).toBe(303);
        expect(await calendarsOf(mine.request.id)).toHaveLength(1);
        // A form carrying another link's token is refused, and disconnects nothing.
        const forged = await send(world.ally, "POST", `/book/${mine.token}/calendar/disconnect`, {
          as: anonymous,
          form: { _form: linkFormToken(theirs.token) },
        });
        expect(forged.status).toBe(403);
        expect(await calendarsOf(mine.request.id)).toHaveLength(1);
        const made = await send(
          world.ally,
          "POST",
          "/book/bk_not-a-real-link/calendar/disconnect",
          {
            as: anonymous,
            form: { _form: linkFormToken("bk_not-a-real-link") },
          },
        );
        expect(made.status).toBe(404);
        expect(await calendarsOf(mine.request.id)).toHaveLength(1);
      });
    });
  });
}
