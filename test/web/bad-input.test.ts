/**
 * Bad input everywhere: every API body (generated from the route table and the OpenAPI
 * document) and every page form gets missing fields, wrong types, overlong text, bad emails,
 * short passwords, unknown roles and, for the API, malformed JSON. Each answer is a 422 that
 * names the field (API: `{ error: { code: "VALIDATION_FAILED", field, message } }`; pages: the
 * error summary links `#field-<name>` and the field is `aria-invalid`), shows no internals, and
 * leaves the database as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTotpSecret, totpAt } from "../../src/accounts/totp.js";
import { linkFormToken } from "../../src/booking/links.js";
import type { ObjectKind } from "../../src/web/route-table.js";
import { sharedFeedUrl } from "../support/calendar-feed.js";
import { testDatabases } from "../support/databases.js";
import {
  askForTestimonial,
  bookingTokenFromMail,
  factories,
  makeRequest,
  sendRequest,
  testimonialTokenFromMail,
} from "../support/object-factories.js";
import {
  type JsonSchema,
  listing,
  requestSchema,
  resolveSchema,
  routeKey,
  pageForms as sampleForms,
  validBody,
} from "../support/route-samples.js";
import {
  addMember,
  anonymous,
  apiTokenFor,
  buildSignUp,
  type Caller,
  createOrganisation,
  createWorld,
  type FormFields,
  fillPath,
  leaksInternals,
  linkTokenFromMail,
  META,
  type Organisation,
  type Person,
  send,
  snapshot,
  unique,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();
const { routes, openapi } = await listing();

// ---------------------------------------------------------------------------------------------
// API cases, from the request schemas

interface ApiCase {
  name: string;
  /** Makes the raw body from a valid one. */
  body: (valid: Record<string, unknown>) => string;
  field: string;
  contentType?: string;
}

const typeOf = (schema: JsonSchema) =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;

function without(object: Record<string, unknown>, key: string) {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** Bad values for one property, each with the field path the answer must name. */
function badValues(
  raw: JsonSchema,
  name: string,
  path: string,
): Array<{ name: string; value: unknown; field: string }> {
  const schema = resolveSchema(openapi, raw);
  const type = typeOf(schema);
  const out: Array<{ name: string; value: unknown; field: string }> = [];
  if (schema.enum !== undefined) {
    out.push({ name: `an unknown ${name}`, value: "superuser-unknown", field: path });
    return out;
  }
  if (type === "string") {
    out.push({ name: `a number as ${name}`, value: 12345, field: path });
    if (schema.maxLength !== undefined) {
      out.push({
        name: `an overlong ${name}`,
        value: "x".repeat(schema.maxLength + 1),
        field: path,
      });
    }
    if (name === "email" || schema.format === "email") {
      out.push({ name: `a malformed ${name}`, value: "not-an-email", field: path });
    }
    if (name === "timeZone") {
      out.push({ name: `an unknown ${name}`, value: "Mars/Olympus_Mons", field: path });
    }
  } else if (type === "integer" || type === "number") {
    out.push({ name: `text as ${name}`, value: "ten", field: path });
    if (schema.minimum !== undefined) {
      out.push({ name: `${name} below its minimum`, value: schema.minimum - 1, field: path });
    }
    if (type === "integer") out.push({ name: `a fraction as ${name}`, value: 1.5, field: path });
  } else if (type === "array") {
    out.push({ name: `text as ${name}`, value: "not a list", field: path });
  } else if (type === "object") {
    out.push({ name: `a list as ${name}`, value: ["x"], field: path });
  } else if (type === "boolean") {
    out.push({ name: `text as ${name}`, value: "yes", field: path });
  }
  return out;
}

function apiCases(schema: JsonSchema, valid: Record<string, unknown>): ApiCase[] {
  const cases: ApiCase[] = [
    { name: "malformed JSON", body: () => '{"title": "unfinished', field: "body" },
    { name: "an empty body", body: () => "", field: "body" },
    { name: "a list instead of an object", body: () => "[]", field: "body" },
    { name: "null instead of an object", body: () => "null", field: "body" },
    {
      name: "JSON sent as text/plain",
      body: (v) => JSON.stringify(v),
      field: "body",
      contentType: "text/plain",
    },
  ];
  for (const key of schema.required ?? []) {
    cases.push({
      name: `no ${key}`,
      body: (v) => JSON.stringify(without(v, key)),
      field: key,
    });
  }
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    for (const bad of badValues(property, key, key)) {
      cases.push({
        name: bad.name,
        body: (v) => JSON.stringify({ ...v, [key]: bad.value }),
        field: bad.field,
      });
    }
    // One level down: the first item of a list of objects.
    const resolved = resolveSchema(openapi, property);
    const items = resolved.items === undefined ? undefined : resolveSchema(openapi, resolved.items);
    if (typeOf(resolved) === "array" && items !== undefined && typeOf(items) === "object") {
      const first = (valid[key] as Array<Record<string, unknown>> | undefined)?.[0];
      if (first === undefined) continue;
      const replaceFirst = (v: Record<string, unknown>, item: Record<string, unknown>) =>
        JSON.stringify({ ...v, [key]: [item, ...((v[key] as unknown[]) ?? []).slice(1)] });
      for (const inner of items.required ?? []) {
        cases.push({
          name: `no ${key}[0].${inner}`,
          body: (v) => replaceFirst(v, without(first, inner)),
          field: `${key}.0.${inner}`,
        });
      }
      for (const [inner, innerSchema] of Object.entries(items.properties ?? {})) {
        for (const bad of badValues(innerSchema, `${key}[0].${inner}`, `${key}.0.${inner}`)) {
          cases.push({
            name: bad.name,
            body: (v) => replaceFirst(v, { ...first, [inner]: bad.value }),
            field: bad.field,
          });
        }
      }
    }
  }
  return cases;
}

