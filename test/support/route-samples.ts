/**
 * Valid inputs for every route that takes a body, so generated tests can call each route the
 * way a real client would. API bodies come from the OpenAPI document's request schemas (with a
 * few overrides where any valid value is not a harmless one, e.g. roles); page forms are listed
 * by hand, and a page POST route missing from the list fails the tests that need it.
 */
import { newTotpSecret, totpAt } from "../../src/accounts/totp.js";
import { buildDeps } from "../../src/app/compose.js";
import { addEscalation, createConversation } from "../../src/assistant/store.js";
import { linkFormToken } from "../../src/booking/links.js";
import { fixedClock } from "../../src/clock.js";
import {
  startPublicRequest,
  verifyPublicRequest,
} from "../../src/privacy/requests/verification.js";
import { openStore } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import type { RouteSpec } from "../../src/web/route-table.js";
import { sharedFeedUrl } from "./calendar-feed.js";
import {
  type FormFields,
  MASTER_KEY,
  type Person,
  T0,
  testConfig,
  unique,
  type World,
} from "./web-world.js";

/** The route table and OpenAPI document, read from an app over a throwaway database. */
export async function listing(): Promise<{
  routes: RouteSpec[];
  openapi: OpenApiDocument;
  /** What Hono actually serves, as `METHOD path`. */
  served: string[];
}> {
  const store = openStore("sqlite::memory:");
  const ally = createApp(buildDeps(testConfig(), store, fixedClock(T0), MASTER_KEY));
  const openapi = (await (await ally.app.request("/api/openapi.json")).json()) as OpenApiDocument;
  await store.close();
  const served = ally.app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path}`);
  return { routes: ally.routes.routes, openapi, served: [...new Set(served)] };
}

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        responses?: Record<string, unknown>;
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** `/api/v1/jobs/:jobId` → `/api/v1/jobs/{jobId}` */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  const target = doc.components?.schemas?.[name];
  if (target === undefined) throw new Error(`unresolved ${schema.$ref}`);
  return resolveSchema(doc, target);
}

/** The JSON request body schema of an API route, resolved; undefined when it takes none. */
export function requestSchema(doc: OpenApiDocument, route: RouteSpec): JsonSchema | undefined {
  const operation = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
  const schema = operation?.requestBody?.content?.["application/json"]?.schema;
  return schema === undefined ? undefined : resolveSchema(doc, schema);
}

/** A value the schema accepts (best effort; overrides cover what this cannot guess). */
export function sampleFromSchema(doc: OpenApiDocument, raw: JsonSchema, name = ""): unknown {
  const schema = resolveSchema(doc, raw);
  if (schema.enum !== undefined) return schema.enum[schema.enum.length - 1];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.[0] !== undefined) return sampleFromSchema(doc, alternatives[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        out[key] = sampleFromSchema(doc, property, key);
      }
      return out;
    }
    case "array":
      return schema.items === undefined ? [] : [sampleFromSchema(doc, schema.items)];
    case "integer":
    case "number":
      return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 30, 30));
    case "boolean":
      return true;
    default: {
      if (schema.format === "email" || name === "email") return `sample-${unique()}@example.com`;
      if (name === "phone") return "+44 20 7946 0958";
      if (name === "timeZone") return "Europe/London";
      const text = `Sample ${unique()}`;
      return text.padEnd(schema.minLength ?? 0, "x").slice(0, schema.maxLength ?? 200);
    }
  }
}

/** An open escalation in the owner's organisation: a question Ally could not answer alone. */
async function openEscalation(world: World, owner: Person): Promise<string> {
  const n = unique();
  const conversation = await createConversation(world.store.db, {
    organisation_id: owner.orgId,
    request_id: null,
    reply_address: `ally+sample${n}@ally.test`,
    status: "open",
    candidate_email: `asker-${n}@example.com`,
    candidate_name: "Asker",
    recruiter_user_id: owner.userId,
    time_zone: "Europe/London",
    memory: {
      offered: [],
      awaitingCancelConfirmation: false,
      rescheduleAsked: false,
      subject: "Your interview",
      references: [],
    },
    created_at: world.clock.now(),
    updated_at: world.clock.now(),
  });
  return addEscalation(world.store.db, {
    organisation_id: owner.orgId,
    conversation_id: conversation.id,
    request_id: null,
    message_text: "Is it remote?",
    reading: JSON.stringify({ intent: "question" }),
    suggested: null,
    reason: "a question for a person",
    created_at: world.clock.now(),
  });
}

export interface SampleContext {
  world: World;
  caller: Person;
  /** The owner of the caller's organisation, to make what a body refers to (a pool, a job). */
  owner: Person;
  /** The object the route's path names, when it names one (a booking form is bound to its link). */
  objectId?: string;
}

/** Valid JSON bodies that a schema alone does not give (values whose effect must be harmless). */
const apiOverrides: Record<string, (ctx: SampleContext) => unknown | Promise<unknown>> = {
  "POST /api/v1/pools": () => ({ name: `Pool ${unique()}`, memberIds: [] }),
  "PUT /api/v1/pools/:poolId": ({ owner }) => ({
    name: `Pool ${unique()}`,
    memberIds: [owner.userId],
  }),
  "POST /api/v1/loop-templates": (ctx) => loopTemplateBody(ctx),
  "PUT /api/v1/loop-templates/:templateId": (ctx) => loopTemplateBody(ctx),
  "PUT /api/v1/interviewers/:userId/profile": () => ({
    timeZone: "Europe/London",
    workingHours: [{ days: ["MO", "TU", "WE"], start: "09:00", end: "17:00" }],
    perDayLimit: 3,
    perWeekLimit: 10,
  }),
  "POST /api/v1/interview-requests": (ctx) => interviewRequestBody(ctx),
  // Without a mailbox's key the post is refused (401) whoever sends it; the webhook's own tests
  // (test/mail/mailbox-webhook.test.ts) post with one.
  "POST /api/v1/inbound-mail": () => ({
    raw: `From: dana@example.org\r\nMessage-ID: <sample-${unique()}@example.org>\r\n\r\nHello\r\n`,
    encoding: "text",
    envelope: { from: "dana@example.org" },
  }),
  "PATCH /api/v1/members/:userId": () => ({ role: "interviewer" }),
  // A wrong password (422): the right one would close the caller's account mid-test.
  "POST /api/v1/me/close": () => ({ password: "not the password" }),
  "POST /api/v1/invitations": () => ({
    email: `invitee-${unique()}@example.com`,
    role: "interviewer",
  }),
};

function candidateForm(): FormFields {
  const n = unique();
  return {
    name: `Candidate ${n}`,
    email: `candidate-${n}@example.com`,
    phone: "+44 20 7946 0958",
    timeZone: "Europe/Paris",
    notes: "Prefers mornings.",
  };
}

async function templateForm(ctx: SampleContext): Promise<FormFields> {
  const body = await loopTemplateBody(ctx);
  const session = body.sessions[0] as (typeof body.sessions)[number];
  return {
    name: body.name,
    jobId: "",
    order: body.order,
    maxGapMinutes: String(body.maxGapMinutes),
    "sessions.0.name": session.name,
    "sessions.0.durationMinutes": String(session.durationMinutes),
    "sessions.0.poolId": session.poolId,
    "sessions.0.count": String(session.count),
  };
}

async function loopTemplateBody({ world, owner }: SampleContext) {
  const pool = await world.deps.hiring.createPool(owner.actor, {
    name: `Pool for a loop ${unique()}`,
    memberIds: [owner.userId],
  });
  return {
    name: `Loop ${unique()}`,
    order: "fixed",
    maxGapMinutes: 30,
    sessions: [{ name: "Technical", durationMinutes: 60, poolId: pool.id, count: 1 }],
  };
}

async function interviewRequestBody({ world, owner }: SampleContext) {
  const n = unique();
  const candidate = await world.deps.hiring.createCandidate(owner.actor, {
    name: `Candidate ${n}`,
    email: `candidate-${n}@example.com`,
  });
  const job = await world.deps.hiring.createJob(owner.actor, {
    title: `Job ${n}`,
    department: null,
    location: null,
    description: null,
  });
  return {
    candidateId: candidate.id,
    jobId: job.id,
    loopTemplateId: null,
    sessions: [{ name: "Technical", durationMinutes: 60, interviewerIds: [owner.userId] }],
    order: "fixed",
    maxGapMinutes: 30,
    // Wed 2 Dec to Fri 4 Dec 2026, after the test clock's "now".
    windowStart: "2026-12-02T00:00:00Z",
    windowEnd: "2026-12-05T00:00:00Z",
    timeZone: "Europe/London",
    location: "Head office",
    videoLink: "https://meet.example.com/abc",
    notes: "Bring a laptop.",
  };
}

/** Valid form fields for every page POST route, given who is posting. */
export const pageForms: Record<string, (ctx: SampleContext) => FormFields | Promise<FormFields>> = {
  "POST /privacy/contact": () => ({
    name: "Rosa Park",
    email: `privacy-${unique()}@example.com`,
    topic: "question",
    message: "Which calendars of mine do you read?",
  }),
  "POST /privacy/accept": () => ({ version: "1" }),
  "POST /consent": () => ({ choice: "reject-all", from: "banner" }),
  "POST /survey/:token": () => ({
    nps: "9",
    scheduling: "5",
    preparation: "4",
    clarity: "4",
    comment: "Clear and friendly.",
  }),
  "POST /survey/:token/opt-out": () => ({}),
  "POST /app/surveys/settings": () => ({
    candidateSurveys: "yes",
    delayHours: "2",
    interviewerReminders: "yes",
  }),
  "POST /app/account/second-factor/begin": () => ({}),
  "POST /app/account/second-factor/enable": ({ world }) => {
    const secret = newTotpSecret();
    return { secret, code: totpAt(secret, world.clock.now()) };
  },
  "POST /app/account/second-factor/disable": ({ caller }) => ({ password: caller.password }),
  "POST /app/account/tokens": () => ({ name: `Token ${unique()}`, access: "read-write" }),
  "POST /app/account/tokens/:tokenId/revoke": () => ({}),
  "POST /app/account/profile": ({ caller }) => ({
    name: caller.name,
    email: caller.email,
    phone: "+44 20 7946 0958",
    postalAddress: "1 High Street, London",
  }),
  "POST /app/organisation": () => ({ name: `Organisation ${unique()}` }),
  // No escalation is open in the generated tests: the id is refused on its field (422).
  "POST /app/assistant/escalations/approve": async ({ world, owner }) => ({
    escalationId: await openEscalation(world, owner),
  }),
  "POST /app/assistant/escalations/dismiss": async ({ world, owner }) => ({
    escalationId: await openEscalation(world, owner),
  }),
  "POST /app/assistant/settings": () => ({ reviewMode: "off", followUpsMax: "2" }),
  "POST /app/retention": () => ({ closedRequestsMonths: "24" }),
  "POST /app/members/:userId/remove": () => ({}),
  "POST /app/organisation/close": () => ({}),
  "POST /app/organisation/cancel-closing": () => ({}),
  // A wrong password (422): the right one would close the caller's account mid-test.
  "POST /app/account/close": () => ({ password: "not the password" }),
  "POST /app/members/invite": () => ({
    email: `invitee-${unique()}@example.com`,
    role: "interviewer",
  }),
  "POST /app/members/:userId/role": () => ({ role: "interviewer" }),
  "POST /app/jobs": () => ({
    title: `Job ${unique()}`,
    department: "Engineering",
    location: "Remote",
    description: "Builds things.",
  }),
  "POST /app/jobs/:jobId": () => ({
    title: `Job ${unique()}`,
    department: "Engineering",
    location: "Remote",
    description: "Builds things.",
  }),
  "POST /app/jobs/:jobId/delete": () => ({ confirm: "yes" }),
  "POST /app/candidates": () => candidateForm(),
  "POST /app/candidates/:candidateId": () => candidateForm(),
  "POST /app/candidates/:candidateId/delete": () => ({ confirm: "yes" }),
  "POST /app/pools": ({ owner }) => ({ name: `Pool ${unique()}`, memberIds: [owner.userId] }),
  "POST /app/pools/:poolId": ({ owner }) => ({
    name: `Pool ${unique()}`,
    memberIds: [owner.userId],
  }),
  "POST /app/pools/:poolId/delete": () => ({ confirm: "yes" }),
  "POST /app/calendars/ics-feed": async () => ({ feedUrl: await sharedFeedUrl() }),
  // The shared feed is no CalDAV server: the connect is refused on its url field (422), which
  // is what the generated tests need (a form that is served, and bad fields named).
  "POST /app/calendars/caldav": async () => ({
    url: await sharedFeedUrl(),
    username: "dana",
    password: "app-specific password",
  }),
  "POST /app/calendars/:connectionId/delete": () => ({ confirm: "yes" }),
  // Without GOOGLE_CLIENT_ID and MICROSOFT_CLIENT_ID (as in the generated tests) these answer
  // that the provider is not set up (409); test/calendar/oauth-connections.test.ts runs them
  // against local Google and Microsoft servers.
  "POST /app/calendars/connect/google": () => ({}),
  "POST /app/calendars/connect/microsoft": () => ({}),
  // An ICS feed connection has no calendars to choose: refused on its field (422).
  "POST /app/calendars/:connectionId/calendars": () => ({
    busy: "primary",
    receivesEvents: "primary",
  }),
  // A loopback IMAP server is refused on its host field (422): addresses typed into Ally must not
  // reach its own network. test/mail/mailbox-pages.test.ts connects one against Dovecot.
  "POST /app/mailboxes/imap": () => ({
    label: "",
    address: `mailbox-${unique()}@example.com`,
    host: "127.0.0.1",
    port: "993",
    tls: "yes",
    username: "recruiting",
    password: "app password",
    handledFolder: "Ally/Handled",
  }),
  "POST /app/mailboxes/webhook": () => ({ webhookAddress: `inbound-${unique()}@example.com` }),
  "POST /app/mailboxes/test": async (ctx) => ({ mailbox: await webhookMailbox(ctx) }),
  "POST /app/mailboxes/remove": async (ctx) => ({
    remove: await webhookMailbox(ctx),
    confirm: "yes",
  }),
  "POST /app/templates": (ctx) => templateForm(ctx),
  "POST /app/templates/:templateId": (ctx) => templateForm(ctx),
  "POST /app/templates/:templateId/delete": () => ({ confirm: "yes" }),
  "POST /app/interviewers/:userId": () => ({
    timeZone: "Europe/London",
    "workingHours.0.days": ["MO", "TU", "WE"],
    "workingHours.0.start": "09:00",
    "workingHours.0.end": "17:00",
    perDayLimit: "3",
    perWeekLimit: "10",
  }),
  "POST /logout": () => ({}),
  "POST /privacy/request": () => ({
    email: `asker-${unique()}@example.com`,
    kind: "access",
    jurisdiction: "gdpr",
    details: "",
  }),
  // A well-formed code for a request that does not exist: refused as an expired form.
  "POST /privacy/request/verify": () => ({ verification: "pv_000000000000", code: "123456" }),
  "POST /app/account/privacy": () => ({ kind: "objection", jurisdiction: "gdpr", details: "" }),
  "POST /app/privacy/requests/answer": async (ctx) => ({
    request: await openPrivacyRequest(ctx),
    action: "extend",
  }),
  "POST /app/requests": (ctx) => requestForm(ctx),
  "POST /app/requests/:requestId/offer": () => ({}),
  // An option id no request has: answered as taken (409), which books nothing.
  "POST /app/requests/:requestId/book": () => ({
    option: UNKNOWN_OPTION,
    key: `idempotency-key-${unique()}`,
  }),
  "POST /app/requests/:requestId/cancel": () => ({ confirm: "yes", reason: "Role filled." }),
  "POST /book/:token/book": ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
    option: UNKNOWN_OPTION,
    key: `idempotency-key-${unique()}`,
  }),
  "POST /book/:token/reschedule": ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
    option: UNKNOWN_OPTION,
    key: `idempotency-key-${unique()}`,
  }),
  "POST /book/:token/other": ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
    text: "Any afternoon next week.",
  }),
  "POST /book/:token/cancel": ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
    reason: "I took another offer.",
  }),
  "POST /book/:token/calendar": async ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
    calendarUrl: await sharedFeedUrl(),
  }),
  "POST /book/:token/calendar/disconnect": ({ objectId }) => ({
    _form: linkFormToken(objectId ?? ""),
  }),
  "POST /app/testimonials": () => ({
    name: `Person ${unique()}`,
    email: `person-${unique()}@example.com`,
  }),
  // A testimonial nobody wrote yet: publishing or changing it is refused (409), which is harmless.
  "POST /app/testimonials/:testimonialId/publish": () => ({ version: "0" }),
  "POST /app/testimonials/:testimonialId/edit": () => testimonialForm(),
  "POST /app/testimonials/:testimonialId/decline": () => ({ confirm: "yes" }),
  "POST /testimonial/:token/write": () => testimonialForm(),
  // Consent to version 1 of a testimonial not yet written: refused (409), nothing published.
  "POST /testimonial/:token/consent": () => ({ consent: "yes", version: "1" }),
  "POST /testimonial/:token/remove": () => ({}),
  "POST /app/marketing/lists": () => ({ name: `List ${unique()}`, description: "" }),
  "POST /app/marketing/lists/:listId/subscribers": () => ({
    email: `subscriber-${unique()}@example.com`,
    name: "",
    consentSource: "Ticked the box on our careers fair sheet",
  }),
  "POST /app/marketing/lists/:listId/messages": () => ({ subject: "News", text: "Hello." }),
  "POST /m/join/:listId": () => ({
    email: `joiner-${unique()}@example.com`,
    name: "",
    consent: "yes",
  }),
  "POST /m/confirm/:token": () => ({}),
  "POST /u/:token": () => ({}),
};

function testimonialForm(): FormFields {
  return {
    version: "0",
    quote: "Ally found a time for all five of us in one go.",
    displayName: "Rosa",
    role: "Engineering manager",
    company: "",
  };
}

/** A webhook mailbox of the owner's organisation, made for the form to name. */
async function webhookMailbox({ world, owner }: SampleContext): Promise<string> {
  const made = await world.deps.mailboxes.createWebhook(
    { orgId: owner.actor.orgId, mayManage: true },
    { label: "", address: `inbound-${unique()}@example.com` },
  );
  return made.connection.id;
}

/** A candidate of the owner's organisation asks, with the emailed code, for a copy of their data. */
async function openPrivacyRequest({ world, owner }: SampleContext): Promise<string> {
  const email = `privacy-asker-${unique()}@example.com`;
  await world.deps.hiring.createCandidate(owner.actor, { name: "Asker", email });
  const { verificationId } = await startPublicRequest(
    world.deps.privacy,
    { email, kind: "access", jurisdiction: "gdpr" },
    undefined,
  );
  const mail = await world.store.db
    .selectFrom("outbox")
    .select("subject")
    .where("to_address", "=", email)
    .where("kind", "=", "privacy-request-code")
    .executeTakeFirstOrThrow();
  const filed = await verifyPublicRequest(
    world.deps.privacy,
    verificationId,
    /(\d{6})/.exec(mail.subject)?.[1] ?? "",
  );
  const mine = filed.find((f) => f.organisationId === owner.orgId);
  if (mine === undefined) throw new Error("the request was not filed with the organisation");
  return mine.id;
}

const UNKNOWN_OPTION = "opt_00000000000000000000";

/** A new request for a new candidate and job, with one session with the owner. */
async function requestForm({ world, owner }: SampleContext): Promise<FormFields> {
  const n = unique();
  const candidate = await world.deps.hiring.createCandidate(owner.actor, {
    name: `Candidate ${n}`,
    email: `candidate-${n}@example.com`,
    phone: null,
    timeZone: "Europe/Paris",
    notes: null,
  });
  const job = await world.deps.hiring.createJob(owner.actor, {
    title: `Job ${n}`,
    department: null,
    location: null,
    description: null,
  });
  return {
    candidateId: candidate.id,
    jobId: job.id,
    loopTemplateId: "",
    "sessions.0.name": "Technical",
    "sessions.0.durationMinutes": "60",
    "sessions.0.interviewerIds": [owner.userId],
    windowStart: "2026-12-02",
    windowEnd: "2026-12-04",
    timeZone: "",
    location: "",
    videoLink: "https://meet.example.com/x",
    notes: "",
  };
}

export const routeKey = (route: Pick<RouteSpec, "method" | "path">) =>
  `${route.method} ${route.path}`;

export type Body = { form: FormFields } | { json: unknown } | Record<string, never>;

/**
 * A valid body for the route (as `send` options), or an Error saying what is missing.
 * GET and DELETE take none.
 */
export async function validBody(
  doc: OpenApiDocument,
  route: RouteSpec,
  ctx: SampleContext,
): Promise<Body | Error> {
  if (route.method === "GET" || route.method === "DELETE") return {};
  const key = routeKey(route);
  if (route.kind === "api") {
    const override = apiOverrides[key];
    if (override !== undefined) return { json: await override(ctx) };
    const schema = requestSchema(doc, route);
    return schema === undefined ? {} : { json: sampleFromSchema(doc, schema) };
  }
  const form = pageForms[key];
  if (form === undefined) {
    return new Error(`${key} has no sample form in test/support/route-samples.ts: add one`);
  }
  return { form: await form(ctx) };
}
