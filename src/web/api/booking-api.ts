/**
 * JSON API for interview requests: create, list, get, today's options (with calendar warnings
 * or the reason nothing fits), offer or send to the candidate, and book (on the candidate's
 * behalf), reschedule and cancel. Thin: each route parses, calls one booking command, renders;
 * the pages call the same commands (test/web/request-parity.test.ts holds them to it).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  bookInput,
  bookingOutput,
  cancelInput,
  interviewRequestInput,
  interviewRequestOutput,
  offerInput,
  optionsOutput,
  REQUEST_STATUS_VALUES,
} from "../../booking/schemas.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";
import { json, named } from "./hiring-crud-api.js";

const InterviewRequest = named(interviewRequestOutput, "InterviewRequest");
const InterviewRequestInput = named(interviewRequestInput, "InterviewRequestInput");
const Options = named(optionsOutput, "InterviewOptions");
const BookInput = named(bookInput, "BookInput");
const CancelInput = named(cancelInput, "CancelInput");
const OfferInput = named(offerInput, "OfferInput");
const BookingResult = z
  .object({ request: InterviewRequest, booking: named(bookingOutput, "Booking") })
  .openapi("BookingResult");

const PATH = "/api/v1/interview-requests";
const ONE = `${PATH}/:requestId`;
const params = z.object({
  requestId: z.string().openapi({ param: { name: "requestId", in: "path" }, example: "req_3kqX" }),
});
const listQuery = z.object({
  status: z
    .enum(REQUEST_STATUS_VALUES, {
      error: `Status must be one of ${REQUEST_STATUS_VALUES.join(", ")}`,
    })
    .optional()
    .openapi({ param: { name: "status", in: "query" }, example: "awaiting_candidate" }),
});
const TAG = "Interview requests";
const body = (schema: z.ZodType) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

type C = Context<AppEnv>;
const booking = (c: C) => c.get("deps").booking;
const requestId = (c: C) => c.req.param("requestId") ?? "";
/** The validated JSON body (the route's schema has already been applied by the validator). */
function input<In>(c: C): In {
  return (c.req as unknown as { valid(target: "json"): In }).valid("json");
}
// The service typed the value; the OpenAPI document describes it.
const reply = <S extends 200 | 201>(c: C, value: unknown, status: S) =>
  c.json(value as never, status);

