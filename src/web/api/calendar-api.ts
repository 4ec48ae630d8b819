/**
 * JSON API for materialised busy time (what Ally knows of a member's calendars) and for the
 * choice of calendars of a Google or Microsoft connection.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { GOOGLE_HOOK_PATH, MICROSOFT_HOOK_PATH } from "../../calendar/push.js";
import { invalid } from "../../errors.js";
import { defineRoute } from "../define-route.js";
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

const Calendars = z
  .object({
    connectionId: z.string().openapi({ example: "cal_3kqX" }),
    provider: z.string().openapi({ example: "google" }),
    label: z.string().openapi({ example: "Google Calendar" }),
    account: z.string().nullable().openapi({ example: "dana@example.com" }),
    calendars: z.array(
      z.object({
        id: z.string().openapi({ example: "dana@example.com" }),
        name: z.string().openapi({ example: "Dana (work)" }),
        busy: z.boolean(),
        receivesEvents: z.boolean(),
      }),
    ),
  })
  .openapi("ConnectionCalendars");

const CalendarChoice = z
  .object({
    busy: z
      .array(
        z
          .string({ error: "Each busy calendar must be a calendar id (text)" })
          .max(1000, "A calendar id is at most 1000 characters"),
        { error: "busy must be a list of calendar ids" },
      )
      .max(500, "At most 500 calendars")
      .openapi({ example: ["dana@example.com", "team@group.calendar.google.com"] }),
    receivesEvents: z
      .string({ error: "receivesEvents must be the id of one calendar (text)" })
      .min(1, "Choose the calendar that receives Ally's events")
      .max(1000, "A calendar id is at most 1000 characters")
      .openapi({ example: "dana@example.com" }),
  })
  .openapi("CalendarChoice");

const connectionParams = z.object({
  connectionId: z
    .string()
    .openapi({ param: { name: "connectionId", in: "path" }, example: "cal_3kqX" }),
});

function instant(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalid(field, `${field} must be an ISO 8601 instant, e.g. 2026-12-02T00:00:00Z`);
  return ms;
}

export function registerCalendarApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/interviewers/:userId/busy",
    kind: "api",
    access: { permission: "hiring:read" },
    objectParam: "userId",
    objectKind: "member",
    summary: "A member's busy time from their connected calendars",
    input: { params, query },
    operation: {
      description:
        "Busy time materialised by the last sync of each of the member's calendar connections, merged, sorted and clipped to [from, to) (default: the next 14 days; at most 92 days). `warnings` name connections that are unhealthy or have not synced for two sync intervals, so an answer that depends on them says so.",
      tags: ["Interviewers"],
      security,
      responses: { 200: json(Busy, "Busy time and warnings"), ...errorResponses },
    },
    handler: async (c) => {
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
  });

  const oneConnection = {
    objectParam: "connectionId",
    objectKind: "calendar-connection" as const,
  };
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/calendar-connections/:connectionId/calendars",
    kind: "api",
    access: "member",
    ...oneConnection,
    summary: "The calendars of a Google or Microsoft connection",
    input: { params: connectionParams },
    operation: {
      description:
        "Each calendar of the connected account, whether it counts as busy time and whether it receives Ally's events (exactly one does). CalDAV and ICS feed connections are one calendar each and list none.",
      tags: ["Calendars"],
      security,
      responses: { 200: json(Calendars, "The connection's calendars"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(
        await c
          .get("deps")
          .calendarAccounts.calendarChoices(apiActor(c), c.req.valid("param").connectionId),
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "PUT",
    path: "/api/v1/calendar-connections/:connectionId/calendars",
    kind: "api",
    access: "member",
    ...oneConnection,
    summary: "Choose a connection's busy calendars and the one that receives Ally's events",
    input: {
      params: connectionParams,
      body: { content: { "application/json": { schema: CalendarChoice } }, required: true },
    },
    operation: {
      description:
        "Only the connection's owner may choose. `busy` lists the calendar ids whose events count as busy (may be empty); `receivesEvents` names the one calendar Ally writes its events to. The connection is synced again at once.",
      tags: ["Calendars"],
      security,
      responses: {
        200: json(Calendars, "The connection's calendars, as saved"),
        ...errorResponses,
      },
    },
    handler: async (c) =>
      c.json(
        await c
          .get("deps")
          .calendarAccounts.chooseCalendars(
            apiActor(c),
            c.req.valid("param").connectionId,
            c.req.valid("json"),
          ),
        200,
      ),
  });

  registerPushHooks(app, routes);
}

/**
 * Where Google and Microsoft tell Ally that a calendar changed. Public (the providers carry no
 * session), answered fast, and trusted only when the channel's secret matches.
 */
