/**
 * A property of the booking service, on every database: whatever sequence of bookings,
 * reschedules and cancellations three requests for the same two interviewers go through —
 * including candidates choosing options offered before others booked — no two active slots of
 * one interviewer overlap, no one passes their daily limit, each scheduled request has exactly
 * its sessions' slots, and every refusal is a clean SLOT_TAKEN, REQUEST_NOT_OPEN or BOOKING_CHANGED.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Option } from "../../src/booking/schemas.js";
import { AppError } from "../../src/errors.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

const PER_DAY = 2;

type Step =
  | { kind: "book"; request: number; pick: number; offered: boolean }
  | { kind: "reschedule"; request: number; pick: number }
  | { kind: "cancel"; request: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("book" as const),
    request: fc.nat(2),
    pick: fc.nat(2),
    offered: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("reschedule" as const), request: fc.nat(2), pick: fc.nat(2) }),
  fc.record({ kind: fc.constant("cancel" as const), request: fc.nat(2) }),
);

for (const database of await testDatabases()) {
  describe(`booking sequences on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let org: BookingOrg;
    let run = 0;
    /** Across runs, so the property is seen to exercise both outcomes. */
    const seen = { booked: 0, refused: 0 };

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      const limit = { perDayLimit: PER_DAY };
      org = await buildBookingOrg(world, store, feeds, { profiles: { dana: limit, eli: limit } });
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    it("keeps every interviewer's time single-booked and within limits", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
          run++;
          world.clock.set(NOW);
          const booking = world.deps.booking;
          const actor = org.recruiter.actor;
          const ids: string[] = [];
          const offered: Option[][] = [];
          for (let i = 0; i < 3; i++) {
            // Wed 2 Dec 2026, 09:00–17:00 UTC: one working day for everyone.
            const request = await booking.createRequest(
              actor,
              buildRequest(org, {
                sessions: [
                  {
                    name: "Pair",
                    durationMinutes: 90,
                    interviewerIds: [org.dana.actor.userId, org.eli.actor.userId],
                  },
                ],
                windowStart: "2026-12-02T09:00:00Z",
                windowEnd: "2026-12-02T17:00:00Z",
              }),
            );
            ids.push(request.id);
            offered.push((await booking.offer(actor, request.id)).offeredOptions ?? []);
          }
          for (const [n, s] of steps.entries()) {
            const id = ids[s.request] as string;
            const key = `prop-${run}-${n}`;
            try {
              if (s.kind === "cancel") {
                await booking.cancel(actor, id);
              } else {
                const choices =
                  s.kind === "book" && s.offered
                    ? (offered[s.request] ?? [])
                    : (await booking.options(actor, id)).options;
                const option = choices[s.pick % Math.max(choices.length, 1)];
                if (option === undefined) continue;
                const input = { optionId: option.id, idempotencyKey: key };
                if (s.kind === "book") {
                  await (s.offered
                    ? booking.candidateBook(id, input)
                    : booking.book(actor, id, input));
                } else {
                  await booking.reschedule(actor, id, input);
                }
                seen.booked++;
              }
            } catch (error) {
              expect(error).toBeInstanceOf(AppError);
              expect(["SLOT_TAKEN", "REQUEST_NOT_OPEN", "BOOKING_CHANGED"]).toContain(
                (error as AppError).code,
              );
              seen.refused++;
            }
          }

          const slots = await store.db
            .selectFrom("booked_slots")
            .innerJoin("bookings", "bookings.id", "booked_slots.booking_id")
            .select(["resource", "starts_at", "ends_at", "bookings.request_id"])
            .where("active", "=", 1)
            .where("bookings.request_id", "in", ids)
            .execute();
          for (const a of slots) {
            for (const b of slots) {
              if (a === b || a.resource !== b.resource) continue;
              expect(
                Number(a.starts_at) < Number(b.ends_at) && Number(b.starts_at) < Number(a.ends_at),
              ).toBe(false);
            }
          }
          const perResource = new Map<string, number>();
          for (const s of slots)
            perResource.set(s.resource, (perResource.get(s.resource) ?? 0) + 1);
          for (const count of perResource.values()) expect(count).toBeLessThanOrEqual(PER_DAY);
          for (const id of ids) {
            const request = await booking.getRequest(actor, id);
            const held = slots.filter((s) => s.request_id === id).length;
            expect(held).toBe(request.status === "scheduled" ? 2 : 0);
          }
          // Leave the day free for the next run.
          for (const id of ids) await booking.cancel(actor, id);
        }),
        { numRuns: 25 },
      );
      expect(seen.booked).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    }, 120_000);
  });
}
