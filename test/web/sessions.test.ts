/**
 * Sessions over HTTP: the cookie's attributes, signing out, and the security headers every
 * answer carries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { createApp } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  createWorld,
  MASTER_KEY,
  type Person,
  send,
  signUpOwner,
  testConfig,
  viaSession,
  type World,
} from "../support/web-world.js";

const [database] = await testDatabases();

describe("sessions over HTTP", () => {
  let world: World;
  let owner: Person;

  beforeAll(async () => {
    world = await createWorld(database as NonNullable<typeof database>);
    owner = await signUpOwner(world);
  });
  afterAll(async () => {
    await world?.drop();
  });

  async function signIn(ally = world.ally) {
    return send(ally, "POST", "/login", {
      form: { email: owner.email, password: owner.password },
    });
  }

  it("sets an HttpOnly, SameSite=Lax session cookie for the whole site on sign-in", async () => {
    const answer = await signIn();
    expect(answer.status).toBe(303);
    const cookie = answer.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/ally_session=[A-Za-z0-9_-]{40,}/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Expires=/);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it("marks the cookie Secure when Ally is served over https", async () => {
    const config = testConfig({ PUBLIC_URL: "https://ally.example.com" });
    const ally = createApp(buildDeps(config, world.store, world.clock, MASTER_KEY));
    const answer = await signIn(ally);
    expect(answer.headers.get("set-cookie") ?? "").toMatch(/;\s*Secure/i);
  });

  it("sends the user to the page they asked for, but never to another site", async () => {
    for (const [next, expected] of [
      ["/app/members", "/app/members"],
      ["//evil.example/phish", "/app"],
      ["https://evil.example/", "/app"],
      ["/\\evil.example", "/app"],
    ] as const) {
      const answer = await send(world.ally, "POST", `/login?next=${encodeURIComponent(next)}`, {
        form: { email: owner.email, password: owner.password },
      });
      expect(answer.headers.get("location"), next).toBe(expected);
    }
  });

  it("ends the session on sign-out: the old cookie no longer opens the app", async () => {
    const session = await world.deps.accounts.signIn(
      { email: owner.email, password: owner.password },
      { ip: "127.0.0.1", userAgent: "" },
    );
    const me = { ...owner, session };
    expect((await send(world.ally, "GET", "/app", { as: viaSession(me) })).status).toBe(200);
    const out = await send(world.ally, "POST", "/logout", { as: viaSession(me) });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie") ?? "").toMatch(/ally_session=;/);
    const after = await send(world.ally, "GET", "/app", { as: viaSession(me) });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toMatch(/^\/login/);
  });

  it("answers every page and API call with the security headers", async () => {
    for (const path of ["/", "/login", "/api/v1/me", "/no-such-page", "/health"]) {
      const answer = await send(world.ally, "GET", path);
      expect(answer.headers.get("content-security-policy"), path).toContain("script-src 'none'");
      expect(answer.headers.get("content-security-policy"), path).toContain(
        "frame-ancestors 'none'",
      );
      expect(answer.headers.get("x-frame-options"), path).toBe("DENY");
      expect(answer.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(answer.headers.get("referrer-policy"), path).toBe("same-origin");
    }
  });
});
