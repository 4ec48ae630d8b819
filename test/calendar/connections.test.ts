/**
 * Calendar connections end to end, on every database: an ICS feed from a local HTTP server and a
 * CalDAV collection on a real Radicale are connected (a wrong password is refused), the sync
 * worker materialises their busy time, the busy API returns it, a feed that starts failing turns
 * unhealthy with one email to its owner and a warning in busy answers, and the database never
 * holds a password or a feed's secret address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncWorker, syncNext } from "../../src/calendar/sync-worker.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { rotateKeys } from "../../src/secrets/rotate.js";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import {
  buildOrganisation,
  buildWorld,
  META,
  type SignedIn,
  type World,
} from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { appError, calendarIcs } from "../support/failures.js";
import { type FeedServer, startFeedServer } from "./connectors/feed-server.js";
import {
  makeCalendar,
  putObject,
  RADICALE_PASSWORD,
  RADICALE_USER,
  type Radicale,
  radicaleOrSkip,
  startRadicale,
} from "./connectors/radicale.js";

const command = radicaleOrSkip("the CalDAV connection tests");

const FEED_PATH = "/feeds/s3cr3t-feed-token.ics";
const HOUR = 3_600_000;

// Wed 2 Dec 2026 10:00–11:00 UTC (feed) and 10:30–12:00 (CalDAV): merged to 10:00–12:00.
const FEED_ICS = calendarIcs([
  {
    uid: "feed-1@example.com",
    start: "20261202T100000Z",
    end: "20261202T110000Z",
    summary: "Busy",
  },
]);
const CALDAV_ICS = calendarIcs([
  {
    uid: "caldav-1@example.com",
    start: "20261202T103000Z",
    end: "20261202T120000Z",
    summary: "Busy",
  },
]);
const FROM = "2026-12-02T00:00:00.000Z";
const TO = "2026-12-03T00:00:00.000Z";

for (const database of await testDatabases()) {
  describe.skipIf(!command.ok)(`calendar connections on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let app: ReturnType<typeof createApp>["app"];
    let feeds: FeedServer;
    let radicale: Radicale;
    let collection: string;
    let feedFails = false;
    let owner: SignedIn;
    let dana: SignedIn;
    let outsider: SignedIn;
    let token: string;
    let outsiderToken: string;

    beforeAll(async () => {
      if (!command.ok) return;
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      world = buildWorld(store);
      ({ app } = createApp(world.deps));
      feeds = await startFeedServer();
      feeds.route(FEED_PATH, (_request, response) => {
        if (feedFails) response.writeHead(503).end("down for maintenance");
        else response.writeHead(200, { "content-type": "text/calendar" }).end(FEED_ICS);
      });
      radicale = await startRadicale(command.argv);
      collection = `${radicale.baseUrl}${RADICALE_USER}/work/`;
      await makeCalendar(collection);
      await putObject(`${collection}busy.ics`, CALDAV_ICS);
      const org = await buildOrganisation(world, store, { company: "Acme" });
      owner = org.owner;
      dana = await org.add("interviewer", "Dana");
      outsider = (await buildOrganisation(world, store, { company: "Globex" })).owner;
      token = (await world.accounts.createApiToken(owner.actor, "tests", META)).token;
      outsiderToken = (await world.accounts.createApiToken(outsider.actor, "tests", META)).token;
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await radicale?.stop();
      await drop?.();
    });

    const syncAll = async () => {
      while (await syncNext({ calendars: world.deps.calendars, pollMs: 0 })) {
        // sync everything due
      }
    };

    const page = (who: SignedIn, path: string) =>
      app.request(path, { headers: { cookie: `ally_session=${who.sessionToken}` } });

    const post = (who: SignedIn, path: string, fields: Array<[string, string]>) =>
      app.request(path, {
        method: "POST",
        headers: {
          cookie: `ally_session=${who.sessionToken}`,
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
        },
        body: new URLSearchParams([["_csrf", who.csrfToken], ...fields]),
      });

    const busyApi = (userId: string, bearer = token) =>
      app.request(`/api/v1/interviewers/${userId}/busy?from=${FROM}&to=${TO}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });

    it("refuses a wrong CalDAV password at connect, naming the password field", async () => {
      const error = await appError(
        world.deps.calendars.connect(dana.actor, {
          provider: "caldav",
          url: collection,
          username: RADICALE_USER,
          password: "wrong password",
        }),
      );
      expect({ code: error.code, field: error.field }).toEqual({
        code: "VALIDATION_FAILED",
        field: "password",
      });
      expect(await world.deps.calendars.listConnections(dana.actor)).toEqual([]);
    });

    it("refuses a feed that cannot be read, naming the url field", async () => {
      const error = await appError(
        world.deps.calendars.connect(dana.actor, {
          provider: "ics-feed",
          url: `${feeds.baseUrl}/feeds/missing.ics`,
        }),
      );
      expect(error.field).toBe("url");
    });

    it("connects an ICS feed and a CalDAV calendar and materialises their busy time", async () => {
      const feed = await world.deps.calendars.connect(dana.actor, {
        provider: "ics-feed",
        url: `${feeds.baseUrl}${FEED_PATH}`,
      });
      world.clock.advance(1000);
      const caldav = await world.deps.calendars.connect(dana.actor, {
        provider: "caldav",
        url: collection,
        username: RADICALE_USER,
        password: RADICALE_PASSWORD,
      });
      expect(feed).toMatchObject({ status: "healthy", provider: "ics-feed", lastError: null });
      expect(caldav).toMatchObject({ status: "healthy", provider: "caldav" });
      expect(feed.label).not.toContain("s3cr3t");
      const listed = await world.deps.calendars.listConnections(dana.actor);
      expect(listed.map((c) => c.id)).toEqual([feed.id, caldav.id]);

      const response = await busyApi(dana.actor.userId);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        busy: [{ start: "2026-12-02T10:00:00.000Z", end: "2026-12-02T12:00:00.000Z" }],
        warnings: [],
      });
    });

    it("keeps credentials and the feed's secret address sealed", async () => {
      const rows = await store.db.selectFrom("calendar_connections").selectAll().execute();
      expect(rows).toHaveLength(2);
      const text = JSON.stringify(rows);
      expect(text).not.toContain(RADICALE_PASSWORD);
      expect(text).not.toContain("s3cr3t");
      for (const row of rows) expect(row.credentials).toMatch(/^v2\./);
    });

    it("survives `ally keys rotate`: credentials re-encrypted under new data keys still sync", async () => {
      const before = await store.db
        .selectFrom("calendar_connections")
        .select(["id", "credentials"])
        .orderBy("id")
        .execute();
      const report = await rotateKeys(store.db, singleKeyring(Buffer.alloc(32, 7)), {
        dataKeys: true,
        now: world.clock.now(),
      });
      expect(report.failures).toEqual([]);
      const after = await store.db
        .selectFrom("calendar_connections")
        .select(["id", "credentials"])
        .orderBy("id")
        .execute();
      expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
      for (const [i, row] of after.entries()) {
        expect(row.credentials).not.toBe(before[i]?.credentials);
        expect((await world.deps.calendars.syncConnection(row.id)).status).toBe("healthy");
      }
    });

    it("keeps other organisations and other members out", async () => {
      expect((await busyApi(dana.actor.userId, outsiderToken)).status).toBe(404);
      const [first] = await world.deps.calendars.listConnections(dana.actor);
      const error = await appError(
        world.deps.calendars.disconnect(outsider.actor, first?.id ?? ""),
      );
      expect(error.code).toBe("NOT_FOUND");
      const viewed = await world.deps.calendars.listConnections(owner.actor, dana.actor.userId);
      expect(viewed).toHaveLength(2);
      // Several members at once answer as each alone would, and only inside the organisation.
      const range = { start: Date.parse(FROM), end: Date.parse(TO) };
      const many = await world.deps.calendars.busyForMany(
        owner.actor,
        [dana.actor.userId, owner.actor.userId],
        range,
      );
      expect(many.get(dana.actor.userId)).toEqual(
        await world.deps.calendars.busyFor(owner.actor, dana.actor.userId, range),
      );
      expect(many.get(owner.actor.userId)).toEqual(
        await world.deps.calendars.busyFor(owner.actor, owner.actor.userId, range),
      );
      const foreign = await appError(
        world.deps.calendars.busyForMany(outsider.actor, [dana.actor.userId], range),
      );
      expect(foreign.code).toBe("NOT_FOUND");
    });

    it("takes one failure for a blip: the connection stays healthy and is retried within two minutes", async () => {
      feedFails = true;
      world.clock.advance(16 * 60_000);
      await syncAll();
      const [feed] = await world.deps.calendars.listConnections(dana.actor);
      expect(feed?.status).toBe("healthy");
      expect(feed?.lastError).toMatch(/503/);
      const mails = await store.db
        .selectFrom("outbox")
        .select("id")
        .where("kind", "=", "calendar-unhealthy")
        .execute();
      expect(mails).toEqual([]);
      // Not due again for at least a minute (half of the two-minute backoff).
      world.clock.advance(59_000);
      expect(await world.deps.calendars.claimDue(60_000)).toBeUndefined();
    });

    it("marks a feed that fails again unhealthy, emails its owner once, and warns in busy answers", async () => {
      world.clock.advance(61_000);
      await syncAll();
      const [feed, caldav] = await world.deps.calendars.listConnections(dana.actor);
      expect(feed?.status).toBe("unhealthy");
      expect(feed?.lastError).toMatch(/503|unreachable|server/i);
      expect(feed?.lastError).not.toContain("s3cr3t");
      expect(caldav?.status).toBe("healthy");

      // Later syncs fail again but do not email again.
      world.clock.advance(3 * HOUR);
      await syncAll();
      const mails = await store.db
        .selectFrom("outbox")
        .selectAll()
        .where("kind", "=", "calendar-unhealthy")
        .execute();
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to_address).toBe(dana.email);
      expect(mails[0]?.text_body).not.toContain("s3cr3t");

      const body = (await (await busyApi(dana.actor.userId)).json()) as {
        busy: unknown[];
        warnings: string[];
      };
      // The last good busy time is still there, with a warning that it may be stale.
      expect(body.busy).toEqual([
        { start: "2026-12-02T10:00:00.000Z", end: "2026-12-02T12:00:00.000Z" },
      ]);
      expect(body.warnings).toHaveLength(1);
      expect(body.warnings[0]).toMatch(
        /^Dana's calendar \(ICS feed at .*\) has not synced for 3 hours/,
      );
    });

    it("shows a broken connection on the calendars page", async () => {
      const html = await (await page(dana, "/app/calendars")).text();
      expect(html).toContain("Not working");
      expect(html).toContain("Connect a CalDAV calendar");
      expect(html).not.toContain("s3cr3t");
    });

    it("tells the team page which members' calendars are not working, without their details", async () => {
      const html = await (await page(owner, "/app/members")).text();
      const danaRow = html.slice(
        html.indexOf(">Dana<"),
        html.indexOf("</tr>", html.indexOf(">Dana<")),
      );
      expect(danaRow).toContain("1 of 2 not working");
      expect(html).not.toContain("503");
      const ownerRow = html.slice(
        html.indexOf(owner.email),
        html.indexOf("</tr>", html.indexOf(owner.email)),
      );
      expect(ownerRow).toContain("none connected");
    });

    it("recovers, and a later failure emails again", async () => {
      feedFails = false;
      // The third failure in a row backs off for up to twice the interval.
      world.clock.advance(31 * 60_000);
      await syncAll();
      const [feed] = await world.deps.calendars.listConnections(dana.actor);
      expect(feed?.status).toBe("healthy");
      const body = (await (await busyApi(dana.actor.userId)).json()) as { warnings: string[] };
      expect(body.warnings).toEqual([]);

      feedFails = true;
      world.clock.advance(16 * 60_000);
      await syncAll();
      world.clock.advance(2 * 60_000);
      await syncAll();
      feedFails = false;
      const mails = await store.db
        .selectFrom("outbox")
        .select("id")
        .where("kind", "=", "calendar-unhealthy")
        .execute();
      expect(mails).toHaveLength(2);
    });

    it("runs as a worker that syncs what is due and stops cleanly", async () => {
      world.clock.advance(16 * 60_000);
      const worker = startSyncWorker({ calendars: world.deps.calendars, pollMs: 60_000 });
      await worker.drain();
      await worker.stop();
      for (const c of await world.deps.calendars.listConnections(dana.actor)) {
        expect(c.lastSyncedAt).toBe(new Date(world.clock.now()).toISOString());
      }
      expect(await syncNext({ calendars: world.deps.calendars, pollMs: 0 })).toBe(false);
    });

    it("connects from the page, refusing a wrong password on its field", async () => {
      const wrong = await post(dana, "/app/calendars/caldav", [
        ["url", collection],
        ["username", RADICALE_USER],
        ["password", "not the password"],
      ]);
      expect(wrong.status).toBe(422);
      const html = await wrong.text();
      expect(html).toContain('href="#field-password"');
      expect(html).not.toContain("not the password");

      const right = await post(dana, "/app/calendars/caldav", [
        ["url", collection],
        ["username", RADICALE_USER],
        ["password", RADICALE_PASSWORD],
      ]);
      expect(right.status).toBe(303);
      expect(right.headers.get("location")).toBe("/app/calendars");
      const feed = await post(dana, "/app/calendars/ics-feed", [
        ["feedUrl", `${feeds.baseUrl}/feeds/missing.ics`],
      ]);
      expect(feed.status).toBe(422);
      expect(await feed.text()).toContain('href="#field-feedUrl"');
      const connections = await world.deps.calendars.listConnections(dana.actor);
      expect(connections.map((c) => c.provider)).toEqual(["ics-feed", "caldav", "caldav"]);
      const latest = connections.at(-1);
      const removed = await post(dana, `/app/calendars/${latest?.id}/delete`, [["confirm", "yes"]]);
      expect(removed.status).toBe(303);
      expect(await world.deps.calendars.listConnections(dana.actor)).toHaveLength(2);
    });

    it("finds every event calendar from the server's address, and connects each on its own", async () => {
      await makeCalendar(`${radicale.baseUrl}${RADICALE_USER}/personal/`);
      await putObject(
        `${radicale.baseUrl}${RADICALE_USER}/personal/dentist.ics`,
        calendarIcs([
          {
            uid: "personal-1@example.com",
            start: "20261202T150000Z",
            end: "20261202T160000Z",
            summary: "Busy",
          },
        ]),
      );
      const first = await world.deps.calendars.connect(owner.actor, {
        provider: "caldav",
        url: radicale.baseUrl,
        username: RADICALE_USER,
        password: RADICALE_PASSWORD,
      });
      const connected = await world.deps.calendars.listConnections(owner.actor);
      // Named as the server names them (Radicale: the collection's path).
      const host = new URL(radicale.baseUrl).host;
      expect(connected.map((c) => c.label).sort()).toEqual([
        `CalDAV: ${RADICALE_USER}/personal at ${host}`,
        `CalDAV: ${RADICALE_USER}/work at ${host}`,
      ]);
      expect(first.label).toBe(`CalDAV: ${RADICALE_USER}/personal at ${host}`);
      expect(connected.every((c) => c.status === "healthy")).toBe(true);
      const busy = await world.deps.calendars.busyFor(owner.actor, owner.actor.userId, {
        start: Date.parse(FROM),
        end: Date.parse(TO),
      });
      expect(busy.busy).toEqual([
        { start: "2026-12-02T10:30:00.000Z", end: "2026-12-02T12:00:00.000Z" },
        { start: "2026-12-02T15:00:00.000Z", end: "2026-12-02T16:00:00.000Z" },
      ]);

      // A wrong password at the server's address is still an error on the password field.
      const error = await appError(
        world.deps.calendars.connect(owner.actor, {
          provider: "caldav",
          url: radicale.baseUrl,
          username: RADICALE_USER,
          password: "wrong",
        }),
      );
      expect(error.field).toBe("password");
      for (const c of connected) await world.deps.calendars.disconnect(owner.actor, c.id);
    });

    it("disconnecting deletes the connection and its busy time", async () => {
      for (const c of await world.deps.calendars.listConnections(dana.actor)) {
        await world.deps.calendars.disconnect(dana.actor, c.id);
      }
      expect(await store.db.selectFrom("busy_blocks").selectAll().execute()).toEqual([]);
      const body = (await (await busyApi(dana.actor.userId)).json()) as { busy: unknown[] };
      expect(body.busy).toEqual([]);
    });
  });
}
