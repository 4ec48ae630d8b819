/**
 * Invitations by email on every database: enqueued in the booking's transaction, written by the
 * folder transport as an .eml whose calendar part (text/calendar; method=…) and invite.ics
 * attachment carry the same iCalendar object, readable by Ally and by ical.js, next to a text
 * and an HTML body; a calendar part whose method contradicts its METHOD line is refused.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ICAL from "ical.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseICalendar } from "../../src/calendar/ical.js";
import { buildInvitation, type InterviewEvent, sessionUid } from "../../src/calendar/imip.js";
import { enqueueInvitations, invitationMessages } from "../../src/calendar/invitation-mail.js";
import { fixedClock } from "../../src/clock.js";
import { mintOrgId } from "../../src/ids.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { folderTransport, sendNext } from "../../src/mail/outbox-worker.js";
import type { Store } from "../../src/store/database.js";
import { leaves, type MimePart, parseMime } from "../mail/mime.js";
import { testDatabases } from "../support/databases.js";

// Wed 25 Nov 2026, 11:00 UTC
const NOW = Date.UTC(2026, 10, 25, 11, 0);
const FROM = "Ally <ally@ally.test>";
const ORG = mintOrgId("org_acme");

function buildEvent(overrides: Partial<InterviewEvent> = {}): InterviewEvent {
  return {
    uid: sessionUid("bkg_7Hq2", 0, "ally.test"),
    sequence: 0,
    // Tue 1 Dec 2026, 17:00–18:00 UTC (12:00–13:00 in New York)
    time: { startEpochMs: Date.UTC(2026, 11, 1, 17), endEpochMs: Date.UTC(2026, 11, 1, 18) },
    summary: "Interview: Staff Engineer (technical)",
    description: "Technical interview; bring a laptop.",
    location: "Room 4, floor 2",
    url: "https://ally.test/b/bkg_7Hq2",
    organizer: { email: "ally@ally.test", name: "Ally for Acme" },
    attendees: [
      { email: "dana@example.com", name: "Dana Scully" },
      { email: "fox@acme.test", name: "Fox Mulder" },
    ],
    ...overrides,
  };
}

/** RFC 2046 4.1.1: text/* line breaks are CRLF in canonical form, whatever the file used. */
const canonical = (text: string) => text.replace(/\r?\n/g, "\r\n");

function calendarParts(eml: string): {
  alternative: MimePart;
  attachment: MimePart;
  all: MimePart[];
} {
  const all = leaves(parseMime(eml));
  const alternative = all.find((p) => p.type === "text/calendar");
  const attachment = all.find((p) =>
    (p.headers.get("content-disposition") ?? "").startsWith("attachment"),
  );
  if (alternative === undefined || attachment === undefined)
    throw new Error("calendar parts missing");
  return { alternative, attachment, all };
}

describe("invitation messages", () => {
  it("say what, when in the reader's zone, and where, in text and HTML", () => {
    const [dana, fox] = invitationMessages({
      organisationId: ORG,
      method: "REQUEST",
      event: buildEvent(),
      dtstampEpochMs: NOW,
      zones: { "dana@example.com": "America/New_York" },
    });
    expect(dana?.to).toBe("dana@example.com");
    expect(dana?.subject).toBe(
      "Invitation: Interview: Staff Engineer (technical) (Tue, 1 Dec 2026, 12:00–13:00 (America/New_York))",
    );
    expect(dana?.text).toContain("When: Tue, 1 Dec 2026, 12:00–13:00 (America/New_York)");
    expect(dana?.text).toContain("Where: Room 4, floor 2");
    expect(dana?.html).toContain("<td>Room 4, floor 2</td>");
    expect(dana?.html).toContain('<a href="https://ally.test/b/bkg_7Hq2">');
    expect(fox?.text).toContain("When: Tue, 1 Dec 2026, 17:00–18:00 (UTC)");
    expect(dana?.calendar).toEqual({
      method: "REQUEST",
      ics: buildInvitation("REQUEST", buildEvent(), { dtstampEpochMs: NOW }),
    });
  });

  it("say moved for a higher sequence and cancelled for CANCEL", () => {
    const [moved] = invitationMessages({
      organisationId: ORG,
      method: "REQUEST",
      event: buildEvent({ sequence: 1 }),
      dtstampEpochMs: NOW,
    });
    expect(moved?.subject.startsWith("Moved: ")).toBe(true);
    const [cancelled] = invitationMessages({
      organisationId: ORG,
      method: "CANCEL",
      event: buildEvent({ sequence: 2 }),
      dtstampEpochMs: NOW,
    });
    expect(cancelled?.subject.startsWith("Cancelled: ")).toBe(true);
    expect(cancelled?.kind).toBe("interview-cancellation");
    expect(cancelled?.calendar?.method).toBe("CANCEL");
    expect(cancelled?.html).toContain("This interview is cancelled.");
  });
});

