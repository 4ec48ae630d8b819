/**
 * The three ways out of promotional email, end to end over real SMTP on loopback, on both
 * databases. A message goes from the outbox through an SMTP relay to four subscribers; one
 * unsubscribes with the RFC 8058 one-click POST its mail client makes, one opens the link in
 * the body (the page's GET changes nothing) and presses the button, one emails the service
 * address with "Re: OPT OUT" as the subject through Ally's own SMTP listener. Each opt-out is
 * recorded with its method, and the next message reaches only the fourth.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleNextInbound } from "../../src/mail/inbound.js";
import { sendNext, smtpTransport } from "../../src/mail/outbox-worker.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import { createMarketingKeys } from "../../src/marketing/keys.js";
import { sendBatch } from "../../src/marketing/send.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  MASTER_KEY,
  type Organisation,
  snapshot,
  type World,
} from "../support/web-world.js";

const keys = createMarketingKeys(singleKeyring(MASTER_KEY));

interface Relay {
  port: number;
  /** Messages accepted, parsed, by envelope recipient. */
  received: Map<string, ParsedMail[]>;
  close(): Promise<void>;
}

async function startRelay(): Promise<Relay> {
  const received = new Map<string, ParsedMail[]>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          for (const rcpt of session.envelope.rcptTo) {
            const to = rcpt.address.toLowerCase();
            received.set(to, [...(received.get(to) ?? []), parsed]);
          }
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
  return { port, received, close: () => new Promise((done) => server.close(() => done())) };
}

