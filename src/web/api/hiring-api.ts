/** JSON API for the hiring module: jobs here; candidates, pools, templates, profiles in hiring-more-api.ts. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { jobInput, jobOutput } from "../../hiring/schemas.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";
import { named } from "./hiring-crud-api.js";
import { registerMoreHiringApi } from "./hiring-more-api.js";

const Job = named(jobOutput, "Job");
const JobInput = named(jobInput, "JobInput");
const jobId = z.object({
  jobId: z.string().openapi({ param: { name: "jobId", in: "path" }, example: "job_3kqX" }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export function registerHiringApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/jobs",
    kind: "api",
    access: { permission: "hiring:read" },
    summary: "List jobs",
    operation: {
      tags: ["Jobs"],
      security,
      responses: {
        200: json(z.object({ jobs: z.array(Job) }), "The organisation's jobs"),
        ...errorResponses,
      },
    },
    handler: async (c) => c.json({ jobs: await c.get("deps").hiring.listJobs(apiActor(c)) }, 200),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/jobs",
    kind: "api",
    access: { permission: "hiring:write" },
    summary: "Create a job",
    input: { body: { content: { "application/json": { schema: JobInput } }, required: true } },
    operation: {
      tags: ["Jobs"],
      security,
      responses: { 201: json(Job, "The new job"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(await c.get("deps").hiring.createJob(apiActor(c), c.req.valid("json")), 201),
  });

  const one = { objectParam: "jobId", objectKind: "job" as const };
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/jobs/:jobId",
    kind: "api",
    access: { permission: "hiring:read" },
    ...one,
    summary: "Get a job",
    input: { params: jobId },
    operation: {
      tags: ["Jobs"],
      security,
      responses: { 200: json(Job, "The job"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(await c.get("deps").hiring.getJob(apiActor(c), c.req.valid("param").jobId), 200),
  });

  defineRoute(app, routes, {
    method: "PUT",
    path: "/api/v1/jobs/:jobId",
    kind: "api",
    access: { permission: "hiring:write" },
    ...one,
    summary: "Replace a job",
    input: {
      params: jobId,
      body: { content: { "application/json": { schema: JobInput } }, required: true },
    },
    operation: {
      tags: ["Jobs"],
      security,
      responses: { 200: json(Job, "The updated job"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(
        await c
          .get("deps")
          .hiring.updateJob(apiActor(c), c.req.valid("param").jobId, c.req.valid("json")),
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "DELETE",
    path: "/api/v1/jobs/:jobId",
    kind: "api",
    access: { permission: "hiring:write" },
    ...one,
    summary: "Delete a job",
    input: { params: jobId },
    operation: {
      tags: ["Jobs"],
      security,
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    },
    handler: async (c) => {
      await c.get("deps").hiring.deleteJob(apiActor(c), c.req.valid("param").jobId);
      return c.body(null, 204);
    },
  });

  registerMoreHiringApi(app, routes);
}
