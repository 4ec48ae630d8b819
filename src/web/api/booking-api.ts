/**
 * JSON API for interview requests: create, list, get, today's options (with calendar warnings
 * or the reason nothing fits), offer or send to the candidate, and book (on the candidate's
 * behalf), reschedule and cancel. Thin: each route parses, calls one booking command, renders;
 * the pages call the same commands (test/web/request-parity.test.ts holds them to it).
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
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
import type { ErrorCode } from "../../errors.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { HTTP_STATUS } from "../errors.js";
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
const body = <S extends z.ZodType>(schema: S) => ({
  content: { "application/json": { schema } },
  required: true,
});
/** The OpenAPI operation: its one success response beside every error the table answers with. */
function operation<S extends 200 | 201>(
  status: S,
  schema: z.ZodType,
  what: string,
  description?: string,
) {
  const success = { [status]: json(schema, what) } as Record<S, ReturnType<typeof json>>;
  return {
    tags: [TAG],
    security,
    ...(description === undefined ? {} : { description }),
    responses: { ...success, ...errorResponses },
  };
}
/** "409 `SLOT_TAKEN`": a code with its status from the one table, for the descriptions. */
const answers = (code: ErrorCode) => `${HTTP_STATUS[code]} \`${code}\``;
/** Every route reads its request through the booking service. */
const booking = (c: Context<AppEnv>) => c.get("deps").booking;

/** Who may read and who may change requests, and the request a route names. */
const read = { permission: "candidates:read" } as const;
const write = { permission: "candidates:write" } as const;
const one = { objectParam: "requestId", objectKind: "interview-request" } as const;

export function registerBookingApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerRequestReadApi(app, routes);
  registerRequestCommandApi(app, routes);
}

/** Listing, creating and reading interview requests, and a request's options. */
function registerRequestReadApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: PATH,
    kind: "api",
    access: read,
    summary: "List interview requests",
    input: { query: listQuery },
    operation: operation(
      200,
      z.object({ interviewRequests: z.array(InterviewRequest) }),
      "The organisation's interview requests",
      "Newest first; `status` keeps only requests with that status.",
    ),
    handler: async (c) => {
      const { status } = c.req.valid("query");
      const list = await booking(c).listRequests(
        apiActor(c),
        status === undefined ? {} : { status },
      );
      return c.json({ interviewRequests: list } as never, 200);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: PATH,
    kind: "api",
    access: write,
    summary: "Create an interview request",
    input: { body: body(InterviewRequestInput) },
    operation: operation(
      201,
      InterviewRequest,
      "The new request",
      "A draft request for a candidate and job: sessions from a loop template (`loopTemplateId`) or given here, each with named interviewers or a pool, searched within [windowStart, windowEnd) in the candidate's time zone.",
    ),
    handler: async (c) =>
      c.json((await booking(c).createRequest(apiActor(c), c.req.valid("json"))) as never, 201),
  });

  defineRoute(app, routes, {
    method: "GET",
    path: ONE,
    kind: "api",
    access: read,
    ...one,
    summary: "Get an interview request",
    input: { params },
    operation: operation(200, InterviewRequest, "The request"),
    handler: async (c) =>
      c.json(
        (await booking(c).getRequest(apiActor(c), c.req.valid("param").requestId)) as never,
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "GET",
    path: `${ONE}/options`,
    kind: "api",
    access: read,
    ...one,
    summary: "Today's options for an interview request",
    input: { params },
    operation: operation(
      200,
      Options,
      "Options, warnings and explanation",
      "Ranked options from the interviewers' working hours and limits, the busy time last synced from their calendars and what is already booked. `warnings` name calendars that cannot be trusted (not synced lately, unhealthy, none connected); when nothing fits, `explanation` says which constraints bind and what to relax.",
    ),
    handler: async (c) =>
      c.json((await booking(c).options(apiActor(c), c.req.valid("param").requestId)) as never, 200),
  });
}

/** A request's commands: offer, send, book, reschedule, cancel. */
function registerRequestCommandApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "POST",
    path: `${ONE}/offer`,
    kind: "api",
    access: write,
    ...one,
    summary: "Offer today's options to the candidate",
    input: { params, body: body(OfferInput) },
    operation: operation(
      200,
      InterviewRequest,
      "The offered request",
      `Snapshots the current options into the request and sets it to awaiting_candidate, without emailing the candidate (\`send\` does both). ${answers("NO_TIME_FITS")} when nothing fits, ${answers("REQUEST_NOT_OPEN")} when the request is booked, cancelled or completed.`,
    ),
    handler: async (c) =>
      c.json((await booking(c).offer(apiActor(c), c.req.valid("param").requestId)) as never, 200),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: `${ONE}/send`,
    kind: "api",
    access: write,
    ...one,
    summary: "Send the request to the candidate",
    input: { params, body: body(OfferInput) },
    operation: operation(
      200,
      InterviewRequest,
      "The request, awaiting the candidate",
      `Offers today's options (as \`offer\` does) and, in the same transaction, emails the candidate a new link to their booking page; any earlier link stops working. ${answers("NO_TIME_FITS")} when nothing fits, ${answers("REQUEST_NOT_OPEN")} when the request is booked, cancelled or completed.`,
    ),
    handler: async (c) =>
      c.json(
        (await booking(c).sendToCandidate(apiActor(c), c.req.valid("param").requestId)) as never,
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: `${ONE}/book`,
    kind: "api",
    access: write,
    ...one,
    summary: "Book an option on the candidate's behalf",
    input: { params, body: body(BookInput) },
    operation: operation(
      200,
      BookingResult,
      "The request and its booking",
      `Books every interviewer of the option in one transaction. The same \`idempotencyKey\` returns the same booking. When the time was taken meanwhile, or an interviewer would pass a daily or weekly limit, the answer is ${answers("SLOT_TAKEN")} with fresh options in \`error.detail.options\`.`,
    ),
    handler: async (c) =>
      c.json(
        (await booking(c).book(
          apiActor(c),
          c.req.valid("param").requestId,
          c.req.valid("json"),
        )) as never,
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: `${ONE}/reschedule`,
    kind: "api",
    access: write,
    ...one,
    summary: "Move the booking to another option",
    input: { params, body: body(BookInput) },
    operation: operation(
      200,
      BookingResult,
      "The request and its booking",
      `Same event UID, SEQUENCE + 1; the old time is released and the new one checked and held in one transaction. ${answers("SLOT_TAKEN")} with fresh options when it was taken meanwhile.`,
    ),
    handler: async (c) =>
      c.json(
        (await booking(c).reschedule(
          apiActor(c),
          c.req.valid("param").requestId,
          c.req.valid("json"),
        )) as never,
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: `${ONE}/cancel`,
    kind: "api",
    access: write,
    ...one,
    summary: "Cancel an interview request",
    input: { params, body: body(CancelInput) },
    operation: operation(
      200,
      InterviewRequest,
      "The cancelled request",
      "Releases the booked time (the booking's SEQUENCE goes up by one), revokes the candidate's booking links and sets the request to cancelled, in one transaction. Cancelling again changes nothing.",
    ),
    handler: async (c) =>
      c.json(
        (await booking(c).cancel(
          apiActor(c),
          c.req.valid("param").requestId,
          c.req.valid("json"),
        )) as never,
        200,
      ),
  });
}
