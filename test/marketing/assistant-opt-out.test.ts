/**
 * An opt-out said in a reply to the email assistant, over real SMTP on loopback, on both
 * databases: the candidate writes "please stop sending me these marketing emails" in the
 * interview thread; the assistant reads it as an opt-out, suppresses their address for the
 * organisation's promotional lists at once (their subscription ends, and a later send skips
 * them), tells them so in the thread, and notes it on the request's timeline for the recruiter.
 */
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { handleNextInbound } from "../../src/mail/inbound.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import type { Store } from "../../src/store/database.js";
import { type BookingOrg, buildBookingOrg } from "../booking/factories.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";

const headersSchema = z.record(z.string(), z.string());
const SAM = "sam.optout@example.org";

for (const database of await testDatabases()) {
  describe(`an opt-out in a reply to the assistant on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let listener: RunningSmtpListener;
    let org: BookingOrg;
    let allyAddress: string;
    let listId: string;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      org = await buildBookingOrg(world, store, feeds);
      const assistant = world.deps.assistant;
      if (assistant === undefined) throw new Error("the assistant is not composed");
      allyAddress = (await assistant.settings(org.owner.actor.orgId)).address;
      listener = await startSmtpListener({
        db: store.db,
        clock: world.clock,
        host: "127.0.0.1",
        port: 0,
        domain: world.deps.config.mail.replyDomain,
        maxBytes: 1024 * 1024,
      });
      const marketing = world.deps.marketing.forActor(org.owner.actor);
      ({ id: listId } = await marketing.createList({ name: "Talent news", description: "" }));
      await marketing.addSubscriber(listId, {
        email: SAM,
        consentSource: "Careers page newsletter box",
      });
    }, 60_000);
    afterAll(async () => {
      await listener?.close();
      await feeds?.close();
      await drop?.();
    });

    const smtp = () =>
      nodemailer.createTransport({
        host: "127.0.0.1",
        port: listener.port,
        secure: false,
        ignoreTLS: true,
      });
    async function drain(): Promise<void> {
      while (
        await handleNextInbound({
          db: store.db,
          clock: world.clock,
          handlers: world.deps.inboundHandlers,
        })
      ) {
        // next
      }
    }
    const mailTo = (address: string) =>
      store.db
        .selectFrom("outbox")
        .selectAll()
        .where("to_address", "=", address)
        .orderBy("id")
        .execute();

    it("suppresses the sender, answers in the thread and notes it for the recruiter", async () => {
      await smtp().sendMail({
        from: `${org.recruiter.name} <${org.recruiter.email}>`,
        to: `Sam <${SAM}>`,
        cc: `Ally <${allyAddress}>`,
        subject: "Your interview for Platform engineer",
        text: "Hi Sam,\n\nYou'll meet Dana for 45 minutes next week. I've copied Ally, who will find a time.",
        messageId: "<cc-optout@recruiter.example>",
        envelope: { from: org.recruiter.email, to: [allyAddress] },
      });
      await drain();
      const [offer] = await mailTo(SAM);
      const replyTo = headersSchema.parse(JSON.parse(offer?.headers ?? "{}"))["Reply-To"] ?? "";
      await smtp().sendMail({
        from: SAM,
        to: replyTo,
        subject: `Re: ${offer?.subject}`,
        text: "Please stop sending me these marketing emails.",
        messageId: "<sam-optout@example.org>",
        inReplyTo: offer?.message_id,
        references: [offer?.message_id ?? ""],
      });
      await drain();
      const inbound = await store.db
        .selectFrom("inbound_mail")
        .select("outcome")
        .where("message_id", "=", "<sam-optout@example.org>")
        .executeTakeFirstOrThrow();
      expect(inbound.outcome).toBe(
        "assistant: opt-out: promotional email suppressed for the sender (1 subscription(s) ended)",
      );
      expect(await world.deps.marketing.forActor(org.owner.actor).subscribers(listId)).toEqual([]);
      const suppressed = await store.db
        .selectFrom("marketing_suppressions")
        .select(["organisation_id", "method"])
        .execute();
      expect(suppressed).toEqual([{ organisation_id: org.owner.actor.orgId, method: "email" }]);
      const answer = (await mailTo(SAM)).at(-1);
      expect(answer?.kind).toBe("assistant-reply");
      expect(answer?.text_body).toContain("you will receive no promotional email from us");
      const conversation = await store.db
        .selectFrom("assistant_conversations")
        .select("request_id")
        .where("candidate_email", "=", SAM)
        .executeTakeFirstOrThrow();
      const timeline = await world.deps.booking.timeline(
        org.recruiter.actor,
        conversation.request_id ?? "",
      );
      expect(timeline.map((e) => e.kind)).toContain("assistant-privacy");
      await expect(
        world.deps.marketing.forActor(org.owner.actor).addSubscriber(listId, {
          email: SAM,
          consentSource: "Careers page newsletter box",
        }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
    });
  });
}