const apiRoutes = routes.filter((r) => r.kind === "api" && requestSchema(openapi, r) !== undefined);

// ---------------------------------------------------------------------------------------------
// Page form cases

type FieldKind =
  | { kind: "text"; max: number; required: boolean }
  | { kind: "email" }
  | { kind: "new-password" }
  | { kind: "password" }
  | { kind: "phone" }
  | { kind: "role" }
  | { kind: "code" }
  | { kind: "time-zone" }
  | { kind: "whole-number"; min: number }
  | { kind: "confirm" };

const text = (max: number, required = true): FieldKind => ({ kind: "text", max, required });

function formCases(fields: Record<string, FieldKind>) {
  const out: Array<{ name: string; field: string; change: (f: FormFields) => void }> = [];
  for (const [field, spec] of Object.entries(fields)) {
    const set = (value: string) => (f: FormFields) => {
      f[field] = value;
    };
    const drop = (f: FormFields) => {
      delete f[field];
    };
    switch (spec.kind) {
      case "text":
        if (spec.required) {
          out.push({ name: `no ${field}`, field, change: drop });
          out.push({ name: `a blank ${field}`, field, change: set("   ") });
        }
        out.push({ name: `an overlong ${field}`, field, change: set("x".repeat(spec.max + 1)) });
        break;
      case "email":
        out.push({ name: `no ${field}`, field, change: drop });
        out.push({ name: `a malformed ${field}`, field, change: set("not-an-email") });
        out.push({ name: `an overlong ${field}`, field, change: set(`${"x".repeat(400)}@`) });
        break;
      case "new-password":
        out.push({ name: `a short ${field}`, field, change: set("short") });
        out.push({ name: `no ${field}`, field, change: drop });
        out.push({ name: `an overlong ${field}`, field, change: set("p".repeat(201)) });
        break;
      case "password":
        out.push({ name: `no ${field}`, field, change: drop });
        break;
      case "phone":
        out.push({ name: `a ${field} that is not a number`, field, change: set("call me maybe") });
        break;
      case "role":
        out.push({ name: `an unknown ${field}`, field, change: set("superuser") });
        break;
      case "code":
        out.push({ name: `a ${field} with letters`, field, change: set("12ab56") });
        out.push({ name: `no ${field}`, field, change: drop });
        break;
      case "time-zone":
        out.push({ name: `an unknown ${field}`, field, change: set("Mars/Olympus_Mons") });
        break;
      case "confirm":
        out.push({ name: `the ${field} box left unticked`, field, change: drop });
        out.push({ name: `a ${field} other than yes`, field, change: set("no") });
        break;
      case "whole-number":
        out.push({ name: `text as ${field}`, field, change: set("ten") });
        out.push({ name: `a fraction as ${field}`, field, change: set("1.5") });
        out.push({ name: `${field} below its minimum`, field, change: set(String(spec.min - 1)) });
        break;
    }
  }
  return out;
}

interface FormContext {
  world: World;
  org: Organisation;
  /** A member with two-step sign-in on, its secret, and a session waiting for the code. */
  guarded: Person;
  secret: string;
  pending: Caller;
}

interface PageForm {
  /** Who posts the form, and where (the path filled in). */
  prepare(ctx: FormContext): Promise<{ caller: Caller; path: string; valid: FormFields }>;
  fields: Record<string, FieldKind>;
}

const jobFields = {
  title: text(200),
  department: text(200, false),
  location: text(200, false),
  description: text(5000, false),
};
const candidateFields: Record<string, FieldKind> = {
  name: text(200),
  email: { kind: "email" },
  phone: { kind: "phone" },
  timeZone: { kind: "time-zone" },
  notes: text(5000, false),
};
const templateFields: Record<string, FieldKind> = {
  name: text(200),
  maxGapMinutes: { kind: "whole-number", min: 0 },
  "sessions.0.durationMinutes": { kind: "whole-number", min: 5 },
  "sessions.0.count": { kind: "whole-number", min: 1 },
};

