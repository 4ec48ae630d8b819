/**
 * The API and the pages are two thin clients of the same booking commands, so every command
 * leaves the same state whichever client ran it: the request's status, whether the candidate's
 * link still opens the booking page, the emails queued, and what the timeline says. One table
 * of commands (send, book, reschedule, cancel, and actions the request refuses) runs through
 * both. Cancelling an offered request revokes the candidate's link through both clients (the
 * API's cancel used to answer 200 and leave `/book/<token>` live).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkFormToken } from "../../src/booking/links.js";
import { testDatabases } from "../support/databases.js";
import { bookingTokenFromMail, makeRequest, sendRequest } from "../support/object-factories.js";
import {
  type Answer,
  anonymous,
  apiTokenFor,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  T0,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

type Client = "api" | "pages";
type Start = "draft" | "offered" | "booked" | "cancelled";
type Command = "send" | "book" | "reschedule" | "cancel";

interface Setup {
  requestId: string;
  candidateEmail: string;
  /** The candidate's link from their newest email, when the request was sent. */
  token: string | undefined;
}

/** What a command left behind, comparable between clients. */
interface Outcome {
  httpOk: boolean;
  status: string;
  /** Whether the newest link the candidate was emailed still opens their page. */
  linkOpens: boolean | null;
  /** Emails queued by the command, by kind and who they went to. */
  mail: string[];
  /** Timeline entries the command added, by kind. */
  timeline: string[];
  bookingStatus: string | null;
  sequence: number | null;
}

interface Row {
  name: string;
  start: Start;
  command: Command;
  expected: Omit<Outcome, "mail" | "timeline"> & { mail?: string[]; timeline: string[] };
}

const TABLE: Row[] = [
  {
    name: "sends a draft to the candidate with a link that opens their page",
    start: "draft",
    command: "send",
    expected: {
      httpOk: true,
      status: "awaiting_candidate",
      linkOpens: true,
      mail: ["booking-link to candidate"],
      timeline: ["offered"],
      bookingStatus: null,
      sequence: null,
    },
  },
  {
    name: "books an offered request on the candidate's behalf and invites everyone",
    start: "offered",
    command: "book",
    expected: {
      httpOk: true,
      status: "scheduled",
      linkOpens: true,
      timeline: ["booked"],
      bookingStatus: "active",
      sequence: 0,
    },
  },
  {
    name: "moves a booked interview to another time (same event, next SEQUENCE)",
    start: "booked",
    command: "reschedule",
    expected: {
      httpOk: true,
      status: "scheduled",
      linkOpens: true,
      timeline: ["rescheduled"],
      bookingStatus: "active",
      sequence: 1,
    },
  },
  {
    name: "cancels an offered request and the candidate's link stops working",
    start: "offered",
    command: "cancel",
    expected: {
      httpOk: true,
      status: "cancelled",
      linkOpens: false,
      mail: [],
      timeline: ["cancelled"],
      bookingStatus: null,
      sequence: null,
    },
  },
  {
    name: "cancels a booked interview, releases it and revokes the link",
    start: "booked",
    command: "cancel",
    expected: {
      httpOk: true,
      status: "cancelled",
      linkOpens: false,
      timeline: ["cancelled"],
      bookingStatus: "cancelled",
      sequence: 1,
    },
  },
  {
    name: "refuses to send a cancelled request, and changes nothing",
    start: "cancelled",
    command: "send",
    expected: {
      httpOk: false,
      status: "cancelled",
      linkOpens: false,
      mail: [],
      timeline: [],
      bookingStatus: null,
      sequence: null,
    },
  },
  {
    name: "refuses to book a cancelled request, and changes nothing",
    start: "cancelled",
    command: "book",
    expected: {
      httpOk: false,
      status: "cancelled",
      linkOpens: false,
      mail: [],
      timeline: [],
      bookingStatus: null,
      sequence: null,
    },
  },
];

