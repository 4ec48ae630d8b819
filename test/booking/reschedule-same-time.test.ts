/**
 * Rescheduling to the time the interview already has changes nothing: the same SEQUENCE, no
 * timeline entry, no mail to anyone. On every database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { makeRequest, sendRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  type World,
} from "../support/web-world.js";

for (const database of await testDatabases()) {
  describe(`rescheduling to the same time on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Same Time Rockets");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    it("keeps the booking as it is and sends nothing", async () => {
      world.clock.set(T0);
      const { request } = await makeRequest(world, org);
      await sendRequest(world, org.owner, request.id);
      const [first] = (await world.deps.booking.candidateOptions(request.id)).options;
      const booked = await world.deps.booking.candidateBook(request.id, {
        optionId: first?.id as string,
        idempotencyKey: "same-time-book-key-0001",
      });
      const mailBefore = await world.store.db.selectFrom("outbox").select("id").execute();
      const eventsBefore = await world.deps.booking.timeline(org.owner.actor, request.id);
      // The current time is among the reschedule options: the booking's own slots count as free.
      const again = (await world.deps.booking.candidateOptions(request.id)).options.find(
        (o) => o.startsAt === booked.booking.sessions[0]?.startsAt,
      );
      expect(again).toBeDefined();
      const result = await world.deps.booking.candidateReschedule(request.id, {
        optionId: again?.id as string,
        idempotencyKey: "same-time-move-key-0001",
      });
      expect(result.booking.sequence).toBe(booked.booking.sequence);
      expect(result.booking.sessions).toEqual(booked.booking.sessions);
      expect(await world.store.db.selectFrom("outbox").select("id").execute()).toHaveLength(
        mailBefore.length,
      );
      expect(await world.deps.booking.timeline(org.owner.actor, request.id)).toEqual(eventsBefore);
    });
  });
}