/** The valid form the route table's samples give, posted by the organisation's owner. */
async function pageForm(key: string, world: World, org: Organisation): Promise<FormFields> {
  const form = sampleForms[key];
  if (form === undefined) throw new Error(`no sample form for ${key}`);
  return form({ world, caller: org.owner, owner: org.owner });
}

async function make(kind: ObjectKind, world: World, org: Organisation) {
  const factory = factories[kind];
  if (factory === null) throw new Error(`no factory for ${kind}`);
  return factory(world, org, org.owner);
}

const validJob = () => ({
  title: `Job ${unique()}`,
  department: "Engineering",
  location: "Remote",
  description: "Builds things.",
});

/** Every page POST route with fields, what posts it validly, and its fields' rules. */
const pageForms: Record<string, PageForm> = {
  "POST /signup": {
    prepare: async () => {
      const s = buildSignUp();
      return {
        caller: { kind: "anonymous" },
        path: "/signup",
        valid: {
          name: s.name,
          email: s.email,
          phone: s.phone,
          postalAddress: s.postalAddress,
          company: s.company,
          password: s.password,
        },
      };
    },
    fields: {
      name: text(200),
      email: { kind: "email" },
      phone: { kind: "phone" },
      postalAddress: text(500),
      company: text(200),
      password: { kind: "new-password" },
    },
  },
  "POST /login": {
    prepare: async ({ org }) => ({
      caller: { kind: "anonymous" },
      path: "/login",
      valid: { email: org.owner.email, password: org.owner.password },
    }),
    fields: { email: { kind: "email" }, password: { kind: "password" } },
  },
  "POST /verify-email/resend": {
    prepare: async () => ({
      caller: { kind: "anonymous" },
      path: "/verify-email/resend",
      valid: { email: `someone-${unique()}@example.com` },
    }),
    fields: { email: { kind: "email" } },
  },
  "POST /forgot-password": {
    prepare: async () => ({
      caller: { kind: "anonymous" },
      path: "/forgot-password",
      valid: { email: `someone-${unique()}@example.com` },
    }),
    fields: { email: { kind: "email" } },
  },
  "POST /reset-password": {
    prepare: async ({ world, org }) => {
      await world.deps.accounts.requestPasswordReset(org.recruiter.email, META);
      const token = await linkTokenFromMail(world, org.recruiter.email, "reset-password");
      return {
        caller: { kind: "anonymous" },
        path: "/reset-password",
        valid: { token, password: "a perfectly long password" },
      };
    },
    fields: { password: { kind: "new-password" } },
  },
  "POST /invitations/accept": {
    prepare: async ({ world, org }) => {
      const email = `invitee-${unique()}@example.com`;
      await world.deps.accounts.invite(org.owner.actor, { email, role: "interviewer" }, META);
      const token = await linkTokenFromMail(world, email, "invitation");
      return {
        caller: { kind: "anonymous" },
        path: "/invitations/accept",
        valid: {
          token,
          name: "New Person",
          phone: "+44 20 7946 0958",
          postalAddress: "1 New Street",
          password: "a perfectly long password",
        },
      };
    },
    fields: {
      name: text(200),
      phone: { kind: "phone" },
      postalAddress: text(500),
      password: { kind: "new-password" },
    },
  },
  "POST /login/second-factor": {
    prepare: async ({ world, secret, pending }) => ({
      caller: pending,
      path: "/login/second-factor",
      valid: { code: totpAt(secret, world.clock.now()) },
    }),
    fields: { code: { kind: "code" } },
  },
  "POST /app/account/tokens": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/account/tokens",
      valid: { name: "CI" },
    }),
    fields: { name: text(100) },
  },
  "POST /app/account/second-factor/enable": {
    prepare: async ({ world, org }) => {
      const secret = newTotpSecret();
      return {
        caller: viaSession(org.admin),
        path: "/app/account/second-factor/enable",
        valid: { secret, code: totpAt(secret, world.clock.now()) },
      };
    },
    fields: { code: { kind: "code" } },
  },
  "POST /app/account/second-factor/disable": {
    prepare: async ({ guarded }) => ({
      caller: viaSession(guarded),
      path: "/app/account/second-factor/disable",
      valid: { password: guarded.password },
    }),
    fields: { password: { kind: "password" } },
  },
  "POST /app/account/profile": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/account/profile",
      valid: { name: org.recruiter.name, email: org.recruiter.email },
    }),
    fields: {
      name: text(200),
      email: { kind: "email" },
      phone: { kind: "phone" },
      postalAddress: text(500, false),
    },
  },
  "POST /app/account/close": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.interviewer),
      path: "/app/account/close",
      valid: { password: "not the password" },
    }),
    fields: { password: { kind: "password" } },
  },
  "POST /app/organisation": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/organisation",
      valid: { name: `Organisation ${unique()}` },
    }),
    fields: { name: text(200) },
  },
  "POST /app/members/invite": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/members/invite",
      valid: { email: `invitee-${unique()}@example.com`, role: "interviewer" },
    }),
    fields: { email: { kind: "email" }, role: { kind: "role" } },
  },
  "POST /app/members/:userId/role": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: `/app/members/${org.recruiter.userId}/role`,
      valid: { role: "interviewer" },
    }),
    fields: { role: { kind: "role" } },
  },
  "POST /app/jobs": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/jobs",
      valid: validJob(),
    }),
    fields: jobFields,
  },
  "POST /app/jobs/:jobId": {
    prepare: async ({ world, org }) => {
      const job = await (factories.job as NonNullable<typeof factories.job>)(world, org, org.owner);
      return { caller: viaSession(org.owner), path: `/app/jobs/${job.id}`, valid: validJob() };
    },
    fields: jobFields,
  },
  "POST /app/candidates": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/candidates",
      valid: await pageForm("POST /app/candidates", world, org),
    }),
    fields: candidateFields,
  },
  "POST /app/candidates/:candidateId": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/candidates/${(await make("candidate", world, org)).id}`,
      valid: await pageForm("POST /app/candidates/:candidateId", world, org),
    }),
    fields: candidateFields,
  },
  "POST /app/pools": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/pools",
      valid: await pageForm("POST /app/pools", world, org),
    }),
    fields: { name: text(200) },
  },
  "POST /app/pools/:poolId": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/pools/${(await make("pool", world, org)).id}`,
      valid: await pageForm("POST /app/pools/:poolId", world, org),
    }),
    fields: { name: text(200) },
  },
  "POST /app/templates": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/templates",
      valid: await pageForm("POST /app/templates", world, org),
    }),
    fields: templateFields,
  },
  "POST /app/templates/:templateId": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/templates/${(await make("loop-template", world, org)).id}`,
      valid: await pageForm("POST /app/templates/:templateId", world, org),
    }),
    fields: templateFields,
  },
  "POST /app/jobs/:jobId/delete": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/jobs/${(await make("job", world, org)).id}/delete`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/candidates/:candidateId/delete": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/candidates/${(await make("candidate", world, org)).id}/delete`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/pools/:poolId/delete": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/pools/${(await make("pool", world, org)).id}/delete`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/templates/:templateId/delete": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/templates/${(await make("loop-template", world, org)).id}/delete`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/calendars/caldav": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.interviewer),
      path: "/app/calendars/caldav",
      valid: await pageForm("POST /app/calendars/caldav", world, org),
    }),
    fields: { url: text(2000), username: text(200), password: { kind: "password" } },
  },
  "POST /app/mailboxes/imap": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.admin),
      path: "/app/mailboxes/imap",
      valid: await pageForm("POST /app/mailboxes/imap", world, org),
    }),
    fields: {
      label: text(100, false),
      address: { kind: "email" },
      host: text(253),
      port: { kind: "whole-number", min: 1 },
      username: text(320),
      password: { kind: "password" },
      handledFolder: text(200, false),
    },
  },
  "POST /app/mailboxes/webhook": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.admin),
      path: "/app/mailboxes/webhook",
      valid: await pageForm("POST /app/mailboxes/webhook", world, org),
    }),
    fields: { webhookAddress: { kind: "email" } },
  },
  "POST /app/mailboxes/remove": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.admin),
      path: "/app/mailboxes/remove",
      valid: await pageForm("POST /app/mailboxes/remove", world, org),
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/calendars/ics-feed": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.interviewer),
      path: "/app/calendars/ics-feed",
      valid: await pageForm("POST /app/calendars/ics-feed", world, org),
    }),
    fields: { feedUrl: text(2000) },
  },
  "POST /app/calendars/:connectionId/delete": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.owner),
      path: `/app/calendars/${(await make("calendar-connection", world, org)).id}/delete`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /app/interviewers/:userId": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.interviewer),
      path: `/app/interviewers/${org.interviewer.userId}`,
      valid: await pageForm("POST /app/interviewers/:userId", world, org),
    }),
    fields: {
      timeZone: { kind: "time-zone" },
      perDayLimit: { kind: "whole-number", min: 0 },
      perWeekLimit: { kind: "whole-number", min: 0 },
    },
  },
};

