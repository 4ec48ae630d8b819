/**
 * The outbox on every database: a message exists exactly when the change that caused it was
 * committed, each is sent once even with workers racing, failures are retried with backoff,
 * and both transports (the .eml folder and an SMTP relay) deliver what was stored.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { mintOrgId } from "../../src/ids.js";
import { enqueueMail, type OutgoingMessage } from "../../src/mail/outbox.js";
import {
  folderTransport,
  type MailTransport,
  type OutboxWorkerDeps,
  type RenderedMessage,
  sendNext,
  smtpTransport,
} from "../../src/mail/outbox-worker.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import type { Database } from "../../src/store/schema.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";

const databases = await testDatabases();

// Tue 1 Dec 2026, 14:00 UTC
const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);
const FROM = "Ally <ally@ally.test>";
const LEASE_MS = 60_000;

let serial = 0;
function buildMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  serial += 1;
  return {
    organisationId: null,
    kind: "test",
    to: `person-${serial}@example.com`,
    subject: `Interview times for you (${serial})`,
    text: `Hello,\n\nHere are your times (${serial}).\n`,
    html: `<p>Hello,</p><p>Here are your times (${serial}).</p>`,
    ...overrides,
  };
}

/** A transport that remembers what it was asked to send, optionally failing or pausing. */
function recordingTransport(options: { fail?: () => string | undefined; delayMs?: number } = {}) {
  const sent: RenderedMessage[] = [];
  const transport: MailTransport = {
    async send(message) {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const failure = options.fail?.();
      if (failure !== undefined) throw new Error(failure);
      sent.push(message);
      return {};
    },
    close() {},
  };
  return { transport, sent };
}

async function drain(deps: OutboxWorkerDeps): Promise<void> {
  while (await sendNext(deps)) {
    // keep going while there is mail
  }
}

const rows = (db: Kysely<Database>) => db.selectFrom("outbox").selectAll().orderBy("id").execute();

