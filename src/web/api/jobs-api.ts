/**
 * JSON API for the work Ally gave up on: an organisation's dead letters (scheduled jobs, outbox
 * messages, calendar event writes that failed their last attempt), for admins to read and to
 * put back in their queue once the cause is fixed. A dead job is named `QUEUE.ID`, e.g.
 * `outbox.42`.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DeadLetter } from "../../jobs/lease-queue.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";

const DeadJob = z
  .object({
    id: z.string().openapi({ example: "outbox.42" }),
    queue: z.string().openapi({ example: "outbox" }),
    kind: z.string().openapi({ example: "invitation" }),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    deadAt: z.string(),
  })
  .openapi("DeadJob");
const jobId = z.object({
  jobId: z
    .string()
    .max(200)
    .openapi({ param: { name: "jobId", in: "path" }, example: "outbox.42" }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const view = (d: DeadLetter) => ({
  id: `${d.queue}.${d.id}`,
  queue: d.queue,
  kind: d.kind,
  attempts: d.attempts,
  lastError: d.lastError,
  deadAt: new Date(d.deadAt).toISOString(),
});

/** `outbox.42` → its queue and row id; undefined for anything else. */
function parseJobId(value: string): { queue: string; id: number } | undefined {
  const match = /^([a-z][a-z-]{0,60})\.([1-9][0-9]{0,15})$/.exec(value);
  if (match === null) return undefined;
  return { queue: match[1] as string, id: Number(match[2]) };
}

export function registerJobsApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  routes.add({
    method: "GET",
    path: "/api/v1/dead-jobs",
    kind: "api",
    access: { permission: "audit:read" },
    summary: "List the organisation's dead jobs",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/dead-jobs",
      summary: "Work Ally gave up on after its last attempt, newest first (admins)",
      tags: ["Jobs"],
      security,
      responses: {
        200: json(z.object({ deadJobs: z.array(DeadJob) }), "Dead jobs"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const dead = await c.get("deps").deadLetters.list(apiActor(c));
      return c.json({ deadJobs: dead.map(view) }, 200);
    },
  );

  routes.add({
    method: "POST",
    path: "/api/v1/dead-jobs/:jobId/retry",
    kind: "api",
    access: { permission: "audit:read" },
    objectParam: "jobId",
    objectKind: "dead-job",
    summary: "Put a dead job back in its queue",
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/dead-jobs/{jobId}/retry",
      summary: "Put a dead job back in its queue, due now, with fresh attempts (admins)",
      tags: ["Jobs"],
      security,
      request: { params: jobId },
      responses: { 204: { description: "Queued again" }, ...errorResponses },
    }),
    async (c) => {
      const actor = apiActor(c);
      const parsed = parseJobId(c.req.valid("param").jobId);
      const deadLetters = c.get("deps").deadLetters;
      // An id of the wrong shape is one that exists nowhere: the same answer.
      await deadLetters.retry(actor, parsed?.queue ?? "", parsed?.id ?? 0);
      return c.body(null, 204);
    },
  );
}
