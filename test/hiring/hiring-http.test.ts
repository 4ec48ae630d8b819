/**
 * The hiring module over HTTP, in process (`app.request`): the JSON API and the pages for
 * candidates, interviewer pools, loop templates and interviewer profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  buildCandidate,
  buildOrganisation,
  buildPool,
  buildProfile,
  buildTemplate,
  buildWorld,
  META,
  type SignedIn,
  type World,
} from "./factories.js";

type App = ReturnType<typeof createApp>["app"];

for (const database of await testDatabases()) {
  describe(`hiring over HTTP on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let app: App;
    let routes: ReturnType<typeof createApp>["routes"];
    let owner: SignedIn;
    let interviewer: SignedIn;
    let outsider: SignedIn;
    const tokens = new Map<SignedIn, string>();

    beforeAll(async () => {
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      world = buildWorld(store);
      ({ app, routes } = createApp(world.deps));
      const orgA = await buildOrganisation(world, store, { company: "Acme" });
      const orgB = await buildOrganisation(world, store, { company: "Globex" });
      owner = orgA.owner;
      interviewer = await orgA.add("interviewer", "Ivan Interviewer");
      outsider = orgB.owner;
      for (const who of [owner, interviewer, outsider]) {
        tokens.set(who, (await world.accounts.createApiToken(who.actor, "tests", META)).token);
      }
    });
    afterAll(async () => {
      await drop?.();
    });

    const api = (who: SignedIn, method: string, path: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${tokens.get(who)}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const page = (who: SignedIn, path: string) =>
      app.request(path, { headers: { cookie: `ally_session=${who.sessionToken}` } });

    /** Posts a form as a browser would; pairs allow repeated names (checkboxes). */
    const post = (who: SignedIn, path: string, fields: Array<[string, string]>, csrf = true) =>
      app.request(path, {
        method: "POST",
        headers: {
          cookie: `ally_session=${who.sessionToken}`,
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
        },
        body: new URLSearchParams(csrf ? [["_csrf", who.csrfToken], ...fields] : fields),
      });

    const errorOf = async (response: Response) =>
      ((await response.json()) as { error: { code: string; field?: string } }).error;

    describe("JSON API", () => {
      it("creates, reads, replaces and deletes a candidate", async () => {
        const created = await api(owner, "POST", "/api/v1/candidates", buildCandidate());
        expect(created.status).toBe(201);
        const candidate = (await created.json()) as { id: string; email: string };
        const read = await api(owner, "GET", `/api/v1/candidates/${candidate.id}`);
        expect(read.status).toBe(200);
        expect(await read.json()).toEqual(candidate);
        const replaced = await api(
          owner,
          "PUT",
          `/api/v1/candidates/${candidate.id}`,
          buildCandidate({ name: "Grace Hopper", timeZone: null }),
        );
        expect(replaced.status).toBe(200);
        expect(await replaced.json()).toMatchObject({ name: "Grace Hopper", timeZone: null });
        const list = (await (await api(owner, "GET", "/api/v1/candidates")).json()) as {
          candidates: Array<{ id: string }>;
        };
        expect(list.candidates.map((c) => c.id)).toContain(candidate.id);
        expect((await api(owner, "DELETE", `/api/v1/candidates/${candidate.id}`)).status).toBe(204);
        expect((await api(owner, "GET", `/api/v1/candidates/${candidate.id}`)).status).toBe(404);
      });

      it("answers 422 naming the field for an unknown time zone", async () => {
        const response = await api(
          owner,
          "POST",
          "/api/v1/candidates",
          buildCandidate({ timeZone: "Europe/Atlantis" }),
        );
        expect(response.status).toBe(422);
        expect(await errorOf(response)).toMatchObject({
          code: "VALIDATION_FAILED",
          field: "timeZone",
        });
      });

      it("refuses candidates to interviewers with 403", async () => {
        expect((await api(interviewer, "GET", "/api/v1/candidates")).status).toBe(403);
        expect(
          (await api(interviewer, "POST", "/api/v1/candidates", buildCandidate())).status,
        ).toBe(403);
      });

      it("answers 404 to another organisation for every candidate route", async () => {
        const { id } = (await (
          await api(owner, "POST", "/api/v1/candidates", buildCandidate())
        ).json()) as { id: string };
        const path = `/api/v1/candidates/${id}`;
        expect((await api(outsider, "GET", path)).status).toBe(404);
        expect((await api(outsider, "PUT", path, buildCandidate())).status).toBe(404);
        expect((await api(outsider, "DELETE", path)).status).toBe(404);
        expect((await api(owner, "GET", path)).status).toBe(200);
      });

      it("builds a pool and a loop template, and refuses counts beyond the pool", async () => {
        const poolResponse = await api(
          owner,
          "POST",
          "/api/v1/pools",
          buildPool([owner.actor.userId, interviewer.actor.userId]),
        );
        expect(poolResponse.status).toBe(201);
        const pool = (await poolResponse.json()) as { id: string; memberIds: string[] };
        expect(pool.memberIds).toHaveLength(2);
        const tooMany = await api(
          owner,
          "POST",
          "/api/v1/loop-templates",
          buildTemplate(pool.id, {
            sessions: [{ name: "Panel", durationMinutes: 60, poolId: pool.id, count: 3 }],
          }),
        );
        expect(tooMany.status).toBe(422);
        expect((await errorOf(tooMany)).field).toBe("sessions.0.count");
        const created = await api(owner, "POST", "/api/v1/loop-templates", buildTemplate(pool.id));
        expect(created.status).toBe(201);
        const template = (await created.json()) as { id: string };
        expect(
          (await api(interviewer, "GET", `/api/v1/loop-templates/${template.id}`)).status,
        ).toBe(200);
        expect((await api(outsider, "GET", `/api/v1/loop-templates/${template.id}`)).status).toBe(
          404,
        );
        expect((await api(outsider, "GET", `/api/v1/pools/${pool.id}`)).status).toBe(404);
        expect((await api(owner, "DELETE", `/api/v1/pools/${pool.id}`)).status).toBe(409);
      });

      it("refuses to put another organisation's user in a pool, as a field error", async () => {
        const response = await api(
          outsider,
          "POST",
          "/api/v1/pools",
          buildPool([outsider.actor.userId, interviewer.actor.userId]),
        );
        expect(response.status).toBe(422);
        expect(await errorOf(response)).toMatchObject({
          code: "VALIDATION_FAILED",
          field: "memberIds.1",
        });
      });

      it("forbids interviewers to create pools and templates", async () => {
        expect((await api(interviewer, "POST", "/api/v1/pools", buildPool([]))).status).toBe(403);
        expect(
          (await api(interviewer, "POST", "/api/v1/loop-templates", buildTemplate("pool_x")))
            .status,
        ).toBe(403);
      });

      it("reads the suggested profile, saves one's own, and guards others'", async () => {
        const path = `/api/v1/interviewers/${interviewer.actor.userId}/profile`;
        const suggested = await api(interviewer, "GET", path);
        expect(await suggested.json()).toMatchObject({ timeZone: "UTC", saved: false });
        const saved = await api(interviewer, "PUT", path, buildProfile());
        expect(saved.status).toBe(200);
        expect(await saved.json()).toMatchObject({ timeZone: "Europe/Berlin", saved: true });
        const badClock = await api(
          interviewer,
          "PUT",
          path,
          buildProfile({ workingHours: [{ days: ["MO"], start: "25:00", end: "17:00" }] }),
        );
        expect(badClock.status).toBe(422);
        expect((await errorOf(badClock)).field).toBe("workingHours.0.start");
        const ownersPath = `/api/v1/interviewers/${owner.actor.userId}/profile`;
        expect((await api(interviewer, "PUT", ownersPath, buildProfile())).status).toBe(403);
        expect((await api(owner, "PUT", path, buildProfile({ perDayLimit: 2 }))).status).toBe(200);
        expect((await api(outsider, "GET", path)).status).toBe(404);
        expect((await api(outsider, "PUT", path, buildProfile())).status).toBe(404);
      });

      it("describes every new resource in the OpenAPI document", async () => {
        const doc = (await (await app.request("/api/openapi.json")).json()) as {
          paths: Record<string, unknown>;
          components: { schemas: Record<string, unknown> };
        };
        for (const path of [
          "/api/v1/candidates",
          "/api/v1/candidates/{candidateId}",
          "/api/v1/pools",
          "/api/v1/pools/{poolId}",
          "/api/v1/loop-templates",
          "/api/v1/loop-templates/{templateId}",
          "/api/v1/interviewers/{userId}/profile",
        ]) {
          expect(doc.paths, path).toHaveProperty([path]);
        }
        for (const name of ["Candidate", "PoolInput", "LoopTemplate", "InterviewerProfileInput"]) {
          expect(doc.components.schemas, name).toHaveProperty([name]);
        }
      });

      it("registers every hiring route with its object parameter and kind", () => {
        // Busy time under /interviewers belongs to the calendar module.
        const ours = routes.routes.filter(
          (r) =>
            /^\/(api\/v1|app)\/(candidates|pools|loop-templates|templates|interviewers)/.test(
              r.path,
            ) && !r.path.endsWith("/busy"),
        );
        // API: 3 collections × 5 + a profile × 2; pages: 3 collections × 6 + a profile × 2.
        expect(ours.length).toBe(3 * 5 + 2 + 3 * 6 + 2);
        for (const route of ours) {
          const param = /:(\w+)/.exec(route.path)?.[1];
          expect(route.objectParam, `${route.method} ${route.path}`).toBe(param);
          if (param !== undefined) expect(route.objectKind).toBeDefined();
        }
      });
    });

    describe("pages", () => {
      it("adds a candidate, showing linked errors first", async () => {
        const form = await page(owner, "/app/candidates/new");
        expect(form.status).toBe(200);
        const html = await form.text();
        expect(html).toContain('<label for="field-timeZone">');
        expect(html).not.toMatch(/<script|\sstyle=/);
        const bad = await post(owner, "/app/candidates", [
          ["name", "Ada Lovelace"],
          ["email", "ada@example.org"],
          ["timeZone", "Moon/Base"],
        ]);
        expect(bad.status).toBe(422);
        const badHtml = await bad.text();
        expect(badHtml).toContain('href="#field-timeZone"');
        expect(badHtml).toMatch(/id="field-timeZone"[^>]*aria-invalid="true"/);
        expect(badHtml).toContain('value="Ada Lovelace"');
        const good = await post(owner, "/app/candidates", [
          ["name", "Ada Lovelace"],
          ["email", "ada@example.org"],
          ["timeZone", "Europe/London"],
        ]);
        expect(good.status).toBe(303);
        const location = good.headers.get("location") ?? "";
        expect(location).toMatch(/^\/app\/candidates\/cand_/);
        expect(await (await page(owner, location)).text()).toContain("Ada Lovelace");
        expect((await page(outsider, location)).status).toBe(404);
      });

      it("refuses a form without its CSRF token", async () => {
        const response = await post(owner, "/app/candidates", [["name", "X"]], false);
        expect(response.status).toBe(403);
      });

      it("keeps the candidate pages from interviewers", async () => {
        expect((await page(interviewer, "/app/candidates")).status).toBe(403);
        expect((await page(interviewer, "/app/candidates/new")).status).toBe(403);
        expect((await post(interviewer, "/app/candidates", [["name", ""]])).status).toBe(403);
      });

      it("creates a pool from checkboxes in a fieldset", async () => {
        const form = await (await page(owner, "/app/pools/new")).text();
        expect(form).toContain("<legend>Members</legend>");
        expect(form).toContain(`value="${interviewer.actor.userId}"`);
        const response = await post(owner, "/app/pools", [
          ["name", "Backend"],
          ["memberIds", owner.actor.userId],
          ["memberIds", interviewer.actor.userId],
        ]);
        expect(response.status).toBe(303);
        const poolId = (response.headers.get("location") ?? "").split("/").pop() ?? "";
        expect((await world.hiring.getPool(owner.actor, poolId)).memberIds).toHaveLength(2);
      });

      it("refuses a foreign member in the pool form without creating the pool", async () => {
        const before = (await world.hiring.listPools(outsider.actor)).length;
        const response = await post(outsider, "/app/pools", [
          ["name", "Sneaky"],
          ["memberIds", interviewer.actor.userId],
        ]);
        expect(response.status).toBe(422);
        const html = await response.text();
        expect(html).toContain('href="#field-memberIds"');
        expect(html).not.toContain("Ivan Interviewer");
        expect((await world.hiring.listPools(outsider.actor)).length).toBe(before);
      });

      it("shows four session rows and names the row at fault", async () => {
        const pool = await world.hiring.createPool(
          owner.actor,
          buildPool([owner.actor.userId, interviewer.actor.userId], { name: "Pair" }),
        );
        const form = await (await page(owner, "/app/templates/new")).text();
        expect(form).toContain("<legend>Session 4</legend>");
        expect(form).toContain('<label for="field-sessions.3.durationMinutes">');
        const rows: Array<[string, string]> = [
          ["name", "Onsite"],
          ["jobId", ""],
          ["order", "fixed"],
          ["maxGapMinutes", "15"],
          ["sessions.0.name", "Coding"],
          ["sessions.0.durationMinutes", "60"],
          ["sessions.0.poolId", pool.id],
          ["sessions.0.count", "1"],
          // Row 1 left empty: ignored.
          ["sessions.1.name", ""],
          ["sessions.1.durationMinutes", ""],
          ["sessions.1.poolId", ""],
          ["sessions.1.count", "1"],
          ["sessions.2.name", "Design"],
          ["sessions.2.poolId", pool.id],
          ["sessions.2.count", "2"],
        ];
        const bad = await post(owner, "/app/templates", [
          ...rows,
          ["sessions.2.durationMinutes", "4"],
        ]);
        expect(bad.status).toBe(422);
        expect(await bad.text()).toContain('href="#field-sessions.2.durationMinutes"');
        const tooMany = await post(owner, "/app/templates", [
          ...rows.filter(([k]) => k !== "sessions.2.count"),
          ["sessions.2.count", "3"],
          ["sessions.2.durationMinutes", "45"],
        ]);
        expect(tooMany.status).toBe(422);
        expect(await tooMany.text()).toContain('href="#field-sessions.2.count"');
        const good = await post(owner, "/app/templates", [
          ...rows,
          ["sessions.2.durationMinutes", "45"],
        ]);
        expect(good.status).toBe(303);
        const templateId = (good.headers.get("location") ?? "").split("/").pop() ?? "";
        const template = await world.hiring.getLoopTemplate(owner.actor, templateId);
        expect(template.sessions).toEqual([
          { name: "Coding", durationMinutes: 60, poolId: pool.id, count: 1 },
          { name: "Design", durationMinutes: 45, poolId: pool.id, count: 2 },
        ]);
        expect((await page(interviewer, `/app/templates/${templateId}`)).status).toBe(200);
        expect((await page(outsider, `/app/templates/${templateId}`)).status).toBe(404);
      });

      it("saves an interviewer's own working hours from the profile page", async () => {
        const path = `/app/interviewers/${interviewer.actor.userId}`;
        const fields: Array<[string, string]> = [
          ["timeZone", "America/New_York"],
          ["workingHours.0.days", "MO"],
          ["workingHours.0.days", "WE"],
          ["workingHours.0.start", "10:00"],
          ["workingHours.0.end", "18:00"],
          ["perDayLimit", "2"],
          ["perWeekLimit", ""],
        ];
        const bad = await post(interviewer, path, [
          ...fields.filter(([k]) => k !== "workingHours.0.start"),
          ["workingHours.0.start", "10am"],
        ]);
        expect(bad.status).toBe(422);
        expect(await bad.text()).toContain('href="#field-workingHours.0.start"');
        const good = await post(interviewer, path, fields);
        expect(good.status).toBe(303);
        expect(good.headers.get("location")).toBe(`${path}?saved=1`);
        expect(
          await world.hiring.getInterviewerProfile(owner.actor, interviewer.actor.userId),
        ).toMatchObject({
          timeZone: "America/New_York",
          workingHours: [{ days: ["MO", "WE"], start: "10:00", end: "18:00" }],
          perDayLimit: 2,
          perWeekLimit: null,
        });
        expect(
          (await post(interviewer, `/app/interviewers/${owner.actor.userId}`, fields)).status,
        ).toBe(403);
        expect((await page(outsider, path)).status).toBe(404);
      });

      it("suggests UTC and weekday office hours on a profile never saved", async () => {
        const html = await (await page(owner, `/app/interviewers/${owner.actor.userId}`)).text();
        expect(html).toContain("suggested");
        expect(html).toContain('value="UTC"');
        expect(html).toMatch(/id="field-workingHours\.0\.days"[^>]*checked/);
        expect(html).toContain("<legend>Days of working hours 1</legend>");
      });
    });
  });
}
