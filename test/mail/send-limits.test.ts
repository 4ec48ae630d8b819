/**
 * Sending limits, on every database: a button pressed again and again does not send a mail per
 * press, notices to one address stop at the hourly limit, and the interview's own invitations
 * always go.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintOrgId } from "../../src/ids.js";
import { enqueueMail, type OutgoingMessage } from "../../src/mail/outbox.js";
import { DEFAULT_MAIL_LIMITS, limitPolicyOf } from "../../src/mail/send-limits.js";
import { testDatabases } from "../support/databases.js";
import { buildSignUp, createWorld, META, send, type World } from "../support/web-world.js";

const MINUTE_MS = 60_000;

for (const database of await testDatabases()) {
  describe(`mail sending limits on ${database.dialect}`, () => {
    let world: World;

    beforeAll(async () => {
      world = await createWorld(database);
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const sentTo = async (email: string, kind?: string) =>
      (
        await world.store.db
          .selectFrom("outbox")
          .select(["kind", "created_at"])
          .where("to_address", "=", email)
          .$if(kind !== undefined, (q) => q.where("kind", "=", kind as string))
          .execute()
      ).length;

    it("31 clicks on 'send the link again' do not send 31 mails, and every click gets the same answer", async () => {
      const signUp = buildSignUp();
      await world.deps.accounts.signUp(signUp, META);
      expect(await sentTo(signUp.email, "verify-email")).toBe(1);
      const pages = new Set<string>();
      // All at once: the link sent at sign-up a moment ago is not sent again.
      for (let click = 0; click < 31; click++) {
        const answer = await send(world.ally, "POST", "/verify-email/resend", {
          form: { email: signUp.email },
        });
        expect(answer.status).toBe(200);
        pages.add(answer.text.replace(/name="_csrf" value="[^"]*"/g, ""));
      }
      expect(pages.size).toBe(1);
      expect([...pages][0]).toContain("check your inbox");
      expect(await sentTo(signUp.email, "verify-email")).toBe(1);
      // A click a minute, for 31 minutes: at most the hourly limit in all.
      for (let click = 0; click < 31; click++) {
        world.clock.advance(MINUTE_MS + 1);
        await send(world.ally, "POST", "/verify-email/resend", { form: { email: signUp.email } });
      }
      expect(await sentTo(signUp.email, "verify-email")).toBe(
        DEFAULT_MAIL_LIMITS.perRecipientPerHour,
      );
      // An hour on, a link can be asked for again.
      world.clock.advance(61 * MINUTE_MS);
      await send(world.ally, "POST", "/verify-email/resend", { form: { email: signUp.email } });
      expect(await sentTo(signUp.email, "verify-email")).toBe(
        DEFAULT_MAIL_LIMITS.perRecipientPerHour + 1,
      );
    });

    it("leaves out notices over the hourly limit for one address or one organisation, but always sends the interview's invitations", async () => {
      const owner = await world.deps.accounts.signUp(buildSignUp(), META);
      const orgId = mintOrgId(owner.orgId);
      const now = world.clock.now();
      const notice = (to: string): OutgoingMessage => ({
        organisationId: orgId,
        kind: "decline-needs-attention",
        to,
        subject: "Dana declined",
        text: "Dana declined.",
      });
      const outcomes = [];
      for (let i = 0; i < 12; i++) {
        outcomes.push(await enqueueMail(world.store.db, notice("recruiter@acme.example"), now));
      }
      expect(outcomes.filter((o) => o.messageId !== null)).toHaveLength(10);
      expect(outcomes.at(-1)).toEqual({
        messageId: null,
        notSent: "10 messages went to this address in the last hour",
      });
      const ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n";
      const invitation = await enqueueMail(
        world.store.db,
        {
          ...notice("recruiter@acme.example"),
          kind: "interview-invitation",
          calendar: { method: "REQUEST", ics },
        },
        now,
      );
      expect(invitation.messageId).not.toBeNull();
      // Per organisation: a limit of 3 an hour, spread over addresses.
      const limits = { ...DEFAULT_MAIL_LIMITS, perOrganisationPerHour: 3 };
      const spread = [];
      for (let i = 0; i < 5; i++) {
        spread.push(
          await enqueueMail(
            world.store.db,
            notice(`member${i}@acme.example`),
            now,
            undefined,
            limits,
          ),
        );
      }
      // The 11 already queued for the organisation are over 3: none of these go.
      expect(spread.every((o) => o.messageId === null)).toBe(true);
      expect(spread[0]?.notSent).toBe("3 messages went out for this organisation in the last hour");
    });
  });
}

describe("what happens to each kind of mail over a limit", () => {
  it.each([
    ["change-email", "refuse"],
    ["privacy-request-code", "refuse"],
    ["verify-email", "refuse"],
    ["privacy-request-answer", "always"],
    ["privacy-request-received", "always"],
    ["privacy-export-link", "always"],
    ["privacy-contact-received", "always"],
    ["organisation-closing", "always"],
    ["interview-invitation", "always"],
    ["calendar-unhealthy", "drop"],
    ["interviewer-removed", "drop"],
  ])("%s: %s", (kind, policy) => {
    expect(limitPolicyOf(kind)).toBe(policy);
  });
});