/** A request sent to a new candidate, and the link from their email. */
async function sentLink(world: World, org: Organisation) {
  const { request, candidateEmail } = await makeRequest(world, org);
  await sendRequest(world, org.owner, request.id);
  return { request, token: await bookingTokenFromMail(world, candidateEmail) };
}

const optionField: Record<string, FieldKind> = { option: text(200) };

Object.assign(pageForms, {
  "POST /app/requests": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/requests",
      valid: await pageForm("POST /app/requests", world, org),
    }),
    fields: {
      "sessions.0.name": text(200),
      "sessions.0.durationMinutes": { kind: "whole-number", min: 5 },
      windowStart: text(100),
      windowEnd: text(100),
      timeZone: { kind: "time-zone" },
      location: text(500, false),
      notes: text(5000, false),
    },
  },
  "POST /app/requests/:requestId/book": {
    prepare: async ({ world, org }) => {
      const { request } = await makeRequest(world, org);
      const answer = await world.deps.booking.options(org.owner.actor, request.id);
      return {
        caller: viaSession(org.recruiter),
        path: `/app/requests/${request.id}/book`,
        valid: { option: answer.options[0]?.id as string, key: `idempotency-key-${unique()}` },
      };
    },
    fields: optionField,
  },
  "POST /app/requests/:requestId/cancel": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: `/app/requests/${(await makeRequest(world, org)).request.id}/cancel`,
      valid: { confirm: "yes", reason: "Role filled." },
    }),
    fields: { confirm: { kind: "confirm" }, reason: text(2000, false) },
  },
  "POST /book/:token/book": {
    prepare: async ({ world, org }) => {
      const { request, token } = await sentLink(world, org);
      const { options } = await world.deps.booking.candidateOptions(request.id);
      return {
        caller: anonymous,
        path: `/book/${token}/book`,
        valid: {
          _form: linkFormToken(token),
          option: options[0]?.id as string,
          key: `idempotency-key-${unique()}`,
        },
      };
    },
    fields: optionField,
  },
  "POST /book/:token/reschedule": {
    prepare: async ({ world, org }) => {
      const { request, token } = await sentLink(world, org);
      const { options } = await world.deps.booking.candidateOptions(request.id);
      await world.deps.booking.candidateBook(request.id, {
        optionId: options[0]?.id as string,
        idempotencyKey: `idempotency-key-${unique()}`,
      });
      return {
        caller: anonymous,
        path: `/book/${token}/reschedule`,
        valid: {
          _form: linkFormToken(token),
          option: options.at(-1)?.id as string,
          key: `idempotency-key-${unique()}`,
        },
      };
    },
    fields: optionField,
  },
  "POST /book/:token/other": {
    prepare: async ({ world, org }) => {
      const { token } = await sentLink(world, org);
      return {
        caller: anonymous,
        path: `/book/${token}/other`,
        valid: { _form: linkFormToken(token), ticked: "2026-12-03/morning", text: "Mornings." },
      };
    },
    fields: { text: text(2000, false) },
  },
  "POST /book/:token/cancel": {
    prepare: async ({ world, org }) => {
      const { token } = await sentLink(world, org);
      return {
        caller: anonymous,
        path: `/book/${token}/cancel`,
        valid: { _form: linkFormToken(token), reason: "Took another offer." },
      };
    },
    fields: { reason: text(2000, false) },
  },
  "POST /book/:token/calendar": {
    prepare: async ({ world, org }) => {
      const { token } = await sentLink(world, org);
      return {
        caller: anonymous,
        path: `/book/${token}/calendar`,
        valid: { _form: linkFormToken(token), calendarUrl: await sharedFeedUrl() },
      };
    },
    fields: { calendarUrl: text(2000) },
  },
  "POST /privacy/request": {
    prepare: async ({ world, org }) => ({
      caller: anonymous,
      path: "/privacy/request",
      valid: await pageForm("POST /privacy/request", world, org),
    }),
    fields: { email: { kind: "email" }, details: text(4000, false) },
  },
  "POST /privacy/request/verify": {
    prepare: async ({ world, org }) => ({
      caller: anonymous,
      path: "/privacy/request/verify",
      valid: await pageForm("POST /privacy/request/verify", world, org),
    }),
    fields: { code: { kind: "code" } },
  },
  "POST /app/account/privacy": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.recruiter),
      path: "/app/account/privacy",
      valid: await pageForm("POST /app/account/privacy", world, org),
    }),
    fields: { details: text(4000, false) },
  },
} satisfies Record<string, PageForm>);