export function registerBookingApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const one = { objectParam: "requestId", objectKind: "interview-request" } as const;

  routes.add({
    method: "GET",
    path: PATH,
    kind: "api",
    access: { permission: "candidates:read" },
    summary: "List interview requests",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: PATH,
      summary: "List interview requests",
      description: "Newest first; `status` keeps only requests with that status.",
      tags: [TAG],
      security,
      request: { query: listQuery },
      responses: {
        200: json(
          z.object({ interviewRequests: z.array(InterviewRequest) }),
          "The organisation's interview requests",
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { status } = c.req.valid("query");
      const list = await booking(c).listRequests(
        apiActor(c),
        status === undefined ? {} : { status },
      );
      return reply(c, { interviewRequests: list }, 200);
    },
  );

  routes.add({
    method: "POST",
    path: PATH,
    kind: "api",
    access: { permission: "candidates:write" },
    summary: "Create an interview request",
  });
  app.openapi(
    createRoute({
      method: "post",
      path: PATH,
      summary: "Create an interview request",
      description:
        "A draft request for a candidate and job: sessions from a loop template (`loopTemplateId`) or given here, each with named interviewers or a pool, searched within [windowStart, windowEnd) in the candidate's time zone.",
      tags: [TAG],
      security,
      request: body(InterviewRequestInput),
      responses: { 201: json(InterviewRequest, "The new request"), ...errorResponses },
    }),
    async (c) => reply(c, await booking(c).createRequest(apiActor(c), input(c)), 201),
  );

  routes.add({
    method: "GET",
    path: ONE,
    kind: "api",
    access: { permission: "candidates:read" },
    summary: "Get an interview request",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "get",
      path: `${PATH}/{requestId}`,
      summary: "Get an interview request",
      tags: [TAG],
      security,
      request: { params },
      responses: { 200: json(InterviewRequest, "The request"), ...errorResponses },
    }),
    async (c) => reply(c, await booking(c).getRequest(apiActor(c), requestId(c)), 200),
  );

  routes.add({
    method: "GET",
    path: `${ONE}/options`,
    kind: "api",
    access: { permission: "candidates:read" },
    summary: "Today's options for an interview request",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "get",
      path: `${PATH}/{requestId}/options`,
      summary: "Today's options for an interview request",
      description:
        "Ranked options from the interviewers' working hours and limits, the busy time last synced from their calendars and what is already booked. `warnings` name calendars that cannot be trusted (not synced lately, unhealthy, none connected); when nothing fits, `explanation` says which constraints bind and what to relax.",
      tags: [TAG],
      security,
      request: { params },
      responses: { 200: json(Options, "Options, warnings and explanation"), ...errorResponses },
    }),
    async (c) => reply(c, await booking(c).options(apiActor(c), requestId(c)), 200),
  );

  routes.add({
    method: "POST",
    path: `${ONE}/offer`,
    kind: "api",
    access: { permission: "candidates:write" },
    summary: "Offer today's options to the candidate",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "post",
      path: `${PATH}/{requestId}/offer`,
      summary: "Offer today's options to the candidate",
      description:
        "Snapshots the current options into the request and sets it to awaiting_candidate, without emailing the candidate (`send` does both). 409 `NO_TIME_FITS` when nothing fits, 409 `REQUEST_NOT_OPEN` when the request is booked, cancelled or completed.",
      tags: [TAG],
      security,
      request: { params, ...body(OfferInput) },
      responses: { 200: json(InterviewRequest, "The offered request"), ...errorResponses },
    }),
    async (c) => reply(c, await booking(c).offer(apiActor(c), requestId(c)), 200),
  );

  routes.add({
    method: "POST",
    path: `${ONE}/send`,
    kind: "api",
    access: { permission: "candidates:write" },
    summary: "Send the request to the candidate",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "post",
      path: `${PATH}/{requestId}/send`,
      summary: "Send the request to the candidate",
      description:
        "Offers today's options (as `offer` does) and, in the same transaction, emails the candidate a new link to their booking page; any earlier link stops working. 409 `NO_TIME_FITS` when nothing fits, 409 `REQUEST_NOT_OPEN` when the request is booked, cancelled or completed.",
      tags: [TAG],
      security,
      request: { params, ...body(OfferInput) },
      responses: {
        200: json(InterviewRequest, "The request, awaiting the candidate"),
        ...errorResponses,
      },
    }),
    async (c) => reply(c, await booking(c).sendToCandidate(apiActor(c), requestId(c)), 200),
  );

  const bookingRoutes = [
    {
      verb: "book",
      summary: "Book an option on the candidate's behalf",
      description:
        "Books every interviewer of the option in one transaction. The same `idempotencyKey` returns the same booking. When the time was taken meanwhile, or an interviewer would pass a daily or weekly limit, the answer is 409 `SLOT_TAKEN` with fresh options in `error.detail.options`.",
      call: (c: C) => booking(c).book(apiActor(c), requestId(c), input(c)),
    },
    {
      verb: "reschedule",
      summary: "Move the booking to another option",
      description:
        "Same event UID, SEQUENCE + 1; the old time is released and the new one checked and held in one transaction. 409 `SLOT_TAKEN` with fresh options when it was taken meanwhile.",
      call: (c: C) => booking(c).reschedule(apiActor(c), requestId(c), input(c)),
    },
  ] as const;
  for (const spec of bookingRoutes) {
    routes.add({
      method: "POST",
      path: `${ONE}/${spec.verb}`,
      kind: "api",
      access: { permission: "candidates:write" },
      summary: spec.summary,
      ...one,
    });
    app.openapi(
      createRoute({
        method: "post",
        path: `${PATH}/{requestId}/${spec.verb}`,
        summary: spec.summary,
        description: spec.description,
        tags: [TAG],
        security,
        request: { params, ...body(BookInput) },
        responses: { 200: json(BookingResult, "The request and its booking"), ...errorResponses },
      }),
      async (c) => reply(c, await spec.call(c), 200),
    );
  }

  routes.add({
    method: "POST",
    path: `${ONE}/cancel`,
    kind: "api",
    access: { permission: "candidates:write" },
    summary: "Cancel an interview request",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "post",
      path: `${PATH}/{requestId}/cancel`,
      summary: "Cancel an interview request",
      description:
        "Releases the booked time (the booking's SEQUENCE goes up by one), revokes the candidate's booking links and sets the request to cancelled, in one transaction. Cancelling again changes nothing.",
      tags: [TAG],
      security,
      request: { params, ...body(CancelInput) },
      responses: { 200: json(InterviewRequest, "The cancelled request"), ...errorResponses },
    }),
    async (c) => reply(c, await booking(c).cancel(apiActor(c), requestId(c), input(c)), 200),
  );
}
