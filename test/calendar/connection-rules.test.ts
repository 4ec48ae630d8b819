/**
 * The two rules of calendar connections, each decided in one place and used by every caller:
 * "can receive Ally's events" (receiving-events.ts: the event writer, and booking through
 * `writableCalendars`) and "who may act on a connection" (connection-access.ts: the service,
 * the OAuth calendar choice, and the pages). Each is a table of cases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../src/accounts/tables.js";
import {
  connectionAccess,
  mayActOnConnection,
  requireConnectionAccess,
} from "../../src/calendar/connection-access.js";
import {
  canReceiveEvents,
  receivingCalendarId,
  receivingConnection,
  writableCalendars,
} from "../../src/calendar/receiving-events.js";
import type { CalendarConnectionsTable, CalendarProvider } from "../../src/calendar/tables.js";
import type { Store } from "../../src/store/database.js";
import { buildOrganisation, buildWorld, type SignedIn } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";

const calendars = (...list: { id: string; busy?: boolean; receivesEvents?: boolean }[]) =>
  JSON.stringify(list.map((c) => ({ name: c.id, busy: false, receivesEvents: false, ...c })));

const row = (provider: CalendarProvider, calendarsJson: string | null = null, id = "cal_1") => ({
  id,
  provider,
  calendars: calendarsJson,
});

describe("can receive Ally's events", () => {
  const cases: [string, ReturnType<typeof row>, boolean][] = [
    ["a CalDAV collection", row("caldav"), true],
    ["an ICS feed (read-only)", row("ics-feed"), false],
    [
      "a Google account with a calendar chosen to receive",
      row("google", calendars({ id: "primary", busy: true, receivesEvents: true })),
      true,
    ],
    [
      "a Microsoft account with a calendar chosen to receive",
      row("microsoft", calendars({ id: "AAMk1" }, { id: "AAMk2", receivesEvents: true })),
      true,
    ],
    [
      "a Google account with no calendar chosen to receive",
      row("google", calendars({ id: "primary", busy: true })),
      false,
    ],
    ["a Google account whose calendars were never listed", row("google", null), false],
    [
      "a Microsoft account whose stored calendars cannot be read",
      row("microsoft", "not json"),
      false,
    ],
    [
      "an ICS feed even with a calendar marked (it cannot be written)",
      row("ics-feed", calendars({ id: "x", receivesEvents: true })),
      false,
    ],
  ];
  it.each(cases)("%s: %s", (_name, connection, expected) => {
    expect(canReceiveEvents(connection)).toBe(expected);
  });

  it("names the receiving calendar of an account, and none for a collection or feed", () => {
    const google = row(
      "google",
      calendars({ id: "primary" }, { id: "interviews", receivesEvents: true }),
    );
    expect(receivingCalendarId(google)).toBe("interviews");
    expect(receivingCalendarId(row("caldav"))).toBeUndefined();
  });

  const pick: [string, ReturnType<typeof row>[], string | undefined][] = [
    ["nothing connected", [], undefined],
    ["only a feed", [row("ics-feed", null, "cal_feed")], undefined],
    [
      "a feed and a CalDAV collection",
      [row("ics-feed", null, "cal_feed"), row("caldav", null, "cal_dav")],
      "cal_dav",
    ],
    [
      "an older CalDAV collection and a receiving Google account: the account",
      [
        row("caldav", null, "cal_dav"),
        row("google", calendars({ id: "p", receivesEvents: true }), "cal_g"),
      ],
      "cal_g",
    ],
    [
      "a CalDAV collection and a Google account choosing none: the collection",
      [row("google", calendars({ id: "p" }), "cal_g"), row("caldav", null, "cal_dav")],
      "cal_dav",
    ],
    [
      "two CalDAV collections: the older",
      [row("caldav", null, "cal_old"), row("caldav", null, "cal_new")],
      "cal_old",
    ],
  ];
  it.each(pick)(
    "of a person's connections (oldest first) picks the one receiving: %s",
    (_name, rows, expected) => {
      expect(receivingConnection(rows)?.id).toBe(expected);
    },
  );
});

describe("who may act on a connection", () => {
  const OWNER = "user_owner";
  const cases: [string, Role, string, "owner" | "viewer" | "none", boolean, boolean][] = [
    // [who, role, acting user, access, may view, may change]
    ["its owner, an interviewer", "interviewer", OWNER, "owner", true, true],
    ["its owner, an owner of the organisation", "owner", OWNER, "owner", true, true],
    ["another interviewer", "interviewer", "user_other", "none", false, false],
    ["a recruiter (no members:manage)", "recruiter", "user_other", "none", false, false],
    ["an admin (members:manage)", "admin", "user_other", "viewer", true, false],
    ["an owner of the organisation", "owner", "user_other", "viewer", true, false],
  ];
  it.each(cases)("%s (%s)", (_who, role, userId, access, view, change) => {
    const actor = { userId, role };
    expect(connectionAccess(actor, OWNER)).toBe(access);
    expect(mayActOnConnection(actor, OWNER, "view")).toBe(view);
    expect(mayActOnConnection(actor, OWNER, "change")).toBe(change);
  });

  it("tells those who may not see it that it does not exist, and a viewer that only its owner may change it", () => {
    expect(() =>
      requireConnectionAccess({ userId: "user_other", role: "recruiter" }, OWNER, "view"),
    ).toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
    expect(() =>
      requireConnectionAccess({ userId: "user_other", role: "admin" }, OWNER, "change"),
    ).toThrow(
      expect.objectContaining({ code: "FORBIDDEN", message: "only its owner may change it" }),
    );
    expect(() =>
      requireConnectionAccess({ userId: OWNER, role: "interviewer" }, OWNER, "change"),
    ).not.toThrow();
  });
});

for (const database of await testDatabases()) {
  describe(`writable calendars on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let withCalDav: SignedIn;
    let withFeed: SignedIn;
    let withGoogle: SignedIn;
    let outsider: SignedIn;

    const insert = async (
      who: SignedIn,
      fields: Partial<CalendarConnectionsTable> & { id: string; provider: CalendarProvider },
    ) => {
      await store.db
        .insertInto("calendar_connections")
        .values({
          organisation_id: who.actor.orgId,
          user_id: who.actor.userId,
          label: fields.provider,
          credentials: "sealed elsewhere",
          status: "healthy",
          last_synced_at: null,
          last_attempt_at: null,
          last_error: null,
          alerted_at: null,
          claimed_until: null,
          // Tue 1 Dec 2026, 09:00 UTC
          created_at: Date.UTC(2026, 11, 1, 9),
          sync_state: null,
          failure_count: 0,
          next_attempt_at: null,
          calendars: null,
          account: null,
          ...fields,
        })
        .execute();
    };

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      const world = buildWorld(store);
      const org = await buildOrganisation(world, store, { company: "Initech" });
      withCalDav = await org.add("interviewer", "Peter Gibbons");
      withFeed = await org.add("interviewer", "Michael Bolton");
      withGoogle = await org.add("interviewer", "Samir Nagheenanajar");
      const other = await buildOrganisation(world, store, { company: "Initrode" });
      outsider = await other.add("interviewer", "Milton Waddams");
      await insert(withCalDav, { id: `cal_dav_${database.dialect}`, provider: "caldav" });
      await insert(withFeed, { id: `cal_feed_${database.dialect}`, provider: "ics-feed" });
      await insert(withGoogle, {
        id: `cal_g_${database.dialect}`,
        provider: "google",
        calendars: calendars({ id: "primary", busy: true, receivesEvents: true }),
      });
      await insert(outsider, { id: `cal_out_${database.dialect}`, provider: "caldav" });
    }, 60_000);

    afterAll(async () => {
      await drop?.();
    });

    it("answers, for the organisation's members asked about, the connection that receives their events", async () => {
      const ids = [withCalDav, withFeed, withGoogle, outsider].map((who) => who.actor.userId);
      const writable = await writableCalendars(store.db, withCalDav.actor.orgId, ids);
      expect([...writable.keys()].sort()).toEqual(
        [withCalDav.actor.userId, withGoogle.actor.userId].sort(),
      );
      expect(writable.get(withGoogle.actor.userId)).toEqual({
        connectionId: `cal_g_${database.dialect}`,
        provider: "google",
        label: "google",
      });
    });

    it("answers nothing for nobody", async () => {
      expect((await writableCalendars(store.db, withCalDav.actor.orgId, [])).size).toBe(0);
    });
  });
}