Object.assign(pageForms, {
  "POST /privacy/contact": {
    prepare: async ({ world, org }) => ({
      caller: anonymous,
      path: "/privacy/contact",
      valid: await pageForm("POST /privacy/contact", world, org),
    }),
    fields: { name: text(200), email: { kind: "email" }, message: text(10_000) },
  },
} satisfies Record<string, PageForm>);

Object.assign(pageForms, {
  "POST /app/assistant/settings": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/assistant/settings",
      valid: { reviewMode: "off", followUpsMax: "2" },
    }),
    fields: { followUpsMax: { kind: "whole-number", min: 0 } },
  },
} satisfies Record<string, PageForm>);

Object.assign(pageForms, {
  "POST /app/retention": {
    prepare: async ({ org }) => ({
      caller: viaSession(org.owner),
      path: "/app/retention",
      valid: { closedRequestsMonths: "24" },
    }),
    fields: { closedRequestsMonths: { kind: "whole-number", min: 1 } },
  },
} satisfies Record<string, PageForm>);

const testimonialFields: Record<string, FieldKind> = {
  quote: text(600),
  displayName: text(80),
  role: text(80, false),
  company: text(80, false),
};

Object.assign(pageForms, {
  "POST /app/testimonials": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.owner),
      path: "/app/testimonials",
      valid: await pageForm("POST /app/testimonials", world, org),
    }),
    fields: { name: text(120), email: { kind: "email" } },
  },
  "POST /app/testimonials/:testimonialId/edit": {
    prepare: async ({ world, org }) => {
      const asked = await askForTestimonial(world, org);
      const token = await testimonialTokenFromMail(world, asked.email);
      await world.deps.testimonials.write(token, {
        quote: "Ally booked the whole loop in a day.",
        displayName: "Rosa",
      });
      const testimonialId = asked.id;
      return {
        caller: viaSession(org.owner),
        path: `/app/testimonials/${testimonialId}/edit`,
        valid: {
          version: "1",
          quote: "Ally booked the whole loop in one day.",
          displayName: "Rosa",
        },
      };
    },
    fields: testimonialFields,
  },
  "POST /app/testimonials/:testimonialId/decline": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.owner),
      path: `/app/testimonials/${(await make("testimonial", world, org)).id}/decline`,
      valid: { confirm: "yes" },
    }),
    fields: { confirm: { kind: "confirm" } },
  },
  "POST /testimonial/:token/write": {
    prepare: async ({ world, org }) => ({
      caller: anonymous,
      path: `/testimonial/${(await make("testimonial-link", world, org)).id}/write`,
      valid: {
        quote: "Ally found a time for all of us.",
        displayName: "Rosa",
        role: "",
        company: "",
      },
    }),
    fields: testimonialFields,
  },
  "POST /testimonial/:token/consent": {
    prepare: async ({ world, org }) => {
      const token = (await make("testimonial-link", world, org)).id;
      await world.deps.testimonials.write(token, {
        quote: "Ally found a time for all of us.",
        displayName: "Rosa",
      });
      return {
        caller: anonymous,
        path: `/testimonial/${token}/consent`,
        valid: { consent: "yes", version: "1" },
      };
    },
    fields: { consent: { kind: "confirm" } },
  },
} satisfies Record<string, PageForm>);

