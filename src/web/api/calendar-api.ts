/** JSON API for materialised busy time: what Ally knows of a member's calendars. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { invalid } from "../../errors.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";
import { json } from "./hiring-crud-api.js";

const DAY_MS = 86_400_000;
/** The longest range one request may ask for. */
const MAX_RANGE_MS = 92 * DAY_MS;

const Busy = z
  .object({
    busy: z.array(
      z.object({
        start: z.string().openapi({ example: "2026-12-02T10:00:00.000Z" }),
        end: z.string().openapi({ example: "2026-12-02T12:00:00.000Z" }),
      }),
    ),
    warnings: z.array(z.string()).openapi({
      example: ["Dana's calendar (ICS feed at calendar.example.com) has not synced for 3 hours"],
    }),
  })
  .openapi("Busy");

const params = z.object({
  userId: z.string().openapi({ param: { name: "userId", in: "path" }, example: "user_3kqX" }),
});
const query = z.object({
  from: z
    .string()
    .optional()
    .openapi({ param: { name: "from", in: "query" }, example: "2026-12-02T00:00:00Z" }),
  to: z
    .string()
    .optional()
    .openapi({ param: { name: "to", in: "query" }, example: "2026-12-09T00:00:00Z" }),
});

function instant(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalid(field, `${field} must be an ISO 8601 instant, e.g. 2026-12-02T00:00:00Z`);
  return ms;
}

export function registerCalendarApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  routes.add({
    method: "GET",
    path: "/api/v1/interviewers/:userId/busy",
    kind: "api",
    access: { permission: "hiring:read" },
    summary: "A member's busy time, as last synced from their connected calendars",
    objectParam: "userId",
    objectKind: "member",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/interviewers/{userId}/busy",
      summary: "A member's busy time from their connected calendars",
      description:
        "Busy time materialised by the last sync of each of the member's calendar connections, merged, sorted and clipped to [from, to) (default: the next 14 days; at most 92 days). `warnings` name connections that are unhealthy or have not synced for two sync intervals, so an answer that depends on them says so.",
      tags: ["Interviewers"],
      security,
      request: { params, query },
      responses: { 200: json(Busy, "Busy time and warnings"), ...errorResponses },
    }),
    async (c) => {
      const actor = apiActor(c);
      const { clock, calendars } = c.get("deps");
      const q = c.req.valid("query");
      const start = instant(q.from, "from", clock.now());
      const end = instant(q.to, "to", start + 14 * DAY_MS);
      if (end <= start) throw invalid("to", "to must be after from");
      if (end - start > MAX_RANGE_MS) throw invalid("to", "ask for at most 92 days at a time");
      return c.json(
        await calendars.busyFor(actor, c.req.valid("param").userId, { start, end }),
        200,
      );
    },
  );
}