for (const database of await testDatabases()) {
  describe(`opting out of promotional email over SMTP on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let relay: Relay;
    let listener: RunningSmtpListener;
    let listId: string;
    const people = {
      oneClick: "one-click@example.org",
      link: "link@example.org",
      mailer: "mailer@example.org",
      stays: "stays@example.org",
    };

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme");
      relay = await startRelay();
      listener = await startSmtpListener({
        db: world.store.db,
        clock: world.clock,
        host: "127.0.0.1",
        port: 0,
        domain: world.config.mail.replyDomain,
        maxBytes: 1024 * 1024,
      });
      const commands = world.deps.marketing.forActor(org.admin.actor);
      ({ id: listId } = await commands.createList({ name: "Acme talent", description: "" }));
      for (const email of Object.values(people)) {
        await commands.addSubscriber(listId, {
          email,
          consentSource: "Careers fair sign-up sheet",
        });
      }
    }, 60_000);
    afterAll(async () => {
      await listener?.close();
      await relay?.close();
      await world?.drop();
    });

    /** Sends a message to the list, through the outbox and the relay. */
    async function sendToList(subject: string): Promise<void> {
      const { messageId } = await world.deps.marketing
        .forActor(org.admin.actor)
        .send(listId, { subject, text: "Meet our team at the open day." });
      const deps = {
        keys,
        publicUrl: world.config.http.publicUrl,
        mailFrom: world.config.mail.from,
        unsubscribeMailbox: `ally@${world.config.mail.replyDomain}`,
        batchSize: 50,
        batchIntervalMs: 60_000,
      };
      while ((await sendBatch(world.store.db, deps, messageId, world.clock.now())) === "more") {
        // next batch
      }
      const transport = smtpTransport(`smtp://127.0.0.1:${relay.port}`);
      try {
        while (
          await sendNext({
            db: world.store.db,
            clock: world.clock,
            transport,
            from: world.config.mail.from,
          })
        ) {
          // next message
        }
      } finally {
        transport.close();
      }
    }

    const received = (email: string, subject: string) =>
      (relay.received.get(email) ?? []).filter((m) => m.subject === subject);
    /** A header as it came over the wire (unfolded), without its name. */
    const header = (mail: ParsedMail | undefined, name: string) =>
      (mail?.headerLines.find((h) => h.key === name)?.line ?? "")
        .replace(/^[^:]*:\s*/, "")
        .replace(/\r?\n[ \t]+/g, " ");
    /** The one-click URL's path and the mailto: address of a received message. */
    function unsubscribeTargets(mail: ParsedMail | undefined) {
      const list = header(mail, "list-unsubscribe");
      const https = /<(http[^>]+)>/.exec(list)?.[1] ?? "";
      const mailto = /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(list)?.[1] ?? "";
      return { path: new URL(https).pathname, mailto };
    }
    const suppressions = () =>
      world.store.db
        .selectFrom("marketing_suppressions")
        .select(["email_hash", "method"])
        .where("organisation_id", "=", org.owner.orgId)
        .execute();

    it("delivers promotional mail with the RFC 8058 headers and an unsubscribe link", async () => {
      await sendToList("Open day");
      for (const email of Object.values(people)) {
        const [mail] = received(email, "Open day");
        expect(header(mail, "list-unsubscribe")).toMatch(
          /^<http:\/\/ally\.test\/u\/[^>]+>, <mailto:ally@[^?]+\?subject=unsubscribe>$/,
        );
        expect(header(mail, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
        expect(mail?.text).toContain(`http://ally.test${unsubscribeTargets(mail).path}`);
      }
    });

    it("unsubscribes on the one-click POST, and not on a GET of the same URL", async () => {
      const { path } = unsubscribeTargets(received(people.oneClick, "Open day")[0]);
      const before = await snapshot(world);
      const page = await world.ally.app.request(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<button type="submit">Unsubscribe</button>');
      expect(await snapshot(world)).toEqual(before);
      // As a mail provider posts it: no cookie, no CSRF token, from its own servers.
      const posted = await world.ally.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(posted.status).toBe(200);
      expect(await suppressions()).toEqual([
        { email_hash: keys.addressHash(people.oneClick), method: "one-click" },
      ]);
    });

    it("unsubscribes from the link in the body once its page's button is pressed", async () => {
      const mail = received(people.link, "Open day")[0];
      const link = /http:\/\/ally\.test(\/u\/\S+)/.exec(mail?.text ?? "")?.[1] as string;
      const before = await snapshot(world);
      expect((await world.ally.app.request(link)).status).toBe(200);
      expect(await snapshot(world)).toEqual(before);
      const pressed = await world.ally.app.request(link, { method: "POST" });
      expect(pressed.status).toBe(200);
      expect(await pressed.text()).toContain("You are unsubscribed");
      expect(await suppressions()).toContainEqual({
        email_hash: keys.addressHash(people.link),
        method: "link",
      });
    });

    it('unsubscribes the sender of an email to the service address whose subject says "Re: OPT OUT"', async () => {
      const { mailto } = unsubscribeTargets(received(people.mailer, "Open day")[0]);
      const smtp = nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
      await smtp.sendMail({
        from: `Mia Mailer <${people.mailer}>`,
        to: mailto,
        subject: "Re: OPT OUT",
        text: "",
        messageId: "<opt-out-1@example.org>",
      });
      while (
        await handleNextInbound({
          db: world.store.db,
          clock: world.clock,
          handlers: world.deps.inboundHandlers,
        })
      ) {
        // every stored message
      }
      const inbound = await world.store.db
        .selectFrom("inbound_mail")
        .select("outcome")
        .where("message_id", "=", "<opt-out-1@example.org>")
        .executeTakeFirstOrThrow();
      expect(inbound.outcome).toMatch(/^opt-out: promotional email suppressed/);
      expect(await suppressions()).toContainEqual({
        email_hash: keys.addressHash(people.mailer),
        method: "email",
      });
      const reply = await world.store.db
        .selectFrom("outbox")
        .select("kind")
        .where("to_address", "=", people.mailer)
        .where("kind", "=", "marketing-opt-out-received")
        .execute();
      expect(reply).toHaveLength(1);
      const audit = await world.store.db
        .selectFrom("audit_log")
        .select(["action", "target"])
        .where("action", "=", "marketing-opt-out")
        .where("organisation_id", "=", org.owner.orgId)
        .execute();
      expect(audit.map((a) => a.target?.split(" ")[0]).sort()).toEqual([
        "email",
        "link",
        "one-click",
      ]);
    });

    it("never delivers promotional mail again to an address that opted out", async () => {
      await sendToList("Second open day");
      expect(received(people.stays, "Second open day")).toHaveLength(1);
      for (const email of [people.oneClick, people.link, people.mailer]) {
        expect(received(email, "Second open day")).toEqual([]);
      }
    });
  });
}
