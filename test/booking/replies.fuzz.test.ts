/**
 * Fuzzing calendar replies, on every database: random iMIP REPLY bodies (real and made-up UIDs,
 * attendees, answers, sequences, broken lines) in messages sent to random addresses (Ally's
 * plain one, the right or another attendee's reply address, made-up tokens), with random From:
 * and DMARC verdicts, go to the reply handler of a booked interview. The handler never throws,
 * and it acts (records an answer or replaces someone) only on a reply that came back to that
 * attendee's own reply address, from their address, with DMARC not failed. Bounded: a fixed
 * seed, a fixed number of runs and a time limit.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarReplyHandler } from "../../src/booking/replies.js";
import { type BookingService, createBookingService } from "../../src/booking/service.js";
import { sessionUid } from "../../src/calendar/imip.js";
import type { InboundMessage } from "../../src/mail/inbound.js";
import { createReplyAddresses, replyAddressKeys } from "../../src/mail/reply-address.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import type { Store } from "../../src/store/database.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, MASTER_KEY, NOW } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

const LIMITS = { seed: 20261204, numRuns: 250, interruptAfterTimeLimit: 20_000 };

type Acting = "recordReply" | "replaceInterviewer";

for (const database of await testDatabases()) {
  describe(`calendar replies, fuzzed, on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let feeds: FeedServer;
    let org: BookingOrg;
    let candidateEmail: string;
    let booking: { organisationId: string; icalUid: string };
    const replyAddresses = createReplyAddresses({
      keys: replyAddressKeys(singleKeyring(MASTER_KEY)),
      mailbox: "ally@ally.test",
    });

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      const world = buildWorld(store);
      feeds = await startFeedServer();
      const service: BookingService = createBookingService({
        db: store.db,
        dialect: store.dialect,
        clock: world.clock,
        calendars: world.deps.calendars,
        mailFrom: "Ally <ally@ally.test>",
        effects: async () => {},
      });
      world.clock.set(NOW);
      org = await buildBookingOrg(world, store, feeds);
      candidateEmail = (await world.hiring.getCandidate(org.owner.actor, org.candidateId)).email;
      const request = await service.createRequest(org.recruiter.actor, buildRequest(org));
      const [option] = (await service.options(org.recruiter.actor, request.id)).options;
      if (option === undefined) throw new Error("expected an option with Dana");
      const booked = await service.book(org.recruiter.actor, request.id, {
        optionId: option.id,
        idempotencyKey: `fuzz-${request.id}`,
      });
      booking = { organisationId: org.owner.actor.orgId, icalUid: booked.booking.icalUid };
    }, 60_000);

    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    it("never throws, and acts only on a reply that verifies for the attendee it speaks for", async () => {
      const danaEmail = org.dana.email;
      const uid = sessionUid(booking.icalUid, 0, "ally.test");
      const tokenFor = (email: string, bookingUid = booking.icalUid) =>
        replyAddresses.addressFor({
          organisationId: booking.organisationId,
          bookingUid,
          attendeeEmail: email,
        });
      const people = [danaEmail, candidateEmail, org.eli.email, "mallory@example.net"];
      const email = fc.oneof(
        fc.constantFrom(...people, danaEmail.toUpperCase()),
        fc.emailAddress(),
      );
      const replyParts = fc.record({
        method: fc.constantFrom("REPLY", "REPLY", "REQUEST", "reply", ""),
        uid: fc.oneof(
          fc.constantFrom(uid, uid, sessionUid(booking.icalUid, 1, "ally.test"), `${uid}x`),
          fc.string({ maxLength: 60 }),
        ),
        attendee: email,
        partstat: fc.constantFrom("ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION", "X;Y"),
        sequence: fc.constantFrom("0", "1", "-1", "99999999999", "x", ""),
        extra: fc.array(fc.string({ unit: "binary", maxLength: 80 }), { maxLength: 3 }),
        end: fc.boolean(),
      });
      type ReplyParts = typeof replyParts extends fc.Arbitrary<infer T> ? T : never;
      const icsOf = (r: ReplyParts) =>
        [
          "BEGIN:VCALENDAR",
          `METHOD:${r.method}`,
          "BEGIN:VEVENT",
          `UID:${r.uid}`,
          `SEQUENCE:${r.sequence}`,
          `ATTENDEE;PARTSTAT=${r.partstat}:mailto:${r.attendee}`,
          ...r.extra,
          ...(r.end ? ["END:VEVENT", "END:VCALENDAR"] : []),
          "",
        ].join("\r\n");
      const recipient = fc.oneof(
        fc.constant("ally@ally.test"),
        fc.constantFrom(...people).map((p) => tokenFor(p)),
        fc.constant(tokenFor(danaEmail, `${booking.icalUid}0`)),
        fc.stringMatching(/^[0-9a-f]{24}$/).map((hex) => `ally+${hex}@ally.test`),
      );
      const noise = fc.record({
        parts: replyParts,
        junk: fc.option(fc.string({ unit: "binary", maxLength: 400 }), { freq: 4 }),
        envelopeTo: fc.array(recipient, { minLength: 1, maxLength: 3 }),
        fromAddress: email.map((e) => e.toLowerCase()),
        dmarc: fc.constantFrom(null, "pass", "fail", "unaligned", "none"),
        requireDmarcPass: fc.boolean(),
      });
      type Noise = typeof noise extends fc.Arbitrary<infer T> ? T : never;
      const fields = ["parts", "junk", "envelopeTo", "fromAddress", "dmarc", "requireDmarcPass"];
      const partFields = ["method", "uid", "attendee", "partstat", "sequence", "extra", "end"];
      // A genuine answer from Dana or the candidate, with a few of its fields swapped for noise.
      const nearGenuine = fc
        .record({
          attendee: fc.constantFrom(danaEmail, candidateEmail),
          partstat: fc.constantFrom("ACCEPTED", "DECLINED", "TENTATIVE"),
          swap: fc.subarray([...fields, ...partFields], { maxLength: 2 }),
          noise,
        })
        .map(({ attendee, partstat, swap, noise: n }): Noise => {
          const pick = <K extends keyof Noise>(key: K, genuine: Noise[K]): Noise[K] =>
            swap.includes(key) ? n[key] : genuine;
          const part = <K extends keyof ReplyParts>(key: K, genuine: ReplyParts[K]) =>
            swap.includes(key) ? n.parts[key] : genuine;
          return {
            parts: {
              method: part("method", "REPLY"),
              uid: part("uid", uid),
              attendee: part("attendee", attendee),
              partstat: part("partstat", partstat),
              sequence: part("sequence", "0"),
              extra: part("extra", []),
              end: part("end", true),
            },
            junk: pick("junk", null),
            envelopeTo: pick("envelopeTo", [tokenFor(attendee)]),
            fromAddress: pick("fromAddress", attendee),
            dmarc: pick("dmarc", null),
            requireDmarcPass: pick("requireDmarcPass", false),
          };
        });
      const arbitrary = fc
        .oneof(noise, nearGenuine)
        .map((n) => ({ ...n, ics: n.junk ?? icsOf(n.parts) }));

      let id = 0;
      let acted = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          const calls: Acting[] = [];
          const handler = calendarReplyHandler({
            db: store.db,
            clock: { now: () => NOW },
            replyAddresses,
            requireDmarcPass: input.requireDmarcPass,
            booking: {
              recordReply: async () => {
                calls.push("recordReply");
              },
              replaceInterviewer: async () => {
                calls.push("replaceInterviewer");
                return { replaced: false, reason: "fuzzing" };
              },
              tellRecruiter: async () => {},
            },
          });
          const message: InboundMessage = {
            id: ++id,
            messageId: `<fuzz-${id}@example.net>`,
            envelopeFrom: input.fromAddress,
            envelopeTo: input.envelopeTo,
            fromAddress: input.fromAddress,
            subject: "Reply",
            text: "",
            calendar: { method: "REPLY", ics: input.ics },
            inReplyTo: null,
            dmarc: input.dmarc,
            receivedAt: NOW,
          };
          const outcome = await handler(message);
          expect(outcome === undefined || typeof outcome === "string").toBe(true);
          if (calls.length === 0) return;
          acted++;
          // Whoever it answered for: an attendee of the session, sent from their address, to
          // their own reply address, with DMARC passed or (when not required) not given.
          const answeredFor = /ATTENDEE;PARTSTAT=[^:]*:mailto:([^\r\n]*)/.exec(input.ics)?.[1];
          const attendee = (answeredFor ?? "").trim().toLowerCase();
          expect([danaEmail, candidateEmail]).toContain(attendee);
          expect(input.fromAddress).toBe(attendee);
          expect(input.envelopeTo).toContain(tokenFor(attendee));
          expect(input.dmarc === "pass" || (input.dmarc === null && !input.requireDmarcPass)).toBe(
            true,
          );
        }),
        LIMITS,
      );
      // The fuzzing reached the acting path too, not only refusals.
      expect(acted).toBeGreaterThan(0);
    }, 60_000);
  });
}
