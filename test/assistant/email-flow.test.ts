/**
 * The email assistant end to end, over real SMTP on loopback, on every database: a recruiter's
 * email with Ally in cc starts a request and Ally's options land in the outbox, threaded and
 * marked Auto-Submitted; the candidate's free-text reply books the interview through the same
 * command as the booking page, and the invitations go out. A reply Ally is unsure of becomes an
 * escalation and nothing is sent, until the recruiter approves it. Ally's own mail, another
 * Ally's mail and an out-of-office reply get no answer; a message delivered twice is handled
 * once.
 */
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type Assistant,
  FOLLOW_UP_AFTER_MS,
  FOLLOW_UP_JOB,
} from "../../src/assistant/coordinator.js";
import { handleNextInbound } from "../../src/mail/inbound.js";
import { type RunningSmtpListener, startSmtpListener } from "../../src/mail/smtp-listener.js";
import type { Store } from "../../src/store/database.js";
import { type BookingOrg, buildBookingOrg } from "../booking/factories.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, NOW, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";

const headersSchema = z.record(z.string(), z.string());

for (const database of await testDatabases()) {
  describe(`the email assistant over SMTP on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let listener: RunningSmtpListener;
    let org: BookingOrg;
    let assistant: Assistant;
    let allyAddress: string;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      feeds = await startFeedServer();
      org = await buildBookingOrg(world, store, feeds);
      const built = world.deps.assistant;
      if (built === undefined) throw new Error("the assistant is not composed");
      assistant = built;
      allyAddress = (await assistant.settings(org.owner.actor.orgId)).address;
      listener = await startSmtpListener({
        db: store.db,
        clock: world.clock,
        host: "127.0.0.1",
        port: 0,
        domain: world.deps.config.mail.replyDomain,
        maxBytes: 1024 * 1024,
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

    /** Lets the inbound worker handle everything stored; the outcome of each message. */
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

    async function outcomeOf(messageId: string): Promise<string | null> {
      const row = await store.db
        .selectFrom("inbound_mail")
        .select("outcome")
        .where("message_id", "=", messageId)
        .executeTakeFirstOrThrow();
      return row.outcome;
    }

    const mailTo = (address: string) =>
      store.db
        .selectFrom("outbox")
        .selectAll()
        .where("to_address", "=", address)
        .orderBy("id")
        .execute();

    /** The recruiter's email to a new candidate, Ally in cc, delivered to Ally's MX. */
    async function ccAlly(candidate: string, messageId: string): Promise<void> {
      await smtp().sendMail({
        from: `${org.recruiter.name} <${org.recruiter.email}>`,
        to: `Sam Example <${candidate}>`,
        cc: `Ally <${allyAddress}>`,
        subject: "Your interview for Platform engineer",
        text: "Hi Sam,\n\nGreat to talk today! You'll meet Dana for 45 minutes next week. I've copied Ally, who will find a time.\n\nBest",
        messageId,
        // The recruiter's own server delivers the copy for Ally's domain to Ally's MX.
        envelope: { from: org.recruiter.email, to: [allyAddress] },
      });
      await drain();
    }

    /** The candidate answers Ally's last message, as a mail client does. */
    async function reply(candidate: string, text: string, messageId: string): Promise<void> {
      const [last] = (await mailTo(candidate)).slice(-1);
      if (last === undefined) throw new Error(`nothing was sent to ${candidate}`);
      const headers = headersSchema.parse(JSON.parse(last.headers ?? "{}"));
      const replyTo = headers["Reply-To"] ?? "";
      await smtp().sendMail({
        from: candidate,
        to: replyTo,
        subject: `Re: ${last.subject}`,
        text: `${text}\n\nOn Tue, Ally wrote:\n> ${last.text_body.split("\n").join("\n> ")}`,
        messageId,
        inReplyTo: last.message_id,
        references: [last.message_id],
      });
      await drain();
    }

    async function requestFor(candidate: string) {
      const conversation = await store.db
        .selectFrom("assistant_conversations")
        .selectAll()
        .where("candidate_email", "=", candidate)
        .executeTakeFirstOrThrow();
      if (conversation.request_id === null) throw new Error("no request");
      return world.deps.booking.getRequest(org.recruiter.actor, conversation.request_id);
    }

    it("starts a request from a cc, offers numbered options in the candidate's zone, threaded and marked automatic", async () => {
      await ccAlly("sam@example.org", "<cc-1@recruiter.example>");
      expect(await outcomeOf("<cc-1@recruiter.example>")).toMatch(
        /request req_\S+ created; 3 option/,
      );
      const [offer] = await mailTo("sam@example.org");
      expect(offer?.kind).toBe("assistant-reply");
      expect(offer?.text_body).toMatch(/times in UTC/);
      expect(offer?.text_body).toMatch(/^1\. Mon 7 Dec, 09:00–09:45$/m);
      expect(offer?.text_body).toMatch(/^3\. /m);
      expect(offer?.text_body).toContain("tell me when suits you");
      expect(offer?.text_body).toContain("/book/");
      expect(offer?.html_body).toContain("<ol>");
      const headers = headersSchema.parse(JSON.parse(offer?.headers ?? "{}"));
      expect(headers["Auto-Submitted"]).toBe("auto-replied");
      expect(headers["In-Reply-To"]).toBe("<cc-1@recruiter.example>");
      expect(headers["Reply-To"]).toMatch(/^ally\+[0-9a-f]{24}@/);
      const request = await requestFor("sam@example.org");
      expect(request.status).toBe("awaiting_candidate");
      const timeline = await world.deps.booking.timeline(org.recruiter.actor, request.id);
      expect(timeline.map((e) => e.kind)).toEqual(
        expect.arrayContaining(["assistant-started", "assistant-sent"]),
      );
    });

    it("books the option the candidate's free-text reply picks, and the invitations go out", async () => {
      const [offer] = await mailTo("sam@example.org");
      const second = /^2\. (.+)$/m.exec(offer?.text_body ?? "")?.[1];
      await reply("sam@example.org", "Option 2 works for me, thanks!", "<sam-2@example.org>");
      expect(await outcomeOf("<sam-2@example.org>")).toMatch(/booked/);
      const request = await requestFor("sam@example.org");
      expect(request.status).toBe("scheduled");
      const startsAt = new Date(request.booking?.sessions[0]?.startsAt ?? 0);
      // The booked time is the second line offered, in the candidate's zone (UTC).
      expect(second).toContain(`${startsAt.toISOString().slice(11, 16)}–`);
      const toSam = await mailTo("sam@example.org");
      expect(toSam.at(-1)?.text_body).toContain(`You're booked for ${second} (UTC)`);
      const invitations = await store.db
        .selectFrom("outbox")
        .select(["to_address", "calendar_method"])
        .where("calendar_method", "=", "REQUEST")
        .where("to_address", "in", ["sam@example.org", org.dana.email])
        .execute();
      expect(invitations.map((i) => i.to_address).sort()).toEqual(
        [org.dana.email, "sam@example.org"].sort(),
      );
    });

    /** An interviewer answers on the thread with reply-all to the recruiter's first email. */
    async function interviewerWrites(text: string, messageId: string, inReplyTo: string) {
      await smtp().sendMail({
        from: `${org.dana.name} <${org.dana.email}>`,
        to: org.recruiter.email,
        cc: `Ally <${allyAddress}>`,
        subject: "Re: Your interview for Platform engineer",
        text: `${text}\n\nOn Tue, ${org.recruiter.name} wrote:\n> Hi Sam,`,
        messageId,
        inReplyTo,
        references: [inReplyTo],
        envelope: { from: org.dana.email, to: [allyAddress] },
      });
      await drain();
    }

    it("reads an interviewer's plain-text \"can't make it\" as a calendar decline: the recruiter is told, the candidate's time stays", async () => {
      const before = await requestFor("sam@example.org");
      const toSam = (await mailTo("sam@example.org")).length;
      const toRecruiter = (await mailTo(org.recruiter.email)).length;
      await interviewerWrites(
        "Sorry, something came up and I can't make Monday's interview.",
        "<dana-1@example.org>",
        "<cc-1@recruiter.example>",
      );
      // The session has named interviewers: no pool to draw from, so the recruiter is told.
      expect(await outcomeOf("<dana-1@example.org>")).toMatch(
        /Interview: recruiter told \(Interview has named interviewers, not a pool/,
      );
      const after = await requestFor("sam@example.org");
      expect(after.status).toBe("rescheduling");
      expect(after.booking?.sessions).toEqual(before.booking?.sessions);
      expect(await mailTo("sam@example.org")).toHaveLength(toSam);
      const told = (await mailTo(org.recruiter.email)).slice(toRecruiter);
      expect(told.map((m) => m.kind)).toEqual(["decline-needs-attention"]);
      expect(told[0]?.subject).toBe(
        `${org.dana.name} wrote that they cannot make Interview with Sam Example`,
      );
      expect(told[0]?.text_body).toContain("I can't make Monday's interview.");
      const answers = await store.db
        .selectFrom("attendee_responses")
        .select(["attendee_email", "partstat"])
        .where("attendee_email", "=", org.dana.email)
        .execute();
      expect(answers).toEqual([{ attendee_email: org.dana.email, partstat: "DECLINED" }]);
    });

    it("handles a message delivered twice once", async () => {
      const before = (await mailTo("sam@example.org")).length;
      await reply("sam@example.org", "Thanks again!", "<sam-3@example.org>");
      const row = await store.db
        .selectFrom("inbound_mail")
        .select("id")
        .where("message_id", "=", "<sam-3@example.org>")
        .execute();
      expect(row).toHaveLength(1);
      const [again] = await store.db
        .selectFrom("inbound_mail")
        .selectAll()
        .where("message_id", "=", "<sam-3@example.org>")
        .execute();
      if (again === undefined) throw new Error("not stored");
      // The same message offered again (a second process, a retry): handled once.
      const outcome = await assistant.handler({
        id: Number(again.id),
        messageId: again.message_id,
        envelopeFrom: again.envelope_from,
        envelopeTo: z.array(z.string()).parse(JSON.parse(again.envelope_to)),
        fromAddress: again.from_address,
        subject: again.subject,
        text: again.text_body,
        calendar: null,
        inReplyTo: again.in_reply_to,
        dmarc: null,
        receivedAt: Number(again.received_at),
        headers: {},
      });
      expect(outcome).toBe("assistant: already handled");
      expect((await mailTo("sam@example.org")).length).toBeLessThanOrEqual(before + 1);
    });

    it("escalates a reply it is unsure of and sends nothing, until the recruiter approves", async () => {
      await ccAlly("robin@example.org", "<cc-2@recruiter.example>");
      const offered = (await mailTo("robin@example.org")).length;
      await reply(
        "robin@example.org",
        "the second one might work, not sure",
        "<robin-1@example.org>",
      );
      expect(await outcomeOf("<robin-1@example.org>")).toMatch(/escalated: Ally is not sure/);
      expect((await mailTo("robin@example.org")).length).toBe(offered);
      expect((await requestFor("robin@example.org")).status).toBe("awaiting_candidate");
      const toRecruiter = await mailTo(org.recruiter.email);
      expect(toRecruiter.at(-1)?.kind).toBe("assistant-escalation");
      expect(toRecruiter.at(-1)?.text_body).toContain("/app/assistant/escalations");

      const open = (await assistant.openEscalations(org.recruiter.actor)).find((e) =>
        e.messageText.includes("the second one might work"),
      );
      expect(open?.suggested).toMatchObject({ kind: "book" });
      if (open === undefined) throw new Error("no escalation");
      // Another organisation's member, and an id never issued, find nothing.
      const other = await buildBookingOrg(world, store, feeds);
      await expect(assistant.approve(other.recruiter.actor, open.id)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(assistant.dismiss(other.recruiter.actor, open.id)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(assistant.approve(org.recruiter.actor, "esc_none")).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      expect(await assistant.approve(org.recruiter.actor, open.id)).toMatch(/^booked/);
      expect((await requestFor("robin@example.org")).status).toBe("scheduled");
      const still = await assistant.openEscalations(org.recruiter.actor);
      expect(still.map((e) => e.id)).not.toContain(open.id);
    });

    it("asks the recruiter when an interviewer's \"can't make it\" is hedged, and handles it as a decline once approved", async () => {
      const before = await requestFor("robin@example.org");
      expect(before.status).toBe("scheduled");
      const toRecruiter = (await mailTo(org.recruiter.email)).length;
      await interviewerWrites(
        "I might not be able to make it on Monday, I'll let you know.",
        "<dana-2@example.org>",
        "<cc-2@recruiter.example>",
      );
      expect(await outcomeOf("<dana-2@example.org>")).toMatch(
        /escalated: Ally is not sure an interviewer cannot make it/,
      );
      expect((await requestFor("robin@example.org")).status).toBe("scheduled");
      const escalationMail = (await mailTo(org.recruiter.email)).slice(toRecruiter);
      expect(escalationMail.map((m) => m.kind)).toEqual(["assistant-escalation"]);
      const open = (await assistant.openEscalations(org.recruiter.actor)).find((e) =>
        e.messageText.includes("I might not be able to make it"),
      );
      if (open === undefined) throw new Error("no escalation");
      expect(open.suggested).toEqual({
        kind: "interviewer-unavailable",
        userId: org.dana.actor.userId,
      });
      expect(await assistant.approve(org.recruiter.actor, open.id)).toMatch(
        /^Interview: recruiter told/,
      );
      const after = await requestFor("robin@example.org");
      expect(after.status).toBe("rescheduling");
      expect(after.booking?.sessions).toEqual(before.booking?.sessions);
      expect((await mailTo(org.recruiter.email)).at(-1)?.kind).toBe("decline-needs-attention");
    });

    it("refuses an edit that does not fit the suggestion, leaving the escalation open; a fitting edit books the time chosen", async () => {
      await ccAlly("lee@example.org", "<cc-4@recruiter.example>");
      await reply("lee@example.org", "the second one might work, not sure", "<lee-1@example.org>");
      const open = (await assistant.openEscalations(org.recruiter.actor)).find((e) =>
        e.messageText.startsWith("the second one might work"),
      );
      if (open === undefined) throw new Error("no escalation");
      const draft = (await assistant.drafts(org.recruiter.actor)).get(open.id);
      expect(draft?.message).toContain("You're booked for");
      expect(draft?.chosen).toBe(
        open.suggested && (open.suggested as { optionId: string }).optionId,
      );
      const other = draft?.choices.find((c) => c.id !== draft.chosen);
      if (other === undefined) throw new Error("no other time to choose");
      await expect(
        assistant.approve(org.recruiter.actor, open.id, { optionId: "opt_never_offered" }),
      ).rejects.toMatchObject({ code: "VALIDATION_FAILED", field: "optionId" });
      const stranger = await buildBookingOrg(world, store, feeds);
      await expect(
        assistant.approve(stranger.recruiter.actor, open.id, { optionId: other.id }),
      ).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await assistant.openEscalations(org.recruiter.actor)).map((e) => e.id)).toContain(
        open.id,
      );
      expect((await requestFor("lee@example.org")).status).toBe("awaiting_candidate");
      expect(
        await assistant.approve(org.recruiter.actor, open.id, {
          optionId: other.id,
          message: "Hi Lee,\n\nBooked you in. Change it here: [booking link]",
        }),
      ).toBe(`booked ${other.id}`);
      const booked = await requestFor("lee@example.org");
      expect(booked.status).toBe("scheduled");
      expect(other.label).toContain(
        new Date(booked.booking?.sessions[0]?.startsAt ?? 0).toISOString().slice(11, 16),
      );
      const told = (await mailTo("lee@example.org")).at(-1);
      expect(told?.text_body).toMatch(
        /^Hi Lee,\n\nBooked you in\. Change it here: \S+\/book\/\S+$/,
      );
      expect(told?.html_body).toContain("<p>Hi Lee,</p>");
    });

    it("does not answer an out-of-office reply, Ally's own mail, or another Ally's", async () => {
      await ccAlly("kim@example.org", "<cc-3@recruiter.example>");
      const before = (await mailTo("kim@example.org")).length;
      const [last] = (await mailTo("kim@example.org")).slice(-1);
      const headers = headersSchema.parse(JSON.parse(last?.headers ?? "{}"));
      const replyTo = headers["Reply-To"] ?? "";
      const send = (from: string, subject: string, extra: Record<string, string>, id: string) =>
        smtp().sendMail({
          from,
          to: replyTo,
          subject,
          text: "1. Mon 7 Dec, 09:00–09:45\nReply with the number that suits you.",
          messageId: id,
          headers: extra,
        });
      await send("kim@example.org", "Automatic reply: Your interview", {}, "<kim-ooo@example.org>");
      // Another Ally, cc'd on the same thread, answering with its own options.
      await send(
        "ally@ally.other.example",
        "Re: Your interview",
        { "Auto-Submitted": "auto-replied" },
        "<other-ally@ally.other.example>",
      );
      // Ally's own message coming back to it.
      await send(replyTo, "Re: Your interview", { "Auto-Submitted": "auto-replied" }, "<own@x>");
      await drain();
      expect(await outcomeOf("<kim-ooo@example.org>")).toContain("out of office: no answer yet");
      expect(await outcomeOf("<other-ally@ally.other.example>")).toMatch(
        /not acted on|not answered/,
      );
      expect(await outcomeOf("<own@x>")).toMatch(/not acted on|not answered/);
      expect((await mailTo("kim@example.org")).length).toBe(before);
      expect(await mailTo("ally@ally.other.example")).toEqual([]);
    });

    it("follows up twice with a candidate who went quiet (an out-of-office is no answer), then stops", async () => {
      const conversation = await store.db
        .selectFrom("assistant_conversations")
        .select("id")
        .where("candidate_email", "=", "kim@example.org")
        .executeTakeFirstOrThrow();
      const dueJob = async () => {
        const row = await store.db
          .selectFrom("scheduled_jobs")
          .selectAll()
          .where("key", "=", `${FOLLOW_UP_JOB}:${conversation.id}`)
          .executeTakeFirstOrThrow();
        world.clock.set(Number(row.run_at));
        return {
          id: Number(row.id),
          organisationId: row.organisation_id,
          kind: row.kind,
          key: row.key,
          payload: z.record(z.string(), z.unknown()).parse(JSON.parse(row.payload)),
          runAt: Number(row.run_at),
          attempts: 0,
        };
      };
      const before = (await mailTo("kim@example.org")).length;
      const first = await dueJob();
      expect(first.runAt - NOW).toBe(FOLLOW_UP_AFTER_MS);
      await assistant.followUp(first);
      const afterFirst = await mailTo("kim@example.org");
      expect(afterFirst).toHaveLength(before + 1);
      expect(afterFirst.at(-1)?.text_body).toContain("Just checking in");
      await assistant.followUp(await dueJob());
      expect(await mailTo("kim@example.org")).toHaveLength(before + 2);
      await assistant.followUp(await dueJob());
      expect(await mailTo("kim@example.org")).toHaveLength(before + 2);
      world.clock.set(NOW);
    });

    it("never acts on mail from an unknown sender about an unknown thread", async () => {
      await smtp().sendMail({
        from: "stranger@example.net",
        to: allyAddress,
        subject: "Interview",
        text: "Book me for Tuesday at 3pm.",
        messageId: "<stranger@example.net>",
      });
      await drain();
      expect(await outcomeOf("<stranger@example.net>")).toMatch(/unknown sender/);
      expect(await mailTo("stranger@example.net")).toEqual([]);
    });
  });
}
