/**
 * Who may call what, generated from the route table: every route Ally serves is called by
 * anonymous callers, by every role of its own organisation and by every role of another
 * organisation. A new route is covered the moment it is registered; a route that takes an
 * object id without saying so in the table fails here.
 *
 * Two organisations, A and B, each with an owner, an admin, a recruiter and an interviewer.
 * API routes are called with each member's API token, pages and session-only API routes (token
 * management) with their session and CSRF token. API tokens are then sent to every
 * session-only route, which must refuse them, and read-only tokens to every API route that
 * writes, which must refuse them too.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { can } from "../../src/accounts/permissions.js";
import { ROLES, type Role } from "../../src/accounts/tables.js";
import type { ObjectKind, RouteSpec } from "../../src/web/route-table.js";
import { testDatabases } from "../support/databases.js";
import {
  ALL_KINDS,
  factories,
  hiringMethods,
  type MadeObject,
  serviceOf,
} from "../support/object-factories.js";
import { listing, routeKey, validBody } from "../support/route-samples.js";
import {
  anonymous,
  apiTokenFor,
  type Caller,
  createOrganisation,
  createWorld,
  fillPath,
  leaksInternals,
  META,
  type Organisation,
  type Person,
  send,
  snapshot,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();
const listed = await listing();
const { routes, openapi } = listed;

const permissionOf = (route: RouteSpec) =>
  typeof route.access === "object" ? route.access.permission : undefined;

const allowed = (route: RouteSpec, role: Role) => {
  const permission = permissionOf(route);
  return permission === undefined || can(role, permission);
};

const label = (route: RouteSpec) => routeKey(route);

describe("the route table", () => {
  it("has an object factory for every kind whose service exists", () => {
    const due = ALL_KINDS.filter(
      (kind) =>
        factories[kind] === null &&
        (hiringMethods.has(serviceOf[kind]) || routes.some((r) => r.objectKind === kind)),
    );
    expect(due, "write these factories in test/web/authorisation-matrix.test.ts").toEqual([]);
  });

  it("names the object parameter and its kind for every route with a path parameter", () => {
    const dishonest = routes
      .filter((r) => /:[A-Za-z]/.test(r.path))
      .filter(
        (r) =>
          r.objectParam === undefined ||
          r.objectKind === undefined ||
          !r.path.includes(`:${r.objectParam}`),
      )
      .map(label);
    expect(dishonest).toEqual([]);
  });

  it("has no object parameter on routes without path parameters", () => {
    expect(routes.filter((r) => r.objectParam !== undefined && !r.path.includes(":"))).toEqual([]);
  });

  it("lists every route the app serves, and serves every route it lists", () => {
    const infrastructure = new Set([
      "GET /assets/app.css",
      "GET /assets/book.js",
      "GET /health",
      "GET /ready",
      "GET /metrics",
      "GET /api/openapi.json",
    ]);
    const served = new Set(listed.served.filter((key) => !infrastructure.has(key)));
    const inTable = new Set(routes.map(label));
    expect([...served].filter((key) => !inTable.has(key))).toEqual([]);
    expect([...inTable].filter((key) => !served.has(key))).toEqual([]);
  });

  it("has every API route in the OpenAPI document, and nothing else there", () => {
    const documented = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`,
      ),
    );
    const api = routes.filter((r) => r.kind === "api").map(label);
    expect(new Set(documented)).toEqual(new Set(api));
  });

  it("covers no fewer routes than when each route came to be declared once (128: 44 API, 84 pages)", () => {
    // Raise these when routes are added; a drop means a route escaped the generated tests.
    expect(routes.length).toBeGreaterThanOrEqual(128);
    expect(routes.filter((r) => r.kind === "api").length).toBeGreaterThanOrEqual(44);
    expect(routes.filter((r) => r.kind === "page").length).toBeGreaterThanOrEqual(84);
  });

  it("marks only /api/ routes as API routes", () => {
    for (const route of routes) {
      expect(route.kind === "api", label(route)).toBe(route.path.startsWith("/api/"));
    }
  });
});

describe.each(databases)("authorisation on $dialect", (database) => {
  let world: World;
  let a: Organisation;
  let b: Organisation;
  const tokens = new Map<string, string>();
  /** One object of each kind in organisation A. */
  const objectsOfA = new Map<ObjectKind, MadeObject>();

  beforeAll(async () => {
    world = await createWorld(database);
    a = await createOrganisation(world, "Alpha Secret Holdings");
    b = await createOrganisation(world, "Beta Other Ltd");
    for (const org of [a, b]) {
      for (const person of Object.values(org.byRole)) {
        tokens.set(person.userId, (await apiTokenFor(world, person)).token);
      }
    }
    for (const kind of ALL_KINDS) {
      const make = factories[kind];
      if (make !== null) objectsOfA.set(kind, await make(world, a, a.owner));
    }
  });
  afterAll(async () => {
    await world?.drop();
  });

  /**
   * The member's token, made afresh when a call before revoked it (turning the second factor
   * on or off revokes every token of the account).
   */
  async function liveToken(person: Person): Promise<string> {
    const token = tokens.get(person.userId);
    if (token !== undefined && (await world.deps.accounts.authenticateApiToken(token))) {
      return token;
    }
    const fresh = (await apiTokenFor(world, person)).token;
    tokens.set(person.userId, fresh);
    return fresh;
  }

  const callerFor = async (route: RouteSpec, person: Person): Promise<Caller> =>
    route.kind === "api" && route.sessionOnly !== true
      ? viaToken(await liveToken(person))
      : viaSession(person);

  /** Builds a valid request (making whatever its body refers to) and returns its sender. */
  async function prepare(
    route: RouteSpec,
    person: Person | undefined,
    objectId: string,
    as?: Caller,
  ) {
    const caller = as ?? (person === undefined ? anonymous : await callerFor(route, person));
    const owner = person === undefined || person.orgId === a.owner.orgId ? a.owner : b.owner;
    const body = await validBody(openapi, route, {
      world,
      caller: person ?? a.owner,
      owner,
      objectId,
    });
    if (body instanceof Error) throw body;
    const path = fillPath(route.path, route.objectParam, objectId);
    return () => send(world.ally, route.method, path, { as: caller, ...body });
  }

  async function call(route: RouteSpec, person: Person | undefined, objectId: string, as?: Caller) {
    return (await prepare(route, person, objectId, as))();
  }

  const pendingKind = (route: RouteSpec) =>
    route.objectKind !== undefined && factories[route.objectKind] === null;

  describe("anonymous callers", () => {
    for (const route of routes.filter((r) => r.access !== "public")) {
      it(`are refused by ${label(route)}`, async () => {
        const object = route.objectKind ? objectsOfA.get(route.objectKind) : undefined;
        const request = await prepare(route, undefined, object?.id ?? "anything_1");
        const before = await snapshot(world);
        const answer = await request();
        if (route.kind === "api") {
          expect(answer.status).toBe(401);
          expect(answer.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
        } else {
          expect(answer.status).toBe(303);
          expect(answer.headers.get("location")).toMatch(/^\/login(\?|$)/);
        }
        expect(await snapshot(world)).toEqual(before);
      });
    }
  });

  describe("members of another organisation", () => {
    // Public routes with an object parameter take a capability (a candidate's link), which
    // opens its object for whoever holds it; they are covered under "signed links" below.
    for (const route of routes.filter(
      (r) => r.objectParam !== undefined && r.access !== "public",
    )) {
      if (pendingKind(route)) {
        it.todo(`${label(route)}: no ${route.objectKind} factory yet (its service is missing)`);
        continue;
      }
      for (const role of ROLES) {
        // A role without the permission may be refused (403) before the object is looked up;
        // either way the answer must be the one an id that exists nowhere gets.
        const expected = allowed(route, role) ? "404" : "404 or 403";
        it(`get ${expected} from ${label(route)} with an id from another organisation (${role})`, async () => {
          const object = objectsOfA.get(route.objectKind as ObjectKind) as MadeObject;
          const outsider = b.byRole[role];
          const request = await prepare(route, outsider, object.id);
          const before = await snapshot(world);
          const answer = await request();
          if (allowed(route, role)) expect(answer.status).toBe(404);
          else expect([403, 404]).toContain(answer.status);
          for (const secret of [...object.secrets, a.name]) {
            expect(answer.text).not.toContain(secret);
          }
          expect(leaksInternals(answer.text)).toBe(false);
          expect(await snapshot(world)).toEqual(before);
          // The same answer as for an id that exists nowhere: existence leaks nothing.
          const nowhere = await call(route, outsider, `${route.objectKind}_doesnotexist`);
          expect(nowhere.status).toBe(answer.status);
        });
      }
    }
  });

  describe("members of the organisation", () => {
    for (const route of routes.filter((r) => r.access !== "public")) {
      if (pendingKind(route)) {
        it.todo(`${label(route)}: no ${route.objectKind} factory yet (its service is missing)`);
        continue;
      }
      for (const role of ROLES) {
        if (allowed(route, role)) {
          it(`are served by ${label(route)} as ${role}`, async () => {
            const person = a.byRole[role];
            const make = route.objectKind ? factories[route.objectKind] : null;
            // Any member may use a member route on themselves; other objects are made fresh, as
            // the call may change or delete them.
            const object =
              route.objectKind === "member" && route.access === "member"
                ? { id: person.userId, secrets: [] }
                : make === null
                  ? undefined
                  : await make(world, a, person);
            const answer = await call(route, person, object?.id ?? "anything_1");
            expect(answer.status, answer.text.slice(0, 500)).not.toBe(403);
            expect(answer.status, answer.text.slice(0, 500)).not.toBe(404);
            expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
            expect(answer.status).not.toBe(401);
          });
        } else {
          it(`refuse ${role}s with 403 on ${label(route)} and change nothing`, async () => {
            const person = a.byRole[role];
            const object = route.objectKind ? objectsOfA.get(route.objectKind) : undefined;
            const request = await prepare(route, person, object?.id ?? "anything_1");
            const before = await snapshot(world);
            const answer = await request();
            expect(answer.status, answer.text.slice(0, 500)).toBe(403);
            if (route.kind === "api") {
              expect(answer.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
            }
            expect(leaksInternals(answer.text)).toBe(false);
            expect(await snapshot(world)).toEqual(before);
          });
        }
      }
    }
  });

  describe("signed links", () => {
    for (const route of routes.filter(
      (r) => r.objectParam !== undefined && r.access === "public",
    )) {
      it(`${label(route)} answers 404 to a made-up or tampered link and changes nothing`, async () => {
        const live = route.objectKind ? objectsOfA.get(route.objectKind) : undefined;
        const tampered =
          live === undefined
            ? undefined
            : `${live.id.slice(0, -2)}${live.id.endsWith("AA") ? "BB" : "AA"}`;
        for (const [who, token] of [
          ["anonymous", `bk_${"A".repeat(43)}`],
          ["anonymous", "not-a-link"],
          ["a member of B", `bk_${"B".repeat(43)}`],
          ...(tampered === undefined ? [] : [["anonymous", tampered]]),
        ] as const) {
          const person = who === "anonymous" ? undefined : b.owner;
          const request = await prepare(route, person, token);
          const before = await snapshot(world);
          const answer = await request();
          expect(answer.status, `${who} ${token}`).toBe(404);
          expect(leaksInternals(answer.text)).toBe(false);
          for (const secret of live?.secrets ?? []) expect(answer.text).not.toContain(secret);
          expect(await snapshot(world)).toEqual(before);
        }
      });
      if (pendingKind(route)) {
        it.todo(`${label(route)}: no ${route.objectKind} factory yet (its service is missing)`);
        continue;
      }
      it(`${label(route)} serves anyone who holds a live link, without an account`, async () => {
        const make = factories[route.objectKind as ObjectKind];
        const object = make === null ? undefined : await make(world, a, a.owner);
        const answer = await call(route, undefined, object?.id ?? "anything_1");
        expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
        expect([401, 403, 404, 410]).not.toContain(answer.status);
      });
    }
  });

  for (const kind of ALL_KINDS) {
    if (factories[kind] === null && !hiringMethods.has(serviceOf[kind])) {
      it.todo(`creates a ${kind} in organisation A (no ${serviceOf[kind]} in the service yet)`);
    }
  }

  describe("API tokens on session-only routes", () => {
    const sessionOnly = routes.filter(
      (r) => (r.kind === "page" && r.access !== "public") || r.sessionOnly === true,
    );
    for (const route of sessionOnly) {
      it(`are refused by ${label(route)}, which changes nothing`, async () => {
        // The owner's token may read and write; it still may not act as a signed-in session.
        const token = await liveToken(a.owner);
        const make = route.objectKind ? factories[route.objectKind] : null;
        const object = make === null ? undefined : await make(world, a, a.owner);
        const request = await prepare(route, a.owner, object?.id ?? "anything_1", viaToken(token));
        const before = await snapshot(world);
        const answer = await request();
        expect(answer.status, answer.text.slice(0, 300)).toBe(403);
        if (route.kind === "api") {
          expect(answer.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
        }
        expect(await snapshot(world)).toEqual(before);
      });
    }

    it("are refused on public pages too, such as signing in", async () => {
      const token = await liveToken(a.owner);
      const answer = await send(world.ally, "POST", "/login", {
        as: viaToken(token),
        form: { email: a.owner.email, password: a.owner.password },
      });
      expect(answer.status).toBe(403);
      expect(answer.headers.get("set-cookie") ?? "").not.toContain("ally_session=");
    });
  });

  describe("read-only API tokens", () => {
    let readOnly = "";
    beforeEach(async () => {
      if (await world.deps.accounts.authenticateApiToken(readOnly)) return;
      readOnly = (
        await world.deps.accounts.createApiToken(a.owner.actor, "read only", META, ["read"])
      ).token;
    });
    const tokenRoutes = routes.filter(
      (r) => r.kind === "api" && r.sessionOnly !== true && r.access !== "public",
    );
    for (const route of tokenRoutes.filter((r) => r.method !== "GET")) {
      it(`cannot write through ${label(route)}, which changes nothing`, async () => {
        const make = route.objectKind ? factories[route.objectKind] : null;
        const object =
          route.objectKind === "member"
            ? { id: a.recruiter.userId }
            : make === null
              ? undefined
              : await make(world, a, a.owner);
        const request = await prepare(
          route,
          a.owner,
          object?.id ?? "anything_1",
          viaToken(readOnly),
        );
        const before = await snapshot(world);
        const answer = await request();
        expect(answer.status, answer.text.slice(0, 300)).toBe(403);
        expect(answer.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
        expect(await snapshot(world)).toEqual(before);
      });
    }
    for (const route of tokenRoutes.filter((r) => r.method === "GET")) {
      it(`can read through ${label(route)}`, async () => {
        const make = route.objectKind ? factories[route.objectKind] : null;
        const object =
          route.objectKind === "member"
            ? { id: a.owner.userId }
            : make === null
              ? undefined
              : await make(world, a, a.owner);
        const answer = await call(route, a.owner, object?.id ?? "anything_1", viaToken(readOnly));
        expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(400);
      });
    }
  });

  describe("API tokens", () => {
    it("stop working once revoked", async () => {
      const { token, info } = await apiTokenFor(world, a.recruiter, "soon revoked");
      expect((await send(world.ally, "GET", "/api/v1/me", { as: viaToken(token) })).status).toBe(
        200,
      );
      await world.deps.accounts.revokeApiToken(a.recruiter.actor, info.id, {
        ip: "127.0.0.1",
        userAgent: "",
      });
      const answer = await send(world.ally, "GET", "/api/v1/me", { as: viaToken(token) });
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    });

    it("refuse a malformed Authorization header with 401, not as anonymous", async () => {
      const answer = await send(world.ally, "GET", "/api/v1/me", {
        headers: { authorization: "Basic dXNlcjpwYXNz" },
      });
      expect(answer.status).toBe(401);
    });

    it("cannot revoke another member's token, even in the same organisation", async () => {
      const { info } = await apiTokenFor(world, a.admin, "admin's own");
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", `/app/account/tokens/${info.id}/revoke`, {
        as: viaSession(a.owner),
      });
      expect(answer.status).toBe(404);
      expect(await snapshot(world)).toEqual(before);
    });
  });

  describe("CSRF protection", () => {
    const jobForm = { title: "Forged job", department: "", location: "", description: "" };

    it("refuses a page POST without _csrf and writes nothing", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/jobs", {
        as: viaSession(a.recruiter),
        form: jobForm,
        csrf: false,
      });
      expect(answer.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
    });

    it("refuses a page POST with a wrong _csrf and writes nothing", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/jobs", {
        as: viaSession(a.recruiter),
        form: jobForm,
        csrf: "not-the-session-token-0123456789abcdef",
      });
      expect(answer.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
    });

    it("refuses another session's CSRF token", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/jobs", {
        as: viaSession(a.recruiter),
        form: jobForm,
        csrf: a.owner.session.csrfToken,
      });
      expect(answer.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
    });

    it("refuses a cross-site page POST even with the right token", async () => {
      const before = await snapshot(world);
      const answer = await send(world.ally, "POST", "/app/jobs", {
        as: viaSession(a.recruiter),
        form: jobForm,
        headers: { "sec-fetch-site": "cross-site" },
      });
      expect(answer.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
    });

    it("accepts a same-origin page POST with the right token", async () => {
      const answer = await send(world.ally, "POST", "/app/jobs", {
        as: viaSession(a.recruiter),
        form: { ...jobForm, title: "A real job" },
        headers: { "sec-fetch-site": "same-origin" },
      });
      expect(answer.status).toBe(303);
    });

    it("refuses an anonymous sign-in POST without the double-submit token", async () => {
      const answer = await send(world.ally, "POST", "/login", {
        form: { email: a.owner.email, password: a.owner.password },
        csrf: false,
      });
      expect(answer.status).toBe(403);
      expect(answer.headers.get("set-cookie") ?? "").not.toContain("ally_session=");
    });

    it("requires X-CSRF-Token on API calls carried by a session cookie", async () => {
      const before = await snapshot(world);
      const without = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaSession(a.recruiter),
        json: { title: "Cookie job" },
        csrf: false,
      });
      expect(without.status).toBe(403);
      expect(await snapshot(world)).toEqual(before);
      const withToken = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaSession(a.recruiter),
        json: { title: "Cookie job" },
      });
      expect(withToken.status).toBe(201);
    });

    it("does not ask API token callers for a CSRF token", async () => {
      const answer = await send(world.ally, "POST", "/api/v1/jobs", {
        as: viaToken(await liveToken(a.recruiter)),
        json: { title: "Token job" },
        headers: { "sec-fetch-site": "cross-site" },
      });
      expect(answer.status).toBe(201);
    });
  });
});
