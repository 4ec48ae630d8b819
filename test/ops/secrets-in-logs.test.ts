/**
 * The structured log never holds a secret. A realistic flow runs over HTTP with the log at its
 * most talkative level (trace) captured: sign-up, email verification, sign-in, a password reset,
 * an API token made and used, a CalDAV calendar connected with a password (its server refusing),
 * and the queue workers sending every email. Then the captured lines are searched for every
 * secret the flow used: passwords, session cookies, CSRF tokens, the API token, the emailed
 * codes and links' tokens, the master key, the OAuth client secret, the SMTP password.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps, startWorkers } from "../../src/app/compose.js";
import { createLogger } from "../../src/app/logger.js";
import { createMetrics } from "../../src/app/metrics.js";
import { fixedClock } from "../../src/clock.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { type AllyApp, createApp, SESSION_COOKIE } from "../../src/web/app.js";
import type { WebDeps } from "../../src/web/env.js";
import { testDatabases } from "../support/databases.js";
import {
  buildSignUp,
  linkTokenFromMail,
  MASTER_KEY,
  send,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

const OAUTH_SECRET = "google-client-secret-that-must-stay-hidden";
const SMTP_PASSWORD = "smtp-relay-password-never-logged";
const CALENDAR_PASSWORD = "caldav app password 7f3e9a";
const NEW_PASSWORD = "a brand new password 5521";

function sessionCookieOf(headers: Headers): string {
  const match = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(headers.get("set-cookie") ?? "");
  if (match === null) throw new Error("no session cookie was set");
  return match[1] as string;
}

describe.each(databases)("the log on $dialect", (database) => {
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  let world: Pick<World, "store" | "deps">;
  let ally: AllyApp;
  let deps: WebDeps;
  let dir: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-log-"));
    const created = await database.create();
    drop = created.drop;
    const config = testConfig({
      DATABASE_URL: created.url,
      DATA_DIR: dir,
      GOOGLE_CLIENT_ID: "google-client-id",
      GOOGLE_CLIENT_SECRET: OAUTH_SECRET,
      OUTBOX_POLL_MS: "50",
      QUEUE_POLL_MS: "50",
    });
    const clock = fixedClock(T0);
    const logger = createLogger({
      level: "trace",
      destination: {
        write(line: string) {
          lines.push(line);
        },
      },
    });
    const metrics = createMetrics({ store: created.store, clock, syncIntervalMs: 900_000 });
    deps = buildDeps(config, created.store, clock, MASTER_KEY, { logger, metrics });
    ally = createApp(deps);
    world = { store: created.store, deps };
    secrets.set("master key (base64)", MASTER_KEY.toString("base64"));
    secrets.set("master key (hex)", MASTER_KEY.toString("hex"));
    secrets.set("OAuth client secret", OAUTH_SECRET);
    secrets.set("calendar password", CALENDAR_PASSWORD);
    secrets.set("new password", NEW_PASSWORD);
    // An SMTP URL with a password, as an operator writes it, logged as a line would carry it.
    logger.error(`could not reach smtp://ally:${SMTP_PASSWORD}@127.0.0.1:1`);
    logger.info({ smtpUrl: `smtp://ally:${SMTP_PASSWORD}@127.0.0.1:1` }, "relay");
    secrets.set("SMTP password", SMTP_PASSWORD);

    // Sign up and confirm the address from the emailed link.
    const signUp = buildSignUp();
    secrets.set("sign-up password", signUp.password);
    const { password: _password, ...profile } = signUp;
    const signedUp = await send(ally, "POST", "/signup", {
      form: { ...profile, password: signUp.password },
    });
    expect(signedUp.status).toBe(303);
    const verify = await linkTokenFromMail(world as World, signUp.email, "verify-email");
    secrets.set("email verification token", verify);
    const verified = await send(ally, "POST", "/verify-email", { form: { token: verify } });
    expect(verified.status).toBe(303);
    secrets.set("session after verification", sessionCookieOf(verified.headers));

    // Sign in with the password.
    const signedIn = await send(ally, "POST", "/login", {
      form: { email: signUp.email, password: signUp.password },
    });
    expect(signedIn.status).toBe(303);
    const sessionToken = sessionCookieOf(signedIn.headers);
    secrets.set("session cookie", sessionToken);
    const session = await deps.accounts.session(sessionToken);
    if (session === undefined) throw new Error("the sign-in made no session");
    secrets.set("CSRF token", session.csrfToken);
    const me = {
      kind: "session" as const,
      session: { token: sessionToken, csrfToken: session.csrfToken, expiresAt: T0 + 3_600_000 },
    };

    // An API token, made on the account and used against the API.
    const made = await send(ally, "POST", "/api/v1/tokens", {
      as: me as never,
      json: { name: "deploy script", scopes: ["read", "write"] },
    });
    expect(made.status).toBe(201);
    const apiToken = (made.json() as { token: string }).token;
    secrets.set("API token", apiToken);
    const used = await send(ally, "GET", "/api/v1/me", { as: { kind: "token", token: apiToken } });
    expect(used.status).toBe(200);
    const wrong = await send(ally, "GET", "/api/v1/me", {
      as: { kind: "token", token: `${apiToken}x` },
    });
    expect(wrong.status).toBe(401);

    // A CalDAV calendar with a password; its server refuses the connection.
    const connected = await send(ally, "POST", "/app/calendars/caldav", {
      as: me as never,
      form: {
        url: "http://127.0.0.1:9/dav/calendars/ada/",
        username: "ada",
        password: CALENDAR_PASSWORD,
      },
    });
    expect(connected.status).toBeGreaterThanOrEqual(400);

    // A password reset from the emailed link.
    await send(ally, "POST", "/forgot-password", { form: { email: signUp.email } });
    const reset = await linkTokenFromMail(world as World, signUp.email, "reset-password");
    secrets.set("password reset token", reset);
    await send(ally, "POST", "/reset-password", { form: { token: reset, password: NEW_PASSWORD } });

    // The workers send every email (each a logged job).
    const workers = await startWorkers(
      config,
      created.store,
      clock,
      singleKeyring(MASTER_KEY),
      deps,
      metrics,
    );
    try {
      for (let i = 0; i < 200; i += 1) {
        const unsent = await created.store.db
          .selectFrom("outbox")
          .select("id")
          .where("sent_at", "is", null)
          .execute();
        if (unsent.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await workers.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes one JSON line per request, with its id, method, route pattern, status and time", () => {
    const requests = lines.map((l) => JSON.parse(l)).filter((r) => r.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(9);
    for (const record of requests) {
      expect(record).toMatchObject({
        requestId: expect.any(String),
        method: expect.stringMatching(/^(GET|POST)$/),
        route: expect.stringMatching(/^\//),
        status: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    expect(requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toContain(
      "GET /api/v1/me 401",
    );
  });

  it("logs the workers' jobs", () => {
    expect(lines.join("")).toMatch(
      /"component":"worker","msg":"outbox: a job succeeded in \d+ ms"/,
    );
  });

  it("holds none of the secrets the flow used", () => {
    expect(secrets.size).toBe(13);
    const log = lines.join("");
    // The lines that quoted the SMTP URL are there, with its password taken out.
    expect(log).toContain("smtp://ally:[redacted]@127.0.0.1:1");
    expect(log).toContain('"smtpUrl":"[redacted]"');
    const found = [...secrets].filter(([, secret]) => log.includes(secret)).map(([name]) => name);
    expect(found).toEqual([]);
    // Nor any of them URL-encoded, as a query string would carry them.
    const encoded = [...secrets]
      .filter(([, secret]) => log.includes(encodeURIComponent(secret)))
      .map(([name]) => name);
    expect(encoded).toEqual([]);
  });
});
