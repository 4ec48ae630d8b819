/**
 * The privacy contact address by email: a message to PRIVACY_CONTACT that arrives through
 * Ally's inbound mail joins the same queue as the contact form, with its 45-day deadline and
 * an acknowledgment; an out-of-office or a bounce sent there is neither queued nor answered,
 * and Ally's own notice to that address does not come back as a new message. Both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleNextInbound, storeInbound } from "../../src/mail/inbound.js";
import { answerDeadline, contactQueue } from "../../src/privacy/complaints.js";
import { testDatabases } from "../support/databases.js";
import { createWorld, T0, type World } from "../support/web-world.js";

const PRIVACY = "privacy@ally.test";

function mail(from: string, subject: string, body: string, extra = ""): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: ${PRIVACY}\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.com>\r\n${extra}\r\n${body}\r\n`,
  );
}

for (const database of await testDatabases()) {
  describe(`the privacy contact address by email on ${database.dialect}`, () => {
    let world: World;

    beforeAll(async () => {
      world = await createWorld(database);
      world.clock.set(T0);
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    async function deliver(raw: Buffer, envelopeFrom: string): Promise<void> {
      await storeInbound(world.store.db, raw, { mailFrom: envelopeFrom, rcptTo: [PRIVACY] }, T0);
      while (
        await handleNextInbound({
          db: world.store.db,
          clock: world.clock,
          handlers: world.deps.inboundHandlers,
        })
      ) {
        // until every stored message is handled
      }
    }
    const queue = () => contactQueue(world.store.db, T0, world.config.privacy);
    const outboxTo = (address: string) =>
      world.store.db
        .selectFrom("outbox")
        .select(["kind", "subject"])
        .where("to_address", "=", address)
        .execute();

    it("queues a complaint sent by email with the form's deadline, and acknowledges it", async () => {
      await deliver(
        mail(
          "grace@example.org",
          "Complaint about my data",
          "I want to complain: you kept my CV after I asked you not to.",
        ),
        "grace@example.org",
      );
      const queued = (await queue()).filter((m) => m.email === "grace@example.org");
      expect(queued).toHaveLength(1);
      expect(queued[0]).toMatchObject({
        topic: "complaint",
        dueAt: answerDeadline(T0),
        answeredAt: null,
      });
      expect(queued[0]?.message).toContain("you kept my CV");
      const acknowledged = await outboxTo("grace@example.org");
      expect(acknowledged.map((m) => m.kind)).toEqual(["privacy-contact-received"]);
      expect(acknowledged[0]?.subject).toMatch(/^We received your complaint \(reference P-\d+\)$/);
    });

    it("neither queues nor answers an out-of-office or a bounce", async () => {
      await deliver(
        mail(
          "away@example.org",
          "Out of office: Re: your data",
          "I am away until Monday.",
          "Auto-Submitted: auto-replied\r\n",
        ),
        "away@example.org",
      );
      await deliver(
        mail(
          "MAILER-DAEMON@example.net",
          "Undelivered Mail Returned to Sender",
          "This is the mail system.",
        ),
        "",
      );
      const senders = (await queue()).map((m) => m.email);
      expect(senders).not.toContain("away@example.org");
      expect(senders).not.toContain("mailer-daemon@example.net");
      expect(await outboxTo("away@example.org")).toEqual([]);
    });

    it("does not queue Ally's own notice to the contact address when it comes back", async () => {
      const before = (await queue()).length;
      const notice = await world.store.db
        .selectFrom("outbox")
        .select(["subject", "text_body"])
        .where("to_address", "=", PRIVACY)
        .where("kind", "=", "privacy-contact-queued")
        .executeTakeFirstOrThrow();
      await deliver(
        mail("Ally <ally@ally.test>", notice.subject, notice.text_body),
        "ally@ally.test",
      );
      expect(await queue()).toHaveLength(before);
    });
  });
}
