/**
 * The marketing tables' retention (marketing/retention.ts) on both databases, with fixed
 * instants: an unconfirmed sign-up goes when its seven-day link expires, deliveries and opens
 * thirteen calendar months after they happened, each at its limit and not one millisecond
 * before; a suppression is never purged.
 */
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMarketingKeys } from "../../src/marketing/keys.js";
import { CONFIRM_TTL_MS } from "../../src/marketing/lists.js";
import { purgeExpired, thirteenMonthsBefore } from "../../src/marketing/retention.js";
import { sendBatch } from "../../src/marketing/send.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  MASTER_KEY,
  T0,
  type World,
} from "../support/web-world.js";

const keys = createMarketingKeys(singleKeyring(MASTER_KEY));
const at = (epochMs: number) => Temporal.Instant.fromEpochMilliseconds(epochMs);
const removed = (purged: { table: string; removed: number }[], table: string) =>
  purged.find((p) => p.table === table)?.removed;

for (const database of await testDatabases()) {
  describe(`marketing retention on ${database.dialect}`, () => {
    let world: World;

    beforeAll(async () => {
      world = await createWorld(database);
      const org = await createOrganisation(world);
      const commands = world.deps.marketing.forActor(org.owner.actor);
      // Tue 1 Dec 2026, 14:00 UTC: a list, one confirmed subscriber, one pending sign-up.
      const { id } = await commands.createList({ name: "Talent", description: "" });
      await commands.addSubscriber(id, { email: "kept@example.org", consentSource: "Fair sheet" });
      await world.deps.marketing.join(id, {
        email: "pending@example.org",
        name: "",
        consent: "yes",
      });
      const { messageId } = await commands.send(id, { subject: "News", text: "Hi" });
      const deps = {
        keys,
        publicUrl: "http://ally.test",
        mailFrom: "ally@ally.test",
        unsubscribeMailbox: "ally@ally.test",
        batchSize: 50,
        batchIntervalMs: 60_000,
      };
      await sendBatch(world.store.db, deps, messageId, T0);
      const mail = await world.store.db
        .selectFrom("outbox")
        .select("html_body")
        .where("kind", "=", "marketing")
        .executeTakeFirstOrThrow();
      await world.deps.marketing.open(/\/m\/o\/([^"]+)/.exec(mail.html_body ?? "")?.[1] ?? "");
      await world.deps.marketing.optOutByEmail("gone@example.org");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const count = async (
      table:
        | "marketing_subscribers"
        | "marketing_deliveries"
        | "marketing_opens"
        | "marketing_suppressions",
    ) => (await world.store.db.selectFrom(table).select("id").execute()).length;

    it("purges the unconfirmed sign-up when its link expires, not a millisecond before", async () => {
      const limit = T0 + CONFIRM_TTL_MS;
      expect(
        removed(await purgeExpired(world.store.db, at(limit - 1)), "marketing_subscribers"),
      ).toBe(0);
      expect(await count("marketing_subscribers")).toBe(2);
      expect(removed(await purgeExpired(world.store.db, at(limit)), "marketing_subscribers")).toBe(
        1,
      );
      expect(await count("marketing_subscribers")).toBe(1);
    });

    it("purges deliveries and opens thirteen months on, not a millisecond before, and keeps suppressions", async () => {
      // Thirteen calendar months after Tue 1 Dec 2026 14:00 UTC: Sat 1 Jan 2028 14:00 UTC.
      const limit = Date.UTC(2028, 0, 1, 14, 0, 0);
      expect(thirteenMonthsBefore(at(limit))).toBe(T0);
      const early = await purgeExpired(world.store.db, at(limit - 1));
      expect([removed(early, "marketing_deliveries"), removed(early, "marketing_opens")]).toEqual([
        0, 0,
      ]);
      expect([await count("marketing_deliveries"), await count("marketing_opens")]).toEqual([1, 1]);
      const due = await purgeExpired(world.store.db, at(limit));
      expect(due).toEqual([
        { table: "marketing_subscribers", category: "marketing", removed: 0 },
        { table: "marketing_opens", category: "usage-13m", removed: 1 },
        { table: "marketing_deliveries", category: "usage-13m", removed: 1 },
      ]);
      expect(await count("marketing_suppressions")).toBe(1);
      await purgeExpired(world.store.db, at(limit + 100 * 365 * 86_400_000));
      expect(await count("marketing_suppressions")).toBe(1);
      expect(await count("marketing_subscribers")).toBe(1);
    });
  });
}
