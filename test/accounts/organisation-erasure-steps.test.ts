/**
 * How a closed organisation's erasure runs the modules' steps, on every database: what needs
 * the data first (revoking grants), outside the transaction, then every module's erase in
 * order, the accounts module last, all in one transaction: a step that fails leaves every row
 * in place, to be tried again. Once the grace period is over, the closing can no longer be
 * cancelled.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { accountsStore } from "../../src/accounts/db.js";
import {
  type OrganisationErasureStep,
  orgClosureOperations,
} from "../../src/accounts/org-closure.js";
import { hiringDb } from "../../src/hiring/db.js";
import type { OrgId } from "../../src/ids.js";
import { testDatabases } from "../support/databases.js";
import { createOrganisation, createWorld, META, T0, type World } from "../support/web-world.js";

const databases = await testDatabases();
const DAY = 86_400_000;

describe.each(databases)("the steps of an organisation's erasure on $dialect", (database) => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld(database);
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(() => {
    world.clock.set(T0);
  });

  const closure = (steps: OrganisationErasureStep[]) =>
    orgClosureOperations({
      store: accountsStore({ db: world.store.db, mailFrom: "ally@ally.test" }),
      clock: world.clock,
      organisationGraceMs: 30 * DAY,
      organisationErasureSteps: steps,
    });

  const jobsOf = async (orgId: string) =>
    (
      await hiringDb(world.store.db)
        .selectFrom("jobs")
        .select("id")
        .where("organisation_id", "=", orgId)
        .execute()
    ).length;

  /** A hiring step that deletes the organisation's jobs, noting when it ran. */
  const hiringStep = (calls: string[]): OrganisationErasureStep => ({
    module: "hiring",
    async erase(handle, orgId: OrgId) {
      calls.push("hiring: erase");
      const result = await hiringDb(handle)
        .deleteFrom("jobs")
        .where("organisation_id", "=", orgId)
        .executeTakeFirst();
      return { tables: { jobs: Number(result.numDeletedRows) } };
    },
  });

  async function closedOrganisation() {
    const org = await createOrganisation(world);
    await world.deps.hiring.createJob(org.owner.actor, {
      title: "A role",
      department: null,
      location: null,
      description: null,
    });
    await world.deps.accounts.closeOrganisation(org.owner.actor, META);
    world.clock.set(T0 + 30 * DAY);
    return org;
  }

  it("revokes first, outside the transaction, then erases module by module, accounts last", async () => {
    const org = await closedOrganisation();
    const calls: string[] = [];
    const proof = await closure([
      {
        module: "calendar",
        async beforeErase(handle, orgId) {
          // Everything is still there to be read: the credentials the revoking needs.
          calls.push(`calendar: revoke with ${await jobsOf(orgId)} job(s) still there`);
          expect(handle).toBe(world.store.db);
          return { grantsRevoked: 2 };
        },
        async erase() {
          calls.push("calendar: erase");
          return { tables: { calendar_connections: 0 } };
        },
      },
      hiringStep(calls),
    ]).eraseOrganisationAfterClosing(org.owner.orgId);
    expect(calls).toEqual([
      "calendar: revoke with 1 job(s) still there",
      "calendar: erase",
      "hiring: erase",
    ]);
    expect(Object.keys(proof?.modules ?? {})).toEqual(["calendar", "hiring", "accounts"]);
    expect(proof?.modules.calendar).toEqual({
      tables: { calendar_connections: 0 },
      grantsRevoked: 2,
    });
    expect(proof?.modules.hiring?.tables).toEqual({ jobs: 1 });
    expect(proof?.modules.accounts?.tables).toMatchObject({ memberships: 4, organisations: 1 });
  });

  it("leaves every row in place when a step fails, and erases on the next run", async () => {
    const org = await closedOrganisation();
    const failing: OrganisationErasureStep = {
      module: "mail",
      async erase() {
        throw new Error("the mail step failed");
      },
    };
    const calls: string[] = [];
    await expect(
      closure([hiringStep(calls), failing]).eraseOrganisationAfterClosing(org.owner.orgId),
    ).rejects.toThrow("the mail step failed");
    expect(calls).toEqual(["hiring: erase"]);
    expect(await jobsOf(org.owner.orgId)).toBe(1);
    expect(await world.deps.accounts.organisationClosing(org.owner.actor)).toEqual({
      closingSince: T0,
      eraseAfter: T0 + 30 * DAY,
    });
    const proof = await closure([hiringStep(calls)]).eraseOrganisationAfterClosing(org.owner.orgId);
    expect(proof?.modules.hiring?.tables).toEqual({ jobs: 1 });
    expect(await jobsOf(org.owner.orgId)).toBe(0);
  });

  it("refuses to cancel the closing once the grace period is over", async () => {
    const org = await closedOrganisation();
    await expect(
      world.deps.accounts.cancelOrganisationClosing(org.owner.actor, META),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("grace period") });
    expect(await world.deps.accounts.organisationClosing(org.owner.actor)).not.toBeNull();
  });
});
