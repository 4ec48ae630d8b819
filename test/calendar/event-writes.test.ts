/**
 * Durable event writes on every database, against a real Radicale: a write enqueued in a
 * booking's transaction is drained onto the interviewer's CalDAV calendar; a reschedule updates
 * the same object with a higher SEQUENCE; a cancellation removes it; a person with no calendar
 * gets nothing written and the write is done with that reason; a rolled-back booking writes
 * nothing; a failing server is retried with backoff and given up after the last attempt; two
 * workers racing write each event once, in order; a Google connection gets the event on the
 * calendar marked to receive events (a local server speaking Google's shapes).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { credentialsBinding } from "../../src/calendar/connections.js";
import { CalDavSource } from "../../src/calendar/connectors/caldav.js";
import { googleEventId } from "../../src/calendar/connectors/provider-event-writers.js";
import {
  type EventWriteInput,
  type EventWriteWorkerDeps,
  enqueueEventWrite,
  receivingCalendarId,
  retryDelayMs,
  writeNext,
} from "../../src/calendar/event-writes.js";
import { parseICalendar } from "../../src/calendar/ical.js";
import { type InterviewEvent, sessionUid } from "../../src/calendar/imip.js";
import { createOAuthSources, PROVIDER_ENDPOINTS } from "../../src/calendar/oauth-connections.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import { openStore, type Store } from "../../src/store/database.js";
import {
  buildOrganisation,
  buildWorld,
  MASTER_KEY,
  type SignedIn,
  type World,
} from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { FakeProvider, jsonBody } from "./connectors/fake-providers.js";
import { startFeedServer } from "./connectors/feed-server.js";
import {
  RADICALE_CREDENTIALS as credentials,
  getObject,
  makeCalendar,
  RADICALE_USER,
  type Radicale,
  radicaleOrSkip,
  startRadicale,
} from "./connectors/radicale.js";

const command = radicaleOrSkip("the calendar event write tests");

// Tue 1 – Fri 4 Dec 2026, UTC
const WEEK = { startEpochMs: Date.UTC(2026, 11, 1), endEpochMs: Date.UTC(2026, 11, 4) };
const HOUR = 3_600_000;

let serial = 0;
function buildEvent(overrides: Partial<InterviewEvent> = {}): InterviewEvent {
  serial += 1;
  return {
    uid: sessionUid(`bkg_w${serial}`, 0, "ally.test"),
    sequence: 0,
    // Wed 2 Dec 2026, 15:00–16:00 UTC
    time: { startEpochMs: Date.UTC(2026, 11, 2, 15), endEpochMs: Date.UTC(2026, 11, 2, 16) },
    summary: "Interview: Staff Engineer (technical)",
    organizer: { email: "ally@ally.test", name: "Ally" },
    attendees: [{ email: "candidate@example.com", name: "Dana Scully" }],
    ...overrides,
  };
}

for (const database of await testDatabases()) {
  describe.skipIf(!command.ok)(`calendar event writes on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let url: string;
    let world: World;
    let radicale: Radicale;
    let collection: string;
    let interviewer: SignedIn;
    let noCalendar: SignedIn;
    let deps: EventWriteWorkerDeps;

    beforeAll(async () => {
      if (!command.ok) return;
      const created = await database.create();
      ({ store, drop, url } = created);
      world = buildWorld(store);
      radicale = await startRadicale(command.argv);
      collection = `${radicale.baseUrl}${RADICALE_USER}/interviews/`;
      await makeCalendar(collection);
      const org = await buildOrganisation(world, store, { company: "Acme" });
      interviewer = await org.add("interviewer", "Fox Mulder");
      noCalendar = await org.add("interviewer", "Walter Skinner");
      await world.deps.calendars.connect(interviewer.actor, {
        provider: "caldav",
        url: collection,
        ...credentials,
      });
      deps = {
        db: store.db,
        clock: world.clock,
        box: createSecretStore({
          db: store.db,
          keyring: singleKeyring(MASTER_KEY),
          clock: world.clock,
        }),
        timeoutMs: 2000,
        // Radicale runs on loopback; the guard's own tests below turn this off.
        allowPrivateHosts: true,
      };
    }, 60_000);

    afterAll(async () => {
      await radicale?.stop();
      await drop?.();
    });

    beforeEach(async () => {
      await store.db.deleteFrom("calendar_event_writes").execute();
    });

    const input = (who: SignedIn, event: InterviewEvent, action: "upsert" | "cancel" = "upsert") =>
      ({
        organisationId: who.actor.orgId,
        userId: who.actor.userId,
        action,
        event,
        dtstampEpochMs: world.clock.now(),
      }) satisfies EventWriteInput;

    const enqueue = (i: EventWriteInput) =>
      store.db.transaction().execute((trx) => enqueueEventWrite(trx, i, world.clock.now()));

    const drain = async (d: EventWriteWorkerDeps = deps) => {
      while (await writeNext(d)) {
        // perform everything due
      }
    };

    /** A connected Google or Microsoft calendar row; `credentials` as stored. */
    const insertProviderConnection = async (
      who: SignedIn,
      connection: {
        id: string;
        provider: "google" | "microsoft";
        label: string;
        credentials: string;
        calendars: Array<{ id: string; name?: string; busy: boolean; receivesEvents: boolean }>;
        account: string;
      },
    ) => {
      await store.db
        .insertInto("calendar_connections")
        .values({
          id: connection.id,
          organisation_id: who.actor.orgId,
          user_id: who.actor.userId,
          provider: connection.provider,
          label: connection.label,
          credentials: connection.credentials,
          status: "healthy",
          last_synced_at: null,
          last_attempt_at: null,
          last_error: null,
          alerted_at: null,
          claimed_until: null,
          created_at: world.clock.now(),
          sync_state: null,
          failure_count: 0,
          next_attempt_at: null,
          calendars: JSON.stringify(connection.calendars),
          account: connection.account,
        })
        .execute();
    };

    /** Sealed OAuth tokens for connection `id`. */
    const sealedTokens = (who: SignedIn, id: string, tokens: Record<string, string>) =>
      deps.box.seal(JSON.stringify(tokens), credentialsBinding(id, who.actor.orgId));

    /** The OAuth sources with `provider`'s API at the fake. */
    const oauthAt = (fake: FakeProvider, provider: "google" | "microsoft") =>
      createOAuthSources({
        db: store.db,
        clock: world.clock,
        box: deps.box,
        clients:
          provider === "google"
            ? { google: { clientId: "ally-test", clientSecret: "s3cret" }, microsoft: undefined }
            : {
                google: undefined,
                microsoft: { clientId: "ally-test", clientSecret: "s3cret", tenant: "common" },
              },
        publicUrl: "http://localhost:3000",
        allowPrivateHosts: true,
        endpoints:
          provider === "google"
            ? {
                ...PROVIDER_ENDPOINTS,
                google: { ...PROVIDER_ENDPOINTS.google, apiBaseUrl: `${fake.baseUrl}/calendar/v3` },
              }
            : {
                ...PROVIDER_ENDPOINTS,
                microsoft: {
                  ...PROVIDER_ENDPOINTS.microsoft,
                  graphBaseUrl: `${fake.baseUrl}/v1.0`,
                },
              },
        http: { sleep: async () => {} },
      });

    const writes = () =>
      store.db.selectFrom("calendar_event_writes").selectAll().orderBy("id").execute();
    const linkOf = (uid: string) =>
      store.db
        .selectFrom("calendar_event_links")
        .selectAll()
        .where("booking_uid", "=", uid)
        .executeTakeFirst();

    const busy = async () =>
      (await new CalDavSource(new URL(collection), credentials).busy(WEEK, { zone: "UTC" })).busy;

    it("puts a booked interview on the interviewer's CalDAV calendar", async () => {
      const event = buildEvent();
      await enqueue(input(interviewer, event));
      await drain();
      const link = await linkOf(event.uid);
      expect(link?.provider_ref).toBe(`${collection}${encodeURIComponent(event.uid)}.ics`);
      expect(link?.etag).toMatch(/^"/);
      expect(await busy()).toContainEqual(event.time);
      const [write] = await writes();
      expect(write).toMatchObject({ status: "done", attempts: 1, last_error: null });
      expect(write?.outcome).toBe(`written to CalDAV at ${new URL(collection).host}`);
    });

    it("moves the same object on a reschedule, with a higher SEQUENCE, and removes it on cancel", async () => {
      // Tue 1 Dec 2026, 09:00–10:00 UTC: a time no other test uses on this calendar
      const event = buildEvent({
        time: { startEpochMs: Date.UTC(2026, 11, 1, 9), endEpochMs: Date.UTC(2026, 11, 1, 10) },
      });
      await enqueue(input(interviewer, event));
      await drain();
      const first = await linkOf(event.uid);
      expect(await busy()).toContainEqual(event.time);

      // Moved to Thu 3 Dec 2026, 10:00–11:00 UTC
      const moved = {
        ...event,
        sequence: 1,
        time: { startEpochMs: Date.UTC(2026, 11, 3, 10), endEpochMs: Date.UTC(2026, 11, 3, 11) },
      };
      await enqueue(input(interviewer, moved));
      await drain();
      const second = await linkOf(event.uid);
      expect(second?.provider_ref).toBe(first?.provider_ref);
      expect(second?.etag).not.toBe(first?.etag);
      const stored = parseICalendar(
        (await getObject(second?.provider_ref as string)).text,
        "x.ics",
      );
      expect(stored.ok && stored.calendar.events.map((e) => [e.uid, e.sequence])).toEqual([
        [event.uid, 1],
      ]);
      expect(await busy()).toContainEqual(moved.time);
      expect(await busy()).not.toContainEqual(event.time);

      await enqueue(input(interviewer, { ...moved, sequence: 2 }, "cancel"));
      await drain();
      expect((await getObject(second?.provider_ref as string)).status).toBe(404);
      expect(await linkOf(event.uid)).toBeUndefined();
      expect(await busy()).not.toContainEqual(moved.time);
      expect((await writes()).map((w) => [w.action, w.status])).toEqual([
        ["upsert", "done"],
        ["upsert", "done"],
        ["cancel", "done"],
      ]);
      expect((await writes())[2]?.outcome).toBe(
        `removed from CalDAV at ${new URL(collection).host}`,
      );
    });

    it("writes nothing for a person without a calendar, and says so", async () => {
      const event = buildEvent();
      await enqueue(input(noCalendar, event));
      await drain();
      expect(await linkOf(event.uid)).toBeUndefined();
      const [write] = await writes();
      expect(write).toMatchObject({
        status: "done",
        outcome: "not written: no connected calendar receives events",
      });
    });

    it("forgets the event of a disconnected calendar and writes a reschedule nowhere", async () => {
      const org = await buildOrganisation(world, store, { company: "Hooli" });
      const person = await org.add("interviewer", "Gavin Belson");
      const own = `${radicale.baseUrl}${RADICALE_USER}/hooli/`;
      await makeCalendar(own);
      const connection = await world.deps.calendars.connect(person.actor, {
        provider: "caldav",
        url: own,
        ...credentials,
      });
      const event = buildEvent();
      await enqueue(input(person, event));
      await drain();
      expect(await linkOf(event.uid)).toBeDefined();
      await world.deps.calendars.disconnect(person.actor, connection.id);
      expect(await linkOf(event.uid)).toBeUndefined();
      await enqueue(input(person, { ...event, sequence: 1 }));
      await drain();
      expect((await writes()).at(-1)).toMatchObject({
        status: "done",
        outcome: "not written: no connected calendar receives events",
      });
    });

    it("writes nothing when the booking's transaction rolls back", async () => {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await enqueueEventWrite(trx, input(interviewer, buildEvent()), world.clock.now());
          throw new Error("the slot was taken");
        }),
      ).rejects.toThrow("the slot was taken");
      expect(await writeNext(deps)).toBe(false);
      expect(await writes()).toEqual([]);
    });

    it("writes nothing to a CalDAV server on a private network unless the operator allows it", async () => {
      // Wed 2 Dec 2026, 11:00–12:00 UTC: a time no other test uses on this calendar
      const event = buildEvent({
        uid: "bkg_private-1@ally.test",
        time: { startEpochMs: Date.UTC(2026, 11, 2, 11), endEpochMs: Date.UTC(2026, 11, 2, 12) },
      });
      await enqueue(input(interviewer, event));
      await drain({ ...deps, allowPrivateHosts: false });
      expect(await linkOf(event.uid)).toBeUndefined();
      expect(await busy()).not.toContainEqual(event.time);
      const [write] = await writes();
      expect(write?.status).not.toBe("done");
      expect(write?.last_error).toMatch(/is on a private or local network/);
    });

    it("follows no redirect from a CalDAV server to an internal address, and sends it no credentials", async () => {
      const internal = await startFeedServer();
      try {
        const org = await buildOrganisation(world, store, { company: "Initech" });
        const person = await org.add("interviewer", "Peter Gibbons");
        const id = "conn_redirect-1";
        await store.db
          .insertInto("calendar_connections")
          .values({
            id,
            organisation_id: person.actor.orgId,
            user_id: person.actor.userId,
            provider: "caldav",
            label: "caldav.example.test",
            credentials: await deps.box.seal(
              JSON.stringify({ url: "https://caldav.example.test/cal/", ...credentials }),
              credentialsBinding(id, person.actor.orgId),
            ),
            status: "healthy",
            last_synced_at: null,
            last_attempt_at: null,
            last_error: null,
            alerted_at: null,
            claimed_until: null,
            created_at: world.clock.now(),
            sync_state: null,
            failure_count: 0,
            next_attempt_at: null,
            calendars: null,
            account: null,
          })
          .execute();
        const reached: string[] = [];
        // Stands in for the public server at caldav.example.test, which redirects every
        // request to loopback; anything else goes out for real.
        const transport = (async (input: URL | Request | string, init?: RequestInit) => {
          const url = new URL(input instanceof Request ? input.url : input.toString());
          reached.push(`${init?.method ?? "GET"} ${url.host}`);
          if (url.hostname === "caldav.example.test") {
            return new Response(null, {
              status: 307,
              headers: { location: `${internal.baseUrl}/cal/event.ics` },
            });
          }
          return fetch(url, init);
        }) as typeof fetch;
        const event = buildEvent({ uid: "bkg_redirect-1@ally.test" });
        await enqueue(input(person, event));
        await drain({
          ...deps,
          allowPrivateHosts: false,
          lookup: async () => ["93.184.216.34"],
          transport,
        });
        expect(internal.requests).toHaveLength(0);
        expect(reached).toEqual(["PUT caldav.example.test"]);
        const [write] = await writes();
        expect(write?.last_error).toMatch(/127\.0\.0\.1:\d+ is on a private or local network/);
      } finally {
        await internal.close();
      }
    });

    it("refuses, in the caller's transaction, an event that cannot be written", async () => {
      const broken = buildEvent({ time: { startEpochMs: 2 * HOUR, endEpochMs: HOUR } });
      await expect(enqueue(input(interviewer, broken))).rejects.toThrow(RangeError);
      expect(await writes()).toEqual([]);
    });

    it("supersedes an unclaimed earlier write of the same event", async () => {
      const event = buildEvent();
      await enqueue(input(interviewer, event));
      await enqueue(input(interviewer, { ...event, sequence: 1 }));
      expect((await writes()).map((w) => [w.status, w.outcome])).toEqual([
        ["done", "superseded by a later write"],
        ["pending", null],
      ]);
      await drain();
      const link = await linkOf(event.uid);
      const stored = parseICalendar((await getObject(link?.provider_ref as string)).text, "x.ics");
      expect(stored.ok && stored.calendar.events.map((e) => e.sequence)).toEqual([1]);
    });

    it("retries an unreachable calendar with growing backoff, then gives up keeping the error", async () => {
      const other = await startRadicale(command.ok ? command.argv : []);
      const gone = `${other.baseUrl}${RADICALE_USER}/work/`;
      await makeCalendar(gone);
      const org = await buildOrganisation(world, store, { company: "Initech" });
      const person = await org.add("interviewer", "Peter Gibbons");
      await world.deps.calendars.connect(person.actor, {
        provider: "caldav",
        url: gone,
        ...credentials,
      });
      await other.stop();
      await enqueue(input(person, buildEvent()));
      const limited = { ...deps, maxAttempts: 3 };

      expect(await writeNext(limited)).toBe(true);
      let [write] = await writes();
      expect(write).toMatchObject({ status: "pending", attempts: 1 });
      expect(write?.last_error).toContain("cannot be reached");
      expect(write?.next_attempt_at).toBe(world.clock.now() + retryDelayMs(1));
      // Not due again before the backoff is over.
      expect(await writeNext(limited)).toBe(false);

      world.clock.advance(retryDelayMs(1));
      expect(await writeNext(limited)).toBe(true);
      [write] = await writes();
      expect(write).toMatchObject({ status: "pending", attempts: 2 });
      expect(write?.next_attempt_at).toBe(world.clock.now() + retryDelayMs(2));
      expect(retryDelayMs(2)).toBe(2 * retryDelayMs(1));

      world.clock.advance(retryDelayMs(2));
      expect(await writeNext(limited)).toBe(true);
      [write] = await writes();
      expect(write).toMatchObject({ status: "failed", attempts: 3 });
      expect(write?.last_error).toContain("cannot be reached");
      world.clock.advance(24 * HOUR);
      expect(await writeNext(limited)).toBe(false);
    }, 30_000);

    it("writes to the Google calendar marked to receive events, and removes it on cancel", async () => {
      const fake = await FakeProvider.start();
      try {
        const org = await buildOrganisation(world, store, { company: "Pied Piper" });
        const person = await org.add("interviewer", "Richard Hendricks");
        const id = `cal_google_${database.dialect}`;
        await insertProviderConnection(person, {
          id,
          provider: "google",
          label: "Google Calendar (richard@example.com)",
          credentials: await sealedTokens(person, id, {
            accessToken: "ya29.test-access",
            refreshToken: "1//refresh",
            // Long after the test's clock: no refresh needed.
            expiresAt: "2030-01-01T00:00:00Z",
          }),
          calendars: [
            { id: "primary", name: "Richard", busy: true, receivesEvents: false },
            { id: "interviews@group", name: "Interviews", busy: true, receivesEvents: true },
          ],
          account: "richard@example.com",
        });
        const event = buildEvent();
        const googleId = googleEventId(event.uid);
        fake.on("POST", "/calendar/v3/calendars/interviews@group/events", {
          body: { id: googleId, etag: '"1"' },
        });
        fake.on("DELETE", `/calendar/v3/calendars/interviews@group/events/${googleId}`, {
          status: 204,
        });
        const oauth = oauthAt(fake, "google");

        await enqueue(input(person, event));
        await drain({ ...deps, oauth });
        expect(await linkOf(event.uid)).toMatchObject({
          connection_id: id,
          provider_ref: googleId,
          etag: '"1"',
        });
        expect((await writes())[0]?.outcome).toBe(
          "written to Google Calendar (richard@example.com)",
        );
        const [created] = fake.requests;
        expect(created?.headers.authorization).toBe("Bearer ya29.test-access");
        expect(created?.query.get("sendUpdates")).toBe("none");
        expect(jsonBody(created)).toMatchObject({ id: googleId, attendees: [] });

        await enqueue(input(person, { ...event, sequence: 1 }, "cancel"));
        await drain({ ...deps, oauth });
        expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          "POST /calendar/v3/calendars/interviews@group/events",
          `DELETE /calendar/v3/calendars/interviews@group/events/${googleId}`,
        ]);
        expect(await linkOf(event.uid)).toBeUndefined();
        expect(fake.unexpected).toEqual([]);
      } finally {
        await fake.close();
      }
    });

    it("writes to the Microsoft calendar marked to receive events, and moves it on a reschedule", async () => {
      const fake = await FakeProvider.start();
      try {
        const org = await buildOrganisation(world, store, { company: "Contoso" });
        const person = await org.add("interviewer", "Megan Bowen");
        const id = `cal_ms_${database.dialect}`;
        await insertProviderConnection(person, {
          id,
          provider: "microsoft",
          label: "Microsoft 365 (megan@contoso.com)",
          credentials: await sealedTokens(person, id, {
            accessToken: "eyJ0eXAi.graph-access.sig",
            refreshToken: "M.refresh",
            expiresAt: "2030-01-01T00:00:00Z",
          }),
          calendars: [
            { id: "AAMkDefault=", name: "Calendar", busy: true, receivesEvents: false },
            { id: "AAMkInterviews=", name: "Interviews", busy: false, receivesEvents: true },
          ],
          account: "megan@contoso.com",
        });
        fake.on("POST", "/v1.0/me/calendars/AAMkInterviews=/events", {
          status: 201,
          body: { id: "AAMkNEW=", changeKey: "ck1" },
        });
        fake.on("PATCH", "/v1.0/me/events/AAMkNEW=", {
          body: { id: "AAMkNEW=", changeKey: "ck2" },
        });
        const oauth = oauthAt(fake, "microsoft");
        const event = buildEvent();
        await enqueue(input(person, event));
        await drain({ ...deps, oauth });
        await enqueue(input(person, { ...event, sequence: 1 }));
        await drain({ ...deps, oauth });
        expect(await linkOf(event.uid)).toMatchObject({
          connection_id: id,
          provider_ref: "AAMkNEW=",
          etag: "ck2",
        });
        expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          "POST /v1.0/me/calendars/AAMkInterviews=/events",
          "PATCH /v1.0/me/events/AAMkNEW=",
        ]);
        expect(jsonBody(fake.requests[0])).toMatchObject({
          attendees: [],
          transactionId: event.uid,
        });
        expect(fake.unexpected).toEqual([]);
      } finally {
        await fake.close();
      }
    });

    it("keeps a Google calendar's write as failed when Google is not set up on this server", async () => {
      const org = await buildOrganisation(world, store, { company: "Hooli XYZ" });
      const person = await org.add("interviewer", "Nelson Bighetti");
      await insertProviderConnection(person, {
        id: `cal_google_unset_${database.dialect}`,
        provider: "google",
        label: "Google Calendar (bighead@example.com)",
        credentials: "sealed elsewhere",
        calendars: [{ id: "primary", busy: true, receivesEvents: true }],
        account: "bighead@example.com",
      });
      await enqueue(input(person, buildEvent()));
      await drain({ ...deps, maxAttempts: 1 });
      const [write] = await writes();
      expect(write?.status).toBe("failed");
      expect(write?.last_error).toBe(
        "Google Calendar (bighead@example.com): Google and Microsoft calendars are not set up on this Ally server",
      );
    });

    it("writes each event once, in order, with two workers racing on two connections", async () => {
      const second = database.dialect === "sqlite" ? undefined : openStore(url);
      try {
        const events = Array.from({ length: 6 }, () => buildEvent());
        for (const event of events) {
          await enqueue(input(interviewer, event));
          // Claimed meanwhile: not superseded, so the later write must wait for it.
          await store.db
            .updateTable("calendar_event_writes")
            .set({ claimed_until: world.clock.now() + HOUR })
            .where("booking_uid", "=", event.uid)
            .execute();
          await enqueue(input(interviewer, { ...event, sequence: 1 }));
        }
        await store.db.updateTable("calendar_event_writes").set({ claimed_until: null }).execute();
        await Promise.all([drain(deps), drain({ ...deps, db: second?.db ?? store.db })]);
        const done = await writes();
        expect(done.every((w) => w.status === "done" && w.attempts === 1)).toBe(true);
        for (const event of events) {
          const link = await linkOf(event.uid);
          const stored = parseICalendar((await getObject(link?.provider_ref as string)).text, "x");
          expect(stored.ok && stored.calendar.events.map((e) => e.sequence)).toEqual([1]);
        }
      } finally {
        await second?.close();
      }
    }, 30_000);
  });
}

describe("the calendar that receives events", () => {
  it("is the one marked receivesEvents in a connection's calendars", () => {
    expect(
      receivingCalendarId({
        calendars: JSON.stringify([
          { id: "primary", name: "Dana", busy: true, receivesEvents: false },
          { id: "interviews@group", name: "Interviews", busy: true, receivesEvents: true },
        ]),
      }),
    ).toBe("interviews@group");
    expect(receivingCalendarId({ calendars: null })).toBeUndefined();
    expect(receivingCalendarId({ calendars: "not json" })).toBeUndefined();
  });
});
