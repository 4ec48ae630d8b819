/**
 * Test factories for the hiring module: organisations with members of each role (made through
 * the accounts service, as real sign-ups and invitations), and inputs with overrides.
 */

import {
  type AccountsService,
  type Actor,
  createAccountsService,
} from "../../src/accounts/service.js";
import type { Role } from "../../src/accounts/tables.js";
import { buildDeps } from "../../src/app/compose.js";
import { type Clock, fixedClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type {
  CandidateInput,
  InterviewerProfileInput,
  LoopTemplateInput,
  PoolInput,
} from "../../src/hiring/schemas.js";
import { createHiringService, type HiringService } from "../../src/hiring/service.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";

// Tue 1 Dec 2026, 14:00 UTC
export const NOW = Date.UTC(2026, 11, 1, 14, 0);
export const META = { ip: "127.0.0.1", userAgent: "vitest" };
export const MASTER_KEY = Buffer.alloc(32, 7);

let sequence = 0;
const next = () => ++sequence;

export interface World {
  clock: ReturnType<typeof fixedClock>;
  accounts: AccountsService;
  hiring: HiringService;
  deps: WebDeps;
}

export function buildWorld(store: Store): World {
  const clock = fixedClock(NOW);
  const loaded = loadConfig({
    DATABASE_URL: "sqlite::memory:",
    DATA_DIR: "/tmp/ally-test-data",
    // The calendar servers in tests listen on loopback.
    ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: "true",
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const deps = buildDeps(loaded.config, store, clock, MASTER_KEY);
  return { clock, accounts: deps.accounts, hiring: deps.hiring, deps };
}

/** Only for services built outside `buildWorld`. */
export function hiringService(store: Store, clock: Clock): HiringService {
  return createHiringService({ db: store.db, clock });
}

export function accountsService(store: Store, clock: Clock): AccountsService {
  return createAccountsService({
    db: store.db,
    clock,
    box: createSecretStore({ db: store.db, keyring: singleKeyring(MASTER_KEY), clock }),
    publicUrl: "http://localhost:3000",
    mailFrom: "Ally <ally@localhost>",
    sessionTtlMs: 3_600_000,
  });
}

export interface SignedIn {
  actor: Actor;
  /** Session cookie value and its CSRF token, for page requests. */
  sessionToken: string;
  csrfToken: string;
  name: string;
  email: string;
}

function tokenFrom(text: string, path: string): string {
  const match = new RegExp(`${path}\\?token=([^\\s&"]+)`).exec(text);
  if (!match?.[1]) throw new Error(`no ${path} link in: ${text}`);
  return decodeURIComponent(match[1]);
}

async function latestMailTo(store: Store, to: string): Promise<string> {
  const row = await store.db
    .selectFrom("outbox")
    .select("text_body")
    .where("to_address", "=", to)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return row.text_body;
}

export interface Organisation {
  owner: SignedIn;
  /** Adds a member with the role, through an invitation accepted by a new person. */
  add(role: Role, name?: string): Promise<SignedIn>;
}

/** Signs up an organisation (its owner verified and signed in). */
export async function buildOrganisation(
  world: World,
  store: Store,
  overrides: { company?: string; ownerName?: string } = {},
): Promise<Organisation> {
  const n = next();
  const email = `owner${n}@example.com`;
  const name = overrides.ownerName ?? `Owner ${n}`;
  await world.accounts.signUp(
    {
      name,
      email,
      phone: "+44 20 7946 0958",
      postalAddress: "1 High Street, London",
      company: overrides.company ?? `Company ${n}`,
      password: "correct horse battery staple",
    },
    META,
  );
  const verified = await world.accounts.verifyEmail(
    tokenFrom(await latestMailTo(store, email), "/verify-email"),
    META,
  );
  const owner = await signedIn(world, verified.token, verified.csrfToken, name, email);
  return {
    owner,
    async add(role, memberName) {
      const m = next();
      const memberEmail = `${role}${m}@example.com`;
      const fullName = memberName ?? `${role[0]?.toUpperCase()}${role.slice(1)} ${m}`;
      await world.accounts.invite(owner.actor, { email: memberEmail, role }, META);
      const session = await world.accounts.acceptInvitation(
        {
          token: tokenFrom(await latestMailTo(store, memberEmail), "/invitations/accept"),
          name: fullName,
          phone: "+44 20 7946 0000",
          postalAddress: "2 Low Road, Leeds",
          password: "correct horse battery staple",
        },
        META,
      );
      return signedIn(world, session.token, session.csrfToken, fullName, memberEmail);
    },
  };
}

async function signedIn(
  world: World,
  token: string,
  csrfToken: string,
  name: string,
  email: string,
): Promise<SignedIn> {
  const session = await world.accounts.session(token);
  if (session === undefined) throw new Error("session not found");
  return { actor: session.actor, sessionToken: token, csrfToken, name, email };
}

export function buildCandidate(overrides: Partial<CandidateInput> = {}): CandidateInput {
  const n = next();
  return {
    name: `Candidate ${n}`,
    email: `candidate${n}@example.org`,
    phone: "+1 415 555 0100",
    timeZone: "America/Los_Angeles",
    notes: "Prefers mornings",
    ...overrides,
  };
}

export function buildPool(memberIds: string[], overrides: Partial<PoolInput> = {}): PoolInput {
  return { name: `Pool ${next()}`, memberIds, ...overrides };
}

export function buildTemplate(
  poolId: string,
  overrides: Partial<LoopTemplateInput> = {},
): LoopTemplateInput {
  return {
    name: `Onsite ${next()}`,
    jobId: null,
    order: "fixed",
    maxGapMinutes: 15,
    sessions: [
      { name: "Coding", durationMinutes: 60, poolId, count: 1 },
      { name: "System design", durationMinutes: 45, poolId, count: 2 },
    ],
    ...overrides,
  };
}

export function buildProfile(
  overrides: Partial<InterviewerProfileInput> = {},
): InterviewerProfileInput {
  return {
    timeZone: "Europe/Berlin",
    workingHours: [
      { days: ["MO", "TU", "WE", "TH"], start: "08:30", end: "16:30" },
      { days: ["FR"], start: "09:00", end: "12:00" },
    ],
    perDayLimit: 3,
    perWeekLimit: 10,
    ...overrides,
  };
}
