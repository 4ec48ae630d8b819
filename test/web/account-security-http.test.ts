/**
 * Account security over HTTP: sign-up answers alike for known and unknown addresses, sign-in
 * waits are answered with Retry-After, unsafe requests from another origin are refused, and API
 * tokens are managed (with scopes) only from a signed-in session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpAt } from "../../src/accounts/totp.js";
import { testDatabases } from "../support/databases.js";
import {
  buildSignUp,
  createWorld,
  META,
  type Person,
  rowCounts,
  send,
  signUpOwner,
  snapshot,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

const [database] = await testDatabases();

/** A page with its per-request secrets (CSRF tokens) and the given words blanked out. */
function normalised(text: string, ...words: string[]): string {
  let out = text.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""');
  for (const word of words) {
    out = out.split(word).join("EMAIL");
    out = out.split(encodeURIComponent(word)).join("EMAIL");
  }
  return out;
}

describe("account security over HTTP", () => {
  let world: World;
  let owner: Person;

  beforeAll(async () => {
    world = await createWorld(database as NonNullable<typeof database>);
    owner = await signUpOwner(world);
  });
  afterAll(async () => {
    await world?.drop();
  });

  describe("sign-up", () => {
    async function signUpPage(email: string) {
      const input = buildSignUp({ email });
      const form = {
        name: input.name,
        email,
        phone: input.phone,
        postalAddress: input.postalAddress,
        company: input.company,
        password: input.password,
      };
      const posted = await send(world.ally, "POST", "/signup", { form });
      const location = posted.headers.get("location") ?? "";
      const next = await send(world.ally, "GET", location || "/signup/check-email");
      return { posted, location, next };
    }

    it("answers the same whether or not the email has an account", async () => {
      const fresh = `newcomer-${Date.now()}@example.com`;
      const known = await signUpPage(owner.email);
      const unknown = await signUpPage(fresh);
      expect(known.posted.status).toBe(unknown.posted.status);
      expect(known.posted.status).toBe(303);
      expect(normalised(known.location, owner.email)).toBe(normalised(unknown.location, fresh));
      expect(normalised(known.posted.text, owner.email)).toBe(
        normalised(unknown.posted.text, fresh),
      );
      expect(known.next.status).toBe(unknown.next.status);
      expect(normalised(known.next.text, owner.email)).toBe(normalised(unknown.next.text, fresh));
      // The known address's owner is told by mail instead.
      const mails = await world.store.db
        .selectFrom("outbox")
        .select("kind")
        .where("to_address", "=", owner.email)
        .where("kind", "=", "sign-up-existing")
        .execute();
      expect(mails).toHaveLength(1);
    });
  });

  describe("sign-in waits", () => {
    it("answers 429 with Retry-After and a clear message once an account must wait", async () => {
      const target = await signUpOwner(world);
      let last = await send(world.ally, "POST", "/login", {
        form: { email: target.email, password: "wrong password 0" },
      });
      for (let attempt = 1; attempt <= 5; attempt++) {
        last = await send(world.ally, "POST", "/login", {
          form: { email: target.email, password: `wrong password ${attempt}` },
        });
      }
      expect(last.status).toBe(429);
      expect(last.headers.get("retry-after")).toBe("30");
      expect(last.text).toContain("Too many failed sign-ins for this account. Wait 30 seconds");
    });
  });

  describe("Origin on unsafe requests", () => {
    const jobForm = (title: string) => ({ title, department: "", location: "", description: "" });

    it("refuses a session's form POST from another origin, even with the right CSRF token", async () => {
      for (const origin of ["https://evil.example", "null", "http://ally.test.evil.example"]) {
        const before = await snapshot(world);
        const answer = await send(world.ally, "POST", "/app/jobs", {
          as: viaSession(owner),
          form: jobForm("Forged job"),
          headers: { origin },
        });
        expect(answer.status, origin).toBe(403);
        expect(await snapshot(world)).toEqual(before);
      }
    });

    it("refuses a session's API call from another origin, even with X-CSRF-Token", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaSession(owner),
        json: { title: "Forged job" },
        headers: { origin: "https://evil.example", "sec-fetch-site": "same-origin" },
      });
      expect(answer.status).toBe(403);
      expect(answer.json()).toMatchObject({ error: { code: "CSRF_FAILED" } });
      expect(await snapshot(world)).toEqual(before);
    });

    it("refuses an anonymous sign-in POST from another origin", async () => {
      const answer = await send(world.ally, "POST", "/login", {
        form: { email: owner.email, password: owner.password },
        headers: { origin: "https://evil.example" },
      });
      expect(answer.status).toBe(403);
      expect(answer.headers.get("set-cookie") ?? "").not.toContain("ally_session=");
    });

    it("accepts Ally's public origin, the origin it was reached at, and no Origin at all", async () => {
      for (const headers of [
        { origin: "http://ally.test" },
        { origin: "http://localhost" },
        {} as Record<string, string>,
      ]) {
        const answer = await send(world.ally, "POST", "/app/jobs", {
          as: viaSession(owner),
          form: jobForm(`Real job ${JSON.stringify(headers)}`),
          headers,
        });
        expect(answer.status, JSON.stringify(headers)).toBe(303);
      }
    });
  });

  describe("managing API tokens", () => {
    it("creates a read-only token by default through the API, from a signed-in session", async () => {
      const answer = await send(world.ally, "POST", "/api/v1/tokens", {
        as: viaSession(owner),
        json: { name: "Dashboard" },
      });
      expect(answer.status).toBe(201);
      const created = answer.json() as { token: string; scopes: string[] };
      expect(created.scopes).toEqual(["read"]);
      const me = await send(world.ally, "GET", "/api/v1/me", { as: viaToken(created.token) });
      expect(me.status).toBe(200);
      const write = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaToken(created.token),
        json: { title: "Not allowed" },
      });
      expect(write.status).toBe(403);
      expect(write.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
      expect((write.json() as { error: { message: string } }).error.message).toMatch(/only read/);
    });

    it("creates a token with the scopes asked for, and lists them", async () => {
      const answer = await send(world.ally, "POST", "/api/v1/tokens", {
        as: viaSession(owner),
        json: { name: "ATS sync", scopes: ["read", "write"] },
      });
      expect(answer.status).toBe(201);
      const listed = await send(world.ally, "GET", "/api/v1/tokens", { as: viaSession(owner) });
      expect(listed.json()).toMatchObject({
        tokens: expect.arrayContaining([
          expect.objectContaining({ name: "ATS sync", scopes: ["read", "write"] }),
        ]),
      });
      expect(listed.text).not.toContain((answer.json() as { token: string }).token);
    });

    it("refuses to create a token from a session without its CSRF token", async () => {
      const before = await rowCounts(world);
      const answer = await send(world.ally, "POST", "/api/v1/tokens", {
        as: viaSession(owner),
        json: { name: "Forged" },
        csrf: false,
      });
      expect(answer.status).toBe(403);
      expect(await rowCounts(world)).toEqual(before);
    });

    it("refuses an empty set of scopes, naming the field", async () => {
      const answer = await send(world.ally, "POST", "/api/v1/tokens", {
        as: viaSession(owner),
        json: { name: "Nothing", scopes: [] },
      });
      expect(answer.status).toBe(422);
      expect(answer.json()).toMatchObject({ error: { field: "scopes" } });
    });

    it("creates a read-only token from the account page, and says what revokes tokens", async () => {
      const answer = await send(world.ally, "POST", "/app/account/tokens", {
        as: viaSession(owner),
        form: { name: "Page reader", access: "read" },
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("read only");
      expect(answer.text).toContain(
        "Turning two-step sign-in on or off, or resetting your password, revokes all your API tokens.",
      );
      const token = /<code class="secret">([^<]+)<\/code>/.exec(answer.text)?.[1] ?? "";
      const write = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaToken(token),
        json: { title: "Not allowed" },
      });
      expect(write.status).toBe(403);
    });

    it("says the tokens were revoked when two-step sign-in is turned on", async () => {
      const member = await signUpOwner(world);
      const { token } = await world.deps.accounts.createApiToken(member.actor, "CI", META);
      const { secret } = world.deps.accounts.beginSecondFactor(member.email);
      const answer = await send(world.ally, "POST", "/app/account/second-factor/enable", {
        as: viaSession(member),
        form: { secret, code: totpAt(secret, world.clock.now()) },
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("Your API tokens were revoked");
      const me = await send(world.ally, "GET", "/api/v1/me", { as: viaToken(token) });
      expect(me.status).toBe(401);
    });

    it("answers 429 when turning two-step sign-in off is tried too often", async () => {
      const member = await signUpOwner(world);
      const { secret } = world.deps.accounts.beginSecondFactor(member.email);
      await world.deps.accounts.enableSecondFactor(
        member.actor,
        secret,
        totpAt(secret, world.clock.now()),
        META,
      );
      let last = 0;
      for (let attempt = 1; attempt <= 6; attempt++) {
        last = (
          await send(world.ally, "POST", "/app/account/second-factor/disable", {
            as: viaSession(member),
            form: { password: `wrong password ${attempt}` },
          })
        ).status;
      }
      expect(last).toBe(429);
    });
  });
});
