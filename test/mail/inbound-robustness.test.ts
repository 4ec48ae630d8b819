/**
 * Received mail that is hard to read, on every database: malformed MIME, a 25 MB message,
 * HTML-only mail, charsets from ISO-2022-JP to windows-1252 and broken encodings are each
 * stored once with readable text; the same message delivered to two listeners and handled by
 * two workers at once is stored and handled once; and bounded loopback abuse (garbage commands,
 * dropped connections mid-message, overlong lines) leaves the SMTP listener answering.
 */
import { connect } from "node:net";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { handleNextInbound, type InboundMessage, storeInbound } from "../../src/mail/inbound.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import { openStore, type Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 09:00 UTC
const NOW = Date.UTC(2026, 11, 1, 9, 0);
const ENVELOPE = { mailFrom: "dana@example.org", rcptTo: ["ally@ally.test"] };
const MB = 1024 * 1024;

function mail(headers: string[], body: string | Buffer): Buffer {
  const head = Buffer.from(`${headers.join("\r\n")}\r\n\r\n`, "latin1");
  return Buffer.concat([head, typeof body === "string" ? Buffer.from(body, "latin1") : body]);
}

const MALFORMED: Array<{ name: string; raw: Buffer }> = [
  {
    name: "a multipart whose closing boundary never comes",
    raw: mail(
      ["Message-ID: <open-boundary@example.org>", 'Content-Type: multipart/mixed; boundary="b1"'],
      "--b1\r\nContent-Type: text/plain\r\n\r\nTuesday works.\r\n--b1\r\nContent-Type: text/plain\r\n\r\nunfinished",
    ),
  },
  {
    name: "header lines without colons and a body without a blank line",
    raw: Buffer.from(
      "Message-ID: <no-colons@example.org>\r\nthis is not a header\r\nSubject Tuesday\r\nTuesday works.",
    ),
  },
  {
    name: "base64 that is not base64 and quoted-printable that is not",
    raw: mail(
      [
        "Message-ID: <bad-transfer@example.org>",
        'Content-Type: multipart/alternative; boundary="x"',
      ],
      "--x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64***\r\n--x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nTuesday =ZZ works =\r\n--x--\r\n",
    ),
  },
  {
    name: "binary garbage with NUL bytes and no headers at all",
    raw: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
  },
  {
    name: "an unknown charset and a content type that is not one",
    raw: mail(
      [
        "Message-ID: <odd-charset@example.org>",
        "Content-Type: text/plain; charset=x-no-such-charset; ;;=",
      ],
      "Tuesday works.",
    ),
  },
];

// ISO-2022-JP for "火曜日で大丈夫です" (Tuesday is fine), as Japanese mail clients send it.
const ISO_2022_JP_BODY = Buffer.from("1b244232504d4b467c244742673e664957244724391b2842", "hex");

