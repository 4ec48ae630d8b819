/**
 * The operator's endpoints and figures: request ids, `/health`, `/ready` (503 until the
 * database answers with every migration applied), and `/metrics` in Prometheus text (request
 * latency by route pattern, queue depths and ages, calendar sync health, mail sent and failed,
 * engine budget stops), readable from loopback or with METRICS_TOKEN.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { createMetrics, type Metrics } from "../../src/app/metrics.js";
import { inlineSlotEngine } from "../../src/booking/service.js";
import { fixedClock } from "../../src/clock.js";
import { answerOptions } from "../../src/engine/answer.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { folderTransport, type RenderedMessage } from "../../src/mail/outbox-worker.js";
import { openStore } from "../../src/store/database.js";
import { type AllyApp, createApp } from "../../src/web/app.js";
import { buildProblem } from "../engine/build-problem.js";
import { testDatabases } from "../support/databases.js";
import { MASTER_KEY, T0, testConfig } from "../support/web-world.js";

const databases = await testDatabases();
const TOKEN = "metrics-token-0123456789abcdef";

/** What a request from another machine looks like to the app (the Node server's socket). */
const fromElsewhere = { incoming: { socket: { remoteAddress: "203.0.113.9" } } };
const fromLoopback = { incoming: { socket: { remoteAddress: "127.0.0.1" } } };

