/**
 * JSON API for the work Ally gave up on: an organisation's dead letters (scheduled jobs, outbox
 * messages, calendar event writes that failed their last attempt), for admins to read and to
 * put back in their queue once the cause is fixed. A dead job is named `QUEUE.ID`, e.g.
 * `outbox.42`.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DeadLetter } from "../../jobs/lease-queue.js";
import { defineRoute } from "../define-route.js";
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
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/dead-jobs",
    kind: "api",
    access: { permission: "audit:read" },
    summary: "Work Ally gave up on after its last attempt, newest first (admins)",
    operation: {
      tags: ["Jobs"],
      security,
      responses: {
        200: json(z.object({ deadJobs: z.array(DeadJob) }), "Dead jobs"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const dead = await c.get("deps").deadLetters.list(apiActor(c));
      return c.json({ deadJobs: dead.map(view) }, 200);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/dead-jobs/:jobId/retry",
    kind: "api",
    access: { permission: "audit:read" },
    objectParam: "jobId",
    objectKind: "dead-job",
    summary: "Put a dead job back in its queue, due now, with fresh attempts (admins)",
    input: { params: jobId },
    operation: {
      tags: ["Jobs"],
      security,
      responses: { 204: { description: "Queued again" }, ...errorResponses },
    },
    handler: async (c) => {
      const actor = apiActor(c);
      const parsed = parseJobId(c.req.valid("param").jobId);
      // An id of the wrong shape is one that exists nowhere: the same answer.
      await c.get("deps").deadLetters.retry(actor, parsed?.queue ?? "", parsed?.id ?? 0);
      return c.body(null, 204);
    },
  });
}
