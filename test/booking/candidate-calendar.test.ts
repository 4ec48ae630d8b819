/**
 * The candidate's own calendar, on every database: the address they paste is checked (webcal://
 * read as https://, no passwords, only public hosts unless private ones are allowed), read once,
 * and kept sealed and bound to its row, where key rotation finds it; options overlapping its busy
 * time are hidden (half-open, every session); a read that fails shows everything with the reason;
 * it belongs to one request of one organisation and goes with the request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CALENDAR_URL_FIELD,
  type CandidateCalendars,
  candidateCalendarBinding,
  createCandidateCalendars,
  feedAddress,
  hideBusy,
  READ_CACHE_TTL_MS,
} from "../../src/booking/candidate-calendar.js";
import { mintOrgId } from "../../src/ids.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { rotateKeys } from "../../src/secrets/rotate.js";
import { SEALED_COLUMNS } from "../../src/secrets/sealed-columns.js";
import { createSecretStore, type SecretStore } from "../../src/secrets/secret-store.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { testDatabases } from "../support/databases.js";
import { appError, calendarIcs } from "../support/failures.js";
import { makeRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  MASTER_KEY,
  type Organisation,
  T0,
  type World,
} from "../support/web-world.js";

const at = (iso: string) => Date.parse(iso);
const option = (startsAt: string, endsAt: string, sessions: [string, string][] = []) => ({
  startsAt,
  endsAt,
  sessions: sessions.map(([s, e]) => ({ startsAt: s, endsAt: e })),
});

describe("which options a candidate's busy time hides", () => {
  const nine = option("2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z");
  const ten = option("2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z");

  it("hides an option that overlaps busy time and keeps one that only touches it", () => {
    const busy = [
      { startEpochMs: at("2026-12-02T09:30:00Z"), endEpochMs: at("2026-12-02T10:00:00Z") },
    ];
    expect(hideBusy([nine, ten], busy)).toEqual({ shown: [ten], hidden: 1 });
  });

  it("hides a loop when any of its sessions overlaps, not for the gap between them", () => {
    const loop = option("2026-12-02T09:00:00Z", "2026-12-02T12:00:00Z", [
      ["2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z"],
      ["2026-12-02T11:00:00Z", "2026-12-02T12:00:00Z"],
    ]);
    const inGap = [
      { startEpochMs: at("2026-12-02T10:00:00Z"), endEpochMs: at("2026-12-02T11:00:00Z") },
    ];
    expect(hideBusy([loop], inGap)).toEqual({ shown: [loop], hidden: 0 });
    const inSecond = [
      { startEpochMs: at("2026-12-02T11:30:00Z"), endEpochMs: at("2026-12-02T11:45:00Z") },
    ];
    expect(hideBusy([loop], inSecond)).toEqual({ shown: [], hidden: 1 });
  });
});

describe("the address a candidate pastes", () => {
  it("reads webcal:// as https:// and keeps the secret path", () => {
    const url = feedAddress("  webcal://p01-caldav.icloud.com/published/2/MTIzNDU2  ");
    expect(url.href).toBe("https://p01-caldav.icloud.com/published/2/MTIzNDU2");
  });

  it.each([
    ["nothing", ""],
    ["words", "my work calendar"],
    ["another scheme", "ftp://calendar.example.com/basic.ics"],
    ["a password in the address", "https://me:secret@calendar.example.com/basic.ics"],
    ["an overlong address", `https://calendar.example.com/${"x".repeat(2000)}`],
  ])("refuses %s on its field", (_what, text) => {
    let caught: unknown;
    try {
      feedAddress(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "VALIDATION_FAILED", field: CALENDAR_URL_FIELD });
  });
});

for (const database of await testDatabases()) {
  describe(`candidate calendars on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let other: Organisation;
    let feeds: FeedServer;
    let box: SecretStore;
    let calendars: CandidateCalendars;
    const FEED_PATH = "/calendars/feeds/secret-4f2a9c/basic.ics";
    // One busy hour on Wednesday 2 December.
    const ICS = calendarIcs([
      { uid: "busy-1@example.com", start: "20261202T100000Z", end: "20261202T110000Z" },
    ]);
    const ten = option("2026-12-02T10:00:00Z", "2026-12-02T11:00:00Z");
    const noon = option("2026-12-02T12:00:00Z", "2026-12-02T13:00:00Z");

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme Rockets");
      other = await createOrganisation(world, "Other Rockets");
      feeds = await startFeedServer();
      feeds.route(FEED_PATH, (_request, response) => {
        response.writeHead(200, { "content-type": "text/calendar" }).end(ICS);
      });
      box = createSecretStore({ db: world.store.db, keyring: singleKeyring(MASTER_KEY) });
      calendars = createCandidateCalendars({
        db: world.store.db,
        clock: world.clock,
        box,
        allowPrivateHosts: true,
      });
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await world?.drop();
    });

    async function requestOf(organisation: Organisation) {
      world.clock.set(T0);
      return (await makeRequest(world, organisation)).request.id;
    }
    const orgOf = (organisation: Organisation) => mintOrgId(organisation.owner.actor.orgId);
    const rowsOf = (requestId: string) =>
      world.store.db
        .selectFrom("candidate_calendars")
        .selectAll()
        .where("request_id", "=", requestId)
        .execute();

    it("keeps the address sealed and bound to its row, labelled by host, where key rotation finds it", async () => {
      const requestId = await requestOf(org);
      const address = `${feeds.baseUrl}${FEED_PATH}`;
      const connected = await calendars.connect(orgOf(org), requestId, address, "Europe/Berlin");
      expect(connected.label).toBe(new URL(feeds.baseUrl).host);
      const [row] = await rowsOf(requestId);
      if (row === undefined) throw new Error("not stored");
      expect(row.url).not.toContain("secret-4f2a9c");
      expect(JSON.stringify(row)).not.toContain(FEED_PATH);
      expect(await box.open(row.url, candidateCalendarBinding(row.id, orgOf(org)))).toBe(address);
      // Bound to its row: copied to another, it does not open.
      await expect(
        box.open(row.url, candidateCalendarBinding("ccal_elsewhere", orgOf(org))),
      ).rejects.toThrow();
      expect(SEALED_COLUMNS).toContainEqual({
        table: "candidate_calendars",
        column: "url",
        idColumn: "id",
        owner: { organisationColumn: "organisation_id" },
      });
      const report = await rotateKeys(world.store.db, singleKeyring(MASTER_KEY), {
        dataKeys: true,
        now: T0,
      });
      expect(report.failures).toEqual([]);
      const [rotated] = await rowsOf(requestId);
      expect(rotated?.url).not.toBe(row.url);
      expect(await box.open(rotated?.url ?? "", candidateCalendarBinding(row.id, orgOf(org)))).toBe(
        address,
      );
    });

    it("hides the options the calendar shows busy, and replaces an earlier calendar", async () => {
      const requestId = await requestOf(org);
      await calendars.connect(orgOf(org), requestId, `${feeds.baseUrl}${FEED_PATH}`, "UTC");
      await calendars.connect(orgOf(org), requestId, `${feeds.baseUrl}${FEED_PATH}`, "UTC");
      expect(await rowsOf(requestId)).toHaveLength(1);
      const fitted = await calendars.fit(orgOf(org), requestId, [ten, noon], "UTC");
      expect(fitted).toEqual({
        options: [noon],
        calendar: { label: new URL(feeds.baseUrl).host, hidden: 1, problem: null },
      });
    });

    it("reads the feed once across page views within a couple of minutes, then again", async () => {
      const requestId = await requestOf(org);
      const path = "/calendars/feeds/counted/basic.ics";
      feeds.route(path, (_request, response) => {
        response.writeHead(200, { "content-type": "text/calendar" }).end(ICS);
      });
      await calendars.connect(orgOf(org), requestId, `${feeds.baseUrl}${path}`, "UTC");
      const reads = () => feeds.requests.filter((r) => r.url === path).length;
      const afterConnect = reads();
      for (let view = 0; view < 5; view++) {
        world.clock.advance(10_000);
        const fitted = await calendars.fit(orgOf(org), requestId, [ten, noon], "UTC");
        expect(fitted.options).toEqual([noon]);
      }
      expect(reads()).toBe(afterConnect + 1);
      world.clock.advance(READ_CACHE_TTL_MS);
      await calendars.fit(orgOf(org), requestId, [ten, noon], "UTC");
      expect(reads()).toBe(afterConnect + 2);
    });

    it("shows every option with the reason when the calendar cannot be read, and records it", async () => {
      const requestId = await requestOf(org);
      const path = "/calendars/feeds/going-away/basic.ics";
      feeds.route(path, (_request, response) => {
        response.writeHead(200, { "content-type": "text/calendar" }).end(ICS);
      });
      await calendars.connect(orgOf(org), requestId, `${feeds.baseUrl}${path}`, "UTC");
      feeds.route(path, (_request, response) => {
        response.writeHead(404).end("gone");
      });
      const fitted = await calendars.fit(orgOf(org), requestId, [ten, noon], "UTC");
      expect(fitted.options).toEqual([ten, noon]);
      expect(fitted.calendar?.hidden).toBe(0);
      expect(fitted.calendar?.problem).toContain("404");
      const [row] = await rowsOf(requestId);
      expect(row?.last_error).toContain("404");
      expect(row?.last_error).not.toContain("going-away");
    });

    it("refuses an address on a private network when private hosts are not allowed, reading and storing nothing", async () => {
      const guarded = createCandidateCalendars({
        db: world.store.db,
        clock: world.clock,
        box,
        allowPrivateHosts: false,
        // A public-looking name that points at the cloud metadata service.
        lookup: async () => ["169.254.169.254"],
      });
      const requestId = await requestOf(org);
      const asked = feeds.requests.length;
      for (const address of [
        `${feeds.baseUrl}${FEED_PATH}`,
        "https://calendar.example.com/feeds/basic.ics",
      ]) {
        const error = await appError(guarded.connect(orgOf(org), requestId, address, "UTC"));
        expect(error.field).toBe(CALENDAR_URL_FIELD);
        expect(error.message).toContain("private or local network");
      }
      expect(feeds.requests.length).toBe(asked);
      expect(await rowsOf(requestId)).toEqual([]);
    });

    it("belongs to one organisation's request, and goes when the request is deleted", async () => {
      const requestId = await requestOf(org);
      await calendars.connect(orgOf(org), requestId, `${feeds.baseUrl}${FEED_PATH}`, "UTC");
      expect(await calendars.get(orgOf(other), requestId)).toBeNull();
      await calendars.disconnect(orgOf(other), requestId);
      expect(await rowsOf(requestId)).toHaveLength(1);
      expect(await calendars.fit(orgOf(other), requestId, [ten], "UTC")).toEqual({
        options: [ten],
        calendar: null,
      });
      expect(await calendars.get(orgOf(org), requestId)).toMatchObject({
        label: new URL(feeds.baseUrl).host,
      });
      await world.store.db
        .deleteFrom("request_events")
        .where("request_id", "=", requestId)
        .execute();
      await world.store.db.deleteFrom("interview_requests").where("id", "=", requestId).execute();
      expect(await rowsOf(requestId)).toEqual([]);
    });
  });
}