function sample(text: string, metric: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${metric} `));
  return line === undefined ? undefined : Number(line.slice(metric.length + 1));
}

describe.each(databases)("operations on $dialect", (database) => {
  let ally: AllyApp;
  let withToken: AllyApp;
  let metrics: Metrics;
  let drop: () => Promise<void>;
  const clock = fixedClock(T0);

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    metrics = createMetrics({ store: created.store, clock, syncIntervalMs: 900_000 });
    const config = testConfig({ DATABASE_URL: created.url });
    ally = createApp(buildDeps(config, created.store, clock, MASTER_KEY, { metrics }));
    withToken = createApp(
      buildDeps(
        testConfig({ DATABASE_URL: created.url, METRICS_TOKEN: TOKEN }),
        created.store,
        clock,
        MASTER_KEY,
      ),
    );
    // Two emails waiting, the older queued 90 seconds before now.
    for (const [to, at] of [
      ["a@example.com", T0 - 90_000],
      ["b@example.com", T0 - 30_000],
    ] as const) {
      await enqueueMail(
        created.store.db,
        { organisationId: null, kind: "notice", to, subject: "Hello", text: "x" },
        at,
      );
    }
  });
  afterAll(async () => {
    await drop?.();
  });

  it("returns a valid X-Request-Id it was sent, and makes one for a request without", async () => {
    const kept = await ally.app.request("/health", {
      headers: { "x-request-id": "lb-4f1c2a9e-0001" },
    });
    expect(kept.headers.get("x-request-id")).toBe("lb-4f1c2a9e-0001");
    const made = await ally.app.request("/");
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("replaces an X-Request-Id that is too long or holds characters unfit for a log line", async () => {
    for (const bad of ["x".repeat(200), "id with spaces", "short"]) {
      const answer = await ally.app.request("/health", { headers: { "x-request-id": bad } });
      expect(answer.headers.get("x-request-id")).not.toBe(bad);
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("answers /health with 200 while the process runs", async () => {
    const answer = await ally.app.request("/health");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ok" });
  });

  it("answers /ready with 200 when the database answers with every migration applied", async () => {
    const answer = await ally.app.request("/ready");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "ready" });
  });

  it("serves /metrics to loopback in Prometheus text, with the queues' depth and age", async () => {
    await ally.app.request("/api/v1/me");
    const answer = await ally.app.request("/metrics", {}, fromLoopback);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await answer.text();
    expect(sample(text, 'ally_queue_due_jobs{queue="outbox"}')).toBe(2);
    expect(sample(text, 'ally_queue_oldest_job_age_seconds{queue="outbox"}')).toBe(90);
    for (const queue of [
      "scheduled-jobs",
      "inbound-mail",
      "calendar-event-writes",
      "calendar-sync",
    ]) {
      expect(sample(text, `ally_queue_due_jobs{queue="${queue}"}`), queue).toBe(0);
    }
    expect(sample(text, 'ally_calendar_connections{status="healthy"}')).toBe(0);
    expect(sample(text, "ally_calendar_oldest_sync_age_seconds")).toBe(0);
    expect(sample(text, "ally_mail_sent_total")).toBe(0);
    expect(sample(text, "ally_engine_budget_stops_total")).toBe(0);
    expect(
      sample(
        text,
        'ally_http_request_duration_seconds_count{method="GET",route="/api/v1/me",status="401"}',
      ),
    ).toBe(1);
  });

  it("labels requests by route pattern, never by a path that carries a token", async () => {
    await ally.app.request("/book/secret-link-token-abc123");
    const text = await (await ally.app.request("/metrics")).text();
    expect(text).not.toContain("secret-link-token-abc123");
    expect(text).toMatch(/route="\/book\/:token"/);
  });

  it("refuses /metrics from another machine, and from loopback when a proxy forwarded it", async () => {
    expect((await ally.app.request("/metrics", {}, fromElsewhere)).status).toBe(403);
    const forwarded = await ally.app.request(
      "/metrics",
      { headers: { "x-forwarded-for": "198.51.100.4" } },
      fromLoopback,
    );
    expect(forwarded.status).toBe(403);
  });

  it("with METRICS_TOKEN, serves /metrics to that bearer token alone, from anywhere", async () => {
    const none = await withToken.app.request("/metrics", {}, fromLoopback);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await withToken.app.request(
      "/metrics",
      { headers: { authorization: `Bearer ${TOKEN}x` } },
      fromElsewhere,
    );
    expect(wrong.status).toBe(401);
    const right = await withToken.app.request(
      "/metrics",
      { headers: { authorization: `Bearer ${TOKEN}` } },
      fromElsewhere,
    );
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("ally_queue_due_jobs");
  });
});

describe("readiness", () => {
  it("answers /ready with 503 and the reason while migrations are pending", async () => {
    const store = openStore("sqlite::memory:");
    try {
      const ally = createApp(buildDeps(testConfig(), store, fixedClock(T0), MASTER_KEY));
      const answer = await ally.app.request("/ready");
      expect(answer.status).toBe(503);
      const body = (await answer.json()) as { status: string; reason: string };
      expect(body.status).toBe("unavailable");
      expect(body.reason).toMatch(/^migrations not applied: 0001-/);
      expect((await ally.app.request("/health")).status).toBe(200);
    } finally {
      await store.close();
    }
  });

  it("answers /ready with 503 when the database does not answer", async () => {
    // A PostgreSQL server that is not there: nothing listens on port 1.
    const store = openStore("postgres://postgres@127.0.0.1:1/ally", { log: () => {} });
    try {
      const ally = createApp(buildDeps(testConfig(), store, fixedClock(T0), MASTER_KEY));
      const answer = await ally.app.request("/ready");
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({
        status: "unavailable",
        reason: "the database does not answer",
      });
      expect((await ally.app.request("/health")).status).toBe(200);
    } finally {
      await store.close();
    }
  });
});

describe("counters", () => {
  const store = openStore("sqlite::memory:");
  const message: RenderedMessage = {
    from: "Ally <ally@ally.test>",
    to: "sam@example.com",
    subject: "Hello",
    text: "Hello",
    html: undefined,
    messageId: "<m1@ally.test>",
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ally-metrics-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await store.close();
  });

  it("counts the emails a transport sent and the attempts that failed", async () => {
    const metrics = createMetrics({ store, clock: fixedClock(T0), syncIntervalMs: 900_000 });
    const delivering = metrics.countMail(folderTransport(join(dir, "outbox")));
    await delivering.send(message);
    await delivering.send({ ...message, messageId: "<m2@ally.test>" });
    // A folder that cannot be made (a file is in its place): the transport fails.
    writeFileSync(join(dir, "not-a-folder"), "");
    const failing = metrics.countMail(folderTransport(join(dir, "not-a-folder")));
    await expect(failing.send(message)).rejects.toThrow();
    const text = metrics.registry.getSingleMetricAsString.bind(metrics.registry);
    expect(await text("ally_mail_sent_total")).toMatch(/^ally_mail_sent_total 2$/m);
    expect(await text("ally_mail_failed_total")).toMatch(/^ally_mail_failed_total 1$/m);
  });

  it("counts option searches the engine's step budget stopped, and only those", async () => {
    const metrics = createMetrics({ store, clock: fixedClock(T0), syncIntervalMs: 900_000 });
    const problem = buildProblem();
    // The same engine, once with its full budget and once with five steps.
    const whole = metrics.countBudgetStops(inlineSlotEngine);
    const starved = metrics.countBudgetStops({ options: async (p) => answerOptions(p, 5) });
    expect((await whole.options(problem)).search.complete).toBe(true);
    expect((await starved.options(problem)).search.complete).toBe(false);
    expect((await starved.options(problem)).search.complete).toBe(false);
    const text = await metrics.registry.getSingleMetricAsString("ally_engine_budget_stops_total");
    expect(text).toMatch(/^ally_engine_budget_stops_total 2$/m);
  });
});