const GoogleHeaders = z.object({
  "x-goog-channel-id": z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "x-goog-channel-id", in: "header" } }),
  "x-goog-channel-token": z
    .string()
    .max(256)
    .optional()
    .openapi({ param: { name: "x-goog-channel-token", in: "header" } }),
  "x-goog-resource-state": z
    .string()
    .max(40)
    .optional()
    .openapi({ param: { name: "x-goog-resource-state", in: "header" } }),
  "x-goog-resource-id": z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "x-goog-resource-id", in: "header" } }),
});

const GraphNotifications = z
  .object({
    value: z
      .array(
        z
          .object({
            subscriptionId: z.string().max(200),
            clientState: z.string().max(256).optional(),
            changeType: z.string().max(100).optional(),
            resource: z.string().max(2000).optional(),
          })
          .passthrough(),
      )
      .max(1000),
  })
  .openapi("GraphNotifications");

function registerPushHooks(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "POST",
    path: GOOGLE_HOOK_PATH,
    kind: "api",
    access: "public",
    summary: "Google Calendar push notifications",
    input: { headers: GoogleHeaders },
    operation: {
      description:
        "Google POSTs here, with no body, when a watched calendar changes. A notification whose channel id and token match a live channel makes that connection's sync due now; anything else is 404.",
      tags: ["Calendar push"],
      responses: {
        204: { description: "Accepted" },
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const headers = c.req.valid("header");
      const result = await c.get("deps").push.google({
        channelId: headers["x-goog-channel-id"],
        token: headers["x-goog-channel-token"],
        resourceState: headers["x-goog-resource-state"],
        resourceId: headers["x-goog-resource-id"],
      });
      // Google stops retrying on any 2xx; an unknown channel gets 404 so it is not kept alive.
      return c.body(null, result === "unknown" ? 404 : 204);
    },
  });

  // Graph validates the address before a subscription starts, with a text/plain POST that
  // carries `?validationToken=…`: echo it as plain text, before the JSON body is validated.
  app.use(MICROSOFT_HOOK_PATH, async (c, next) => {
    const validationToken = c.req.query("validationToken");
    if (c.req.method !== "POST" || validationToken === undefined) return next();
    if (validationToken.length > 1024) throw invalid("validationToken", "the token is too long");
    return c.text(validationToken, 200, { "content-type": "text/plain; charset=utf-8" });
  });
  defineRoute(app, routes, {
    method: "POST",
    path: MICROSOFT_HOOK_PATH,
    kind: "api",
    access: "public",
    summary: "Microsoft Graph change notifications",
    input: {
      query: z.object({
        validationToken: z
          .string()
          .max(1024)
          .optional()
          .openapi({ param: { name: "validationToken", in: "query" } }),
      }),
      body: { content: { "application/json": { schema: GraphNotifications } } },
    },
    operation: {
      description:
        "Graph validates this address with `?validationToken=…` (echoed as text/plain) and then POSTs change notifications. Entries whose subscription id and clientState match make that connection's sync due now; others are ignored.",
      tags: ["Calendar push"],
      responses: {
        200: { description: "The validation token, echoed" },
        202: { description: "Accepted" },
        ...errorResponses,
      },
    },
    handler: async (c) => {
      await c.get("deps").push.microsoft(c.req.valid("json"));
      return c.body(null, 202);
    },
  });
}