/** Two connections to one database: a file for SQLite, the same database for PostgreSQL. */
async function twoConnections(
  database: TestDatabase,
): Promise<{ first: Store; second: Store; close(): Promise<void> }> {
  if (database.dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ally-outbox-"));
    const url = `sqlite:${join(dir, "ally.db")}`;
    const first = openStore(url);
    await migrateToLatest(first.db, first.dialect);
    const second = openStore(url);
    return {
      first,
      second,
      async close() {
        await second.close();
        await first.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const created = await database.create();
  const second = openStore(created.url);
  return {
    first: created.store,
    second,
    async close() {
      await second.close();
      await created.drop();
    },
  };
}

describe.each(databases)("the outbox on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  const clock = fixedClock(T0);

  beforeAll(async () => {
    ({ store, drop } = await database.create());
  });
  afterAll(async () => {
    await drop?.();
  });
  beforeEach(async () => {
    clock.set(T0);
    await store.db.deleteFrom("outbox").execute();
  });

  it("never sends a message whose transaction rolled back", async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await enqueueMail(trx, buildMessage(), clock.now(), FROM);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const { transport, sent } = recordingTransport();
    expect(await sendNext({ db: store.db, clock, transport, from: FROM })).toBe(false);
    expect(sent).toEqual([]);
    expect(await rows(store.db)).toEqual([]);
  });

  it("sends a committed message once, with the stored Message-ID, and marks it sent", async () => {
    const message = buildMessage({ organisationId: mintOrgId("org_1") });
    const { messageId } = await store.db
      .transaction()
      .execute((trx) => enqueueMail(trx, message, clock.now(), FROM));
    expect(messageId).toMatch(/^<[0-9a-f]{32}@ally\.test>$/);
    const { transport, sent } = recordingTransport();
    const deps = { db: store.db, clock, transport, from: FROM };
    await drain(deps);
    expect(sent).toEqual([
      {
        from: FROM,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
      },
    ]);
    const [row] = await rows(store.db);
    expect(row).toMatchObject({ sent_at: T0, attempts: 1, last_error: null, claimed_until: null });
    clock.advance(10 * LEASE_MS);
    await drain(deps);
    expect(sent).toHaveLength(1);
  });

  it("empties a message's bodies once it is sent, as they hold live links, and keeps who got what when", async () => {
    const message = {
      ...buildMessage({ organisationId: mintOrgId("org_1") }),
      text: "Reset your password: https://ally.test/reset-password?token=live-secret",
      html: '<a href="https://ally.test/reset-password?token=live-secret">Reset</a>',
      calendar: {
        method: "REQUEST" as const,
        ics: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nURL:https://ally.test/book/live-secret\r\nEND:VCALENDAR\r\n",
      },
    };
    await enqueueMail(store.db, message, clock.now(), FROM);
    const { transport, sent } = recordingTransport();
    await drain({ db: store.db, clock, transport, from: FROM });
    expect(sent[0]?.text).toContain("live-secret");
    const [row] = await store.db.selectFrom("outbox").selectAll().execute();
    expect(row).toMatchObject({
      sent_at: T0,
      to_address: message.to,
      subject: message.subject,
      kind: message.kind,
      text_body: "",
      html_body: null,
      calendar_ics: null,
    });
    expect(JSON.stringify(row)).not.toContain("live-secret");
  });

  it("retries a failing delivery with growing backoff and records the error", async () => {
    await enqueueMail(store.db, buildMessage(), clock.now(), FROM);
    let failing = true;
    const { transport, sent } = recordingTransport({
      fail: () => (failing ? "421 relay unavailable" : undefined),
    });
    const deps = { db: store.db, clock, transport, from: FROM, leaseMs: LEASE_MS };

    expect(await sendNext(deps)).toBe(true);
    let [row] = await rows(store.db);
    expect(row).toMatchObject({ sent_at: null, attempts: 1, last_error: "421 relay unavailable" });
    const firstWait = (row?.claimed_until as number) - clock.now();
    expect(firstWait).toBeGreaterThanOrEqual(LEASE_MS);
    // Not due again before the backoff is over.
    expect(await sendNext(deps)).toBe(false);
    clock.advance(firstWait + 1);
    expect(await sendNext(deps)).toBe(true);
    [row] = await rows(store.db);
    expect(row).toMatchObject({ sent_at: null, attempts: 2 });
    const secondWait = (row?.claimed_until as number) - clock.now();
    expect(secondWait).toBe(2 * firstWait);

    failing = false;
    clock.advance(secondWait + 1);
    await drain(deps);
    [row] = await rows(store.db);
    expect(row).toMatchObject({ attempts: 3, last_error: null });
    expect(row?.sent_at).not.toBeNull();
    expect(sent).toHaveLength(1);
  });

  it("gives up after the last attempt and keeps the error for someone to read", async () => {
    await enqueueMail(store.db, buildMessage(), clock.now(), FROM);
    const { transport } = recordingTransport({ fail: () => "550 no such mailbox" });
    const deps = { db: store.db, clock, transport, from: FROM, leaseMs: 1000, maxAttempts: 3 };
    for (let i = 0; i < 10; i++) {
      await sendNext(deps);
      clock.advance(24 * 3_600_000);
    }
    const [row] = await rows(store.db);
    expect(row).toMatchObject({ attempts: 3, sent_at: null, last_error: "550 no such mailbox" });
  });

  it("takes over a message whose worker died mid-send once the lease runs out", async () => {
    await enqueueMail(store.db, buildMessage(), clock.now(), FROM);
    // A worker claimed it and vanished.
    await store.db
      .updateTable("outbox")
      .set({ claimed_until: clock.now() + LEASE_MS, attempts: 1 })
      .execute();
    const { transport, sent } = recordingTransport();
    const deps = { db: store.db, clock, transport, from: FROM, leaseMs: LEASE_MS };
    expect(await sendNext(deps)).toBe(false);
    clock.advance(LEASE_MS + 1);
    await drain(deps);
    expect(sent).toHaveLength(1);
  });

  it("sends each message exactly once with two workers racing on two connections", async () => {
    const pair = await twoConnections(database);
    try {
      const count = 40;
      for (let i = 0; i < count; i++) {
        await enqueueMail(pair.first.db, buildMessage(), clock.now(), FROM);
      }
      const one = recordingTransport({ delayMs: 1 });
      const two = recordingTransport({ delayMs: 1 });
      await Promise.all([
        drain({ db: pair.first.db, clock, transport: one.transport, from: FROM }),
        drain({ db: pair.second.db, clock, transport: two.transport, from: FROM }),
      ]);
      const ids = [...one.sent, ...two.sent].map((m) => m.messageId);
      expect(ids).toHaveLength(count);
      expect(new Set(ids).size).toBe(count);
      // Both workers did some of the work (they really raced).
      expect(one.sent.length).toBeGreaterThan(0);
      expect(two.sent.length).toBeGreaterThan(0);
      const stored = await rows(pair.first.db);
      expect(stored.every((r) => r.sent_at !== null && r.attempts === 1)).toBe(true);
      expect(new Set(stored.map((r) => r.message_id))).toEqual(new Set(ids));
    } finally {
      await pair.close();
    }
  });

  describe("the folder transport", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "ally-eml-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("writes an .eml file whose headers match the stored message", async () => {
      const message = buildMessage({ subject: "Your interview at Café Ünïcode, Tuesday" });
      const { messageId } = await enqueueMail(store.db, message, clock.now(), FROM);
      const transport = folderTransport(dir);
      await drain({ db: store.db, clock, transport, from: FROM });
      transport.close();
      const [row] = await rows(store.db);
      expect(row?.file_path).toMatch(/\.eml$/);
      const headers = parseHeaders(readFileSync(row?.file_path as string, "utf8"));
      expect(headers.get("from")).toBe("Ally <ally@ally.test>");
      expect(headers.get("to")).toBe(message.to);
      expect(headers.get("subject")).toBe(message.subject);
      expect(headers.get("message-id")).toBe(messageId);
      expect(headers.get("message-id")).toBe(row?.message_id);
      expect(headers.get("mime-version")).toBe("1.0");
    });

    it("writes files only Ally's user can read (0600), in a folder only it can open (0700)", async () => {
      const folder = join(dir, "outbox");
      const transport = folderTransport(folder);
      await enqueueMail(store.db, buildMessage(), clock.now(), FROM);
      await drain({ db: store.db, clock, transport, from: FROM });
      // A folder made before, open to all, is closed when written to.
      chmodSync(folder, 0o755);
      await enqueueMail(store.db, buildMessage(), clock.now(), FROM);
      await drain({ db: store.db, clock, transport, from: FROM });
      transport.close();
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      const files = (await rows(store.db)).map((r) => r.file_path as string);
      expect(files).toHaveLength(2);
      for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
    });
  });

  describe("an SMTP relay", () => {
    let relay: FakeRelay;
    beforeAll(async () => {
      relay = await startFakeRelay();
    });
    afterAll(async () => {
      await relay?.close();
    });

    it("receives the message with its envelope and headers", async () => {
      const message = buildMessage();
      const { messageId } = await enqueueMail(store.db, message, clock.now(), FROM);
      const transport = smtpTransport(`smtp://127.0.0.1:${relay.port}`);
      await drain({ db: store.db, clock, transport, from: FROM });
      transport.close();
      const received = relay.received.find((m) => m.rcptTo.includes(message.to));
      expect(received?.mailFrom).toBe("ally@ally.test");
      expect(received?.rcptTo).toEqual([message.to]);
      const headers = parseHeaders(received?.data as string);
      expect(headers.get("message-id")).toBe(messageId);
      expect(headers.get("subject")).toBe(message.subject);
      expect(headers.get("to")).toBe(message.to);
      expect(received?.data).toContain("Here are your times");
      const [row] = await rows(store.db);
      expect(row?.sent_at).not.toBeNull();
    });

    it("records the relay's refusal and retries later", async () => {
      const message = buildMessage({ to: "refused@example.com" });
      await enqueueMail(store.db, message, clock.now(), FROM);
      const transport = smtpTransport(`smtp://127.0.0.1:${relay.port}`);
      await sendNext({ db: store.db, clock, transport, from: FROM });
      transport.close();
      const [row] = await rows(store.db);
      expect(row?.sent_at).toBeNull();
      expect(row?.last_error).toContain("550");
      expect(row?.claimed_until).toBeGreaterThan(clock.now());
    });
  });
});

