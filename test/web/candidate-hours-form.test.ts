/**
 * The candidate's hours on the new-request form: the default (08:00–20:00 on weekdays) is shown
 * and kept unless changed; other hours and weekends are saved with the request and bound its
 * options; a bad time is named and nothing is created. On every database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { makeRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  snapshot,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

for (const database of await testDatabases()) {
  describe(`the candidate's hours on the request form on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let ids: { candidateId: string; jobId: string };

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Hours Rockets");
      world.clock.set(T0);
      const made = await makeRequest(world, org);
      ids = { candidateId: made.request.candidateId, jobId: made.request.jobId };
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const form = (extra: Record<string, string>) => ({
      ...ids,
      "sessions.0.name": "Screen",
      "sessions.0.durationMinutes": "60",
      "sessions.0.interviewerIds": [org.owner.userId],
      windowStart: "2026-12-02",
      windowEnd: "2026-12-04",
      ...extra,
    });

    it("shows 08:00 to 20:00 on weekdays, and keeps that default when left alone", async () => {
      const as = viaSession(org.recruiter);
      const page = await send(world.ally, "GET", "/app/requests/new", { as });
      expect(page.text).toContain('name="candidateHours.start" type="time" value="08:00"');
      expect(page.text).toContain('name="candidateHours.end" type="time" value="20:00"');
      const created = await send(world.ally, "POST", "/app/requests", { as, form: form({}) });
      expect(created.status).toBe(303);
      const id = (created.headers.get("location") as string).split("/").at(-1) as string;
      const request = await world.deps.booking.getRequest(org.owner.actor, id);
      expect(request.candidateHours).toEqual({
        start: "08:00",
        end: "20:00",
        days: ["MO", "TU", "WE", "TH", "FR"],
      });
    });

    it("saves other hours and weekends, and offers only times inside them", async () => {
      const as = viaSession(org.recruiter);
      const created = await send(world.ally, "POST", "/app/requests", {
        as,
        form: form({
          "candidateHours.start": "15:00",
          "candidateHours.end": "17:00",
          "candidateHours.weekends": "yes",
        }),
      });
      expect(created.status).toBe(303);
      const id = (created.headers.get("location") as string).split("/").at(-1) as string;
      const request = await world.deps.booking.getRequest(org.owner.actor, id);
      expect(request.candidateHours).toEqual({
        start: "15:00",
        end: "17:00",
        days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
      });
      const { options } = await world.deps.booking.options(org.owner.actor, id);
      expect(options.length).toBeGreaterThan(0);
      for (const option of options) {
        // The request is in the candidate's zone, Europe/Berlin: 15:00–17:00 there.
        const local = new Date(option.startsAt).toLocaleTimeString("en-GB", {
          timeZone: "Europe/Berlin",
          hour: "2-digit",
          minute: "2-digit",
        });
        expect(local >= "15:00" && local <= "16:00").toBe(true);
      }
    });

    it("names a bad time and creates nothing", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/requests", {
        as: viaSession(org.recruiter),
        form: form({ "candidateHours.start": "18:00", "candidateHours.end": "09:00" }),
      });
      expect(answer.status).toBe(422);
      expect(answer.text).toContain("Candidate&#39;s hours: until must be after from");
      expect(answer.text).toContain('href="#field-candidateHours.end"');
      expect(await snapshot(world)).toEqual(before);
    });
  });
}
