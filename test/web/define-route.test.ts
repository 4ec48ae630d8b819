/**
 * A route declared once with `defineRoute` is served, listed in the route table, documented
 * (API routes) and found by the access middleware from the route Hono matched, not by pattern;
 * no route in src/ is declared any other way.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { accessSpecFor, defineRoute } from "../../src/web/define-route.js";
import type { AppEnv } from "../../src/web/env.js";
import { type RouteSpec, RouteTable } from "../../src/web/route-table.js";

function smallApp() {
  const app = new OpenAPIHono<AppEnv>();
  const routes = new RouteTable();
  const seen: Array<RouteSpec | undefined> = [];
  app.use("*", async (c, next) => {
    seen.push(accessSpecFor(c));
    await next();
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/jobs/new",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "New job form",
    handler: (c) => c.text("form"),
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/jobs/:jobId",
    kind: "page",
    access: { permission: "hiring:read" },
    objectParam: "jobId",
    objectKind: "job",
    summary: "A job",
    handler: (c) => c.text(`job ${c.req.param("jobId")}`),
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/jobs/:jobId/notes",
    kind: "api",
    access: { permission: "hiring:write" },
    objectParam: "jobId",
    objectKind: "job",
    summary: "Add a note to a job",
    input: {
      params: z.object({ jobId: z.string() }),
      body: {
        content: { "application/json": { schema: z.object({ text: z.string().min(1) }) } },
        required: true,
      },
    },
    operation: { responses: { 201: { description: "Added" } } },
    handler: (c) =>
      c.json({ jobId: c.req.valid("param").jobId, text: c.req.valid("json").text }, 201),
  });
  // A middleware of one path, registered before its route (as the Microsoft hook's echo is).
  app.get("/app/echo", async (_c, next) => {
    await next();
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/echo",
    kind: "page",
    access: "member",
    summary: "A page behind its own middleware",
    handler: (c) => c.text("echo"),
  });
  return { app, routes, seen };
}

describe("defineRoute", () => {
  it("lists each declared route in the route table once, with its access and object", () => {
    const { routes } = smallApp();
    expect(routes.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /app/jobs/new",
      "GET /app/jobs/:jobId",
      "POST /api/v1/jobs/:jobId/notes",
      "GET /app/echo",
    ]);
    expect(routes.routes[2]).toMatchObject({
      kind: "api",
      access: { permission: "hiring:write" },
      objectParam: "jobId",
      objectKind: "job",
    });
  });

  it("gives the access middleware the declaration of the route that answers, static paths first", async () => {
    const { app, routes, seen } = smallApp();
    expect(await (await app.request("/app/jobs/new")).text()).toBe("form");
    expect(await (await app.request("/app/jobs/job_1")).text()).toBe("job job_1");
    expect(seen).toEqual([routes.routes[0], routes.routes[1]]);
  });

  it("finds the declaration behind a middleware registered for the same path", async () => {
    const { app, routes, seen } = smallApp();
    expect(await (await app.request("/app/echo")).text()).toBe("echo");
    expect(seen).toEqual([routes.routes[3]]);
  });

  it("is the only way routes are declared in src/ (no route table entry added by hand)", () => {
    const root = resolve(import.meta.dirname, "../../src");
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const byHand = files(root)
      .filter((file) => /\.tsx?$/.test(file) && !file.endsWith("define-route.ts"))
      .filter((file) => /\broutes\.add\(/.test(readFileSync(file, "utf8")));
    expect(byHand).toEqual([]);
  });

  it("finds no declaration for a path nothing serves", async () => {
    const { app, seen } = smallApp();
    expect((await app.request("/app/nowhere")).status).toBe(404);
    expect(seen).toEqual([undefined]);
  });

  it("validates an API route's input and documents it under its OpenAPI path", async () => {
    const { app } = smallApp();
    const ok = await app.request("/api/v1/jobs/job_1/notes", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Strong systems design" }),
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ jobId: "job_1", text: "Strong systems design" });
    const bad = await app.request("/api/v1/jobs/job_1/notes", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "" }),
    });
    expect(bad.status).toBe(400);
    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
    });
    expect(Object.keys(doc.paths ?? {})).toEqual(["/api/v1/jobs/{jobId}/notes"]);
    expect(doc.paths?.["/api/v1/jobs/{jobId}/notes"]?.post?.summary).toBe("Add a note to a job");
  });
});
