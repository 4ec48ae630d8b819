/**
 * A running Ally for tests, without a port: a migrated database, the services built as
 * `ally serve` builds them (with a fixed clock), the Hono app, and factories that make
 * organisations, members, sessions and API tokens through the real services, reading links
 * out of the outbox the way a person would read their email.
 */
import type { SignUpInput } from "../../src/accounts/schemas.js";
import type { Actor, IssuedSession, RequestMeta } from "../../src/accounts/service.js";
import type { Role } from "../../src/accounts/tables.js";
import { buildDeps } from "../../src/app/compose.js";
import { fixedClock } from "../../src/clock.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Store } from "../../src/store/database.js";
import { dataMap } from "../../src/store/schema.js";
import { type AllyApp, ANON_CSRF_COOKIE, createApp, SESSION_COOKIE } from "../../src/web/app.js";
import type { WebDeps } from "../../src/web/env.js";
import type { TestDatabase } from "./databases.js";

// Tue 1 Dec 2026, 14:00 UTC
export const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);
export const MASTER_KEY = Buffer.alloc(32, 7);
export const META: RequestMeta = { ip: "203.0.113.77", userAgent: "vitest" };

export interface World {
  store: Store;
  url: string;
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  deps: WebDeps;
  ally: AllyApp;
  drop(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  const result = loadConfig({
    // Tests read their own output: the request log only when something is wrong.
    LOG_LEVEL: "warn",
    DATABASE_URL: "sqlite::memory:",
    PUBLIC_URL: "http://ally.test",
    MAIL_FROM: "Ally <ally@ally.test>",
    // The calendar servers in tests listen on loopback.
    ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: "true",
    ...env,
  });
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.config;
}

export async function createWorld(database: TestDatabase): Promise<World> {
  const { store, url, drop } = await database.create();
  const clock = fixedClock(T0);
  const config = testConfig({ DATABASE_URL: url });
  const deps = buildDeps(config, store, clock, MASTER_KEY);
  return { store, url, clock, config, deps, ally: createApp(deps), drop };
}

let serial = 0;
/** A number unique within the test process, for emails and names. */
export function unique(): number {
  serial += 1;
  return serial;
}

export function buildSignUp(overrides: Partial<SignUpInput> = {}): SignUpInput {
  const n = unique();
  return {
    name: `Ada Owner ${n}`,
    email: `owner-${n}@company-${n}.example`,
    phone: "+44 20 7946 0958",
    postalAddress: `${n} Example Street, London`,
    company: `Company ${n} Ltd`,
    password: `correct horse battery ${n}`,
    ...overrides,
  };
}

export interface Person {
  userId: string;
  orgId: Actor["orgId"];
  role: Role;
  name: string;
  email: string;
  password: string;
  session: IssuedSession;
  actor: Actor;
}

/** The token in the newest link of `kind` sent to `email` (from the outbox, as a person reads it). */
export async function linkTokenFromMail(
  world: World,
  email: string,
  kind: string,
): Promise<string> {
  const row = await world.store.db
    .selectFrom("outbox")
    .select("text_body")
    .where("to_address", "=", email)
    .where("kind", "=", kind)
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (row === undefined) throw new Error(`no ${kind} email to ${email}`);
  const match = /token=([^\s&]+)/.exec(row.text_body);
  if (match === null) throw new Error(`no link in the ${kind} email to ${email}`);
  return decodeURIComponent(match[1] as string);
}

/** Signs up a new organisation and confirms the owner's email; the owner is signed in. */
export async function signUpOwner(
  world: World,
  overrides: Partial<SignUpInput> = {},
): Promise<Person> {
  const input = buildSignUp(overrides);
  const { userId, orgId } = await world.deps.accounts.signUp(input, META);
  const token = await linkTokenFromMail(world, input.email, "verify-email");
  const session = await world.deps.accounts.verifyEmail(token, META);
  return {
    userId,
    orgId,
    role: "owner",
    name: input.name,
    email: input.email,
    password: input.password,
    session,
    actor: { userId, orgId, role: "owner", via: "session" },
  };
}

/** Invites a new person with `role` (by `inviter`) and accepts; the new member is signed in. */
export async function addMember(
  world: World,
  inviter: Person,
  role: Role,
  overrides: { name?: string; email?: string; password?: string } = {},
): Promise<Person> {
  const n = unique();
  const email = overrides.email ?? `${role}-${n}@member-${n}.example`;
  const name = overrides.name ?? `Member ${role} ${n}`;
  const password = overrides.password ?? `member password ${n}`;
  await world.deps.accounts.invite(inviter.actor, { email, role }, META);
  const token = await linkTokenFromMail(world, email, "invitation");
  const session = await world.deps.accounts.acceptInvitation(
    { token, name, phone: "+1 555 0100", postalAddress: `${n} Member Road`, password },
    META,
  );
  const me = await world.deps.accounts.session(session.token);
  if (me === undefined) throw new Error("invited member has no session");
  return {
    userId: me.actor.userId,
    orgId: me.actor.orgId,
    role,
    name,
    email,
    password,
    session,
    actor: me.actor,
  };
}

export interface Organisation {
  name: string;
  owner: Person;
  admin: Person;
  recruiter: Person;
  interviewer: Person;
  byRole: Record<Role, Person>;
}

export async function createOrganisation(world: World, company?: string): Promise<Organisation> {
  const owner = await signUpOwner(world, company === undefined ? {} : { company });
  const admin = await addMember(world, owner, "admin");
  const recruiter = await addMember(world, owner, "recruiter");
  const interviewer = await addMember(world, owner, "interviewer");
  const org = await world.store.db
    .selectFrom("organisations")
    .select("name")
    .where("id", "=", owner.orgId)
    .executeTakeFirstOrThrow();
  return {
    name: org.name,
    owner,
    admin,
    recruiter,
    interviewer,
    byRole: { owner, admin, recruiter, interviewer },
  };
}

export async function apiTokenFor(world: World, person: Person, name = "test token") {
  return world.deps.accounts.createApiToken(person.actor, name, META);
}

// ---------------------------------------------------------------------------------------------
// Requests

export type Caller =
  | { kind: "session"; session: IssuedSession }
  | { kind: "token"; token: string }
  | { kind: "anonymous" };

export const anonymous: Caller = { kind: "anonymous" };
export const viaSession = (person: Person): Caller => ({
  kind: "session",
  session: person.session,
});
export const viaToken = (token: string): Caller => ({ kind: "token", token });

/** A fixed anonymous double-submit token (the cookie and the form field must agree). */
const ANON_CSRF = "anonymous-csrf-token-for-tests-0123456789";

export type FormFields = Record<string, string | string[]>;

export interface SendOptions {
  as?: Caller;
  /**
   * Form fields (urlencoded; a list repeats the field, like checkboxes); `_csrf` is added for
   * the caller unless `csrf` says otherwise.
   */
  form?: FormFields;
  /** A JSON body; a string is sent as is (for malformed JSON). */
  json?: unknown;
  /** `false` leaves the CSRF token out; a string sends that one instead. */
  csrf?: false | string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

export async function send(
  ally: AllyApp,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Answer> {
  const caller = options.as ?? anonymous;
  const headers: Record<string, string> = { ...options.headers };
  const cookies: string[] = [];
  let csrf: string | undefined;
  if (caller.kind === "token") headers.authorization = `Bearer ${caller.token}`;
  if (caller.kind === "session") {
    cookies.push(`${SESSION_COOKIE}=${caller.session.token}`);
    csrf = caller.session.csrfToken;
  }
  if (caller.kind === "anonymous") {
    cookies.push(`${ANON_CSRF_COOKIE}=${ANON_CSRF}`);
    csrf = ANON_CSRF;
  }
  if (options.csrf === false) csrf = undefined;
  else if (typeof options.csrf === "string") csrf = options.csrf;
  // A cookie the test sends itself (a consent choice) goes along with the caller's.
  if (options.headers?.cookie !== undefined) cookies.push(options.headers.cookie);
  if (cookies.length > 0) headers.cookie = cookies.join("; ");
  let body: string | undefined;
  if (options.form !== undefined) {
    const fields = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) {
      for (const one of Array.isArray(value) ? value : [value]) fields.append(name, one);
    }
    if (csrf !== undefined && caller.kind !== "token") fields.set("_csrf", csrf);
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = fields.toString();
  } else if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof options.json === "string" ? options.json : JSON.stringify(options.json);
    if (csrf !== undefined && caller.kind === "session") headers["x-csrf-token"] = csrf;
  } else if (method !== "GET" && csrf !== undefined && caller.kind !== "token") {
    if (path.startsWith("/api/")) headers["x-csrf-token"] = csrf;
    else {
      // A bodiless page form still carries its token as a field, as the pages' forms do.
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams({ _csrf: csrf }).toString();
    }
  }
  const response = await ally.app.request(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text),
  };
}

