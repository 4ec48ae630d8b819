/**
 * The testimonial retention (src/testimonials/retention.ts) on every database, with fixed
 * instants: each kind of record is purged, with its steps and links, exactly at its limit and
 * not one millisecond before; a published testimonial is never purged.
 */
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpired } from "../../src/testimonials/retention.js";
import { testDatabases } from "../support/databases.js";
import { testimonialTokenFromMail } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();
const DAY = 86_400_000;
const at = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms);
// Tue 1 Dec 2026, 15:00 UTC: an hour after T0, when the testimonials end.
const ENDED = T0 + 3_600_000;
// Sat 1 Dec 2029, 15:00 UTC: three calendar years after ENDED.
const PROOF_LIMIT = Date.UTC(2029, 11, 1, 15, 0, 0);

describe.each(databases)("testimonial retention on $dialect", (database) => {
  let world: World;
  let org: Organisation;
  const ids: Record<string, string> = {};

  async function ask(label: string) {
    const email = `${label}-${unique()}@people.example`;
    const { id } = await world.deps.testimonials.request(org.owner.actor, {
      name: `Person ${label}`,
      email,
    });
    ids[label] = id;
    return testimonialTokenFromMail(world, email);
  }
  const write = (token: string) =>
    world.deps.testimonials.write(token, { quote: "Kind words about Ally.", displayName: "Kim" });

  const left = async () => {
    const rows = await world.store.db.selectFrom("testimonials").select("id").execute();
    const kept = new Set(rows.map((r) => r.id));
    return Object.entries(ids)
      .filter(([, id]) => kept.has(id))
      .map(([label]) => label)
      .sort();
  };

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world);
    world.clock.set(T0);
    // Asked at T0 and never answered.
    await ask("unanswered");
    // Written at T0, never consented to.
    await write(await ask("drafted"));
    const removed = await ask("removed-after-consent");
    await write(removed);
    await world.deps.testimonials.consent(removed, 1);
    const published = await ask("published");
    await write(published);
    await world.deps.testimonials.consent(published, 1);
    await world.deps.testimonials.publish(org.owner.actor, ids.published as string, 1);
    await ask("declined-before-consent");
    world.clock.set(ENDED);
    await world.deps.testimonials.remove(removed);
    await world.deps.testimonials.decline(
      org.owner.actor,
      ids["declined-before-consent"] as string,
    );
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("keeps everything until the first limit", async () => {
    await purgeExpired(world.store.db, at(ENDED + 30 * DAY - 1));
    expect(await left()).toEqual([
      "declined-before-consent",
      "drafted",
      "published",
      "removed-after-consent",
      "unanswered",
    ]);
  });

  it("deletes a record never consented to thirty days after its end", async () => {
    const purged = await purgeExpired(world.store.db, at(ENDED + 30 * DAY));
    expect(await left()).toEqual(["drafted", "published", "removed-after-consent", "unanswered"]);
    expect(purged).toEqual([
      { table: "testimonial_links", category: "testimonial", removed: 1 },
      // Requested, its email sent, declined.
      { table: "testimonial_steps", category: "testimonial", removed: 3 },
      { table: "testimonials", category: "testimonial", removed: 1 },
    ]);
  });

  it("deletes an unanswered request, written or not, sixty days after its last change", async () => {
    await purgeExpired(world.store.db, at(T0 + 60 * DAY - 1));
    expect(await left()).toEqual(["drafted", "published", "removed-after-consent", "unanswered"]);
    await purgeExpired(world.store.db, at(T0 + 60 * DAY));
    expect(await left()).toEqual(["published", "removed-after-consent"]);
  });

  it("keeps the proof of a withdrawn consent, without its text, three calendar years", async () => {
    const row = await world.store.db
      .selectFrom("testimonials")
      .selectAll()
      .where("id", "=", ids["removed-after-consent"] as string)
      .executeTakeFirstOrThrow();
    expect([row.quote, row.display_name, row.role, row.company]).toEqual([null, null, null, null]);
    await purgeExpired(world.store.db, at(PROOF_LIMIT - 1));
    expect(await left()).toEqual(["published", "removed-after-consent"]);
    const purged = await purgeExpired(world.store.db, at(PROOF_LIMIT));
    expect(await left()).toEqual(["published"]);
    expect(purged.find((p) => p.table === "testimonials")?.removed).toBe(1);
    const orphans = await world.store.db
      .selectFrom("testimonial_steps")
      .select("testimonial_id")
      .where("testimonial_id", "=", ids["removed-after-consent"] as string)
      .execute();
    expect(orphans).toEqual([]);
  });

  it("never purges a published testimonial: it stays until the person removes it", async () => {
    await purgeExpired(world.store.db, at(Date.UTC(2040, 0, 1)));
    expect(await left()).toEqual(["published"]);
  });
});
