/**
 * What other modules read from accounts (src/accounts/reads.ts), on every database: members by
 * user id with their names, emails and roles, who is a member, and the organisation's name.
 * Each read answers for one organisation only: someone elsewhere is simply absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkAccountsReadable,
  isMember,
  membersAmong,
  membersByUserIds,
  organisationName,
} from "../../src/accounts/reads.js";
import { mintOrgId } from "../../src/ids.js";
import { testDatabases } from "../support/databases.js";
import {
  addMember,
  createWorld,
  type Person,
  signUpOwner,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("accounts reads on $dialect", (database) => {
  let world: World;
  let ownerA: Person;
  let interviewerA: Person;
  let ownerB: Person;

  beforeAll(async () => {
    world = await createWorld(database);
    ownerA = await signUpOwner(world, { company: "Reads A Ltd" });
    interviewerA = await addMember(world, ownerA, "interviewer", { name: "Ines Reads" });
    ownerB = await signUpOwner(world, { company: "Reads B Ltd" });
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("gives the members among the ids with name, email and role, leaving out other organisations' people", async () => {
    const members = await membersByUserIds(world.store.db, ownerA.orgId, [
      interviewerA.userId,
      ownerB.userId,
      "user_nobody",
      interviewerA.userId,
    ]);
    expect([...members.keys()]).toEqual([interviewerA.userId]);
    expect(members.get(interviewerA.userId)).toMatchObject({
      userId: interviewerA.userId,
      name: "Ines Reads",
      email: interviewerA.email,
      role: "interviewer",
    });
  });

  it("answers with nothing for no ids", async () => {
    expect((await membersByUserIds(world.store.db, ownerA.orgId, [])).size).toBe(0);
    expect((await membersAmong(world.store.db, ownerA.orgId, [])).size).toBe(0);
  });

  it("tells who is a member of which organisation", async () => {
    expect(await isMember(world.store.db, ownerA.orgId, interviewerA.userId)).toBe(true);
    expect(await isMember(world.store.db, ownerB.orgId, interviewerA.userId)).toBe(false);
    expect(
      await membersAmong(world.store.db, ownerB.orgId, [ownerA.userId, ownerB.userId]),
    ).toEqual(new Set([ownerB.userId]));
  });

  it("sees a membership made in the caller's own open transaction", async () => {
    const seen = await world.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("memberships")
        .values({
          organisation_id: ownerB.orgId,
          user_id: interviewerA.userId,
          role: "interviewer",
          created_at: 0,
        })
        .execute();
      const inside = await isMember(trx, ownerB.orgId, interviewerA.userId);
      await trx
        .deleteFrom("memberships")
        .where("organisation_id", "=", ownerB.orgId)
        .where("user_id", "=", interviewerA.userId)
        .execute();
      return inside;
    });
    expect(seen).toBe(true);
  });

  it("gives the organisation's name, and nothing for an unknown organisation", async () => {
    expect(await organisationName(world.store.db, ownerA.orgId)).toBe("Reads A Ltd");
    expect(await organisationName(world.store.db, mintOrgId("org_unknown"))).toBeUndefined();
    await expect(checkAccountsReadable(world.store.db)).resolves.toBeUndefined();
  });
});
