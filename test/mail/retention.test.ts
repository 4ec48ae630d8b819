/**
 * Mail is kept ninety days, on every database: sent and received mail older than that goes,
 * mail still waiting to be sent or handled stays. The daily purge that calls it is tested in
 * test/retention/purge-job.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { MAIL_RETENTION_MS, purgeOldMail } from "../../src/mail/retention.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

const NOW = Date.UTC(2026, 11, 1, 3, 0);
const DAY = 86_400_000;

for (const database of await testDatabases()) {
  describe(`mail retention on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(NOW);

    beforeAll(async () => {
      ({ store, drop } = await database.create());
    });
    afterAll(async () => {
      await drop?.();
    });
    beforeEach(async () => {
      await store.db.deleteFrom("outbox").execute();
      await store.db.deleteFrom("inbound_mail").execute();
      await store.db.deleteFrom("scheduled_jobs").execute();
      clock.set(NOW);
    });

    const sentMail = async (subject: string, createdAt: number, sentAt: number | null) => {
      await enqueueMail(
        store.db,
        { organisationId: null, kind: "test", to: "sam@example.com", subject, text: "x" },
        createdAt,
      );
      await store.db
        .updateTable("outbox")
        .set({ sent_at: sentAt })
        .where("subject", "=", subject)
        .execute();
    };
    const received = async (id: string, handledAt: number | null) => {
      await store.db
        .insertInto("inbound_mail")
        .values({
          message_id: `<${id}@example.com>`,
          envelope_from: "sam@example.com",
          envelope_to: "[]",
          from_address: "sam@example.com",
          subject: id,
          text_body: "x",
          calendar_ics: null,
          calendar_method: null,
          in_reply_to: null,
          received_at: (handledAt ?? NOW) - 1000,
          claimed_until: null,
          handled_at: handledAt,
          outcome: null,
          attempts: 0,
        })
        .execute();
    };
    const subjects = async () =>
      (await store.db.selectFrom("outbox").select("subject").orderBy("subject").execute()).map(
        (r) => r.subject,
      );
    const inbound = async () =>
      (
        await store.db.selectFrom("inbound_mail").select("subject").orderBy("subject").execute()
      ).map((r) => r.subject);

    it("deletes mail sent or handled more than ninety days ago, and keeps the rest", async () => {
      const old = NOW - MAIL_RETENTION_MS - DAY;
      const recent = NOW - MAIL_RETENTION_MS + DAY;
      await sentMail("old sent", old - DAY, old);
      await sentMail("recent sent", recent - DAY, recent);
      await sentMail("old, never sent", old, null);
      await sentMail("waiting", NOW - DAY, null);
      await received("old handled", old);
      await received("recent handled", recent);
      await received("unhandled", null);
      expect(await purgeOldMail(store.db, NOW)).toEqual({ sent: 2, received: 1 });
      expect(await subjects()).toEqual(["recent sent", "waiting"]);
      expect(await inbound()).toEqual(["recent handled", "unhandled"]);
    });
  });
}
