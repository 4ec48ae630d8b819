/**
 * The slot lock on its own, on every database, against a brute-force oracle: for any sequence
 * of claims (one or two interviewers at a time, anywhere from Wednesday to Friday) and
 * releases, `lockAndCheck` lets a claim through exactly when the oracle does — no active slot
 * of the person overlaps it (half-open: back to back is fine) and it keeps them within their
 * daily and weekly limits — and the active slots stored are exactly the oracle's.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTransaction } from "../../src/booking/context.js";
import type { SlotClaim } from "../../src/booking/problem.js";
import { insertSlots, lockAndCheck, releaseSlots } from "../../src/booking/slot-lock.js";
import type { OrgId } from "../../src/ids.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

const MINUTE = 60_000;
// Wed 2 Dec 2026 08:00 UTC: claims start on a 30-minute grid over three days from here.
const FIRST = Date.UTC(2026, 11, 2, 8, 0);
const LIMITS = { dana: { perDayLimit: 2 }, eli: { perWeekLimit: 3 }, finn: {} } as const;
type Who = keyof typeof LIMITS;

type Step =
  | { kind: "claim"; who: Who[]; startSlot: number; minutes: number }
  | { kind: "release"; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      who: fc.uniqueArray(fc.constantFrom<Who>("dana", "eli", "finn"), {
        minLength: 1,
        maxLength: 2,
      }),
      // 3 days × 48 half hours.
      startSlot: fc.nat(143),
      minutes: fc.constantFrom(30, 45, 60, 90),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("release" as const), pick: fc.nat(9) }) },
);

interface Held {
  bookingId: string;
  who: Who;
  start: number;
  end: number;
}

/** The oracle: every rule written out plainly over the list of what is held. */
function oracleAccepts(held: readonly Held[], claims: readonly (Held & { who: Who })[]): boolean {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  for (const claim of claims) {
    const mine = held.filter((h) => h.who === claim.who);
    if (mine.some((h) => h.start < claim.end && claim.start < h.end)) return false;
    const limits: { perDayLimit?: number; perWeekLimit?: number } = LIMITS[claim.who];
    const sameDay = mine.filter((h) => day(h.start) === day(claim.start)).length + 1;
    // Wed to Fri of one ISO week: every claim and hold here is in the same week.
    const sameWeek = mine.length + 1;
    if (limits.perDayLimit !== undefined && sameDay > limits.perDayLimit) return false;
    if (limits.perWeekLimit !== undefined && sameWeek > limits.perWeekLimit) return false;
  }
  return true;
}

for (const database of await testDatabases()) {
  describe(`the slot lock on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let org: BookingOrg;
    let requestId: string;
    let serial = 0;
    const seen = { accepted: 0, refused: 0 };

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      org = await buildBookingOrg(world, store, feeds, { profiles: LIMITS });
      requestId = (await world.deps.booking.createRequest(org.recruiter.actor, buildRequest(org)))
        .id;
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const orgId = () => org.owner.actor.orgId as OrgId;
    const userOf = (who: Who) => org[who].actor.userId;

    async function newBooking(): Promise<string> {
      serial += 1;
      const id = `bkg_slotlock_${database.dialect}_${serial}`;
      await store.db
        .insertInto("bookings")
        .values({
          id,
          organisation_id: orgId(),
          request_id: requestId,
          ical_uid: `${id}@ally`,
          sequence: 0,
          status: "active",
          idempotency_key: `slot-lock-${id}`,
          created_at: 0,
          updated_at: 0,
        })
        .execute();
      return id;
    }

    async function activeSlots() {
      const rows = await store.db
        .selectFrom("booked_slots")
        .select(["booking_id", "resource", "starts_at", "ends_at"])
        .where("organisation_id", "=", orgId())
        .where("active", "=", 1)
        .execute();
      return rows
        .map((r) => `${r.booking_id} ${r.resource} ${Number(r.starts_at)}-${Number(r.ends_at)}`)
        .sort();
    }

    it("lets a claim through exactly when the brute-force oracle does", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
          await store.db
            .deleteFrom("booked_slots")
            .where("organisation_id", "=", orgId())
            .execute();
          let held: Held[] = [];
          const ctx = { db: store.db, dialect: store.dialect };
          for (const s of steps) {
            if (s.kind === "release") {
              const ids = [...new Set(held.map((h) => h.bookingId))];
              const bookingId = ids[s.pick % Math.max(ids.length, 1)];
              if (bookingId === undefined) continue;
              await writeTransaction(ctx, (trx) => releaseSlots(trx, orgId(), bookingId));
              held = held.filter((h) => h.bookingId !== bookingId);
              continue;
            }
            const bookingId = await newBooking();
            const start = FIRST + s.startSlot * 30 * MINUTE;
            const wanted = s.who.map((who) => ({
              bookingId,
              who,
              start,
              end: start + s.minutes * MINUTE,
            }));
            const claims: SlotClaim[] = wanted.map((w) => ({
              userId: userOf(w.who),
              sessionName: "Screen",
              start: w.start,
              end: w.end,
            }));
            const why = await writeTransaction(ctx, async (trx) => {
              const refusal = await lockAndCheck(trx, store.dialect, orgId(), claims);
              if (refusal === undefined) await insertSlots(trx, orgId(), bookingId, claims);
              return refusal;
            });
            const expected = oracleAccepts(held, wanted);
            expect({ steps: s, accepted: why === undefined }).toEqual({
              steps: s,
              accepted: expected,
            });
            if (expected) {
              held = [...held, ...wanted];
              seen.accepted++;
            } else seen.refused++;
            expect(await activeSlots()).toEqual(
              held.map((h) => `${h.bookingId} user:${userOf(h.who)} ${h.start}-${h.end}`).sort(),
            );
          }
        }),
        { numRuns: 30, seed: 20261202 },
      );
      // The property saw both answers, or it proved little.
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.refused).toBeGreaterThan(0);
    }, 240_000);
  });
}
