/**
 * The SMTP relay is down, then refuses sessions, then comes back: two outbox workers sending
 * through it keep every message queued while it is away and deliver each exactly once when it
 * returns (counted by Message-ID at a real SMTP server), on both databases. The clock is the
 * test's, so the workers' backoff passes without waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { type OutboxWorkerDeps, sendNext, smtpTransport } from "../../src/mail/outbox-worker.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";
import { startRelay, type TestRelay } from "./smtp-relay.js";

// Tue 1 Dec 2026, 14:00 UTC
const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);
const FROM = "Ally <ally@ally.test>";
const MESSAGES = 12;
const HOUR_MS = 3_600_000;

/** Sends until nothing is due (failed messages wait out their backoff on the test clock). */
async function drain(deps: OutboxWorkerDeps): Promise<void> {
  while (await sendNext(deps)) {
    // next message
  }
}

for (const database of await testDatabases()) {
  describe(`an SMTP relay that goes away and comes back, on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let relay: TestRelay;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      relay = await startRelay();
    }, 60_000);
    afterAll(async () => {
      await relay?.close();
      await drop?.();
    });

    it("keeps every message queued while the relay is away and sends each once when it returns", async () => {
      const clock = fixedClock(T0);
      const ids: string[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        const { messageId } = await enqueueMail(
          store.db,
          {
            organisationId: null,
            kind: "test",
            to: `person-${i}@example.com`,
            subject: `Your interview times (${i})`,
            text: `Hello,\n\nHere are your times (${i}).\n`,
          },
          clock.now(),
          FROM,
        );
        if (messageId === null) throw new Error("the outbox refused a test message");
        ids.push(messageId);
      }
      const workers = [0, 1].map(
        (): OutboxWorkerDeps => ({
          db: store.db,
          clock,
          transport: smtpTransport(relay.url),
          from: FROM,
        }),
      );
      const outbox = () =>
        store.db.selectFrom("outbox").select(["message_id", "sent_at", "last_error"]).execute();
      try {
        // Nothing listens on the relay's port.
        await relay.set("closed");
        await Promise.all(workers.map(drain));
        let rows = await outbox();
        expect(rows.filter((r) => r.sent_at !== null)).toEqual([]);
        expect(rows.every((r) => /ECONNREFUSED/.test(r.last_error ?? ""))).toBe(true);

        // It answers, but turns every session away with 421.
        await relay.set("refusing");
        clock.advance(HOUR_MS);
        await Promise.all(workers.map(drain));
        rows = await outbox();
        expect(rows.filter((r) => r.sent_at !== null)).toEqual([]);
        expect(rows.every((r) => /421/.test(r.last_error ?? ""))).toBe(true);
        expect(relay.accepted).toEqual([]);

        // Back: both workers race for the queue once the backoff has passed.
        await relay.set("up");
        clock.advance(2 * HOUR_MS);
        await Promise.all(workers.map(drain));
      } finally {
        for (const worker of workers) worker.transport.close();
      }

      const rows = await outbox();
      expect(rows.filter((r) => r.sent_at === null)).toEqual([]);
      expect([...relay.accepted].sort()).toEqual([...ids].sort());
    });
  });
}
