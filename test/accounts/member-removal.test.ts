/**
 * An admin removes a member, on every database: in one transaction the membership, the
 * member's sessions and API tokens there, their calendar connections and busy time, and their
 * pool places go; the recruiter of each interview they are booked on is told. The last owner
 * stays; other organisations are untouched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccountsService } from "../../src/accounts/service.js";
import { listAudit } from "../../src/privacy/audit-log.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  createWorld,
  META,
  type Organisation,
  type Person,
  send,
  T0,
  unique,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("removing a member on $dialect", (database) => {
  let world: World;
  let accounts: AccountsService;

  beforeAll(async () => {
    world = await createWorld(database);
    accounts = world.deps.accounts;
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(() => {
    world.clock.set(T0);
  });

  /** A calendar connection with one busy block for `person`, as a sync leaves them. */
  async function connectCalendar(person: Person): Promise<string> {
    const id = `cal_test_${unique()}`;
    await world.store.db
      .insertInto("calendar_connections")
      .values({
        id,
        organisation_id: person.orgId,
        user_id: person.userId,
        provider: "ics-feed",
        label: "Feed",
        credentials: "sealed",
        status: "healthy",
        last_synced_at: T0,
        last_attempt_at: T0,
        last_error: null,
        alerted_at: null,
        claimed_until: null,
        created_at: T0,
        sync_state: null,
        failure_count: 0,
        next_attempt_at: null,
        calendars: null,
        account: null,
      })
      .execute();
    await world.store.db
      .insertInto("busy_blocks")
      .values({
        connection_id: id,
        organisation_id: person.orgId,
        user_id: person.userId,
        start_at: T0 + 86_400_000,
        end_at: T0 + 90_000_000,
      })
      .execute();
    return id;
  }

  /** An interview the recruiter asked for, booked with `interviewer`. */
  async function bookInterview(org: Organisation, interviewer: Person): Promise<string> {
    const n = unique();
    const candidate = await world.deps.hiring.createCandidate(org.recruiter.actor, {
      name: `Candidate ${n}`,
      email: `candidate-${n}@example.com`,
      phone: null,
      timeZone: "Europe/London",
      notes: null,
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
      sessions: [{ name: "Technical", durationMinutes: 60, interviewerIds: [interviewer.userId] }],
      windowStart: "2026-12-02T00:00:00Z",
      windowEnd: "2026-12-05T00:00:00Z",
    });
    const options = await world.deps.booking.options(org.recruiter.actor, request.id);
    await world.deps.booking.book(org.recruiter.actor, request.id, {
      optionId: options.options[0]?.id as string,
      idempotencyKey: `removal-${n}`,
    });
    return request.id;
  }

  const countWhere = async (
    table:
      | "sessions"
      | "api_tokens"
      | "memberships"
      | "calendar_connections"
      | "busy_blocks"
      | "pool_members",
    userId: string,
  ) =>
    Number(
      (
        await world.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("takes away the member's access, calendars and pool places, and tells the recruiter of their interviews", async () => {
    const org = await createOrganisation(world);
    const leaving = org.interviewer;
    await apiTokenFor(world, leaving);
    await connectCalendar(leaving);
    await world.deps.hiring.createPool(org.owner.actor, {
      name: `Pool ${unique()}`,
      memberIds: [leaving.userId, org.owner.userId],
    });
    const requestId = await bookInterview(org, leaving);

    await accounts.removeMember(org.admin.actor, leaving.userId, META);

    for (const table of [
      "memberships",
      "sessions",
      "api_tokens",
      "calendar_connections",
      "busy_blocks",
      "pool_members",
    ] as const) {
      expect(await countWhere(table, leaving.userId), table).toBe(0);
    }
    expect(await countWhere("pool_members", org.owner.userId)).toBe(1);
    const told = await world.store.db
      .selectFrom("outbox")
      .select(["text_body", "subject"])
      .where("to_address", "=", org.recruiter.email)
      .where("kind", "=", "interviewer-removed")
      .execute();
    expect(told).toHaveLength(1);
    expect(told[0]?.subject).toContain(leaving.name);
    expect(told[0]?.text_body).toContain(requestId);
    const audit = await listAudit(world.store.db, org.owner.orgId);
    expect(audit.some((a) => a.action === "member-removed")).toBe(true);
    // The removed member's session no longer opens the organisation's pages.
    const page = await send(world.ally, "GET", "/app", { as: viaSession(leaving) });
    expect([302, 303, 401]).toContain(page.status);
  });

  it("leaves the members and calendars of other organisations alone", async () => {
    const org = await createOrganisation(world);
    const other = await createOrganisation(world);
    await connectCalendar(other.recruiter);
    await accounts.removeMember(org.owner.actor, org.recruiter.userId, META);
    expect(await countWhere("memberships", other.recruiter.userId)).toBe(1);
    expect(await countWhere("calendar_connections", other.recruiter.userId)).toBe(1);
  });

  it("refuses removing the last owner, and an admin removing an owner", async () => {
    const org = await createOrganisation(world);
    await expect(
      accounts.removeMember(org.owner.actor, org.owner.userId, META),
    ).rejects.toMatchObject({ code: "LAST_OWNER" });
    await expect(
      accounts.removeMember(org.admin.actor, org.owner.userId, META),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await countWhere("memberships", org.owner.userId)).toBe(1);
  });

  it("answers 404 to another organisation's admin and 403 to a recruiter, removing nobody", async () => {
    const org = await createOrganisation(world);
    const stranger = await createOrganisation(world);
    const fromStranger = await send(
      world.ally,
      "DELETE",
      `/api/v1/members/${org.interviewer.userId}`,
      {
        as: viaSession(stranger.admin),
      },
    );
    expect(fromStranger.status).toBe(404);
    const fromRecruiter = await send(
      world.ally,
      "POST",
      `/app/members/${org.interviewer.userId}/remove`,
      { as: viaSession(org.recruiter), form: {} },
    );
    expect(fromRecruiter.status).toBe(403);
    expect(await countWhere("memberships", org.interviewer.userId)).toBe(1);
    const fromAdmin = await send(
      world.ally,
      "DELETE",
      `/api/v1/members/${org.interviewer.userId}`,
      {
        as: viaSession(org.admin),
      },
    );
    expect(fromAdmin.status).toBe(204);
    expect(await countWhere("memberships", org.interviewer.userId)).toBe(0);
  });
});
