/**
 * Push notifications, on every database: a Google channel or a Graph subscription whose secret
 * matches makes its connection's sync due at once; forged, unknown and expired ones change
 * nothing; Graph's validation handshake is echoed; a connection that is backing off is not
 * hurried. The connectors' watch/subscribe calls are checked against a local server speaking the
 * providers' documented shapes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GoogleCalendar, isGoogleRateLimited } from "../../src/calendar/connectors/google.js";
import { MicrosoftCalendar } from "../../src/calendar/connectors/microsoft.js";
import {
  CHANNEL_TTL_MS,
  createPushChannels,
  GOOGLE_HOOK_PATH,
  MICROSOFT_HOOK_PATH,
  newChannelSecret,
  pushAddress,
} from "../../src/calendar/push.js";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import { buildOrganisation, buildWorld, type SignedIn, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { FakeProvider, jsonBody, testHttpClient } from "./connectors/fake-providers.js";
import { type FeedServer, startFeedServer } from "./connectors/feed-server.js";

const HOUR = 3_600_000;

describe("where providers can reach Ally", () => {
  it.each([
    ["https://ally.example.com", "https://ally.example.com/api/v1/hooks/calendar/google"],
    ["https://ally.example.com/base/", "https://ally.example.com/api/v1/hooks/calendar/google"],
    ["http://ally.example.com", undefined],
    ["https://localhost:3000", undefined],
    ["https://127.0.0.1", undefined],
    [undefined, undefined],
  ])("from PUBLIC_URL %s: %s", (publicUrl, expected) => {
    expect(pushAddress(publicUrl, GOOGLE_HOOK_PATH)).toBe(expected);
  });

  it("gives every channel its own id and a secret worth guessing", () => {
    const a = newChannelSecret();
    const b = newChannelSecret();
    expect(a.id).not.toBe(b.id);
    expect(a.secret).not.toBe(b.secret);
    expect(Buffer.from(a.secret, "base64url")).toHaveLength(32);
  });
});

describe("push calls of the connectors, against a local server", () => {
  let fake: FakeProvider;
  beforeEach(async () => {
    fake = await FakeProvider.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("watches a Google calendar with a web_hook channel and stops it, a gone channel counting as stopped", async () => {
    const client = testHttpClient("Google Calendar", { isRateLimited: isGoogleRateLimited });
    const google = new GoogleCalendar({
      http: client.http,
      accessToken: async () => "ya29.test-access",
      calendarIds: ["primary"],
      baseUrl: `${fake.baseUrl}/calendar/v3`,
    });
    fake.on("POST", "/calendar/v3/calendars/dana@example.com/events/watch", {
      body: {
        kind: "api#channel",
        id: "chan_1",
        resourceId: "o3hgv1538sdjfh",
        resourceUri: "https://www.googleapis.com/calendar/v3/calendars/dana@example.com/events",
        token: "s3cret",
        expiration: "1796000000000",
      },
    });
    fake.on("POST", "/calendar/v3/channels/stop", [{ status: 204 }, { status: 404 }]);
    const watched = await google.watch("dana@example.com", {
      id: "chan_1",
      address: "https://ally.example.com/api/v1/hooks/calendar/google",
      token: "s3cret",
      ttlSeconds: 604_800,
    });
    expect(watched).toEqual({ resourceId: "o3hgv1538sdjfh", expiresAtEpochMs: 1_796_000_000_000 });
    expect(jsonBody(fake.requests[0])).toEqual({
      id: "chan_1",
      type: "web_hook",
      address: "https://ally.example.com/api/v1/hooks/calendar/google",
      token: "s3cret",
      params: { ttl: "604800" },
    });
    await google.stopChannel({ id: "chan_1", resourceId: "o3hgv1538sdjfh" });
    await google.stopChannel({ id: "chan_1", resourceId: "o3hgv1538sdjfh" });
    expect(jsonBody(fake.requests[1])).toEqual({ id: "chan_1", resourceId: "o3hgv1538sdjfh" });
    expect(fake.unexpected).toEqual([]);
  });

  it("subscribes to a Microsoft calendar's events, renews and deletes the subscription", async () => {
    const client = testHttpClient("Microsoft Graph");
    const graph = new MicrosoftCalendar({
      http: client.http,
      accessToken: async () => "eyJ0eXAi.graph-access.sig",
      scheduleId: "dana@contoso.com",
      baseUrl: `${fake.baseUrl}/v1.0`,
    });
    fake.on("POST", "/v1.0/subscriptions", {
      status: 201,
      body: {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
        id: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        resource: "me/calendar/events",
        changeType: "created,updated,deleted",
        clientState: "s3cret",
        notificationUrl: "https://ally.example.com/api/v1/hooks/calendar/microsoft",
        expirationDateTime: "2026-12-08T10:00:00Z",
      },
    });
    fake.on("PATCH", "/v1.0/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07", {
      body: {
        id: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        expirationDateTime: "2026-12-15T10:00:00Z",
      },
    });
    fake.on("DELETE", "/v1.0/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07", [
      { status: 204 },
      { status: 404, body: { error: { code: "ResourceNotFound" } } },
    ]);
    const created = await graph.subscribe({
      notificationUrl: "https://ally.example.com/api/v1/hooks/calendar/microsoft",
      clientState: "s3cret",
      expiresAtEpochMs: Date.UTC(2026, 11, 8, 10),
    });
    expect(created).toEqual({
      id: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
      expiresAtEpochMs: Date.UTC(2026, 11, 8, 10),
    });
    expect(jsonBody(fake.requests[0])).toEqual({
      changeType: "created,updated,deleted",
      notificationUrl: "https://ally.example.com/api/v1/hooks/calendar/microsoft",
      resource: "me/calendar/events",
      expirationDateTime: "2026-12-08T10:00:00.000Z",
      clientState: "s3cret",
    });
    const renewed = await graph.renewSubscription(created.id, Date.UTC(2026, 11, 15, 10));
    expect(renewed.expiresAtEpochMs).toBe(Date.UTC(2026, 11, 15, 10));
    await graph.deleteSubscription(created.id);
    await graph.deleteSubscription(created.id);
    expect(fake.unexpected).toEqual([]);
  });
});

for (const database of await testDatabases()) {
  describe(`push notifications on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let app: ReturnType<typeof createApp>["app"];
    let feeds: FeedServer;
    let dana: SignedIn;
    let connectionId: string;
    let organisationId: string;

    beforeAll(async () => {
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      world = buildWorld(store);
      ({ app } = createApp(world.deps));
      feeds = await startFeedServer();
      feeds.route("/cal.ics", (_request, response) =>
        response
          .writeHead(200, { "content-type": "text/calendar" })
          .end("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"),
      );
      dana = await (await buildOrganisation(world, store, { company: "Acme" })).add(
        "interviewer",
        "Dana",
      );
      organisationId = dana.actor.orgId;
      const connection = await world.deps.calendars.connect(dana.actor, {
        provider: "ics-feed",
        url: `${feeds.baseUrl}/cal.ics`,
      });
      connectionId = connection.id;
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const push = () => createPushChannels({ db: store.db, clock: world.clock });
    const dueNow = async () => {
      const id = await world.deps.calendars.claimDue(1);
      if (id !== undefined && id !== "") {
        // Give the claim back so the next check starts clean.
        await store.db
          .updateTable("calendar_connections")
          .set({ claimed_until: null, next_attempt_at: null, last_attempt_at: world.clock.now() })
          .where("id", "=", id)
          .execute();
      }
      return id;
    };
    const googleHook = (headers: Record<string, string>) =>
      app.request(GOOGLE_HOOK_PATH, { method: "POST", headers });
    const graphHook = (body: unknown, query = "") =>
      app.request(`${MICROSOFT_HOOK_PATH}${query}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });

    it("makes the connection due at once on a Google notification whose token matches", async () => {
      await push().register({
        id: "chan_google_1",
        secret: "google-secret",
        organisationId,
        connectionId,
        provider: "google",
        calendarId: "primary",
        resourceId: "res-1",
        expiresAt: world.clock.now() + CHANNEL_TTL_MS,
      });
      expect(await dueNow()).toBeUndefined();
      const headers = {
        "x-goog-channel-id": "chan_google_1",
        "x-goog-channel-token": "google-secret",
        "x-goog-resource-id": "res-1",
      };
      const handshake = await googleHook({ ...headers, "x-goog-resource-state": "sync" });
      expect(handshake.status).toBe(204);
      expect(await dueNow()).toBeUndefined();

      const changed = await googleHook({ ...headers, "x-goog-resource-state": "exists" });
      expect(changed.status).toBe(204);
      expect(await dueNow()).toBe(connectionId);
    });

    it("ignores Google notifications with a wrong token, an unknown channel, another resource or an expired channel", async () => {
      const base = {
        "x-goog-channel-id": "chan_google_1",
        "x-goog-channel-token": "google-secret",
        "x-goog-resource-id": "res-1",
        "x-goog-resource-state": "exists",
      };
      for (const forged of [
        { ...base, "x-goog-channel-token": "guess" },
        { ...base, "x-goog-channel-id": "chan_unknown" },
        { ...base, "x-goog-resource-id": "res-other" },
        { "x-goog-resource-state": "exists" },
      ]) {
        expect((await googleHook(forged)).status).toBe(404);
      }
      expect(await dueNow()).toBeUndefined();
      world.clock.advance(CHANNEL_TTL_MS + HOUR);
      // The regular interval has passed too: sync it, so only the push could make it due.
      expect(await dueNow()).toBe(connectionId);
      expect((await googleHook(base)).status).toBe(404);
      expect(await dueNow()).toBeUndefined();
    });

    it("echoes Graph's validation token as plain text", async () => {
      const response = await app.request(
        `${MICROSOFT_HOOK_PATH}?validationToken=${encodeURIComponent("Validation: Testing client application reachability for subscription Request-Id: 4f6c")}`,
        { method: "POST", headers: { "content-type": "text/plain" } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).toBe(
        "Validation: Testing client application reachability for subscription Request-Id: 4f6c",
      );
    });

    it("makes the connection due on a Graph notification whose clientState matches, and ignores the rest", async () => {
      await push().register({
        id: "chan_graph_1",
        secret: "graph-secret",
        organisationId,
        connectionId,
        provider: "microsoft",
        calendarId: "primary",
        resourceId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        expiresAt: world.clock.now() + CHANNEL_TTL_MS,
      });
      const notification = (clientState: string) => ({
        subscriptionId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
        subscriptionExpirationDateTime: "2026-12-15T10:00:00Z",
        changeType: "updated",
        resource: "Users/dana/Events/AAMkAGI2",
        clientState,
        tenantId: "84bd8158-6d4d-4958-8b9f-9d6445542f95",
      });
      const forged = await graphHook({ value: [notification("guess")] });
      expect(forged.status).toBe(202);
      expect(await dueNow()).toBeUndefined();

      const real = await graphHook({ value: [notification("graph-secret"), notification("x")] });
      expect(real.status).toBe(202);
      expect(await dueNow()).toBe(connectionId);
    });

    it("refuses a Graph notification body that is not the documented shape, naming the field", async () => {
      const response = await graphHook({ value: [{ subscriptionId: 12 }] });
      expect(response.status).toBe(422);
      const body = (await response.json()) as { error: { field: string } };
      expect(body.error.field).toMatch(/^value/);
      expect((await graphHook("{not json")).status).toBeGreaterThanOrEqual(400);
      expect(await dueNow()).toBeUndefined();
    });

    it("does not hurry a connection that is backing off after failures", async () => {
      await store.db
        .updateTable("calendar_connections")
        .set({ failure_count: 2, next_attempt_at: world.clock.now() + HOUR })
        .where("id", "=", connectionId)
        .execute();
      await push().register({
        id: "chan_google_2",
        secret: "google-secret-2",
        organisationId,
        connectionId,
        provider: "google",
        calendarId: "primary",
        resourceId: "res-2",
        expiresAt: world.clock.now() + CHANNEL_TTL_MS,
      });
      const response = await googleHook({
        "x-goog-channel-id": "chan_google_2",
        "x-goog-channel-token": "google-secret-2",
        "x-goog-resource-state": "exists",
      });
      expect(response.status).toBe(204);
      expect(await dueNow()).toBeUndefined();
    });

    it("keeps channel secrets only as hashes", async () => {
      const rows = await store.db.selectFrom("calendar_push_channels").selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toMatch(/google-secret|graph-secret/);
    });
  });
}
