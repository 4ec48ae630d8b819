/**
 * The recruiter hears of changes they did not make: the candidate booking, moving ("from … to
 * …") or cancelling (with their reason), or a colleague doing it for them; their own changes
 * send them nothing. On every database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeMessage } from "../../src/booking/commands/change-mail.js";
import { testDatabases } from "../support/databases.js";
import { makeRequest, sendRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  type World,
} from "../support/web-world.js";

const session = (name: string, startsAt: string, endsAt: string) => ({
  name,
  startsAt,
  endsAt,
  interviewerIds: ["user_a"],
});

describe("the email about a change", () => {
  it("says where a moved interview was and where it is now, in the request's zone", () => {
    const message = changeMessage(
      { actor: "Ada Lovelace", candidate: "Ada Lovelace" },
      {
        kind: "rescheduled",
        previous: [session("Technical", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")],
        sessions: [session("Technical", "2026-12-03T14:00:00Z", "2026-12-03T15:00:00Z")],
      },
      "Europe/Berlin",
    );
    expect(message.subject).toBe("Moved: Ada Lovelace, to Thu 3 Dec, 15:00–16:00 (Europe/Berlin)");
    expect(message.paragraphs[0]).toBe(
      "Ada Lovelace moved their interview from Wed 2 Dec, 10:00–11:00 (Europe/Berlin) to Thu 3 Dec, 15:00–16:00 (Europe/Berlin).",
    );
  });

  it("names the colleague who acted and whose interview it was", () => {
    const message = changeMessage(
      { actor: "Sam Okafor", candidate: "Ada Lovelace" },
      {
        kind: "cancelled",
        sessions: [session("Screen", "2026-12-02T09:00:00Z", "2026-12-02T09:30:00Z")],
        reason: "Role filled",
      },
      "UTC",
    );
    expect(message.paragraphs).toEqual([
      "Sam Okafor cancelled Ada Lovelace's interview of Wed 2 Dec, 09:00–09:30 (UTC). The interviewers' time is free again.",
      "The reason given:\nRole filled",
    ]);
  });
});

for (const database of await testDatabases()) {
  describe(`the recruiter's mail about changes on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme Rockets");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const mailTo = (email: string, kind: string) =>
      world.store.db
        .selectFrom("outbox")
        .select(["subject", "text_body"])
        .where("to_address", "=", email)
        .where("kind", "=", kind)
        .orderBy("id")
        .execute();

    it("tells the recruiter when the candidate books, moves and cancels", async () => {
      world.clock.set(T0);
      const { request, secrets } = await makeRequest(world, org);
      await sendRequest(world, org.owner, request.id);
      const options = (await world.deps.booking.candidateOptions(request.id)).options;
      const [first, second] = options;
      await world.deps.booking.candidateBook(request.id, {
        optionId: first?.id as string,
        idempotencyKey: "candidate-books-key-0001",
      });
      const booked = await mailTo(org.owner.email, "candidate-booked");
      expect(booked).toHaveLength(1);
      expect(booked[0]?.subject).toMatch(new RegExp(`^Booked: ${secrets[0]}, `));
      expect(booked[0]?.text_body).toContain(`/app/requests/${request.id}`);

      const fresh = (await world.deps.booking.candidateOptions(request.id)).options;
      const other = fresh.find((o) => o.startsAt !== first?.startsAt) ?? second;
      await world.deps.booking.candidateReschedule(request.id, {
        optionId: other?.id as string,
        idempotencyKey: "candidate-moves-key-0001",
      });
      const moved = await mailTo(org.owner.email, "candidate-rescheduled");
      expect(moved).toHaveLength(1);
      expect(moved[0]?.text_body).toMatch(/moved their interview from .+ to .+\./);

      await world.deps.booking.candidateCancel(request.id, { reason: "I took another offer" });
      const cancelled = await mailTo(org.owner.email, "candidate-cancelled");
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0]?.text_body).toContain("I took another offer");
    });

    it("sends the recruiter nothing about changes they made themselves", async () => {
      world.clock.set(T0);
      const { request } = await makeRequest(world, org);
      const changeMails = async () =>
        (
          await world.store.db
            .selectFrom("outbox")
            .select("id")
            .where("to_address", "=", org.owner.email)
            .where("kind", "in", [
              "candidate-booked",
              "candidate-rescheduled",
              "candidate-cancelled",
            ])
            .execute()
        ).length;
      const before = await changeMails();
      const options = await world.deps.booking.options(org.owner.actor, request.id);
      await world.deps.booking.book(org.owner.actor, request.id, {
        optionId: options.options[0]?.id as string,
        idempotencyKey: "recruiter-books-key-0001",
      });
      await world.deps.booking.cancel(org.owner.actor, request.id, { reason: "Changed plans" });
      expect(await changeMails()).toBe(before);
      const timeline = await world.deps.booking.timeline(org.owner.actor, request.id);
      expect(timeline.map((e) => e.kind)).toEqual(["created", "booked", "cancelled"]);
    });

    it("tells the creator when a colleague books for them, naming the colleague", async () => {
      world.clock.set(T0);
      const { request, secrets } = await makeRequest(world, org);
      const options = await world.deps.booking.options(org.recruiter.actor, request.id);
      await world.deps.booking.book(org.recruiter.actor, request.id, {
        optionId: options.options[0]?.id as string,
        idempotencyKey: "colleague-books-key-0001",
      });
      const mails = await mailTo(org.owner.email, "candidate-booked");
      const mine = mails.filter((m) => m.subject.startsWith(`Booked: ${secrets[0]},`));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.text_body).toContain(
        `${org.recruiter.name} booked ${secrets[0]}'s interview`,
      );
    });
  });
}