/** One survey link per world: a bad answer changes nothing, so the same link serves every case. */
const surveyLinks = new WeakMap<World, Promise<string>>();
Object.assign(pageForms, {
  "POST /survey/:token": {
    prepare: async ({ world, org }) => {
      let link = surveyLinks.get(world);
      if (link === undefined) {
        link = make("survey-link", world, org).then((made) => made.id);
        surveyLinks.set(world, link);
      }
      return {
        caller: anonymous,
        path: `/survey/${await link}`,
        valid: await pageForm("POST /survey/:token", world, org),
      };
    },
    fields: { nps: { kind: "whole-number", min: 0 }, comment: text(2000, false) },
  },
  "POST /app/surveys/settings": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.owner),
      path: "/app/surveys/settings",
      valid: await pageForm("POST /app/surveys/settings", world, org),
    }),
    fields: { delayHours: { kind: "whole-number", min: 0 } },
  },
  "POST /app/marketing/lists": {
    prepare: async ({ world, org }) => ({
      caller: viaSession(org.admin),
      path: "/app/marketing/lists",
      valid: await pageForm("POST /app/marketing/lists", world, org),
    }),
    fields: { name: text(120), description: text(1000, false) },
  },
  "POST /app/marketing/lists/:listId/subscribers": {
    prepare: async ({ world, org }) => {
      const list = await make("marketing-list", world, org);
      return {
        caller: viaSession(org.admin),
        path: `/app/marketing/lists/${list.id}/subscribers`,
        valid: await pageForm("POST /app/marketing/lists/:listId/subscribers", world, org),
      };
    },
    fields: { email: { kind: "email" }, name: text(200, false), consentSource: text(500) },
  },
  "POST /app/marketing/lists/:listId/messages": {
    prepare: async ({ world, org }) => {
      const list = await make("marketing-list", world, org);
      return {
        caller: viaSession(org.admin),
        path: `/app/marketing/lists/${list.id}/messages`,
        valid: await pageForm("POST /app/marketing/lists/:listId/messages", world, org),
      };
    },
    fields: { subject: text(200), text: text(20_000) },
  },
  "POST /m/join/:listId": {
    prepare: async ({ world, org }) => {
      const list = await make("marketing-list", world, org);
      return {
        caller: anonymous,
        path: `/m/join/${list.id}`,
        valid: await pageForm("POST /m/join/:listId", world, org),
      };
    },
    fields: { email: { kind: "email" }, name: text(200, false), consent: { kind: "confirm" } },
  },
} satisfies Record<string, PageForm>);

