/**
 * Closing an account and closing an organisation through the JSON API, on every database: the
 * API calls the same commands as the pages, so the two leave the same state behind (compared
 * here on twin organisations, one closed each way); account closing answers only a signed-in
 * session, organisation closing only owners.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedAccountEmail } from "../../src/accounts/account-closure.js";
import { ERASE_ORGANISATION_JOB } from "../../src/accounts/org-closure.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  createWorld,
  type Organisation,
  type Person,
  send,
  snapshot,
  T0,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();
const DAY = 86_400_000;

describe.each(databases)("closing through the API on $dialect", (database) => {
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

  /** What closing left of a person: their row without its id, and what still names them. */
  async function afterClosing(person: Person) {
    const { db } = world.store;
    const user = await db
      .selectFrom("users")
      .select(["email", "name", "phone", "postal_address", "totp_secret", "pending_email"])
      .where("id", "=", person.userId)
      .executeTakeFirstOrThrow();
    const count = async (table: "memberships" | "sessions" | "api_tokens" | "email_tokens") =>
      (await db.selectFrom(table).select("user_id").where("user_id", "=", person.userId).execute())
        .length;
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "target"])
      .where("actor_user_id", "=", person.userId)
      .where("action", "=", "deletion")
      .execute();
    return {
      user: { ...user, email: user.email === closedAccountEmail(person.userId) },
      memberships: await count("memberships"),
      sessions: await count("sessions"),
      apiTokens: await count("api_tokens"),
      emailTokens: await count("email_tokens"),
      audit,
    };
  }

  it("closes one's own account with the same result as the page", async () => {
    const viaPage = (await createOrganisation(world)).recruiter;
    const viaApi = (await createOrganisation(world)).recruiter;
    for (const person of [viaPage, viaApi]) await apiTokenFor(world, person);

    const page = await send(world.ally, "POST", "/app/account/close", {
      as: viaSession(viaPage),
      form: { password: viaPage.password },
    });
    expect(page.status).toBe(200);
    const api = await send(world.ally, "POST", "/api/v1/me/close", {
      as: viaSession(viaApi),
      json: { password: viaApi.password },
    });
    expect(api.status, api.text).toBe(204);
    expect(api.headers.get("set-cookie") ?? "").toMatch(/ally_session=;/);

    const left = await afterClosing(viaApi);
    expect(left).toEqual(await afterClosing(viaPage));
    expect(left).toMatchObject({
      user: { email: true, name: "Former member", phone: "", postal_address: "" },
      memberships: 0,
      sessions: 0,
      apiTokens: 0,
      audit: [{ action: "deletion", target: "account closed" }],
    });
    const after = await send(world.ally, "GET", "/api/v1/me", { as: viaSession(viaApi) });
    expect(after.status).toBe(401);
  });

  it("refuses a wrong password on its field, as the page does, and changes nothing", async () => {
    const org = await createOrganisation(world);
    const before = await snapshot(world, { api_tokens: ["last_used_at"], rate_limits: ["count"] });
    const api = await send(world.ally, "POST", "/api/v1/me/close", {
      as: viaSession(org.interviewer),
      json: { password: "not the password" },
    });
    expect(api.status).toBe(422);
    expect(api.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", field: "password" } });
    const page = await send(world.ally, "POST", "/app/account/close", {
      as: viaSession(org.interviewer),
      form: { password: "not the password" },
    });
    expect(page.status).toBe(422);
    const after = await snapshot(world, { api_tokens: ["last_used_at"], rate_limits: ["count"] });
    expect(after.users).toEqual(before.users);
    expect(after.memberships).toEqual(before.memberships);
  });

  it("refuses an API token, even one that may write, since closing cannot be undone", async () => {
    const org = await createOrganisation(world);
    const { token } = await apiTokenFor(world, org.recruiter);
    const before = await snapshot(world);
    const answer = await send(world.ally, "POST", "/api/v1/me/close", {
      as: viaToken(token),
      json: { password: org.recruiter.password },
    });
    expect(answer.status).toBe(403);
    expect(answer.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(await snapshot(world)).toEqual(before);
  });

  it("refuses the only owner of an organisation with other members (LAST_OWNER)", async () => {
    const org = await createOrganisation(world);
    const answer = await send(world.ally, "POST", "/api/v1/me/close", {
      as: viaSession(org.owner),
      json: { password: org.owner.password },
    });
    expect(answer.status).toBe(409);
    expect(answer.json()).toMatchObject({ error: { code: "LAST_OWNER" } });
  });

  /** What closing did to an organisation: its closing, its erase job, the mail to its members. */
  async function closingState(org: Organisation) {
    const { db } = world.store;
    const jobs = await db
      .selectFrom("scheduled_jobs")
      .select(["run_at", "done_at"])
      .where("key", "=", `${ERASE_ORGANISATION_JOB}:${org.owner.orgId}`)
      .execute();
    const mail = await db
      .selectFrom("outbox")
      .select(["to_address", "subject"])
      .where("organisation_id", "=", org.owner.orgId)
      .where("kind", "=", "organisation-closing")
      .orderBy("id")
      .execute();
    return {
      closing: await world.deps.accounts.organisationClosing(org.owner.actor),
      jobs,
      // Members are told in no particular order.
      mailedRoles: mail
        .map((m) => {
          const person = Object.values(org.byRole).find((p) => p.email === m.to_address);
          return `${person?.role}: ${m.subject}`;
        })
        .sort(),
    };
  }

  it("closes an organisation with the same grace period, job and mail as the page", async () => {
    const viaPage = await createOrganisation(world);
    const viaApi = await createOrganisation(world);
    const page = await send(world.ally, "POST", "/app/organisation/close", {
      as: viaSession(viaPage.owner),
      form: {},
    });
    expect(page.status).toBe(200);
    const { token } = await apiTokenFor(world, viaApi.owner);
    const api = await send(world.ally, "POST", "/api/v1/organisation/closing", {
      as: viaToken(token),
    });
    expect(api.status, api.text).toBe(200);
    expect(api.json()).toEqual({
      closingSince: new Date(T0).toISOString(),
      eraseAfter: new Date(T0 + 30 * DAY).toISOString(),
    });
    const state = await closingState(viaApi);
    expect(state).toEqual(await closingState(viaPage));
    expect(state.closing).toEqual({ closingSince: T0, eraseAfter: T0 + 30 * DAY });
    expect(state.mailedRoles).toHaveLength(4);

    const read = await send(world.ally, "GET", "/api/v1/organisation/closing", {
      as: viaToken((await apiTokenFor(world, viaApi.interviewer)).token),
    });
    expect(read.json()).toEqual({ closing: api.json() });
    const again = await send(world.ally, "POST", "/api/v1/organisation/closing", {
      as: viaToken(token),
    });
    expect(again.status).toBe(409);
  });

  it("cancels a closing with the same result as the page", async () => {
    const viaPage = await createOrganisation(world);
    const viaApi = await createOrganisation(world);
    for (const org of [viaPage, viaApi]) {
      await world.deps.accounts.closeOrganisation(org.owner.actor, {
        ip: "203.0.113.77",
        userAgent: "vitest",
      });
    }
    world.clock.set(T0 + 3 * DAY);
    const page = await send(world.ally, "POST", "/app/organisation/cancel-closing", {
      as: viaSession(viaPage.owner),
      form: {},
    });
    expect(page.status).toBe(200);
    const api = await send(world.ally, "DELETE", "/api/v1/organisation/closing", {
      as: viaSession(viaApi.owner),
    });
    expect(api.status, api.text).toBe(204);
    const state = await closingState(viaApi);
    expect(state).toEqual(await closingState(viaPage));
    expect(state).toMatchObject({ closing: null, jobs: [] });
    const read = await send(world.ally, "GET", "/api/v1/organisation/closing", {
      as: viaSession(viaApi.owner),
    });
    expect(read.json()).toEqual({ closing: null });
  });

  it("lets only owners close the organisation", async () => {
    const org = await createOrganisation(world);
    for (const person of [org.admin, org.recruiter, org.interviewer]) {
      const { token } = await apiTokenFor(world, person);
      const answer = await send(world.ally, "POST", "/api/v1/organisation/closing", {
        as: viaToken(token),
      });
      expect(answer.status, person.role).toBe(403);
    }
    expect(await world.deps.accounts.organisationClosing(org.owner.actor)).toBeNull();
  });
});