describe.each(await testDatabases())("hard-to-read mail on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  let url: string;
  const clock = fixedClock(NOW);

  beforeAll(async () => {
    const created = await database.create();
    store = created.store;
    drop = created.drop;
    url = created.url;
  });
  afterAll(async () => {
    await drop?.();
  });
  beforeEach(async () => {
    await store.db.deleteFrom("inbound_mail").execute();
  });

  const rows = () => store.db.selectFrom("inbound_mail").selectAll().orderBy("id").execute();
  const save = (raw: Buffer) => storeInbound(store.db, raw, ENVELOPE, clock.now());

  for (const { name, raw } of MALFORMED) {
    it(`stores ${name} once, without an error`, async () => {
      expect((await save(raw)).stored).toBe(true);
      expect((await save(raw)).stored).toBe(false);
      const [row] = await rows();
      expect(row?.text_body).not.toContain("\u0000");
      expect((await rows()).length).toBe(1);
    });
  }

  it("keeps the readable text of a malformed multipart", async () => {
    await save(MALFORMED[0]?.raw ?? Buffer.alloc(0));
    const [row] = await rows();
    expect(row?.text_body).toContain("Tuesday works.");
  });

  it("stores a 25 MB message with its text cut to the stored bound", async () => {
    const line = "Tuesday at ten suits me; here is my portfolio again. ".repeat(20);
    const body = `${line}\r\n`.repeat(Math.ceil((25 * MB) / (line.length + 2)));
    const raw = mail(["Message-ID: <big@example.org>", "Subject: Portfolio"], body);
    expect(raw.length).toBeGreaterThanOrEqual(25 * MB);
    expect((await save(raw)).stored).toBe(true);
    const [row] = await rows();
    expect(row?.subject).toBe("Portfolio");
    expect(row?.text_body.startsWith("Tuesday at ten")).toBe(true);
    expect(row?.text_body.length).toBe(200_000);
  }, 60_000);

  it("reads HTML-only mail as text, without tags or scripts", async () => {
    const raw = mail(
      ["Message-ID: <html-only@example.org>", "Content-Type: text/html; charset=utf-8"],
      "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Tuesday at <b>10:00</b> works.</p><p>Best,<br>Dana</p></body></html>",
    );
    await save(raw);
    const [row] = await rows();
    expect(row?.text_body).toContain("Tuesday at 10:00 works.");
    expect(row?.text_body).not.toContain("<");
    expect(row?.text_body).not.toContain("alert(1)");
  });

  it("decodes ISO-2022-JP, windows-1252 and encoded-word subjects to the same text", async () => {
    await save(
      mail(
        [
          "Message-ID: <jis@example.org>",
          "Subject: =?ISO-2022-JP?B?GyRCMlBNSxsoQg==?=",
          "Content-Type: text/plain; charset=ISO-2022-JP",
          "Content-Transfer-Encoding: 7bit",
        ],
        ISO_2022_JP_BODY,
      ),
    );
    await save(
      mail(
        [
          "Message-ID: <cp1252@example.org>",
          "Subject: =?windows-1252?Q?=93Tuesday=94_=96_fine?=",
          "Content-Type: text/plain; charset=windows-1252",
          "Content-Transfer-Encoding: 8bit",
        ],
        Buffer.from([
          ...Buffer.from("Caf", "latin1"),
          0xe9,
          0x20,
          0x93,
          ...Buffer.from("at ten", "latin1"),
          0x94,
          0x20,
          0x80,
          0x35,
        ]),
      ),
    );
    const [jis, cp1252] = await rows();
    expect(jis?.subject).toBe("火曜");
    expect(jis?.text_body.trim()).toBe("火曜日で大丈夫です");
    expect(cp1252?.subject).toBe("“Tuesday” – fine");
    expect(cp1252?.text_body.trim()).toBe("Café “at ten” €5");
  });

  it("stores mail whose declared charset lies (UTF-8 bytes broken mid-character) with what can be read", async () => {
    await save(
      mail(
        ["Message-ID: <broken-utf8@example.org>", "Content-Type: text/plain; charset=utf-8"],
        Buffer.concat([Buffer.from("Tuesday "), Buffer.from([0xe2, 0x82]), Buffer.from(" works")]),
      ),
    );
    const [row] = await rows();
    expect(row?.text_body).toContain("Tuesday");
    expect(row?.text_body).toContain("works");
  });

  describe("delivered twice, handled by two workers", () => {
    let one: RunningSmtpListener;
    let two: RunningSmtpListener;
    let second: Store;

    beforeAll(async () => {
      // A second connection to the same database, as a second process would have.
      second = database.dialect === "postgres" ? openStore(url) : store;
      const options = { clock, host: "127.0.0.1", port: 0, domain: "ally.test" };
      one = await startSmtpListener({ ...options, db: store.db });
      two = await startSmtpListener({ ...options, db: second.db });
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      if (second !== store) await second?.close();
    });

    it("stores and handles each message once", async () => {
      const messages = Array.from({ length: 10 }, (_, i) => ({
        from: "dana@example.org",
        to: "ally@ally.test",
        subject: `Reply ${i}`,
        text: "Tuesday works.",
        messageId: `<twice-${i}@example.org>`,
      }));
      const transport = (port: number) =>
        nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
      await Promise.all(
        messages.flatMap((m) => [transport(one.port).sendMail(m), transport(two.port).sendMail(m)]),
      );
      expect(await rows()).toHaveLength(10);

      const handled: string[] = [];
      const handler = async (message: InboundMessage) => {
        handled.push(message.messageId);
        return "read";
      };
      const worker = async (db: Store["db"]) => {
        while (await handleNextInbound({ db, clock, handlers: [handler] })) {
          // until nothing is left
        }
      };
      await Promise.all([worker(store.db), worker(second.db)]);
      expect(handled.sort()).toEqual(messages.map((m) => m.messageId).sort());
    });
  });

  describe("an SMTP listener under abuse", () => {
    let listener: RunningSmtpListener;

    beforeAll(async () => {
      listener = await startSmtpListener({
        db: store.db,
        clock,
        host: "127.0.0.1",
        port: 0,
        domain: "ally.test",
        // Room for a 25 MB message once its transfer encoding has grown it.
        maxBytes: 36 * MB,
      });
    });
    afterAll(async () => {
      await listener?.close();
    });

    /** Opens a connection, writes the lines, and closes it after the last (or mid-message). */
    function abuse(lines: string[]): Promise<void> {
      return new Promise((resolve) => {
        const socket = connect(listener.port, "127.0.0.1");
        socket.on("error", () => resolve());
        socket.on("close", () => resolve());
        socket.once("data", () => {
          for (const line of lines) socket.write(line);
          setTimeout(() => socket.destroy(), 50);
        });
      });
    }

    it("keeps answering after garbage, dropped connections and overlong lines, and stores only whole messages", async () => {
      const attacks = [
        ["\u0000\u0001\u0002 GARBAGE\r\n", "HELO\r\n", "RCPT TO:<>\r\n"],
        [
          "EHLO x\r\n",
          "MAIL FROM:<a@example.org>\r\n",
          "RCPT TO:<ally@ally.test>\r\n",
          "DATA\r\n",
          "Subject: cut off\r\n\r\nhalf a mes",
        ],
        [`EHLO ${"x".repeat(100_000)}\r\n`],
        [
          "EHLO x\r\n",
          "MAIL FROM:<a@example.org>\r\n",
          "RCPT TO:<victim@elsewhere.example>\r\n",
          "DATA\r\n",
        ],
        ["EHLO x\r\n", `MAIL FROM:<${"a".repeat(5000)}@example.org>\r\n`],
      ];
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        await Promise.all(attacks.map(abuse));
      }
      expect(await rows()).toEqual([]);

      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: "dana@example.org",
        to: "ally@ally.test",
        subject: "Still there?",
        text: "Tuesday works.",
        messageId: "<after-abuse@example.org>",
      });
      expect((await rows()).map((row) => row.message_id)).toEqual(["<after-abuse@example.org>"]);
      expect(listener.heldBytes().now).toBe(0);
    });

    it("takes a 25 MB message over SMTP when its limit allows", async () => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: "dana@example.org",
        to: "ally@ally.test",
        subject: "Portfolio",
        text: "Tuesday works. ".repeat(Math.ceil((25 * MB) / 15)),
        messageId: "<big-smtp@example.org>",
      });
      const [row] = await rows();
      expect(row?.message_id).toBe("<big-smtp@example.org>");
      expect(row?.text_body.length).toBe(200_000);
      expect(listener.heldBytes().now).toBe(0);
    }, 60_000);
  });
});
