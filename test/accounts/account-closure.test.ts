/**
 * A user closes their own account, on every database: confirmed with the password, refused
 * while they alone own an organisation with other members; otherwise their memberships go as
 * when an admin removes them, an organisation left without members goes, and the user row keeps
 * nothing that names them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedAccountEmail } from "../../src/accounts/account-closure.js";
import type { AccountsService } from "../../src/accounts/service.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  createWorld,
  META,
  send,
  signUpOwner,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("closing one's account on $dialect", (database) => {
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

  const userRow = (id: string) =>
    world.store.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const countOf = async (table: "memberships" | "sessions" | "api_tokens", userId: string) =>
    Number(
      (
        await world.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .where("user_id", "=", userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("removes a member's memberships, sessions and tokens and anonymises them", async () => {
    const org = await createOrganisation(world);
    const leaving = org.recruiter;
    await apiTokenFor(world, leaving);
    await accounts.closeAccount(leaving.actor, leaving.password, META);
    for (const table of ["memberships", "sessions", "api_tokens"] as const) {
      expect(await countOf(table, leaving.userId), table).toBe(0);
    }
    const row = await userRow(leaving.userId);
    expect(row).toMatchObject({
      email: closedAccountEmail(leaving.userId),
      name: "Former member",
      phone: "",
      postal_address: "",
      totp_secret: null,
    });
    expect(JSON.stringify(row)).not.toContain(leaving.email);
    await expect(
      accounts.signIn({ email: leaving.email, password: leaving.password }, META),
    ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("refuses a wrong password and changes nothing", async () => {
    const org = await createOrganisation(world);
    await expect(
      accounts.closeAccount(org.interviewer.actor, "not the password", META),
    ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS", field: "password" });
    expect(await countOf("memberships", org.interviewer.userId)).toBe(1);
  });

  it("refuses the only owner of an organisation with other members", async () => {
    const org = await createOrganisation(world);
    await expect(
      accounts.closeAccount(org.owner.actor, org.owner.password, META),
    ).rejects.toMatchObject({ code: "LAST_OWNER" });
    expect((await userRow(org.owner.userId)).email).toBe(org.owner.email);
  });

  it("deletes an organisation its closing owner was the only member of", async () => {
    const alone = await signUpOwner(world);
    await accounts.closeAccount(alone.actor, alone.password, META);
    const org = await world.store.db
      .selectFrom("organisations")
      .select("id")
      .where("id", "=", alone.orgId)
      .executeTakeFirst();
    expect(org).toBeUndefined();
  });

  it("erases an organisation left without members module by module, and records the proof", async () => {
    const alone = await signUpOwner(world);
    await world.deps.hiring.createJob(alone.actor, {
      title: "A role nobody is left to fill",
      department: null,
      location: null,
      description: null,
    });
    await accounts.closeAccount(alone.actor, alone.password, META);
    const proof = await world.store.db
      .selectFrom("audit_log")
      .select(["organisation_id", "target"])
      .where("target", "like", `organisation ${alone.orgId} erased%`)
      .execute();
    expect(proof).toHaveLength(1);
    expect(proof[0]?.organisation_id).toBeNull();
    expect(proof[0]?.target).toContain("erased with its last member's account: assistant (");
    expect(proof[0]?.target).toContain("hiring (loop_templates 0, pool_members 0, pools 0");
    expect(proof[0]?.target).toContain("jobs 1)");
    expect(proof[0]?.target).toMatch(/accounts \(.*organisations 1\)$/);
  });

  it("closes the account from its page and signs the browser out", async () => {
    const org = await createOrganisation(world);
    const wrong = await send(world.ally, "POST", "/app/account/close", {
      as: viaSession(org.admin),
      form: { password: "not the password" },
    });
    expect(wrong.status).toBe(422);
    const closed = await send(world.ally, "POST", "/app/account/close", {
      as: viaSession(org.admin),
      form: { password: org.admin.password },
    });
    expect(closed.status).toBe(200);
    expect(closed.text).toContain("Your account is closed");
    const after = await send(world.ally, "GET", "/app/account", { as: viaSession(org.admin) });
    expect([302, 303, 401]).toContain(after.status);
  });
});
