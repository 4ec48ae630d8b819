/**
 * Options for a loop whose search tree is huge: five 5-minute sessions in any order, gaps of up
 * to four hours, one interviewer with a limit of four a day, a one-day window. The options
 * route answers at once (no option can exist: one person cannot sit in five sessions of one
 * loop) with the explanation, in-process and through the engine's worker pool alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import type { OptionsAnswer } from "../../src/booking/schemas.js";
import { loadConfig } from "../../src/config.js";
import { createEnginePool, type EnginePool } from "../../src/engine-pool/pool.js";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, MASTER_KEY, META, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

for (const database of await testDatabases()) {
  describe(`options for a loop with a huge search tree on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let pool: EnginePool;
    let org: BookingOrg;
    let token: string;
    let requestId: string;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      pool = createEnginePool({ size: 1 });
      org = await buildBookingOrg(world, store, feeds, { profiles: { dana: { perDayLimit: 4 } } });
      token = (await world.accounts.createApiToken(org.recruiter.actor, "tests", META)).token;
      const dana = org.dana.actor.userId;
      const created = await world.deps.booking.createRequest(
        org.recruiter.actor,
        buildRequest(org, {
          order: "any",
          maxGapMinutes: 240,
          sessions: [1, 2, 3, 4, 5].map((n) => ({
            name: `Part ${n}`,
            durationMinutes: 5,
            interviewerIds: [dana],
          })),
          // Wed 2 Dec 2026, the whole day (UTC)
          windowStart: "2026-12-02T00:00:00Z",
          windowEnd: "2026-12-03T00:00:00Z",
        }),
      );
      requestId = created.id;
    }, 60_000);
    afterAll(async () => {
      await pool?.close();
      await feeds?.close();
      await drop?.();
    });

    async function options(app: ReturnType<typeof createApp>["app"]): Promise<OptionsAnswer> {
      const response = await app.request(`/api/v1/interview-requests/${requestId}/options`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as OptionsAnswer;
    }

    it("answers with no options and an explanation, having searched everything", async () => {
      const answer = await options(createApp(world.deps).app);
      expect(answer.options).toEqual([]);
      expect(answer.explanation?.feasibleStarts).toBe(0);
      expect(answer.search).toBeUndefined();
    }, 60_000);

    it("gives the same answer when the engine runs on its worker pool", async () => {
      const loaded = loadConfig({
        DATABASE_URL: "sqlite::memory:",
        DATA_DIR: "/tmp/ally-test-data",
      });
      if (!loaded.ok) throw new Error(loaded.errors.join("; "));
      const pooled = buildDeps(loaded.config, store, world.clock, MASTER_KEY, { engine: pool });
      const fromPool = await options(createApp(pooled).app);
      expect(fromPool).toEqual(await options(createApp(world.deps).app));
      expect(fromPool.options).toEqual([]);
    }, 60_000);
  });
}
