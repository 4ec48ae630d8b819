/**
 * A calendar server in a storm of 5xx answers, then answering nothing at all (timeouts), then
 * well again, on both databases. The sync worker asks once per attempt and no sooner than its
 * backoff allows, the waits grow, the connection turns unhealthy after the second failure in a
 * row with one email to its owner however long the storm lasts, the busy time of the last good
 * read is kept meanwhile, and the first good read after it makes the connection healthy with
 * fresh busy time.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarMembers } from "../../src/app/calendar-members.js";
import { createCalendarService } from "../../src/calendar/connections.js";
import { syncNext } from "../../src/calendar/sync-worker.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import {
  buildOrganisation,
  buildWorld,
  MASTER_KEY,
  type SignedIn,
  type World,
} from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { calendarIcs } from "../support/failures.js";

const MINUTE = 60_000;
const INTERVAL = 15 * MINUTE;
/** The impatient worker's timeout; the rule is the same at the default 20 s. */
const TIMEOUT_MS = 300;
const STORM = [500, 502, 503, 504, 500, 503];

type Weather =
  | { kind: "fine"; body: string }
  | { kind: "storm"; status: number }
  | { kind: "hang" };

for (const database of await testDatabases()) {
  describe(`a calendar server's 5xx storm and timeouts, on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let dana: SignedIn;
    let weather: Weather;
    let requests = 0;
    const hanging: ServerResponse[] = [];

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      dana = await (await buildOrganisation(world, store, { company: "Acme" })).add(
        "interviewer",
        "Dana",
      );
      feeds.route("/feeds/stormy.ics", (_request, response) => {
        requests += 1;
        if (weather.kind === "storm") response.writeHead(weather.status).end("try later");
        else if (weather.kind === "hang") hanging.push(response);
        else response.writeHead(200, { "content-type": "text/calendar" }).end(weather.body);
      });
    }, 60_000);

    afterAll(async () => {
      for (const response of hanging) response.destroy();
      await feeds?.close();
      await drop?.();
    });

    it("backs off, turns unhealthy once, keeps the last busy time, and recovers with the server", async () => {
      // Two processes' services over one database: one waits the usual 20 s for an answer, the
      // other gives up after TIMEOUT_MS, so an unanswered request costs the test little while
      // the good reads never race a short timeout on a busy machine.
      const service = (timeoutMs: number | undefined) =>
        createCalendarService({
          db: store.db,
          members: calendarMembers(store.db),
          clock: world.clock,
          box: createSecretStore({
            db: store.db,
            keyring: singleKeyring(MASTER_KEY),
            clock: world.clock,
          }),
          syncIntervalMs: INTERVAL,
          allowPrivateHosts: true,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          mailFrom: "Ally <ally@ally.test>",
          random: () => 1,
        });
      const calendars = service(undefined);
      const impatient = service(TIMEOUT_MS);
      let worker = calendars;
      const syncAll = async () => {
        while (await syncNext({ calendars: worker, pollMs: 0 })) {
          // everything due
        }
      };
      const row = () =>
        store.db
          .selectFrom("calendar_connections")
          .selectAll()
          .where("id", "=", connection.id)
          .executeTakeFirstOrThrow();
      const busy = () =>
        store.db
          .selectFrom("busy_blocks")
          .select(["start_at", "end_at"])
          .where("connection_id", "=", connection.id)
          .orderBy("start_at")
          .execute();
      const alerts = async () =>
        (
          await store.db
            .selectFrom("outbox")
            .select("id")
            .where("kind", "=", "calendar-unhealthy")
            .where("to_address", "=", dana.email)
            .execute()
        ).length;

      weather = {
        kind: "fine",
        body: calendarIcs([
          { uid: "a@example.com", start: "20261202T100000Z", end: "20261202T110000Z" },
        ]),
      };
      const connection = await calendars.connect(dana.actor, {
        provider: "ics-feed",
        url: `${feeds.baseUrl}/feeds/stormy.ics`,
      });
      const goodBusy = await busy();
      expect(goodBusy).toHaveLength(1);

      /** One failing round: nothing is asked before the backoff ends; one request when it does. */
      const waits: number[] = [];
      const failingRound = async () => {
        const due = Number((await row()).next_attempt_at ?? world.clock.now() + INTERVAL);
        world.clock.set(due - MINUTE / 2);
        const before = requests;
        await syncAll();
        expect(requests).toBe(before);
        world.clock.set(due);
        await syncAll();
        expect(requests).toBe(before + 1);
        const after = await row();
        waits.push(Number(after.next_attempt_at) - world.clock.now());
        return after;
      };

      for (const [i, status] of STORM.entries()) {
        weather = { kind: "storm", status };
        const stormy = await failingRound();
        expect(stormy.failure_count).toBe(i + 1);
        expect(stormy.status).toBe(i === 0 ? "healthy" : "unhealthy");
        expect(stormy.last_error).toContain(String(status));
        expect(await busy()).toEqual(goodBusy);
      }
      weather = { kind: "hang" };
      worker = impatient;
      for (let i = 0; i < 2; i++) {
        const silent = await failingRound();
        expect(silent.status).toBe("unhealthy");
        expect(silent.last_error).toMatch(/no answer within/);
        expect(await busy()).toEqual(goodBusy);
      }
      // The waits grow with each failure and never shrink.
      for (let i = 1; i < waits.length; i++) {
        expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1] as number);
      }
      expect(waits.at(-1)).toBeGreaterThan(waits[0] as number);
      // One email for the whole storm.
      expect(await alerts()).toBe(1);

      weather = {
        kind: "fine",
        body: calendarIcs([
          { uid: "a@example.com", start: "20261202T130000Z", end: "20261202T140000Z" },
        ]),
      };
      world.clock.set(Number((await row()).next_attempt_at));
      worker = calendars;
      await syncAll();
      const recovered = await row();
      expect(recovered).toMatchObject({ status: "healthy", failure_count: 0, last_error: null });
      expect((await busy()).map((b) => Number(b.start_at))).toEqual([Date.UTC(2026, 11, 2, 13)]);
      expect(await alerts()).toBe(1);
    });
  });
}
