/**
 * Receiving mail, on every database: Ally's SMTP listener takes mail for its own domain only,
 * stores each message once however often it is delivered, keeps a calendar client's iMIP part,
 * refuses what is too large, and the inbound worker offers each message to the handlers in
 * order, retrying a handler that fails and setting the message aside after a few attempts.
 */
import { connect, type Socket } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import {
  handleNextInbound,
  type InboundHandler,
  type InboundMessage,
} from "../../src/mail/inbound.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

const NOW = Date.UTC(2026, 11, 1, 9, 0);

const REPLY_ICS = [
  "BEGIN:VCALENDAR",
  "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
  "VERSION:2.0",
  "CALSCALE:GREGORIAN",
  "METHOD:REPLY",
  "BEGIN:VEVENT",
  "DTSTART:20261203T140000Z",
  "DTEND:20261203T150000Z",
  "DTSTAMP:20261201T085900Z",
  "ORGANIZER;CN=Ally:mailto:ally@ally.test",
  "UID:bk_123-1@ally.test",
  "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Dana:mailto:dana@example.com",
  "SEQUENCE:0",
  "STATUS:CONFIRMED",
  "SUMMARY:Interview",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

describe("inbound mail settings", () => {
  it("receive for MAIL_FROM's domain unless told otherwise, and only when a port is set", () => {
    const off = loadConfig({ MAIL_FROM: "Ally <ally@acme.example>" });
    expect(off.ok && off.config.mail.inbound).toBeUndefined();
    const on = loadConfig({ MAIL_FROM: "Ally <ally@acme.example>", INBOUND_SMTP_PORT: "2525" });
    expect(on.ok && on.config.mail.inbound).toEqual({
      host: "127.0.0.1",
      port: 2525,
      domain: "acme.example",
    });
    const bad = loadConfig({ INBOUND_MAIL_DOMAIN: "not a domain" });
    expect(bad.ok).toBe(false);
  });
});

for (const database of await testDatabases()) {
  describe(`inbound mail on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let listener: RunningSmtpListener;
    const clock = fixedClock(NOW);

    const transport = () =>
      nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });

    const rows = () => store.db.selectFrom("inbound_mail").selectAll().orderBy("id").execute();

    beforeAll(async () => {
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      listener = await startSmtpListener({
        db: store.db,
        clock,
        host: "127.0.0.1",
        port: 0,
        domain: "ally.test",
        maxBytes: 64 * 1024,
      });
    });

    afterAll(async () => {
      await listener?.close();
      await drop?.();
    });

    beforeEach(async () => {
      await store.db.deleteFrom("inbound_mail").execute();
    });

    it("stores a message for its domain with sender, subject and text", async () => {
      await transport().sendMail({
        from: "Candidate <Sam@Example.com>",
        to: "replies+req_1@ally.test",
        subject: "Re: Your interview",
        text: "Tuesday at 10 works for me.",
        messageId: "<m1@example.com>",
      });
      const [row] = await rows();
      expect(row).toMatchObject({
        message_id: "<m1@example.com>",
        envelope_from: "sam@example.com",
        from_address: "sam@example.com",
        subject: "Re: Your interview",
        calendar_ics: null,
        handled_at: null,
      });
      expect(row?.text_body.trim()).toBe("Tuesday at 10 works for me.");
      expect(JSON.parse(row?.envelope_to ?? "[]")).toEqual(["replies+req_1@ally.test"]);
    });

    it("stores a message delivered twice only once", async () => {
      for (let i = 0; i < 2; i++) {
        await transport().sendMail({
          from: "sam@example.com",
          to: "ally@ally.test",
          subject: "Twice",
          text: "same message",
          messageId: "<twice@example.com>",
        });
      }
      expect(await rows()).toHaveLength(1);
    });

    it("keeps a calendar client's iMIP reply with its method", async () => {
      await transport().sendMail({
        from: "dana@example.com",
        to: "ally@ally.test",
        subject: "Declined: Interview",
        text: "Dana has declined this invitation.",
        icalEvent: { method: "REPLY", content: REPLY_ICS },
      });
      const [row] = await rows();
      expect(row?.calendar_method).toBe("REPLY");
      expect(row?.calendar_ics).toContain("PARTSTAT=DECLINED");
      expect(row?.calendar_ics).toContain("UID:bk_123-1@ally.test");
    });

    it("refuses to relay mail for other domains, and stores nothing", async () => {
      await expect(
        transport().sendMail({
          from: "spammer@example.com",
          to: "someone@elsewhere.example",
          subject: "relay?",
          text: "x",
        }),
      ).rejects.toMatchObject({ responseCode: 550 });
      expect(await rows()).toEqual([]);
    });

    it("refuses a message over the size limit, and stores nothing", async () => {
      await expect(
        transport().sendMail({
          from: "sam@example.com",
          to: "ally@ally.test",
          subject: "big",
          text: "x".repeat(100 * 1024),
        }),
      ).rejects.toMatchObject({ responseCode: 552 });
      expect(await rows()).toEqual([]);
    });

    it("cuts a message far over the limit as it streams: 552, nothing stored, at most the limit held", async () => {
      const limitBytes = 1024 * 1024;
      const small = await startSmtpListener({
        db: store.db,
        clock,
        host: "127.0.0.1",
        port: 0,
        domain: "ally.test",
        maxBytes: limitBytes,
      });
      try {
        // 40 MB of DATA from a client that ignores the advertised SIZE.
        const reply = await sendRawData(small.port, 40 * 1024 * 1024);
        expect(reply).toMatch(/^552 /);
        const held = small.heldBytes();
        expect(held.now).toBe(0);
        // One socket chunk past the limit at most (chunks are 64 KB or less).
        expect(held.peak).toBeLessThanOrEqual(limitBytes + 64 * 1024);
        expect(await rows()).toEqual([]);
      } finally {
        await small.close();
      }
    }, 60_000);

    it("offers each message to the handlers in order and records what the first taker did", async () => {
      await transport().sendMail({
        from: "dana@example.com",
        to: "ally@ally.test",
        subject: "Accepted",
        text: "ok",
        icalEvent: { method: "REPLY", content: REPLY_ICS.replace("DECLINED", "ACCEPTED") },
      });
      await transport().sendMail({
        from: "sam@example.com",
        to: "ally@ally.test",
        subject: "Plain words",
        text: "Any morning next week",
      });
      const seen: string[] = [];
      const calendarReplies: InboundHandler = async (m: InboundMessage) => {
        seen.push(`calendar:${m.subject}`);
        return m.calendar?.method === "REPLY" ? "attendee status updated" : undefined;
      };
      const words: InboundHandler = async (m) => {
        seen.push(`words:${m.subject}`);
        return undefined;
      };
      while (await handleNextInbound({ db: store.db, clock, handlers: [calendarReplies, words] })) {
        // drain
      }
      expect(seen).toEqual(["calendar:Accepted", "calendar:Plain words", "words:Plain words"]);
      expect((await rows()).map((r) => [r.subject, r.outcome, r.handled_at])).toEqual([
        ["Accepted", "attendee status updated", NOW],
        ["Plain words", "no handler took it", NOW],
      ]);
    });

    it("retries a failing handler after its lease, and sets the message aside after five attempts", async () => {
      await transport().sendMail({
        from: "sam@example.com",
        to: "ally@ally.test",
        subject: "Troublesome",
        text: "x",
      });
      let calls = 0;
      const failing: InboundHandler = async () => {
        calls += 1;
        throw new Error("the booking store is down");
      };
      const deps = { db: store.db, clock, handlers: [failing], leaseMs: 1000 };
      expect(await handleNextInbound(deps)).toBe(true);
      // Not offered again while its lease runs.
      expect(await handleNextInbound(deps)).toBe(false);
      for (let i = 0; i < 10; i++) {
        clock.advance(1001);
        await handleNextInbound(deps);
      }
      expect(calls).toBe(5);
      const [row] = await rows();
      expect(row?.outcome).toBe("failed: the booking store is down");
      expect(row?.handled_at).not.toBeNull();
    });

    it("hands each message to exactly one of several racing workers", async () => {
      for (let i = 0; i < 12; i++) {
        await transport().sendMail({
          from: "sam@example.com",
          to: "ally@ally.test",
          subject: `m${i}`,
          text: "x",
        });
      }
      const handled: string[] = [];
      const handler: InboundHandler = async (m) => {
        handled.push(m.subject);
        return "seen";
      };
      const worker = async () => {
        while (await handleNextInbound({ db: store.db, clock, handlers: [handler] })) {
          // drain
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      expect(handled.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
    });
  });
}

/** One line-based SMTP reply (the last line of a multi-line one). */
function nextReply(socket: Socket, buffered: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const lines = buffered.text.split("\r\n");
      const index = lines.findIndex((line) => /^\d{3} /.test(line));
      if (index === -1) return false;
      buffered.text = lines.slice(index + 1).join("\r\n");
      socket.off("data", onData);
      socket.off("error", reject);
      resolve(lines[index] as string);
      return true;
    };
    const onData = (chunk: Buffer) => {
      buffered.text += chunk.toString("latin1");
      look();
    };
    if (look()) return;
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

/**
 * Speaks SMTP by hand (no SIZE parameter on MAIL FROM, as a careless or hostile client would)
 * and sends `bodyBytes` of message data in 64 KB writes, honouring back-pressure; resolves to
 * the server's answer to the final dot.
 */
async function sendRawData(port: number, bodyBytes: number): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  const buffered = { text: "" };
  try {
    await nextReply(socket, buffered); // 220 banner
    for (const command of [
      "EHLO client.test",
      "MAIL FROM:<sam@example.com>",
      "RCPT TO:<ally@ally.test>",
      "DATA",
    ]) {
      socket.write(`${command}\r\n`);
      await nextReply(socket, buffered);
    }
    socket.write("From: sam@example.com\r\nTo: ally@ally.test\r\nSubject: big\r\n\r\n");
    const line = `${"x".repeat(1022)}\r\n`;
    const chunk = Buffer.from(line.repeat(64));
    for (let sent = 0; sent < bodyBytes; sent += chunk.length) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    }
    socket.write(".\r\n");
    const answer = await nextReply(socket, buffered);
    socket.write("QUIT\r\n");
    return answer;
  } finally {
    socket.end();
  }
}
