/**
 * Profile defaults in one place (hiring's `schedulingFacts`), on every database: an
 * interviewer who saved no profile is scheduled in UTC working hours, and their invitation is
 * written in the same zone, whatever zone the request is in (they used to be scheduled in UTC
 * but emailed in the request's zone).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatWhen } from "../../src/calendar/invitation-mail.js";
import { schedulingFacts } from "../../src/hiring/scheduling-facts.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW, type SignedIn, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

for (const database of await testDatabases()) {
  describe(`profile defaults on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let org: BookingOrg;
    /** A member who never saved a profile. */
    let gus: SignedIn;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      org = await buildBookingOrg(world, store, feeds, {
        profiles: { eli: { timeZone: "Asia/Tokyo" } },
      });
      gus = await org.add("interviewer", "Gus");
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    it("gives someone without a profile UTC, weekdays 09:00–17:00 and no limits, and a saved profile as saved", async () => {
      const facts = await schedulingFacts(store.db, org.owner.actor.orgId, [
        gus.actor.userId,
        org.eli.actor.userId,
      ]);
      expect(facts.get(gus.actor.userId)).toEqual({
        userId: gus.actor.userId,
        timeZone: "UTC",
        workingHours: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" }],
        perDayLimit: null,
        perWeekLimit: null,
        saved: false,
      });
      expect(facts.get(org.eli.actor.userId)).toMatchObject({
        timeZone: "Asia/Tokyo",
        saved: true,
      });
    });

    it("schedules and invites an interviewer without a profile in the same zone, not the request's", async () => {
      world.clock.set(NOW);
      const booking = world.deps.booking;
      const request = await booking.createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          timeZone: "America/New_York",
          // An early riser: 09:00 UTC is 04:00 in New York, outside the default 08:00–20:00.
          candidateHours: { start: "04:00", end: "20:00", days: ["MO", "TU", "WE", "TH", "FR"] },
          sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds: [gus.actor.userId] }],
        }),
      );
      const { options } = await booking.options(org.recruiter.actor, request.id);
      // Every option lies in 09:00–17:00 UTC; New York working hours would start at 14:00 UTC.
      for (const o of options) {
        expect(new Date(o.startsAt).getUTCHours()).toBeGreaterThanOrEqual(9);
        expect(Date.parse(o.endsAt)).toBeLessThanOrEqual(
          Date.parse(`${o.startsAt.slice(0, 10)}T17:00:00Z`),
        );
      }
      // Wed 2 Dec 2026, 09:00 UTC: the first hour of UTC working hours in the window.
      const first = options.find((o) => o.startsAt === "2026-12-02T09:00:00.000Z");
      if (first === undefined) throw new Error("expected an option at 09:00 UTC");
      const before = await store.db
        .selectFrom("outbox")
        .select((eb) => eb.fn.max("id").as("id"))
        .executeTakeFirst();
      await booking.book(org.recruiter.actor, request.id, {
        optionId: first.id,
        idempotencyKey: `defaults-${request.id}`,
      });
      const toGus = await store.db
        .selectFrom("outbox")
        .select(["text_body"])
        .where("id", ">", Number(before?.id ?? 0))
        .where("to_address", "=", gus.email)
        .execute();
      expect(toGus.length).toBeGreaterThan(0);
      const when = formatWhen(Date.parse(first.startsAt), Date.parse(first.endsAt), "UTC");
      expect(toGus.map((m) => m.text_body).join("\n")).toContain(when);
      expect(toGus.map((m) => m.text_body).join("\n")).not.toContain("America/New_York");
    });
  });
}
