/**
 * Reading one booking's slots uses the index on `booked_slots.booking_id`, on both databases,
 * rather than scanning the organisation's slots. The table is filled with many bookings' slots
 * in one organisation (foreign keys set aside for the fill: only the planner is under test) and
 * its statistics gathered, so the planner chooses as it would in production.
 */
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/schema.js";
import { testDatabases } from "../support/databases.js";

const BOOKINGS = 1500;
const SLOTS_PER_BOOKING = 3;
const HOUR_MS = 3_600_000;
// Tue 1 Dec 2026, 00:00 UTC
const T0 = Date.UTC(2026, 11, 1);

/** One organisation's bookings, each three one-hour slots of different people, one after another. */
function slotRows() {
  return Array.from({ length: BOOKINGS * SLOTS_PER_BOOKING }, (_, i) => ({
    organisation_id: "org_planner",
    booking_id: `bkg_${Math.floor(i / SLOTS_PER_BOOKING)}`,
    resource: `user:u${i % 7}`,
    session_name: `Session ${i % SLOTS_PER_BOOKING}`,
    starts_at: T0 + i * HOUR_MS,
    ends_at: T0 + (i + 1) * HOUR_MS,
    active: i % 5 === 0 ? 0 : 1,
  }));
}

async function fill(db: Kysely<Database>): Promise<void> {
  const rows = slotRows();
  for (let at = 0; at < rows.length; at += 500) {
    await db
      .insertInto("booked_slots")
      .values(rows.slice(at, at + 500))
      .execute();
  }
}

/** The read the booking service makes for one booking's slots. */
const oneBookingsSlots = (db: Kysely<Database>) =>
  db
    .selectFrom("booked_slots")
    .select(["id", "resource", "starts_at", "ends_at"])
    .where("organisation_id", "=", "org_planner")
    .where("booking_id", "=", "bkg_700")
    .where("active", "=", 1)
    .compile();

for (const database of await testDatabases()) {
  describe(`booked_slots on ${database.dialect}`, () => {
    let created: Awaited<ReturnType<typeof database.create>>;

    beforeAll(async () => {
      created = await database.create();
    }, 60_000);
    afterAll(async () => {
      await created?.drop();
    });

    it("reads one booking's slots through the booking index", async () => {
      const { db } = created.store;
      const query = oneBookingsSlots(db);
      if (database.dialect === "sqlite") {
        await sql`PRAGMA foreign_keys = OFF`.execute(db);
        await fill(db);
        await sql`PRAGMA foreign_keys = ON`.execute(db);
        await sql`ANALYZE`.execute(db);
        const plan = await db.executeQuery<{ detail: string }>({
          ...query,
          sql: `EXPLAIN QUERY PLAN ${query.sql}`,
        });
        const details = plan.rows.map((r) => r.detail).join("\n");
        expect(details).toMatch(
          /SEARCH booked_slots USING INDEX booked_slots_booking \(booking_id=\?\)/,
        );
      } else {
        const plan = await db.transaction().execute(async (trx) => {
          // The fill skips the foreign keys' triggers; the overlap constraint still holds.
          await sql`SET LOCAL session_replication_role = replica`.execute(trx);
          await fill(trx);
          await sql`SET LOCAL session_replication_role = origin`.execute(trx);
          await sql`ANALYZE booked_slots`.execute(trx);
          return trx.executeQuery<{ "QUERY PLAN": string }>({
            ...query,
            sql: `EXPLAIN ${query.sql}`,
          });
        });
        const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        expect(text).toMatch(
          /Index Scan using booked_slots_booking on booked_slots|Bitmap Index Scan on booked_slots_booking/,
        );
        expect(text).not.toMatch(/Seq Scan/);
      }
    });
  });
}
