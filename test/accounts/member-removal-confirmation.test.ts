/**
 * Removing a member is confirmed on a page first, on every database: the members page links to
 * "Remove Dana?", which says what goes with them and how many upcoming interview sessions they
 * are booked on (whose recruiters are told), with a button that removes them. A plain form: no
 * script needed. Only the organisation's admins see it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import {
  addMember,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  T0,
  unique,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("confirming a member's removal on $dialect", (database) => {
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Confirm Ltd");
  });
  afterAll(async () => {
    await world?.drop();
  });

  async function bookWith(interviewerId: string): Promise<void> {
    const n = unique();
    const candidate = await world.deps.hiring.createCandidate(org.recruiter.actor, {
      name: `Candidate ${n}`,
      email: `confirm-candidate-${n}@example.com`,
    });
    const job = await world.deps.hiring.createJob(org.recruiter.actor, {
      title: `Job ${n}`,
      department: null,
      location: null,
      description: null,
    });
    const request = await world.deps.booking.createRequest(org.recruiter.actor, {
      candidateId: candidate.id,
      jobId: job.id,
      sessions: [{ name: "Technical", durationMinutes: 60, interviewerIds: [interviewerId] }],
      windowStart: "2026-12-02T00:00:00Z",
      windowEnd: "2026-12-05T00:00:00Z",
    });
    const options = await world.deps.booking.options(org.recruiter.actor, request.id);
    await world.deps.booking.book(org.recruiter.actor, request.id, {
      optionId: options.options[0]?.id as string,
      idempotencyKey: `confirm-${n}`,
    });
  }

  it("links Remove on the members page to a confirmation that counts their upcoming sessions, then removes on confirm", async () => {
    world.clock.set(T0);
    const dana = await addMember(world, org.owner, "interviewer");
    await bookWith(dana.userId);
    await bookWith(dana.userId);

    const members = await send(world.ally, "GET", "/app/members", { as: viaSession(org.admin) });
    expect(members.text).toContain(`href="/app/members/${dana.userId}/remove"`);

    const confirm = await send(world.ally, "GET", `/app/members/${dana.userId}/remove`, {
      as: viaSession(org.admin),
    });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`<h1>Remove ${dana.name}?</h1>`);
    expect(confirm.text).toContain("2 upcoming sessions");
    expect(confirm.text).toContain("2 interviews");
    expect(confirm.text).toContain("the recruiter of each is told");
    expect(confirm.text).toContain(`action="/app/members/${dana.userId}/remove"`);
    expect(confirm.text).toContain('method="post"');
    // Looking is not removing.
    const still = await world.deps.accounts.listMembers(org.admin.actor);
    expect(still.map((m) => m.userId)).toContain(dana.userId);

    const removed = await send(world.ally, "POST", `/app/members/${dana.userId}/remove`, {
      as: viaSession(org.admin),
      form: {},
    });
    expect(removed.status).toBe(303);
    const after = await world.deps.accounts.listMembers(org.admin.actor);
    expect(after.map((m) => m.userId)).not.toContain(dana.userId);
  });

  it("says so when the member is booked on nothing, and is for admins only", async () => {
    const eve = await addMember(world, org.owner, "interviewer");
    const confirm = await send(world.ally, "GET", `/app/members/${eve.userId}/remove`, {
      as: viaSession(org.owner),
    });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain("not booked on any upcoming interview");
    const asRecruiter = await send(world.ally, "GET", `/app/members/${eve.userId}/remove`, {
      as: viaSession(org.recruiter),
    });
    expect(asRecruiter.status).toBe(403);
    const other = await createOrganisation(world, "Elsewhere Ltd");
    const fromElsewhere = await send(world.ally, "GET", `/app/members/${eve.userId}/remove`, {
      as: viaSession(other.admin),
    });
    expect(fromElsewhere.status).toBe(404);
  });
});