/** Page POST routes that take no fields a person types, and why. */
const formsWithoutFields: Record<string, string> = {
  "POST /survey/:token/opt-out":
    "a button; unknown and expired links are tested in test/surveys/survey-pages.test.ts",
  "POST /m/confirm/:token":
    "a button on the confirmation link's page; made-up and tampered links are refused (404) by the generated signed-link tests, and test/marketing/marketing-flow.test.ts confirms",
  "POST /u/:token":
    "a button (or a mail client's one-click POST); made-up and tampered links are refused (404) by the generated signed-link tests, and test/marketing/unsubscribe-smtp.test.ts unsubscribes",
  "POST /app/assistant/escalations/approve":
    "a button on an escalation; unknown and other organisations' ids are tested in test/assistant/email-flow.test.ts",
  "POST /app/assistant/escalations/dismiss":
    "a button on an escalation; unknown and other organisations' ids are tested in test/assistant/email-flow.test.ts",
  "POST /app/privacy/requests/answer":
    "buttons on a request in the queue; other organisations' and unknown requests are tested in test/privacy/requests.test.ts",
  "POST /privacy/accept":
    "a button; its hidden version field, when not the version in force, is refused (409) in test/web/privacy-policy-acceptance.test.ts",
  "POST /app/requests/:requestId/offer": "a button",
  "POST /consent":
    "the cookie banner's and settings page's buttons; an unknown choice (422), a missing CSRF token (403) and an off-site return path are tested in test/consent/consent-web.test.ts",
  "POST /logout": "a button",
  "POST /verify-email": "the token from the email link; a bad one is an invalid link (400)",
  "POST /confirm-email-change":
    "the token from the email link; a bad one is an invalid link (400), in test/accounts/account-life.test.ts",
  "POST /app/account/second-factor/begin": "a button",
  "POST /app/members/:userId/remove": "a button",
  "POST /app/organisation/close": "a button",
  "POST /app/organisation/cancel-closing": "a button",
  "POST /app/account/tokens/:tokenId/revoke": "a button",
  "POST /book/:token/calendar/disconnect": "a button",
  "POST /app/calendars/connect/google": "a button",
  "POST /app/mailboxes/test":
    "a choice among the organisation's mailboxes; another organisation's is tested in test/mail/mailbox-pages.test.ts",
  "POST /app/calendars/connect/microsoft": "a button",
  "POST /app/testimonials/:testimonialId/publish":
    "a button with the version shown; a stale or unconsented version is refused (409) in test/testimonials/testimonials.test.ts",
  "POST /testimonial/:token/remove": "a button (one click removes)",
  "POST /app/calendars/:connectionId/calendars":
    "checkboxes and radio buttons over the account's own calendars; unknown ids and a missing choice are tested in test/calendar/oauth-connections.test.ts",
};

const pagePosts = routes.filter((r) => r.kind === "page" && r.method === "POST");

function fieldMarkedInvalid(html: string, field: string): boolean {
  const id = `field-${field}`.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
  const tag = new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html);
  return tag !== null && /\baria-invalid="true"/.test(tag[0]);
}

// ---------------------------------------------------------------------------------------------

/** API routes that take no body at all, and where their input is tested instead. */
const apiRoutesWithoutBody: Record<string, string> = {
  "POST /api/v1/hooks/calendar/google":
    "Google's push notifications carry only headers; test/calendar/push.test.ts sends forged, unknown and expired ones",
  "POST /api/v1/dead-jobs/:jobId/retry":
    "takes no body; test/jobs/dead-jobs-api.test.ts sends malformed, overlong and unknown job ids",
  "POST /api/v1/organisation/closing":
    "takes no body, as its page's form has no fields; test/accounts/closure-api.test.ts closes through both",
};

