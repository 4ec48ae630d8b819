/**
 * What happens to a removed member's account, on every database (the data map's rule for
 * `users`): removed from their last organisation, they can no longer sign in or close it, so
 * it is closed for them (anonymised, sessions and links gone) and the address is free to be
 * invited again; a member who still belongs elsewhere keeps their account as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedAccountEmail } from "../../src/accounts/account-closure.js";
import { FORMER_MEMBER_NAME } from "../../src/accounts/former-members.js";
import { testDatabases } from "../support/databases.js";
import { appError } from "../support/failures.js";
import {
  addMember,
  createOrganisation,
  createWorld,
  linkTokenFromMail,
  META,
  type Organisation,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("a former member's account on $dialect", (database) => {
  let world: World;
  let org: Organisation;
  let other: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Former Ltd");
    other = await createOrganisation(world, "Other Ltd");
  });
  afterAll(async () => {
    await world?.drop();
  });

  const userRow = (id: string) =>
    world.store.db
      .selectFrom("users")
      .select(["email", "name", "phone", "postal_address", "totp_secret"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  it("closes the account of someone removed from their only organisation, and lets the address be invited again", async () => {
    const dana = await addMember(world, org.owner, "interviewer");
    await world.deps.accounts.removeMember(org.admin.actor, dana.userId, META);

    expect(await userRow(dana.userId)).toEqual({
      email: closedAccountEmail(dana.userId),
      name: FORMER_MEMBER_NAME,
      phone: "",
      postal_address: "",
      totp_secret: null,
    });
    const sessions = await world.store.db
      .selectFrom("sessions")
      .select("user_id")
      .where("user_id", "=", dana.userId)
      .execute();
    expect(sessions).toEqual([]);
    const refused = await appError(
      world.deps.accounts.signIn({ email: dana.email, password: dana.password }, META),
    );
    expect(refused.code).toBe("INVALID_CREDENTIALS");

    await world.deps.accounts.invite(
      org.owner.actor,
      { email: dana.email, role: "interviewer" },
      META,
    );
    const again = await world.deps.accounts.acceptInvitation(
      {
        token: await linkTokenFromMail(world, dana.email, "invitation"),
        name: dana.name,
        phone: "",
        postalAddress: "",
        password: "a brand new passphrase",
      },
      META,
    );
    const back = await world.deps.accounts.session(again.token);
    expect(back?.actor.orgId).toBe(org.owner.orgId);
    expect(back?.actor.userId).not.toBe(dana.userId);
  });

  it("keeps the account of someone who still belongs to another organisation", async () => {
    const eli = await addMember(world, org.owner, "recruiter");
    await world.deps.accounts.invite(
      other.owner.actor,
      { email: eli.email, role: "interviewer" },
      META,
    );
    await world.deps.accounts.acceptInvitation(
      {
        token: await linkTokenFromMail(world, eli.email, "invitation"),
        name: eli.name,
        phone: "",
        postalAddress: "",
        password: eli.password,
      },
      META,
    );
    const before = await userRow(eli.userId);
    await world.deps.accounts.removeMember(org.admin.actor, eli.userId, META);
    expect(await userRow(eli.userId)).toEqual(before);
    expect(before.email).toBe(eli.email);
  });
});
