/**
 * How the calendar sync treats servers that misbehave or do not change, on every database:
 * failures back off (never sooner than a server's Retry-After), only failures that cannot fix
 * themselves (or repeated ones) mark a connection unhealthy, an ICS feed that did not change is
 * not downloaded again (its validators are kept with the connection, so a restart or another
 * process still asks conditionally), and addresses on private networks are refused unless the
 * operator allows them.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { calendarMembers } from "../../src/app/calendar-members.js";
import {
  backoffMs,
  createCalendarService,
  FULL_READ_EVERY_MS,
  MAX_BACKOFF_MS,
} from "../../src/calendar/connections.js";
import {
  checkPublicHost,
  guardedFetch,
  isPublicAddress,
} from "../../src/calendar/connectors/guarded-fetch.js";
import { ConnectorError } from "../../src/calendar/connectors/types.js";
import { syncNext } from "../../src/calendar/sync-worker.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import {
  buildOrganisation,
  buildWorld,
  MASTER_KEY,
  type SignedIn,
  type World,
} from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { appError, calendarIcs } from "../support/failures.js";
import { type FeedServer, startFeedServer } from "./connectors/feed-server.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTERVAL = 15 * MINUTE;

describe("backoff after failed syncs", () => {
  it("looks again within two minutes after one failure", () => {
    expect(backoffMs(1, INTERVAL, () => 0)).toBe(MINUTE);
    expect(backoffMs(1, INTERVAL, () => 1)).toBe(2 * MINUTE);
  });

  it("doubles from the sync interval and stops at six hours", () => {
    expect(backoffMs(2, INTERVAL, () => 1)).toBe(INTERVAL);
    expect(backoffMs(3, INTERVAL, () => 1)).toBe(2 * INTERVAL);
    expect(backoffMs(4, INTERVAL, () => 1)).toBe(4 * INTERVAL);
    expect(backoffMs(40, INTERVAL, () => 1)).toBe(MAX_BACKOFF_MS);
  });

  it("waits between half and all of its ceiling, never less than Retry-After, never shrinking with more failures", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: MINUTE, max: 24 * HOUR }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 48 * HOUR }),
        (failures, interval, r, retryAfter) => {
          const wait = backoffMs(failures, interval, () => r, retryAfter);
          const ceiling = backoffMs(failures, interval, () => 1);
          expect(wait).toBeGreaterThanOrEqual(retryAfter);
          expect(wait).toBeLessThanOrEqual(Math.max(ceiling, retryAfter));
          expect(backoffMs(failures, interval, () => r)).toBeGreaterThanOrEqual(
            Math.floor(ceiling / 2),
          );
          expect(backoffMs(failures + 1, interval, () => 1)).toBeGreaterThanOrEqual(ceiling);
        },
      ),
    );
  });
});

describe("addresses on private networks", () => {
  it.each([
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.20.0.1", false],
    ["192.168.1.10", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["::", false],
    ["fd12:3456::1", false],
    ["fe80::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["64:ff9b::a9fe:a9fe", false],
    ["93.184.216.34", true],
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["not an address", false],
  ])("%s is public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it("refuses a name that resolves to any private address, and localhost without asking", async () => {
    const lookup = async (host: string) =>
      host === "split.example" ? ["93.184.216.34", "10.0.0.7"] : ["93.184.216.34"];
    await expect(checkPublicHost(new URL("https://split.example/"), lookup)).rejects.toThrow(
      /private or local network/,
    );
    await expect(checkPublicHost(new URL("https://calendar.example/"), lookup)).resolves.toBe(
      undefined,
    );
    await expect(checkPublicHost(new URL("http://localhost:8080/"), lookup)).rejects.toThrow(
      ConnectorError,
    );
    await expect(checkPublicHost(new URL("http://[::1]:8080/"), lookup)).rejects.toThrow(
      ConnectorError,
    );
  });

  it("checks every redirect hop and does not carry credentials to another origin", async () => {
    const seen: Array<{ url: string; authorization: string | null }> = [];
    const hops: Record<string, Response> = {
      "https://calendar.example/feed.ics": new Response(null, {
        status: 302,
        headers: { location: "https://cdn.example/feed.ics" },
      }),
      "https://cdn.example/feed.ics": new Response(null, {
        status: 307,
        headers: { location: "http://169.254.169.254/latest/meta-data/" },
      }),
    };
    const inner = (async (input: URL | Request | string, init?: RequestInit) => {
      const url = input.toString();
      seen.push({ url, authorization: new Headers(init?.headers).get("authorization") });
      expect(init?.redirect).toBe("manual");
      return hops[url] ?? new Response("BEGIN:VCALENDAR", { status: 200 });
    }) as typeof fetch;
    const guarded = guardedFetch({
      allowPrivateHosts: false,
      lookup: async () => ["93.184.216.34"],
      fetch: inner,
    });
    await expect(
      guarded("https://calendar.example/feed.ics", {
        headers: { authorization: "Basic c2VjcmV0" },
        redirect: "follow",
      }),
    ).rejects.toThrow(/169\.254\.169\.254 is on a private or local network/);
    expect(seen).toEqual([
      { url: "https://calendar.example/feed.ics", authorization: "Basic c2VjcmV0" },
      { url: "https://cdn.example/feed.ics", authorization: null },
    ]);
  });

  it("lets everything through when the operator allows private hosts", () => {
    const inner = (async () => new Response("")) as typeof fetch;
    expect(guardedFetch({ allowPrivateHosts: true, fetch: inner })).toBe(inner);
  });
});

for (const database of await testDatabases()) {
  describe(`calendar sync health on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let dana: SignedIn;
    let status = 200;
    let headers: Record<string, string> = {};
    let body = calendarIcs([
      { uid: "a@example.com", start: "20261202T100000Z", end: "20261202T110000Z" },
    ]);
    let etag = '"v1"';
    let fullBodies = 0;
    let notModified = 0;
    let path = "/feeds/a.ics";
    let n = 0;

    beforeAll(async () => {
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      world = buildWorld(store);
      feeds = await startFeedServer();
      dana = await (await buildOrganisation(world, store, { company: "Acme" })).add(
        "interviewer",
        "Dana",
      );
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    beforeEach(() => {
      // A fresh feed address per test, so connections do not meet.
      n += 1;
      path = `/feeds/${n}.ics`;
      status = 200;
      headers = {};
      etag = '"v1"';
      fullBodies = 0;
      notModified = 0;
      feeds.route(path, (request, response) => {
        if (status !== 200) {
          response.writeHead(status, headers).end("no");
          return;
        }
        if (request.headers["if-none-match"] === etag) {
          notModified += 1;
          response.writeHead(304, { etag }).end();
          return;
        }
        fullBodies += 1;
        response.writeHead(200, { "content-type": "text/calendar", etag }).end(body);
      });
    });

    afterEach(async () => {
      for (const c of await world.deps.calendars.listConnections(dana.actor)) {
        await world.deps.calendars.disconnect(dana.actor, c.id);
      }
    });

    const calendars = () => world.deps.calendars;
    const syncAll = async () => {
      while (await syncNext({ calendars: calendars(), pollMs: 0 })) {
        // everything due
      }
    };
    const connect = () =>
      calendars().connect(dana.actor, { provider: "ics-feed", url: `${feeds.baseUrl}${path}` });
    const row = (id: string) =>
      store.db
        .selectFrom("calendar_connections")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    const busyBlocks = (id: string) =>
      store.db
        .selectFrom("busy_blocks")
        .select(["start_at", "end_at"])
        .where("connection_id", "=", id)
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

    it("does not download an unchanged feed again, even from another process, and reads it when it changes", async () => {
      const connection = await connect();
      expect(fullBodies).toBe(1);
      expect(JSON.parse((await row(connection.id)).sync_state ?? "{}")).toMatchObject({
        etag: '"v1"',
      });
      const blocksBefore = await busyBlocks(connection.id);
      expect(blocksBefore).toHaveLength(1);

      // Another process: a new calendar service over the same database.
      const other = createCalendarService({
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
      });
      world.clock.advance(INTERVAL + MINUTE);
      await other.syncConnection(connection.id);
      expect(notModified).toBe(1);
      expect(fullBodies).toBe(1);
      const after = await row(connection.id);
      expect(after.status).toBe("healthy");
      expect(after.last_synced_at).toBe(world.clock.now());
      expect(await busyBlocks(connection.id)).toEqual(blocksBefore);

      body = calendarIcs([
        { uid: "a@example.com", start: "20261202T130000Z", end: "20261202T140000Z" },
      ]);
      etag = '"v2"';
      world.clock.advance(INTERVAL + MINUTE);
      await calendars().syncConnection(connection.id);
      expect(fullBodies).toBe(2);
      const blocks = await busyBlocks(connection.id);
      expect(blocks.map((b) => Number(b.start_at))).toEqual([Date.UTC(2026, 11, 2, 13)]);
    });

    it("still downloads an unchanged feed in full every six hours, so the synced horizon moves on", async () => {
      const connection = await connect();
      world.clock.advance(INTERVAL + MINUTE);
      await calendars().syncConnection(connection.id);
      expect([fullBodies, notModified]).toEqual([1, 1]);
      world.clock.advance(FULL_READ_EVERY_MS);
      await calendars().syncConnection(connection.id);
      expect([fullBodies, notModified]).toEqual([2, 1]);
    });

    it("waits as long as a rate-limiting server asks, without calling the connection broken", async () => {
      const connection = await connect();
      status = 429;
      headers = { "retry-after": "3600" };
      world.clock.advance(INTERVAL + MINUTE);
      await syncAll();
      const limited = await row(connection.id);
      expect(limited.status).toBe("healthy");
      expect(limited.failure_count).toBe(1);
      expect(limited.last_error).toMatch(/too many requests/);
      expect(Number(limited.next_attempt_at)).toBeGreaterThanOrEqual(world.clock.now() + HOUR);
      world.clock.advance(HOUR - MINUTE);
      expect(await calendars().claimDue(MINUTE)).toBeUndefined();
      status = 200;
      world.clock.advance(2 * MINUTE);
      await syncAll();
      const recovered = await row(connection.id);
      expect(recovered).toMatchObject({ status: "healthy", failure_count: 0, last_error: null });
      expect(recovered.next_attempt_at).toBeNull();
    });

    it("marks a connection unhealthy after a repeated 401, not after the first", async () => {
      const connection = await connect();
      const before = await alerts();
      status = 401;
      world.clock.advance(INTERVAL + MINUTE);
      await syncAll();
      expect((await row(connection.id)).status).toBe("healthy");
      expect(await alerts()).toBe(before);
      world.clock.advance(2 * MINUTE);
      await syncAll();
      const broken = await row(connection.id);
      expect(broken.status).toBe("unhealthy");
      expect(broken.failure_count).toBe(2);
      expect(await alerts()).toBe(before + 1);
    });

    it("marks a feed that is gone unhealthy at once, and backs off while it stays gone", async () => {
      const connection = await connect();
      const before = await alerts();
      status = 404;
      world.clock.advance(INTERVAL + MINUTE);
      await syncAll();
      const gone = await row(connection.id);
      expect(gone.status).toBe("unhealthy");
      expect(await alerts()).toBe(before + 1);
      const attempts: number[] = [];
      for (let i = 0; i < 6; i++) {
        world.clock.advance(MAX_BACKOFF_MS);
        await syncAll();
        attempts.push((await row(connection.id)).failure_count);
      }
      // One attempt per wait at most: the backoff holds, and no more emails.
      expect(attempts).toEqual([2, 3, 4, 5, 6, 7]);
      const waits = (await row(connection.id)).next_attempt_at;
      expect(Number(waits) - world.clock.now()).toBeGreaterThanOrEqual(MAX_BACKOFF_MS / 2);
      expect(await alerts()).toBe(before + 1);
    });

    it("refuses a feed on a private network unless the operator allows it, without requesting it", async () => {
      const guarded = createCalendarService({
        db: store.db,
        members: calendarMembers(store.db),
        clock: world.clock,
        box: createSecretStore({
          db: store.db,
          keyring: singleKeyring(Buffer.alloc(32, 1)),
          clock: world.clock,
        }),
        syncIntervalMs: INTERVAL,
        lookup: async (host) => (host === "intranet.example" ? ["10.0.0.8"] : ["93.184.216.34"]),
      });
      const requestsBefore = feeds.requests.length;
      for (const url of [`${feeds.baseUrl}${path}`, "https://intranet.example/cal.ics"]) {
        const error = await appError(guarded.connect(dana.actor, { provider: "ics-feed", url }));
        expect(error.field).toBe("url");
        expect(error.message).toMatch(/private or local network/);
      }
      expect(feeds.requests.length).toBe(requestsBefore);
    });
  });
}
