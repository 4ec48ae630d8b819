/**
 * Objects of every kind an organisation owns, made through the services (never by writing
 * rows), each with the text that would betray it if it showed up where it should not.
 */
import { fixedClock } from "../../src/clock.js";
import { createHiringService } from "../../src/hiring/service.js";
import { runNextJob, scheduledJobsQueue, scheduleJob } from "../../src/jobs/scheduled-jobs.js";
import { createMarketingKeys } from "../../src/marketing/keys.js";
import { sendBatch } from "../../src/marketing/send.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { runSurveySweep, SURVEY_MAIL_KIND } from "../../src/surveys/sweep.js";
import type { ObjectKind } from "../../src/web/route-table.js";
import { sharedFeedUrl } from "./calendar-feed.js";
import {
  addMember,
  apiTokenFor,
  MASTER_KEY,
  type Organisation,
  type Person,
  unique,
  type World,
} from "./web-world.js";

/** An object of one kind in an organisation, and the text that would betray it. */
export interface MadeObject {
  id: string;
  secrets: string[];
}
export type ObjectFactory = (
  world: World,
  org: Organisation,
  caller: Person,
) => Promise<MadeObject>;

/** The hiring service's methods as they are today (the module is growing). */
export const hiringMethods = new Set(
  Object.keys(createHiringService({ db: undefined as never, clock: fixedClock(0) })),
);

let surveyWeeks = 0;