describe("the bad-input lists", () => {
  it("cover every page form in the route table", () => {
    const uncovered = pagePosts
      .map(routeKey)
      .filter((key) => pageForms[key] === undefined && formsWithoutFields[key] === undefined);
    expect(uncovered, "add them to pageForms or formsWithoutFields in this file").toEqual([]);
  });

  it("cover no fewer routes than when each route came to be declared once", () => {
    // 19 API bodies and 45 page forms then; raise these as routes are added, never lower them.
    expect(apiRoutes.length).toBeGreaterThanOrEqual(19);
    expect(pagePosts.length).toBeGreaterThanOrEqual(45);
  });

  it("find a request schema for every API route that changes something", () => {
    const missing = routes
      .filter(
        (r) =>
          r.kind === "api" && (r.method === "POST" || r.method === "PUT" || r.method === "PATCH"),
      )
      .filter((r) => requestSchema(openapi, r) === undefined)
      .filter((r) => apiRoutesWithoutBody[routeKey(r)] === undefined)
      .map(routeKey);
    expect(missing).toEqual([]);
  });
});

describe.each(databases)("bad input on $dialect", (database) => {
  let world: World;
  let org: Organisation;
  let token: string;
  let ctx: FormContext;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world);
    token = (await apiTokenFor(world, org.owner)).token;
    // A member with two-step sign-in on, and a sign-in of theirs waiting for the code.
    const guarded = await addMember(world, org.owner, "admin");
    const secret = newTotpSecret();
    await world.deps.accounts.enableSecondFactor(
      guarded.actor,
      secret,
      totpAt(secret, world.clock.now()),
      META,
    );
    const waiting = await world.deps.accounts.signIn(
      { email: guarded.email, password: guarded.password },
      META,
    );
    ctx = { world, org, guarded, secret, pending: { kind: "session", session: waiting } };
  });
  afterAll(async () => {
    await world?.drop();
  });

  describe("the API", () => {
    for (const route of apiRoutes) {
      const schema = requestSchema(openapi, route) as JsonSchema;
      // Case names are fixed before the world exists; bodies are made per test.
      const sample = apiCases(schema, {});
      const listed = sample.map((c) => c.name);
      it(`lists the bad inputs for ${routeKey(route)}`, () => {
        expect(listed.length).toBeGreaterThan(4);
      });
      for (const name of new Set(listed)) {
        it(`answers ${routeKey(route)} with 422 naming the field for ${name}`, async () => {
          const make = route.objectKind === undefined ? null : factories[route.objectKind];
          const objectId = make === null ? "none" : (await make(world, org, org.owner)).id;
          const body = await validBody(openapi, route, {
            world,
            caller: org.owner,
            owner: org.owner,
          });
          if (body instanceof Error || !("json" in body)) throw new Error("no valid body");
          const valid = body.json as Record<string, unknown>;
          const cases = apiCases(schema, valid).filter((c) => c.name === name);
          expect(cases.length).toBeGreaterThan(0);
          for (const bad of cases) {
            const before = await snapshot(world);
            const answer = await send(
              world.ally,
              route.method,
              fillPath(route.path, route.objectParam, objectId),
              {
                // Token management answers only to a signed-in session (with its CSRF token).
                as: route.sessionOnly === true ? viaSession(org.owner) : viaToken(token),
                json: bad.body(valid),
                headers: bad.contentType ? { "content-type": bad.contentType } : {},
              },
            );
            expect(answer.status, answer.text).toBe(422);
            expect(answer.headers.get("content-type")).toContain("application/json");
            const error = (answer.json() as { error: Record<string, unknown> }).error;
            expect(error.code).toBe("VALIDATION_FAILED");
            expect(error.field).toBe(bad.field);
            expect(typeof error.message).toBe("string");
            expect((error.message as string).length).toBeGreaterThan(5);
            expect(leaksInternals(answer.text)).toBe(false);
            expect(await snapshot(world)).toEqual(before);
          }
        });
      }
    }
  });

  it("tells a client that sent a number for the email that it must be text, not missing", async () => {
    const answer = await send(world.ally, "POST", "/api/v1/invitations", {
      as: viaToken(token),
      json: { email: 12345, role: "interviewer" },
    });
    expect(answer.status).toBe(422);
    expect(answer.json()).toEqual({
      error: { code: "VALIDATION_FAILED", field: "email", message: "Email must be text" },
    });
  });

  describe("the pages", () => {
    for (const [key, form] of Object.entries(pageForms)) {
      for (const bad of formCases(form.fields)) {
        it(`answers ${key} with 422 naming ${bad.field} for ${bad.name}`, async () => {
          const { caller, path, valid } = await (pageForms[key] as PageForm).prepare(ctx);
          const fields = { ...valid };
          bad.change(fields);
          const before = await snapshot(world);
          const answer = await send(world.ally, "POST", path, { as: caller, form: fields });
          expect(answer.status, answer.text.slice(0, 800)).toBe(422);
          expect(answer.text).toContain(`href="#field-${bad.field}"`);
          expect(
            fieldMarkedInvalid(answer.text, bad.field),
            `field-${bad.field} aria-invalid`,
          ).toBe(true);
          expect(leaksInternals(answer.text)).toBe(false);
          expect(await snapshot(world)).toEqual(before);
        });
      }
    }
  });
});
