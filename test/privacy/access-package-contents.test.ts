/**
 * What an access package holds, collected through each module's own functions: a candidate with
 * a booked two-session loop and mail both ways gets their candidate record, their interview
 * requests, the emails Ally wrote to them for that organisation and the emails they sent, and
 * their booked sessions as one VCALENDAR (read back with ical.js) whose events carry the UIDs
 * Ally put on calendars and in invitations. Another organisation's mail to them stays out.
 */
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { createConversation, recordMessage } from "../../src/assistant/store.js";
import { oneCalendar } from "../../src/booking/person-records.js";
import { sessionUid } from "../../src/calendar/imip.js";
import { fixedClock } from "../../src/clock.js";
import { storeInbound } from "../../src/mail/inbound.js";
import { accessExportFiles } from "../../src/privacy/export.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

const SAM = { name: "Sam Portable", email: "sam.portable@home.example", phone: "+44 7700 900777" };

function replyFromSam(): Buffer {
  return Buffer.from(
    [
      `From: ${SAM.name} <${SAM.email}>`,
      "To: ally@ally.test",
      "Subject: Re: your interview times",
      "Message-ID: <sam-reply-1@home.example>",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "The first time works for me.",
      "",
    ].join("\r\n"),
  );
}

const databases = await testDatabases();