for (const database of await testDatabases()) {
  describe(`API and pages give the same result on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let apiToken: string;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Parity Rockets");
      apiToken = (await apiTokenFor(world, org.recruiter)).token;
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const recruiter = () => org.recruiter.actor;

    async function optionIds(requestId: string): Promise<string[]> {
      const answer = await world.deps.booking.options(recruiter(), requestId);
      return answer.options.map((o) => o.id);
    }

    /** A request in the starting state, made through the services (not under test here). */
    async function setUp(start: Start): Promise<Setup> {
      world.clock.set(T0);
      const made = await makeRequest(world, org);
      const requestId = made.request.id;
      let token: string | undefined;
      if (start !== "draft") {
        await sendRequest(world, org.recruiter, requestId);
        token = await bookingTokenFromMail(world, made.candidateEmail);
      }
      if (start === "booked") {
        const [first] = await optionIds(requestId);
        await world.deps.booking.book(recruiter(), requestId, {
          optionId: first as string,
          idempotencyKey: `parity-setup-${requestId}`,
        });
      }
      if (start === "cancelled") {
        await world.deps.booking.cancel(recruiter(), requestId, { reason: "Role filled" });
      }
      return { requestId, candidateEmail: made.candidateEmail, token };
    }

    /** The option a command chooses: the first, or for a reschedule the first other time. */
    async function choice(requestId: string): Promise<string> {
      const request = await world.deps.booking.getRequest(recruiter(), requestId);
      const ids = await optionIds(requestId);
      const bookedStart = request.booking?.sessions[0]?.startsAt;
      const options = (await world.deps.booking.options(recruiter(), requestId)).options;
      const other = options.find((o) => o.startsAt !== bookedStart);
      return (other?.id ?? ids[0] ?? "opt_none") as string;
    }

    async function run(client: Client, command: Command, setup: Setup): Promise<Answer> {
      const { requestId } = setup;
      const key = `parity-${client}-${command}-${requestId}`;
      if (client === "api") {
        const path = `/api/v1/interview-requests/${requestId}`;
        const as = viaToken(apiToken);
        if (command === "send") return send(world.ally, "POST", `${path}/send`, { as, json: {} });
        if (command === "cancel") {
          return send(world.ally, "POST", `${path}/cancel`, {
            as,
            json: { reason: "Role filled" },
          });
        }
        return send(world.ally, "POST", `${path}/${command}`, {
          as,
          json: { optionId: await choice(requestId), idempotencyKey: key },
        });
      }
      const as = viaSession(org.recruiter);
      const page = `/app/requests/${requestId}`;
      if (command === "send") return send(world.ally, "POST", `${page}/offer`, { as, form: {} });
      if (command === "cancel") {
        return send(world.ally, "POST", `${page}/cancel`, {
          as,
          form: { confirm: "yes", reason: "Role filled" },
        });
      }
      if (command === "book") {
        return send(world.ally, "POST", `${page}/book`, {
          as,
          form: { option: await choice(requestId), key },
        });
      }
      // Rescheduling has one page: the candidate's, through their link.
      const token = setup.token as string;
      return send(world.ally, "POST", `/book/${token}/reschedule`, {
        as: anonymous,
        form: { _form: linkFormToken(token), option: await choice(requestId), key },
      });
    }

    async function outcomeOf(
      setup: Setup,
      answer: Answer,
      before: { outbox: number; events: number },
    ): Promise<Outcome> {
      const db = world.store.db;
      const row = await db
        .selectFrom("interview_requests")
        .select("status")
        .where("id", "=", setup.requestId)
        .executeTakeFirstOrThrow();
      const booking = await db
        .selectFrom("bookings")
        .select(["status", "sequence"])
        .where("request_id", "=", setup.requestId)
        .executeTakeFirst();
      const mail = await db
        .selectFrom("outbox")
        .select(["kind", "to_address"])
        .where("id", ">", before.outbox)
        .orderBy("id")
        .execute();
      const events = await db
        .selectFrom("request_events")
        .select("kind")
        .where("request_id", "=", setup.requestId)
        .where("id", ">", before.events)
        .orderBy("id")
        .execute();
      const newest = await bookingTokenFromMail(world, setup.candidateEmail).catch(() => undefined);
      const opened =
        newest === undefined
          ? undefined
          : await send(world.ally, "GET", `/book/${newest}`, { as: anonymous });
      const to = (address: string) =>
        address === setup.candidateEmail
          ? "candidate"
          : address === org.owner.email
            ? "interviewer"
            : "someone else";
      return {
        // A page answers a done action with a redirect, the API with 200.
        httpOk: answer.status === 200 || answer.status === 303,
        status: row.status,
        linkOpens: opened === undefined ? null : opened.status === 200,
        mail: mail.map((m) => `${m.kind} to ${to(m.to_address)}`),
        timeline: events.map((e) => e.kind),
        bookingStatus: booking?.status ?? null,
        sequence: booking === undefined ? null : Number(booking.sequence),
      };
    }

    async function counters() {
      const db = world.store.db;
      const outbox = await db
        .selectFrom("outbox")
        .select((eb) => eb.fn.max("id").as("id"))
        .executeTakeFirst();
      const events = await db
        .selectFrom("request_events")
        .select((eb) => eb.fn.max("id").as("id"))
        .executeTakeFirst();
      return { outbox: Number(outbox?.id ?? 0), events: Number(events?.id ?? 0) };
    }

    for (const row of TABLE) {
      it(`${row.name}, through the API and through the pages alike`, async () => {
        const outcomes: Record<Client, Outcome> = {} as Record<Client, Outcome>;
        for (const client of ["api", "pages"] as const) {
          const setup = await setUp(row.start);
          const before = await counters();
          const answer = await run(client, row.command, setup);
          outcomes[client] = await outcomeOf(setup, answer, before);
          const { mail, ...rest } = row.expected;
          expect({ client, ...outcomes[client], mail: mail ?? outcomes[client].mail }).toEqual({
            client,
            ...rest,
            mail: mail ?? outcomes[client].mail,
          });
          if (!row.expected.httpOk) expect(answer.status).toBe(409);
        }
        // A change to a booking tells the attendees: the two clients agree on something.
        if (row.expected.httpOk && row.expected.bookingStatus !== null) {
          expect(outcomes.api.mail.length).toBeGreaterThan(0);
        }
        expect(outcomes.pages).toEqual(outcomes.api);
      });
    }

    it("shows on the request page exactly the actions the lifecycle allows", async () => {
      const buttons = async (start: Start) => {
        const { requestId } = await setUp(start);
        const page = await send(world.ally, "GET", `/app/requests/${requestId}`, {
          as: viaSession(org.recruiter),
        });
        expect(page.status).toBe(200);
        return (["offer", "book", "cancel"] as const).filter((action) =>
          page.text.includes(`action="/app/requests/${requestId}/${action}"`),
        );
      };
      expect(await buttons("draft")).toEqual(["offer", "book", "cancel"]);
      expect(await buttons("offered")).toEqual(["offer", "book", "cancel"]);
      expect(await buttons("booked")).toEqual(["cancel"]);
      expect(await buttons("cancelled")).toEqual([]);
    });

    it("refuses through both clients with the same code the lifecycle gives", async () => {
      const setup = await setUp("cancelled");
      const api = await run("api", "send", setup);
      expect(api.status).toBe(409);
      expect((api.json() as { error: { code: string } }).error.code).toBe("REQUEST_NOT_OPEN");
      const page = await run("pages", "send", setup);
      expect(page.status).toBe(409);
      expect(page.text).toContain("This request is cancelled");
    });
  });
}
