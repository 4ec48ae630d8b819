/**
 * Fuzzing inbound mail: random and hostile MIME (broken and deeply nested multiparts, bad
 * encodings, header injection, NUL bytes, forged Authentication-Results, plain noise) goes
 * through the parsing the SMTP listener uses, and into the table on every database. Nothing
 * throws, every stored field keeps its bound, and only the trusted authserv-id's verdict is
 * kept. Bounded: a fixed seed, a fixed number of runs, and a time limit.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dmarcVerdict } from "../../src/mail/authentication-results.js";
import { parseInbound, storeInbound } from "../../src/mail/inbound.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

const NOW = Date.UTC(2026, 11, 1, 9, 0);
const TRUSTED = "mx.ally.test";
const ENVELOPE = { mailFrom: "sam@example.com", rcptTo: ["ally@ally.test"] };
const LIMITS = { seed: 20261201, interruptAfterTimeLimit: 20_000 };

const junk = fc.string({ unit: "binary", maxLength: 200 });
const crlfy = (text: string) => text.replace(/\n/g, "\r\n");

const headerValue = fc.oneof(
  junk,
  fc.constantFrom(
    "=?UTF-8?B?////?=",
    "=?x?Q?=ZZ?=",
    "\u0000\u0000",
    "a\r\nBcc: victim@example.com",
    '"unterminated',
    "<@>",
    "(((((((((((((((((((((((((",
  ),
  fc.string({ maxLength: 3000 }),
);

const authenticationResults = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(TRUSTED, "MX.ALLY.TEST", "mx.attacker.example", "", "(comment) mx.ally.test"),
      fc.constantFrom("pass", "fail", "none", "temperror", "PASS", "p@ss", ""),
      fc.constantFrom("example.com", "attacker.example", '"example.com"', "", "(x) example.com"),
    )
    .map(([id, result, from]) => `${id}; spf=pass; dmarc=${result} header.from=${from}`),
  junk,
);

const leaf = fc
  .record({
    type: fc.constantFrom(
      "text/plain",
      "text/html",
      "text/calendar; method=REPLY",
      "application/ics",
      "image/png",
      "message/rfc822",
      "text/plain; charset=x-unknown",
      "",
    ),
    encoding: fc.constantFrom("7bit", "base64", "quoted-printable", "x-bogus", ""),
    body: fc.oneof(
      junk,
      fc.constant("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"),
      fc.constant("=\r\n=4\r\n===="),
      fc.constant("!!!not base64!!!"),
    ),
  })
  .map(
    (p) =>
      `Content-Type: ${p.type}\r\nContent-Transfer-Encoding: ${p.encoding}\r\n\r\n${crlfy(p.body)}`,
  );

const { part } = fc.letrec<{ part: string }>((tie) => ({
  part: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc
      .record({
        boundary: fc.constantFrom("b", "==", "x".repeat(80), "", "b\r\nX: y"),
        parts: fc.array(tie("part"), { maxLength: 4 }),
        close: fc.boolean(),
      })
      .map(
        ({ boundary, parts, close }) =>
          `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts
            .map((p) => `--${boundary}\r\n${p}\r\n`)
            .join("")}${close ? `--${boundary}--\r\n` : ""}`,
      ),
  ),
}));

const message = fc.oneof(
  fc
    .record({
      from: headerValue,
      subject: headerValue,
      messageId: headerValue,
      inReplyTo: headerValue,
      results: fc.array(authenticationResults, { maxLength: 3 }),
      body: part,
    })
    .map(
      (m) =>
        `From: ${m.from}\r\nSubject: ${m.subject}\r\nMessage-ID: ${m.messageId}\r\nIn-Reply-To: ${m.inReplyTo}\r\n${m.results
          .map((r) => `Authentication-Results: ${r}\r\n`)
          .join("")}MIME-Version: 1.0\r\n${m.body}`,
    ),
  junk,
);

/** Bounds every stored row keeps, whatever arrived. */
function expectBounded(row: Awaited<ReturnType<typeof parseInbound>>): void {
  expect(row.message_id.length).toBeLessThanOrEqual(995);
  expect(row.from_address.length).toBeLessThanOrEqual(320);
  expect(row.subject.length).toBeLessThanOrEqual(1000);
  expect(row.text_body.length).toBeLessThanOrEqual(200_000);
  expect((row.calendar_ics ?? "").length).toBeLessThanOrEqual(200_000);
  expect((row.in_reply_to ?? "").length).toBeLessThanOrEqual(995);
  if (row.calendar_method !== null) expect(row.calendar_method).toMatch(/^[A-Z-]+$/);
  if (row.dmarc !== null) expect(row.dmarc).toMatch(/^[a-z]{1,20}$/);
}

describe("inbound MIME, fuzzed", () => {
  it("parses any message without throwing, into a row within its bounds", async () => {
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        const row = await parseInbound(Buffer.from(text, "latin1"), ENVELOPE, NOW, {
          trustedAuthservId: TRUSTED,
        });
        expectBounded(row);
      }),
      { ...LIMITS, numRuns: 300 },
    );
  }, 60_000);

  it("survives multiparts nested thousands deep and a megabyte-long header", async () => {
    const depth = 3000;
    const nested = `${"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n".repeat(depth)}Content-Type: text/plain\r\n\r\nhi\r\n`;
    const long = `Subject: ${"x".repeat(1024 * 1024)}\r\nFrom: a@b.example\r\n\r\nbody`;
    for (const text of [`MIME-Version: 1.0\r\n${nested}`, long]) {
      expectBounded(await parseInbound(Buffer.from(text), ENVELOPE, NOW));
    }
  }, 60_000);

  it("keeps only the trusted authserv-id's DMARC verdict, a pass only when aligned with From", () => {
    // RFC 8601 reads comments, `(…)`, as white space.
    const plain = (value: string) => value.replace(/\([^()]*\)/g, " ");
    const isTrusted = (value: string) => /^\s*mx\.ally\.test\s*;/i.test(plain(value));
    fc.assert(
      fc.property(fc.array(authenticationResults, { maxLength: 4 }), (values) => {
        const verdict = dmarcVerdict(values, TRUSTED, "sam@example.com");
        const first = values.find(isTrusted);
        if (first === undefined) expect(verdict).toBeNull();
        if (verdict === "pass") {
          expect(plain(first as string)).toMatch(/dmarc=pass header\.from=\s*("?)example\.com\1$/i);
        }
      }),
      { ...LIMITS, numRuns: 2000 },
    );
  });
});

for (const database of await testDatabases()) {
  describe(`inbound MIME, fuzzed, stored on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ store, drop } = await database.create());
    }, 60_000);
    afterAll(async () => {
      await drop?.();
    });

    it("stores any message, NUL bytes and broken text included, without an error", async () => {
      await fc.assert(
        fc.asyncProperty(message, async (text) => {
          const { messageId } = await storeInbound(
            store.db,
            Buffer.from(text, "latin1"),
            ENVELOPE,
            NOW,
            { trustedAuthservId: TRUSTED },
          );
          const row = await store.db
            .selectFrom("inbound_mail")
            .selectAll()
            .where("message_id", "=", messageId)
            .executeTakeFirstOrThrow();
          expectBounded(row);
        }),
        { ...LIMITS, numRuns: 60 },
      );
    }, 60_000);
  });
}