describe.each(databases)("the access package's contents on $dialect", (database: TestDatabase) => {
  let world: World;
  let org: Organisation;
  let other: Organisation;
  let booked: { icalUid: string; sessions: Array<{ startsAt: string; endsAt: string }> };

  beforeAll(async () => {
    const { store, url, drop } = await database.create();
    const config = testConfig({ DATABASE_URL: url });
    const deps = buildDeps(config, store, fixedClock(T0), MASTER_KEY);
    world = { store, url, clock: fixedClock(T0), config, deps, ally: undefined as never, drop };
    org = await createOrganisation(world);
    other = await createOrganisation(world);

    const candidate = await deps.hiring.createCandidate(org.owner.actor, {
      name: SAM.name,
      email: SAM.email,
      phone: SAM.phone,
      timeZone: "Europe/London",
      notes: null,
    });
    const job = await deps.hiring.createJob(org.owner.actor, {
      title: "Data engineer",
      department: null,
      location: null,
      description: null,
    });
    const request = await deps.booking.createRequest(org.owner.actor, {
      candidateId: candidate.id,
      jobId: job.id,
      sessions: [
        { name: "Screen", durationMinutes: 60, interviewerIds: [org.owner.userId] },
        { name: "Deep dive", durationMinutes: 45, interviewerIds: [org.admin.userId] },
      ],
      maxGapMinutes: 15,
      // Wed 2 Dec 2026 00:00 UTC to Sat 5 Dec 2026 00:00 UTC
      windowStart: "2026-12-02T00:00:00Z",
      windowEnd: "2026-12-05T00:00:00Z",
      location: "5 Launch Road",
    });
    await deps.booking.sendToCandidate(org.owner.actor, request.id);
    const options = await deps.booking.options(org.owner.actor, request.id);
    const made = await deps.booking.book(org.owner.actor, request.id, {
      optionId: options.options[0]?.id as string,
      idempotencyKey: "access-package-booking",
    });
    booked = { icalUid: made.booking.icalUid, sessions: made.booking.sessions };

    // The other organisation also writes to Sam: that mail is its own, not in this package.
    const elsewhere = await deps.hiring.createCandidate(other.owner.actor, {
      name: SAM.name,
      email: SAM.email,
    });
    const otherJob = await deps.hiring.createJob(other.owner.actor, {
      title: "Elsewhere",
      department: null,
      location: null,
      description: null,
    });
    const otherRequest = await deps.booking.createRequest(other.owner.actor, {
      candidateId: elsewhere.id,
      jobId: otherJob.id,
      sessions: [{ name: "Chat", durationMinutes: 30, interviewerIds: [other.owner.userId] }],
      windowStart: "2026-12-02T00:00:00Z",
      windowEnd: "2026-12-05T00:00:00Z",
    });
    await deps.booking.sendToCandidate(other.owner.actor, otherRequest.id);

    // Ally by email arranged it: the conversation and Sam's reply in it.
    const conversation = await createConversation(store.db, {
      organisation_id: org.owner.orgId,
      request_id: request.id,
      reply_address: "ally+sam@ally.test",
      status: "closed",
      candidate_email: SAM.email,
      candidate_name: SAM.name,
      recruiter_user_id: org.owner.userId,
      time_zone: "Europe/London",
      memory: {
        offered: [],
        awaitingCancelConfirmation: false,
        rescheduleAsked: false,
        subject: "Your interview",
        references: [],
      },
      created_at: T0,
      updated_at: T0,
    });
    await recordMessage(store.db, {
      organisation_id: org.owner.orgId,
      conversation_id: conversation.id,
      direction: "in",
      message_id: "<sam-reply-1@home.example>",
      party: "candidate",
      address: SAM.email,
      subject: "Re: your interview times",
      text_body: "The first time works for me.",
      note: "accept, option 1",
      created_at: T0,
    });

    const stored = await storeInbound(
      store.db,
      replyFromSam(),
      { mailFrom: SAM.email, rcptTo: ["ally@ally.test"] },
      T0,
      { tombstones: deps.tombstones },
    );
    expect(stored.stored).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await world?.drop();
  });

  async function packageFor(organisationId: string | null) {
    const collected = await world.deps.privacy.collectRecords(
      world.store.db,
      SAM.email,
      organisationId,
    );
    const files = accessExportFiles({ email: SAM.email, generatedAtMs: T0, ...collected });
    const text = (name: string) =>
      new TextDecoder().decode(files.find((f) => f.name === name)?.data ?? new Uint8Array());
    return { collected, names: files.map((f) => f.name), text };
  }

  it("holds the booked sessions as one calendar whose events match the booking and its UIDs", async () => {
    const { names, text } = await packageFor(org.owner.orgId);
    expect(names).toEqual(["summary.html", "data.json", "interviews.ics"]);
    const calendar = new ICAL.Component(ICAL.parse(text("interviews.ics")));
    expect(calendar.name).toBe("vcalendar");
    const events = calendar.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(2);
    const host = new URL(world.config.http.publicUrl).hostname;
    expect(events.map((e) => e.uid).sort()).toEqual(
      [sessionUid(booked.icalUid, 0, host), sessionUid(booked.icalUid, 1, host)].sort(),
    );
    const times = events
      .map((e) => ({
        startsAt: e.startDate.toJSDate().toISOString(),
        endsAt: e.endDate.toJSDate().toISOString(),
      }))
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    const expected = booked.sessions
      .map((s) => ({
        startsAt: new Date(s.startsAt).toISOString(),
        endsAt: new Date(s.endsAt).toISOString(),
      }))
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(times).toEqual(expected);
    for (const event of events) {
      expect(event.location).toBe("5 Launch Road");
      expect(event.attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual([
        `mailto:${SAM.email}`,
      ]);
    }
  });

  it("lists the emails Ally wrote to them for this organisation, and the emails they sent", async () => {
    const { text } = await packageFor(org.owner.orgId);
    const data = JSON.parse(text("data.json"));
    const sent: Array<{ kind: string; to: string; subject: string }> = data.modules["mail-sent"];
    expect(sent.length).toBeGreaterThan(0);
    for (const mail of sent) expect(mail.to.toLowerCase()).toBe(SAM.email);
    expect(sent.some((m) => /Elsewhere/.test(m.subject))).toBe(false);
    const received: Array<{ subject: string; text: string }> = data.modules["mail-received"];
    expect(received).toEqual([
      expect.objectContaining({
        subject: "Re: your interview times",
        text: expect.stringContaining("The first time works for me."),
      }),
    ]);
    expect(data.modules.booking).toHaveLength(1);
    expect(data.modules.booking[0].booking.sessions).toHaveLength(2);
    expect(data.modules.hiring[0]).toMatchObject({ name: SAM.name, phone: SAM.phone });
    expect(text("summary.html")).toContain("Emails Ally sent you");
    expect(text("summary.html")).toContain("Emails you sent to Ally");
  });

  it("holds their conversations with Ally by email for this organisation only, with each message and what Ally made of it", async () => {
    const { text } = await packageFor(org.owner.orgId);
    const data = JSON.parse(text("data.json"));
    expect(data.modules.assistant).toEqual([
      {
        name: SAM.name,
        email: SAM.email,
        timeZone: "Europe/London",
        status: "closed",
        startedAt: new Date(T0).toISOString(),
        messages: [
          {
            direction: "in",
            party: "candidate",
            address: SAM.email,
            subject: "Re: your interview times",
            text: "The first time works for me.",
            allyNote: "accept, option 1",
            at: new Date(T0).toISOString(),
          },
        ],
      },
    ]);
    expect(text("summary.html")).toContain("Emails with Ally about your interviews");
    const elsewhere = await packageFor(other.owner.orgId);
    expect(JSON.parse(elsewhere.text("data.json")).modules.assistant).toEqual([]);
  });

  it("leaves the calendar out for an organisation that booked nothing with them", async () => {
    const { names, collected } = await packageFor(other.owner.orgId);
    expect(names).toEqual(["summary.html", "data.json"]);
    expect(collected.interviewsIcs).toBeNull();
    const booking = collected.sections.find((s) => s.module === "booking");
    expect(booking?.records).toHaveLength(1);
  });

  it("joins single-event calendars under one header, and gives nothing for none", () => {
    const one = (uid: string) =>
      `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;
    expect(oneCalendar([one("a"), one("b")])).toBe(
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    expect(oneCalendar([])).toBeNull();
  });
});