describe.each(await testDatabases())("invitations through the outbox on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  let dir: string;
  const clock = fixedClock(NOW);

  beforeAll(async () => {
    ({ store, drop } = await database.create());
    dir = mkdtempSync(join(tmpdir(), "ally-imip-eml-"));
  });
  afterAll(async () => {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await store.db.deleteFrom("outbox").execute();
  });

  async function sendAll(): Promise<string[]> {
    const transport = folderTransport(dir);
    while (await sendNext({ db: store.db, clock, transport, from: FROM })) {
      // send everything
    }
    transport.close();
    const rows = await store.db.selectFrom("outbox").select("file_path").orderBy("id").execute();
    return rows.map((r) => readFileSync(r.file_path as string, "utf8"));
  }

  for (const method of ["REQUEST", "CANCEL"] as const) {
    it(`writes a ${method} as a text/calendar alternative and an identical invite.ics`, async () => {
      const event = buildEvent({ sequence: method === "CANCEL" ? 1 : 0 });
      await store.db
        .transaction()
        .execute((trx) =>
          enqueueInvitations(
            trx,
            { organisationId: ORG, method, event, dtstampEpochMs: NOW },
            NOW,
            FROM,
          ),
        );
      const emls = await sendAll();
      expect(emls).toHaveLength(2);
      const expected = buildInvitation(method, event, { dtstampEpochMs: NOW });
      for (const eml of emls) {
        const { alternative, attachment, all } = calendarParts(eml);
        expect(alternative.params.get("method")).toBe(method);
        expect(alternative.text).toMatch(new RegExp(`^METHOD:${method}$`, "m"));
        expect(attachment.params.get("name")).toBe("invite.ics");
        expect(attachment.headers.get("content-disposition")).toContain("filename=invite.ics");
        expect(attachment.text).toBe(expected);
        expect(canonical(alternative.text)).toBe(attachment.text);
        const ours = parseICalendar(attachment.text, "invite.ics");
        expect(
          ours.ok && ours.calendar.events.map((e) => [e.uid, e.sequence, e.cancelled]),
        ).toEqual([[event.uid, event.sequence, method === "CANCEL"]]);
        const theirs = new ICAL.Component(ICAL.parse(attachment.text));
        expect(theirs.getFirstPropertyValue("method")).toBe(method);
        expect(theirs.getFirstSubcomponent("vevent")?.getFirstPropertyValue("uid")).toBe(event.uid);
        expect(all.map((p) => p.type)).toEqual([
          "text/plain",
          "text/html",
          "text/calendar",
          "application/ics",
        ]);
        expect(all[0]?.text).toContain("Interview: Staff Engineer (technical)");
        expect(all[1]?.text).toContain("<table>");
      }
    });
  }

  it("never sends an invitation whose booking transaction rolled back", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await enqueueInvitations(
          trx,
          { organisationId: ORG, method: "REQUEST", event: buildEvent(), dtstampEpochMs: NOW },
          NOW,
          FROM,
        );
        throw new Error("the slot was taken");
      }),
    ).rejects.toThrow("the slot was taken");
    expect(await sendAll()).toEqual([]);
  });

  it("refuses a calendar part whose method contradicts the object's METHOD", async () => {
    const ics = buildInvitation("CANCEL", buildEvent(), { dtstampEpochMs: NOW });
    await expect(
      enqueueMail(
        store.db,
        {
          organisationId: ORG,
          kind: "interview-invitation",
          to: "dana@example.com",
          subject: "Invitation",
          text: "Hello",
          calendar: { method: "REQUEST", ics },
        },
        NOW,
        FROM,
      ),
    ).rejects.toThrow("method=REQUEST but its METHOD is CANCEL");
    expect(await store.db.selectFrom("outbox").selectAll().execute()).toEqual([]);
  });
});
