/**
 * The recruiter's home and request list, on every database: what needs attention (times the
 * candidate proposed, a forgotten draft), the interviews of the next two weeks with their
 * interviewers' names, the time to schedule; the list with its interview dates, filters and
 * sort, and a bad filter answered with the field it names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { makeRequest, sendRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

const HOUR = 3_600_000;

/** The candidates' names in a page's rows, in page order. */
const namesIn = (html: string) =>
  [...html.matchAll(/>(Secret Interviewee \d+)</g)].map((m) => m[1] as string);

for (const database of await testDatabases()) {
  describe(`the recruiter's home on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    const name = { proposed: "", booked: "", draft: "" };

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme Rockets");
      world.clock.set(T0);
      // Proposed: sent, then the candidate says none of the times work.
      const proposed = await makeRequest(world, org);
      await sendRequest(world, org.owner, proposed.request.id);
      world.clock.set(T0 + HOUR / 2);
      await world.deps.booking.proposeTimes(proposed.request.id, {
        ranges: [{ start: "2026-12-07T09:00:00Z", end: "2026-12-07T12:00:00Z" }],
        message: "Monday morning suits me better",
      });
      // Booked by the recruiter on the candidate's behalf, an hour after it was created.
      world.clock.set(T0);
      const booked = await makeRequest(world, org);
      world.clock.set(T0 + HOUR);
      const options = await world.deps.booking.options(org.owner.actor, booked.request.id);
      await world.deps.booking.book(org.owner.actor, booked.request.id, {
        // The latest option, so that it is still ahead when the page is read a day later.
        optionId: [...options.options].sort((a, b) => b.startsAt.localeCompare(a.startsAt))[0]
          ?.id as string,
        idempotencyKey: "home-test-booking-key-1",
      });
      // A draft nobody sent.
      world.clock.set(T0);
      const draft = await makeRequest(world, org);
      name.proposed = proposed.secrets[0] as string;
      name.booked = booked.secrets[0] as string;
      name.draft = draft.secrets[0] as string;
      world.clock.set(T0 + 25 * HOUR);
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    it("shows a recruiter what needs them, the interviews ahead and the time to schedule", async () => {
      const home = await send(world.ally, "GET", "/app", { as: viaSession(org.recruiter) });
      expect(home.status).toBe(200);
      const attention = home.text.slice(
        home.text.indexOf('id="attention"'),
        home.text.indexOf('id="upcoming"'),
      );
      expect(attention).toContain("Needs attention (2)");
      expect(attention).toContain(`${name.proposed}`);
      expect(attention).toContain("The candidate proposed other times");
      expect(attention).toContain(`${name.draft}`);
      expect(attention).toContain("Not sent to the candidate yet");
      expect(attention).not.toContain(name.booked);
      const upcoming = home.text.slice(
        home.text.indexOf('id="upcoming"'),
        home.text.indexOf('id="pipeline"'),
      );
      expect(upcoming).toContain("Upcoming interviews (1)");
      expect(upcoming).toContain(name.booked);
      expect(upcoming).toContain(`Session 1: ${org.owner.name}`);
      expect(home.text).toContain("1 h 0 min");
      expect(home.text).toMatch(/over 1 interview booked in the last 30 days/);
      // The way to Ally by email: its waiting messages and its settings.
      expect(home.text).toContain('href="/app/assistant/escalations"');
      expect(home.text).toContain('href="/app/assistant/settings"');
    });

    it("keeps an interviewer's home to their own things", async () => {
      const home = await send(world.ally, "GET", "/app", { as: viaSession(org.interviewer) });
      expect(home.status).toBe(200);
      expect(home.text).not.toContain("Needs attention");
      expect(home.text).not.toContain(name.booked);
      expect(home.text).not.toContain('href="/app/assistant/escalations"');
    });

    it("lists requests with their interview date and what needs attention", async () => {
      const list = await send(world.ally, "GET", "/app/requests", {
        as: viaSession(org.recruiter),
      });
      expect(list.status).toBe(200);
      expect(list.text).toMatch(/data-label="Interview">2026-12-0\d \d\d:\d\d \(Europe\/Berlin\)/);
      expect(list.text).toContain("The candidate proposed other times");
    });

    it("filters by status, by job and to those needing attention, and sorts by interview date", async () => {
      const as = viaSession(org.recruiter);
      const scheduled = await send(world.ally, "GET", "/app/requests?status=scheduled", { as });
      expect(namesIn(scheduled.text)).toEqual([name.booked]);
      const attention = await send(world.ally, "GET", "/app/requests?attention=1", { as });
      expect(namesIn(attention.text).sort()).toEqual([name.proposed, name.draft].sort());
      const requests = await world.deps.booking.listRequests(org.owner.actor);
      const bookedJob = requests.find((r) => r.status === "scheduled")?.jobId as string;
      const byJob = await send(world.ally, "GET", `/app/requests?job=${bookedJob}`, { as });
      expect(namesIn(byJob.text)).toEqual([name.booked]);
      const sorted = await send(
        world.ally,
        "GET",
        "/app/requests?sort=interview&status=scheduled",
        { as },
      );
      expect(sorted.status).toBe(200);
      expect(sorted.text).toContain('value="interview" selected');
    });

    it("answers a filter it does not know with the field it names, and changes nothing", async () => {
      const bad = await send(world.ally, "GET", "/app/requests?status=lost&sort=sideways", {
        as: viaSession(org.recruiter),
      });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain("Status: choose one of the listed statuses.");
      expect(bad.text).toContain("Sort: choose newest or interview date.");
      expect(bad.text).toContain('href="#field-status"');
    });
  });
}
