/**
 * Real `ally serve` processes for fault tests: `bin/ally.js` (compiled to dist/ by
 * `npm run build`) started with a clean environment on loopback, port 0, and a fresh data
 * folder; the test waits for the line that says where it serves. Also: polling for a condition
 * (never fixed sleeps, so a busy machine only makes a test slower), and an organisation seeded
 * through the real services with the real clock, as a sign-up and an email verification would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../../src/accounts/service.js";
import { buildDeps } from "../../src/app/compose.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type { Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";

const BIN = join(import.meta.dirname, "..", "..", "bin", "ally.js");
const DIST = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
export const MASTER_KEY = Buffer.alloc(32, 7);
export const META = { ip: "127.0.0.1", userAgent: "vitest" };
export const MAIL_DOMAIN = "ally.test";

export interface AllyProcess {
  /** The HTTP address it serves on. */
  url: string;
  /** Its inbound SMTP listener's port, when INBOUND_SMTP_PORT was given. */
  smtpPort: number | undefined;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Resolves with the exit code (or signal) once it has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not ended after 20 s. */
  stop(): Promise<void>;
}

/**
 * Starts `ally serve` with `env` on top of loopback defaults (PORT=0, a fresh DATA_DIR, the test
 * master key, a short outbox poll). Rejects if it ends or stays silent for 60 s.
 */
