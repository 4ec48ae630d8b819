/**
 * An owner closes the organisation, on every database: members are told, an erase job waits
 * for the 30-day grace period, cancelling during it keeps everything, and the job after it
 * erases the organisation with all its rows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ERASE_ORGANISATION_JOB } from "../../src/accounts/org-closure.js";
import type { AccountsService } from "../../src/accounts/service.js";
import { testDatabases } from "../support/databases.js";
import { createOrganisation, createWorld, META, T0, type World } from "../support/web-world.js";

const databases = await testDatabases();
const DAY = 86_400_000;

describe.each(databases)("closing an organisation on $dialect", (database) => {
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

  const eraseJobs = (orgId: string) =>
    world.store.db
      .selectFrom("scheduled_jobs")
      .select(["run_at", "done_at"])
      .where("key", "=", `${ERASE_ORGANISATION_JOB}:${orgId}`)
      .execute();
  const membersOf = async (orgId: string) =>
    (
      await world.store.db
        .selectFrom("memberships")
        .select("user_id")
        .where("organisation_id", "=", orgId)
        .execute()
    ).length;

  it("marks it closing for 30 days, tells every member and schedules the erasure", async () => {
    const org = await createOrganisation(world);
    const closing = await accounts.closeOrganisation(org.owner.actor, META);
    expect(closing).toEqual({ closingSince: T0, eraseAfter: T0 + 30 * DAY });
    expect(await accounts.organisationClosing(org.admin.actor)).toEqual(closing);
    expect(await eraseJobs(org.owner.orgId)).toEqual([{ run_at: T0 + 30 * DAY, done_at: null }]);
    for (const person of [org.owner, org.admin, org.recruiter, org.interviewer]) {
      const mail = await world.store.db
        .selectFrom("outbox")
        .select("text_body")
        .where("to_address", "=", person.email)
        .where("kind", "=", "organisation-closing")
        .execute();
      expect(mail, person.role).toHaveLength(1);
      expect(mail[0]?.text_body).toContain("2026-12-31");
    }
    await expect(accounts.closeOrganisation(org.owner.actor, META)).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("refuses anyone but an owner", async () => {
    const org = await createOrganisation(world);
    await expect(accounts.closeOrganisation(org.admin.actor, META)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await accounts.organisationClosing(org.owner.actor)).toBeNull();
  });

  it("keeps everything when the closing is cancelled during the grace period", async () => {
    const org = await createOrganisation(world);
    await accounts.closeOrganisation(org.owner.actor, META);
    world.clock.set(T0 + 10 * DAY);
    await accounts.cancelOrganisationClosing(org.owner.actor, META);
    expect(await accounts.organisationClosing(org.owner.actor)).toBeNull();
    expect(await eraseJobs(org.owner.orgId)).toEqual([]);
    world.clock.set(T0 + 31 * DAY);
    expect(await accounts.eraseClosedOrganisation(org.owner.orgId)).toBe(false);
    expect(await membersOf(org.owner.orgId)).toBe(4);
  });

  it("erases the organisation and its rows once the grace period is over, not before", async () => {
    const org = await createOrganisation(world);
    await world.deps.hiring.createJob(org.owner.actor, {
      title: "Closing role",
      department: null,
      location: null,
      description: null,
    });
    await accounts.closeOrganisation(org.owner.actor, META);
    world.clock.set(T0 + 30 * DAY - 1);
    expect(await accounts.eraseClosedOrganisation(org.owner.orgId)).toBe(false);
    world.clock.set(T0 + 30 * DAY);
    expect(await accounts.eraseClosedOrganisation(org.owner.orgId)).toBe(true);
    expect(await membersOf(org.owner.orgId)).toBe(0);
    const jobs = await world.store.db
      .selectFrom("jobs")
      .select("id")
      .where("organisation_id", "=", org.owner.orgId)
      .execute();
    expect(jobs).toEqual([]);
  });
});