/** Header fields of an RFC 5322 message, unfolded, with RFC 2047 encoded words decoded. */
function parseHeaders(message: string): Map<string, string> {
  const head = message.replace(/\r\n/g, "\n").split("\n\n")[0] ?? "";
  const unfolded = head.replace(/\n[ \t]+/g, " ");
  const out = new Map<string, string>();
  for (const line of unfolded.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      out.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
    }
  }
  return out;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset, encoding: string, text: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                String.fromCharCode(parseInt(hex, 16)),
              ),
            "latin1",
          ).toString("utf8"),
    );
}

interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  data: string;
}

interface FakeRelay {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/**
 * Just enough SMTP (RFC 5321) to accept mail on loopback: greeting, EHLO without extensions,
 * MAIL, RCPT (refusing refused@…), DATA with dot-unstuffing, RSET, NOOP, QUIT.
 */
function startFakeRelay(): Promise<FakeRelay> {
  const received: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setEncoding("latin1");
    let buffer = "";
    let inData = false;
    let current: ReceivedMail = { mailFrom: "", rcptTo: [], data: "" };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 relay.test ESMTP ready");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end === -1) return;
          const data = buffer.slice(0, end).replace(/\r\n\.\./g, "\r\n.");
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push({ ...current, data: Buffer.from(data, "latin1").toString("utf8") });
          current = { mailFrom: "", rcptTo: [], data: "" };
          reply("250 2.0.0 queued");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline === -1) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250 relay.test");
        else if (verb === "MAIL") {
          current.mailFrom = /<([^>]*)>/.exec(line)?.[1] ?? "";
          reply("250 2.1.0 ok");
        } else if (verb === "RCPT") {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (to.startsWith("refused@")) reply("550 5.1.1 no such mailbox here");
          else {
            current.rcptTo.push(to);
            reply("250 2.1.5 ok");
          }
        } else if (verb === "DATA") {
          inData = true;
          reply("354 end with <CRLF>.<CRLF>");
        } else if (verb === "RSET") {
          current = { mailFrom: "", rcptTo: [], data: "" };
          reply("250 ok");
        } else if (verb === "NOOP") reply("250 ok");
        else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
        } else reply("502 5.5.2 command not implemented");
      }
    });
  });
  return new Promise((ready) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      ready({
        port,
        received,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