export function startAlly(env: Record<string, string>): Promise<AllyProcess> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
  const child = spawn(process.execPath, [BIN, "serve"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PORT: "0",
      HOST: "127.0.0.1",
      PUBLIC_URL: "http://127.0.0.1:3000",
      MAIL_FROM: `Ally <ally@${MAIL_DOMAIN}>`,
      DATA_DIR: mkdtempSync(join(tmpdir(), "ally-fault-")),
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
      OUTBOX_POLL_MS: "100",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let running = true;
  const exited = new Promise<number | string>((done) => {
    child.on("exit", (code, signal) => {
      running = false;
      done(code ?? signal ?? "unknown");
    });
  });
  child.stderr?.on("data", (chunk) => {
    err += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ally serve did not start in 60 s: ${err}`));
    }, 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ally serve ended (${code}) before serving: ${err}`));
    });
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const serving = /serving on (http:\/\/\S+?)[\s(]/.exec(out);
      const wantsSmtp = env.INBOUND_SMTP_PORT !== undefined;
      const smtp = /receiving mail for \S+ on [\d.]+:(\d+)/.exec(out);
      if (serving === null || (wantsSmtp && smtp === null)) return;
      clearTimeout(timer);
      resolve({
        url: serving[1] as string,
        smtpPort: smtp === null ? undefined : Number(smtp[1]),
        child,
        stderr: () => err,
        alive: () => running,
        exited,
        async stop() {
          if (!running) return;
          child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}

/** Polls `condition` every 100 ms until it holds (returns its truthy value) or `timeoutMs` passes. */
export async function eventually<T>(
  what: string,
  condition: () => Promise<T> | T,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** The services as `ally serve` builds them, over `store`, on the real clock. */
export function realDeps(store: Store): WebDeps {
  const loaded = loadConfig({
    DATABASE_URL: "sqlite::memory:",
    PUBLIC_URL: "http://127.0.0.1:3000",
    MAIL_FROM: `Ally <ally@${MAIL_DOMAIN}>`,
    ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: "true",
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  return buildDeps(loaded.config, store, systemClock, MASTER_KEY);
}

export interface SeededOwner {
  actor: Actor;
  email: string;
  /** A bearer token for /api/v1. */
  apiToken: string;
  /** A signed-in session for the pages: cookie value and CSRF token. */
  session: { token: string; csrfToken: string };
}

let serial = 0;

/** Signs up an organisation, verifies its owner's email from the outbox, and makes an API token. */
export async function seedOwner(
  store: Store,
  deps: WebDeps = realDeps(store),
): Promise<SeededOwner> {
  serial += 1;
  const n = `${process.pid}-${serial}`;
  const email = `owner-${n}@company-${n}.example`;
  await deps.accounts.signUp(
    {
      name: `Ada Owner ${n}`,
      email,
      phone: "+44 20 7946 0958",
      postalAddress: `${serial} Example Street, London`,
      company: `Company ${n} Ltd`,
      password: `correct horse battery ${n}`,
    },
    META,
  );
  const mail = await store.db
    .selectFrom("outbox")
    .select("text_body")
    .where("to_address", "=", email)
    .where("kind", "=", "verify-email")
    .executeTakeFirstOrThrow();
  const token = decodeURIComponent(/token=([^\s&]+)/.exec(mail.text_body)?.[1] ?? "");
  const session = await deps.accounts.verifyEmail(token, META);
  const me = await deps.accounts.session(session.token);
  if (me === undefined) throw new Error("the verified owner has no session");
  const { token: apiToken } = await deps.accounts.createApiToken(me.actor, "fault test", META);
  return {
    actor: me.actor,
    email,
    apiToken,
    session: { token: session.token, csrfToken: session.csrfToken },
  };
}

export interface SeededBookingOrg {
  owner: SeededOwner;
  interviewerIds: string[];
  candidateId: string;
  jobId: string;
}

/**
 * An organisation whose owner has an API token, two interviewers who work around the clock
 * (UTC, every day) with no calendar connected, a candidate and a job.
 */
export async function seedBookingOrg(store: Store): Promise<SeededBookingOrg> {
  const deps = realDeps(store);
  const owner = await seedOwner(store, deps);
  const interviewerIds: string[] = [];
  for (const name of ["Dana", "Eli"]) {
    serial += 1;
    const email = `${name.toLowerCase()}-${process.pid}-${serial}@example.com`;
    await deps.accounts.invite(owner.actor, { email, role: "interviewer" }, META);
    const mail = await store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("to_address", "=", email)
      .where("kind", "=", "invitation")
      .executeTakeFirstOrThrow();
    const token = decodeURIComponent(/token=([^\s&]+)/.exec(mail.text_body)?.[1] ?? "");
    const session = await deps.accounts.acceptInvitation(
      {
        token,
        name,
        phone: "+44 20 7946 0000",
        postalAddress: "2 Low Road, Leeds",
        password: `correct horse battery ${serial}`,
      },
      META,
    );
    const me = await deps.accounts.session(session.token);
    if (me === undefined) throw new Error(`${name} has no session`);
    await deps.hiring.putInterviewerProfile(me.actor, me.actor.userId, {
      timeZone: "UTC",
      workingHours: [
        { days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: "00:00", end: "24:00" },
      ],
      perDayLimit: null,
      perWeekLimit: null,
    });
    interviewerIds.push(me.actor.userId);
  }
  const candidate = await deps.hiring.createCandidate(owner.actor, {
    name: "Casey Candidate",
    email: `casey-${process.pid}-${serial}@example.org`,
    timeZone: "UTC",
  });
  const job = await deps.hiring.createJob(owner.actor, {
    title: "Platform engineer",
    department: null,
    location: null,
    description: null,
  });
  return { owner, interviewerIds, candidateId: candidate.id, jobId: job.id };
}

/** An interview request: an hour with the first interviewer, then 45 minutes with the second, within the next days. */
export function requestInput(org: SeededBookingOrg, nowMs: number = Date.now()) {
  const hour = 3_600_000;
  const start = Math.ceil(nowMs / hour) * hour + 24 * hour;
  return {
    candidateId: org.candidateId,
    jobId: org.jobId,
    sessions: [
      { name: "Coding", durationMinutes: 60, interviewerIds: [org.interviewerIds[0] as string] },
      { name: "Panel", durationMinutes: 45, interviewerIds: [org.interviewerIds[1] as string] },
    ],
    order: "fixed",
    maxGapMinutes: 15,
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(start + 72 * hour).toISOString(),
    timeZone: "UTC",
  };
}

/** Calls Ally's JSON API with the owner's token; answers status and parsed body. */
export async function api(
  ally: { url: string },
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${ally.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : JSON.parse(text) };
}