/** How to make each kind of object through the services; null while there is none yet. */
export const factories: Record<ObjectKind, ObjectFactory | null> = {
  job: async (world, org) => {
    const n = unique();
    const job = await world.deps.hiring.createJob(org.owner.actor, {
      title: `Secret job title ${n}`,
      department: `Secret department ${n}`,
      location: `Secret location ${n}`,
      description: `Secret description ${n}`,
    });
    return { id: job.id, secrets: [job.id, job.title, `Secret department ${n}`] };
  },
  member: async (world, org) => {
    const person = await addMember(world, org.owner, "recruiter");
    return { id: person.userId, secrets: [person.userId, person.name, person.email] };
  },
  "api-token": async (world, _org, caller) => {
    const name = `Secret token name ${unique()}`;
    const { token, info } = await apiTokenFor(world, caller, name);
    return { id: info.id, secrets: [info.id, name, token] };
  },
  candidate: async (world, org) => {
    const n = unique();
    const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
      name: `Secret Candidate ${n}`,
      email: `secret-candidate-${n}@example.com`,
      phone: "+44 20 7946 0000",
      timeZone: "Europe/Paris",
      notes: `Secret notes ${n}`,
    });
    return {
      id: candidate.id,
      secrets: [candidate.id, candidate.name, candidate.email, `Secret notes ${n}`],
    };
  },
  pool: async (world, org) => {
    const name = `Secret pool ${unique()}`;
    const pool = await world.deps.hiring.createPool(org.owner.actor, {
      name,
      memberIds: [org.owner.userId],
    });
    return { id: pool.id, secrets: [pool.id, name] };
  },
  "loop-template": async (world, org) => {
    const n = unique();
    const pool = await world.deps.hiring.createPool(org.owner.actor, {
      name: `Secret loop pool ${n}`,
      memberIds: [org.owner.userId],
    });
    const template = await world.deps.hiring.createLoopTemplate(org.owner.actor, {
      name: `Secret loop ${n}`,
      order: "fixed",
      maxGapMinutes: 30,
      sessions: [{ name: `Secret session ${n}`, durationMinutes: 45, poolId: pool.id, count: 1 }],
    });
    return { id: template.id, secrets: [template.id, template.name, pool.id] };
  },
  // A request for a new candidate and job, with the organisation's owner interviewing.
  "interview-request": async (world, org) => {
    const n = unique();
    const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
      name: `Secret Request Candidate ${n}`,
      email: `secret-request-${n}@example.com`,
      timeZone: "Europe/Paris",
    });
    const job = await world.deps.hiring.createJob(org.owner.actor, {
      title: `Secret role ${n}`,
      department: null,
      location: null,
      description: null,
    });
    const request = await world.deps.booking.createRequest(org.owner.actor, {
      candidateId: candidate.id,
      jobId: job.id,
      sessions: [
        { name: `Secret session ${n}`, durationMinutes: 45, interviewerIds: [org.owner.userId] },
      ],
      // Wed 2 Dec to Fri 4 Dec 2026, after the test clock's "now" (Tue 1 Dec 2026, 14:00 UTC).
      windowStart: "2026-12-02T00:00:00Z",
      windowEnd: "2026-12-05T00:00:00Z",
      notes: `Secret request notes ${n}`,
    });
    return {
      id: request.id,
      secrets: [request.id, candidate.name, `Secret request notes ${n}`, `Secret session ${n}`],
    };
  },
  // Connections are one's own: made by the caller, from an ICS feed on loopback.
  "calendar-connection": async (world, _org, caller) => {
    const url = await sharedFeedUrl();
    const connection = await world.deps.calendars.connect(caller.actor, {
      provider: "ics-feed",
      url,
    });
    return { id: connection.id, secrets: [connection.id, url] };
  },
  // A candidate's link, made by sending a request: the link is the id its routes take.
  "dead-job": async (world, org) => {
    // A job of a kind nobody handles, due before any other (earlier than the last one made),
    // run by the queue once: a dead letter.
    const n = unique();
    const kind = `secret-kind-${n}`;
    await scheduleJob(
      world.store.db,
      { organisationId: org.owner.orgId, kind, key: `${kind}:1`, runAt: -n, payload: {} },
      world.clock.now(),
    );
    await runNextJob({ db: world.store.db, clock: world.clock, handlers: {}, maxAttempts: 1 });
    const row = await world.store.db
      .selectFrom("scheduled_jobs")
      .select("id")
      .where("kind", "=", kind)
      .where("dead_at", "is not", null)
      .executeTakeFirstOrThrow();
    const id = `${scheduledJobsQueue.name}.${row.id}`;
    return { id, secrets: [id, kind] };
  },
  "booking-link": async (world, org) => {
    const { request, secrets, candidateEmail } = await makeRequest(world, org);
    await sendRequest(world, org.owner, request.id);
    const token = await bookingTokenFromMail(world, candidateEmail);
    return { id: token, secrets: [token, ...secrets] };
  },
  testimonial: async (world, org) => {
    const person = await askForTestimonial(world, org);
    return { id: person.id, secrets: [person.id, person.name, person.email] };
  },
  // A person's link, made by asking them: the link is the id its routes take.
  "testimonial-link": async (world, org) => {
    const person = await askForTestimonial(world, org);
    const token = await testimonialTokenFromMail(world, person.email);
    return { id: token, secrets: [token, person.email] };
  },
  // A candidate's survey link: an interview booked, and the survey sweep run (on a clock of its
  // own, two hours after the interview's end) so the link is emailed to the candidate.
  "survey-link": async (world, org) => {
    // A week of its own (from Mon 7 Dec 2026 on), so that surveyed interviews never use up the
    // owner's time that other objects' requests are offered in Wed 2 to Fri 4 Dec.
    surveyWeeks += 1;
    const monday = Date.UTC(2026, 11, 7) + surveyWeeks * 7 * 86_400_000;
    const { request, secrets, candidateEmail } = await makeRequest(world, org, 1, {
      start: new Date(monday).toISOString(),
      end: new Date(monday + 5 * 86_400_000).toISOString(),
    });
    const [option] = (await world.deps.booking.options(org.owner.actor, request.id)).options;
    if (option === undefined) throw new Error("no time left to book a surveyed interview");
    const { booking } = await world.deps.booking.book(org.owner.actor, request.id, {
      optionId: option.id,
      idempotencyKey: `survey-link-${unique()}-0001`,
    });
    const endedAt = Math.max(...booking.sessions.map((s) => Date.parse(s.endsAt)));
    await runSurveySweep({
      db: world.store.db,
      clock: fixedClock(endedAt + 2 * 3_600_000),
      mailFrom: world.config.mail.from,
      publicUrl: world.config.http.publicUrl,
    });
    const row = await world.store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("to_address", "=", candidateEmail)
      .where("kind", "=", SURVEY_MAIL_KIND)
      .executeTakeFirstOrThrow();
    const token = /\/survey\/(sv_[A-Za-z0-9_-]+)/.exec(row.text_body)?.[1];
    if (token === undefined) throw new Error(`no survey link in an email to ${candidateEmail}`);
    return { id: token, secrets: [token, ...secrets] };
  },
  "marketing-list": async (world, org) => {
    const { listId, secrets } = await makeMarketingList(world, org);
    return { id: listId, secrets: [listId, ...secrets] };
  },
  // A person asks to join a list; the link is the one in the confirmation email.
  "marketing-confirmation": async (world, org) => {
    const { listId } = await makeMarketingList(world, org);
    const email = `secret-joiner-${unique()}@example.com`;
    await world.deps.marketing.join(listId, { email, name: "", consent: "yes" });
    const token = await tokenFromMail(
      world,
      email,
      "marketing-confirm",
      /\/m\/confirm\/([^\s"<]+)/,
    );
    return { id: token, secrets: [email] };
  },
  "unsubscribe-link": async (world, org) => {
    const { email, secrets } = await sentPromotion(world, org);
    const token = await tokenFromMail(world, email, "marketing", /\/u\/([^\s"<>]+)/);
    return { id: token, secrets };
  },
  "open-beacon": async (world, org) => {
    const { email, secrets } = await sentPromotion(world, org);
    const token = await tokenFromMail(
      world,
      email,
      "marketing",
      /\/m\/o\/([^\s"<>]+)/,
      "html_body",
    );
    return { id: token, secrets };
  },
};

/** Asks a new person for a testimonial, as the testimonials page's form does. */
export async function askForTestimonial(world: World, org: Organisation) {
  const n = unique();
  const name = `Secret Testifier ${n}`;
  const email = `secret-testifier-${n}@example.com`;
  const { id } = await world.deps.testimonials.request(org.owner.actor, { name, email });
  return { id, name, email };
}

/** The link in the newest testimonial email to `email`, as the person reads it. */
export async function testimonialTokenFromMail(world: World, email: string): Promise<string> {
  const row = await world.store.db
    .selectFrom("outbox")
    .select("text_body")
    .where("to_address", "=", email)
    .where("kind", "like", "testimonial-%")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const match = row === undefined ? null : /\/testimonial\/(tm_[A-Za-z0-9_-]+)/.exec(row.text_body);
  if (match === null) throw new Error(`no testimonial link in an email to ${email}`);
  return match[1] as string;
}

/** A marketing list of the organisation with one subscriber (consent recorded by the owner). */
export async function makeMarketingList(world: World, org: Organisation) {
  const n = unique();
  const commands = world.deps.marketing.forActor(org.owner.actor);
  const { id: listId } = await commands.createList({ name: `Secret list ${n}`, description: "" });
  const email = `secret-subscriber-${n}@example.com`;
  await commands.addSubscriber(listId, { email, name: "", consentSource: "Signed up at our fair" });
  return { listId, email, secrets: [`Secret list ${n}`, email] };
}

/** A promotional message sent to a new list's subscriber, queued in the outbox. */
async function sentPromotion(world: World, org: Organisation) {
  const made = await makeMarketingList(world, org);
  const commands = world.deps.marketing.forActor(org.owner.actor);
  const { messageId } = await commands.send(made.listId, { subject: "News", text: "Hello" });
  await sendBatch(
    world.store.db,
    {
      keys: createMarketingKeys(singleKeyring(MASTER_KEY)),
      publicUrl: world.config.http.publicUrl,
      mailFrom: world.config.mail.from,
      unsubscribeMailbox: "ally@ally.test",
      batchSize: 50,
      batchIntervalMs: 60_000,
    },
    messageId,
    world.clock.now(),
  );
  return made;
}

async function tokenFromMail(
  world: World,
  email: string,
  kind: string,
  pattern: RegExp,
  column: "text_body" | "html_body" = "text_body",
): Promise<string> {
  const row = await world.store.db
    .selectFrom("outbox")
    .select(["text_body", "html_body"])
    .where("to_address", "=", email)
    .where("kind", "=", kind)
    .orderBy("id", "desc")
    .executeTakeFirst();
  const match = pattern.exec(row?.[column] ?? "");
  if (match === null) throw new Error(`no link in the ${kind} email to ${email}`);
  return match[1] as string;
}

/**
 * A draft interview request in the organisation: one hour with its owner (default working
 * hours), Wed 2 Dec to Fri 4 Dec 2026, for a new candidate and job.
 */
export async function makeRequest(
  world: World,
  org: Organisation,
  sessions = 1,
  // Wed 2 Dec 2026 00:00 UTC to Sat 5 Dec 2026 00:00 UTC
  window = { start: "2026-12-02T00:00:00Z", end: "2026-12-05T00:00:00Z" },
) {
  const n = unique();
  const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
    name: `Secret Interviewee ${n}`,
    email: `secret-interviewee-${n}@example.com`,
    phone: null,
    timeZone: "Europe/Berlin",
    notes: null,
  });
  const job = await world.deps.hiring.createJob(org.owner.actor, {
    title: `Secret role ${n}`,
    department: null,
    location: null,
    description: null,
  });
  const request = await world.deps.booking.createRequest(org.owner.actor, {
    candidateId: candidate.id,
    jobId: job.id,
    sessions: Array.from({ length: sessions }, (_, i) => ({
      name: `Session ${i + 1}`,
      durationMinutes: 60,
      interviewerIds: [org.owner.userId],
    })),
    windowStart: window.start,
    windowEnd: window.end,
    videoLink: "https://meet.example.com/secret",
    notes: `Secret request notes ${n}`,
  });
  return {
    request,
    candidateEmail: candidate.email,
    secrets: [candidate.name, job.title, `Secret request notes ${n}`],
  };
}

/** Sends the request to its candidate, as the request page's button does. */
export async function sendRequest(world: World, person: Person, requestId: string) {
  return world.deps.booking.sendToCandidate(person.actor, requestId);
}

/** The link in the newest booking email to `email`, as the candidate reads it. */
export async function bookingTokenFromMail(world: World, email: string): Promise<string> {
  const row = await world.store.db
    .selectFrom("outbox")
    .select("text_body")
    .where("to_address", "=", email)
    .where("kind", "=", "booking-link")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const match = row === undefined ? null : /\/book\/(bk_[A-Za-z0-9_-]+)/.exec(row.text_body);
  if (match === null) throw new Error(`no booking link in an email to ${email}`);
  return match[1] as string;
}

/** The service method whose existence means a kind's factory is due. */
export const serviceOf: Record<ObjectKind, string> = {
  job: "createJob",
  candidate: "createCandidate",
  pool: "createPool",
  "loop-template": "createLoopTemplate",
  member: "invite",
  "api-token": "createApiToken",
  "calendar-connection": "connect",
  "booking-link": "offer",
  "survey-link": "book",
  "interview-request": "createRequest",
  "dead-job": "retry",
  testimonial: "request",
  "testimonial-link": "openLink",
  "marketing-list": "createList",
  "marketing-confirmation": "confirm",
  "unsubscribe-link": "unsubscribe",
  "open-beacon": "open",
};

export const ALL_KINDS: ObjectKind[] = [
  "job",
  "candidate",
  "pool",
  "loop-template",
  "member",
  "api-token",
  "calendar-connection",
  "booking-link",
  "survey-link",
  "interview-request",
  "dead-job",
  "testimonial",
  "testimonial-link",
  "marketing-list",
  "marketing-confirmation",
  "unsubscribe-link",
  "open-beacon",
];