/** Fills a route's parameters: the object parameter with `objectId`, any other with a dummy. */
export function fillPath(path: string, objectParam: string | undefined, objectId: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
    name === objectParam ? encodeURIComponent(objectId) : "unrelated_0",
  );
}

/** Every row of every Ally table, as JSON text: compare before and after to prove no writes. */
export async function snapshot(
  world: World,
  ignore: { [table: string]: string[] } = { api_tokens: ["last_used_at"] },
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of Object.keys(dataMap)) {
    // biome-ignore lint/suspicious/noExplicitAny: a table chosen at run time.
    const rows = (await (world.store.db as any).selectFrom(table).selectAll().execute()) as Array<
      Record<string, unknown>
    >;
    const skip = ignore[table] ?? [];
    const cleaned = rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !skip.includes(column))),
    );
    cleaned.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    out[table] = JSON.stringify(cleaned);
  }
  return out;
}

/** Row counts of every Ally table. */
export async function rowCounts(world: World): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of Object.keys(dataMap)) {
    // biome-ignore lint/suspicious/noExplicitAny: a table chosen at run time.
    const row = await (world.store.db as any)
      .selectFrom(table)
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      .select((eb: any) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** A stack frame or an exception name in a response body means internals leaked. */
export function leaksInternals(text: string): boolean {
  return /\n\s+at\s|\bat\s+\S+\s+\(|Error:|node_modules|\.ts:\d+/.test(text);
}
