/**
 * The durable queue (src/jobs/lease-queue.ts), on every database: racing workers handle each
 * job exactly once, a worker killed mid-job loses nothing (its job is taken over after the
 * lease and completes once), failures wait an exponential backoff spread by jitter, and the
 * last failed attempt makes a dead letter that its organisation's admins can list and retry.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import {
  claimNext,
  exponentialBackoff,
  listDeadLetters,
  retryDeadLetter,
  runNext,
  withJitter,
} from "../../src/jobs/lease-queue.js";
import {
  type Job,
  type JobHandler,
  runNextJob,
  scheduledJobsQueue,
  scheduleJob,
} from "../../src/jobs/scheduled-jobs.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { sendNext } from "../../src/mail/outbox-worker.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 09:00 UTC
const T0 = Date.UTC(2026, 11, 1, 9, 0);
const MINUTE = 60_000;
const ORG = "org_queue_a";
const OTHER_ORG = "org_queue_b";
const CRASHING_WORKER = fileURLToPath(new URL("./support/crashing-worker.ts", import.meta.url));

const job = (key: string, overrides: { organisationId?: string | null; runAt?: number } = {}) => ({
  organisationId: overrides.organisationId === undefined ? ORG : overrides.organisationId,
  kind: "work",
  key,
  runAt: overrides.runAt ?? T0,
  payload: { n: key },
});

async function organisations(store: Store): Promise<void> {
  await store.db
    .insertInto("organisations")
    .values([
      { id: ORG, name: "Queue A", created_at: T0 },
      { id: OTHER_ORG, name: "Queue B", created_at: T0 },
    ])
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/** A database other processes can open too: PostgreSQL as made for tests, SQLite in a file. */
async function sharedDatabase(
  database: TestDatabase,
): Promise<{ store: Store; url: string; drop(): Promise<void> }> {
  if (database.dialect === "postgres") return database.create();
  const dir = await mkdtemp(join(tmpdir(), "ally-queue-"));
  const url = `sqlite:${join(dir, "queue.db")}`;
  const store = openStore(url);
  await migrateToLatest(store.db, store.dialect);
  return {
    store,
    url,
    async drop() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first stdout line of `child` that matches, or rejects after `ms`. */
function lineFrom(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    let errors = "";
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} within ${ms} ms: ${seen} ${errors}`)),
      ms,
    );
    child.stderr?.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}) first: ${seen} ${errors}`));
    });
  });
}

describe("queue settings", () => {
  it("default to polling every 5 s, five-minute leases, 8 attempts and a 20% spread", () => {
    const result = loadConfig({});
    expect(result.ok && result.config.queue).toEqual({
      pollMs: 5000,
      syncPollMs: 60_000,
      leaseMs: 300_000,
      maxAttempts: 8,
      jitter: 0.2,
    });
  });

  it("refuse a spread above 1, a lease under a second and zero attempts", () => {
    const result = loadConfig({
      QUEUE_JITTER: "1.5",
      QUEUE_LEASE_MS: "10",
      QUEUE_MAX_ATTEMPTS: "0",
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.join("\n");
    expect(errors).toContain("QUEUE_JITTER");
    expect(errors).toContain("QUEUE_LEASE_MS");
    expect(errors).toContain("QUEUE_MAX_ATTEMPTS");
  });
});

describe("backoff and jitter", () => {
  it("doubles the wait per failed attempt up to its ceiling", () => {
    const backoff = exponentialBackoff(MINUTE, 10 * MINUTE);
    expect([1, 2, 3, 4, 5, 6].map(backoff)).toEqual([1, 2, 4, 8, 10, 10].map((m) => m * MINUTE));
  });

  it("spreads a wait within [1 - jitter, 1 + jitter] of it, and not at all without jitter", () => {
    expect(withJitter(MINUTE, 0.2, () => 0)).toBe(0.8 * MINUTE);
    expect(withJitter(MINUTE, 0.2, () => 0.5)).toBe(MINUTE);
    expect(withJitter(MINUTE, 0.2, () => 0.999_999)).toBeLessThanOrEqual(1.2 * MINUTE);
    expect(withJitter(MINUTE, 0.2, () => 0.999_999)).toBeGreaterThan(1.19 * MINUTE);
    expect(withJitter(MINUTE, 0, () => 0.9)).toBe(MINUTE);
  });
});

for (const database of await testDatabases()) {
  describe(`the lease queue on ${database.dialect}`, () => {
    let shared: { store: Store; url: string; drop(): Promise<void> };
    let store: Store;
    const clock = fixedClock(T0);

    beforeAll(async () => {
      shared = await sharedDatabase(database);
      store = shared.store;
      await organisations(store);
    });
    afterAll(async () => {
      await shared?.drop();
    });
    beforeEach(async () => {
      await store.db.deleteFrom("scheduled_jobs").execute();
      await store.db.deleteFrom("outbox").execute();
      clock.set(T0);
    });

    it("lets 4 workers drain 2,000 jobs, each handled exactly once", async () => {
      const count = 2000;
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < count; i++) await scheduleJob(trx, job(`work:${i}`), T0);
      });
      // PostgreSQL: each worker on its own connections, as separate processes would be.
      const stores =
        database.dialect === "postgres"
          ? Array.from({ length: 4 }, () => openStore(shared.url))
          : Array.from({ length: 4 }, () => store);
      const handled = new Map<number, number>();
      const byWorker = [0, 0, 0, 0];
      const worker = async (index: number) => {
        const db = (stores[index] as Store).db;
        const work: JobHandler = async (j) => {
          handled.set(j.id, (handled.get(j.id) ?? 0) + 1);
          byWorker[index] = (byWorker[index] ?? 0) + 1;
          await new Promise((next) => setImmediate(next));
        };
        while (await runNextJob({ db, clock, handlers: { work } })) {
          // until nothing is due
        }
      };
      try {
        await Promise.all([0, 1, 2, 3].map(worker));
      } finally {
        if (database.dialect === "postgres") await Promise.all(stores.map((s) => s.close()));
      }
      expect(handled.size).toBe(count);
      expect([...handled.values()].every((times) => times === 1)).toBe(true);
      expect(byWorker.reduce((a, b) => a + b, 0)).toBe(count);
      const summary = await store.db
        .selectFrom("scheduled_jobs")
        .select((eb) => [
          eb.fn.countAll<number>().as("rows"),
          eb.fn.sum<number>("attempts").as("attempts"),
          eb.fn.count<number>("done_at").as("done"),
          eb.fn.count<number>("dead_at").as("dead"),
          eb.fn.count<number>("claimed_until").as("claimed"),
        ])
        .executeTakeFirstOrThrow();
      expect({
        rows: Number(summary.rows),
        attempts: Number(summary.attempts),
        done: Number(summary.done),
        dead: Number(summary.dead),
        claimed: Number(summary.claimed),
      }).toEqual({ rows: count, attempts: count, done: count, dead: 0, claimed: 0 });
    }, 120_000);

    it("gives a job whose worker was killed mid-job to another after the lease, and it completes once", async () => {
      const leaseMs = 10 * MINUTE;
      // Due now by the child's clock (the system's), as by the parent's.
      const runAt = Date.now() - MINUTE;
      await scheduleJob(store.db, { ...job("crash:1", { runAt }), kind: "crash-test" }, runAt);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", CRASHING_WORKER, shared.url, String(leaseMs)],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let line: string;
      try {
        line = await lineFrom(child, /^claimed \d+$/, 60_000);
      } finally {
        child.kill("SIGKILL");
      }
      await new Promise((exited) =>
        child.exitCode === null ? child.once("exit", exited) : exited(null),
      );
      expect(child.signalCode ?? "SIGKILL").toBe("SIGKILL");
      const id = Number(line.split(" ")[1]);
      const claimed = await store.db
        .selectFrom("scheduled_jobs")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(claimed).toMatchObject({ attempts: 1, done_at: null, dead_at: null });
      expect(claimed.claimed_until).not.toBeNull();

      const ran: Job[] = [];
      const handlers = {
        "crash-test": async (j: Job) => {
          ran.push(j);
        },
      };
      // While the dead worker's lease runs, nobody takes the job.
      clock.set(Number(claimed.claimed_until) - 1);
      expect(await runNextJob({ db: store.db, clock, handlers, leaseMs })).toBe(false);
      // After it, another worker does, once.
      clock.set(Number(claimed.claimed_until));
      while (await runNextJob({ db: store.db, clock, handlers, leaseMs })) {
        // until nothing is due
      }
      expect(ran.map((j) => j.id)).toEqual([id]);
      const done = await store.db
        .selectFrom("scheduled_jobs")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(done).toMatchObject({ attempts: 2, claimed_until: null, dead_at: null });
      expect(done.done_at).not.toBeNull();
    }, 90_000);

    it("does not take over a claim before its lease ends, and does after", async () => {
      await scheduleJob(store.db, job("lease:1"), T0);
      const options = { db: store.db, clock, leaseMs: MINUTE, maxAttempts: 3 };
      const stolen = await claimNext(scheduledJobsQueue, options);
      expect(stolen?.attempts).toBe(1);
      const ran: number[] = [];
      const handler = async (j: Job) => {
        ran.push(j.id);
      };
      clock.advance(MINUTE - 1);
      expect(await runNext(scheduledJobsQueue, handler, options)).toBe("idle");
      clock.advance(1);
      expect(await runNext(scheduledJobsQueue, handler, options)).toBe("done");
      expect(ran).toEqual([Number(stolen?.id)]);
    });

    it("waits the backoff times the jitter factor between attempts", async () => {
      await scheduleJob(store.db, job("jitter:1"), T0);
      const failing = async () => {
        throw new Error("relay down");
      };
      const options = {
        db: store.db,
        clock,
        leaseMs: MINUTE,
        maxAttempts: 5,
        jitter: 0.5,
        random: () => 0,
      };
      expect(await runNext(scheduledJobsQueue, failing, options)).toBe("retry");
      const [first] = await store.db.selectFrom("scheduled_jobs").selectAll().execute();
      // The first retry of a scheduled job waits a minute; spread by half, at least 30 s.
      expect(first?.claimed_until).toBe(T0 + 0.5 * MINUTE);
      expect(first?.last_error).toBe("relay down");
      clock.set(T0 + 0.5 * MINUTE - 1);
      expect(await runNext(scheduledJobsQueue, failing, options)).toBe("idle");
      clock.set(T0 + 0.5 * MINUTE);
      expect(await runNext(scheduledJobsQueue, failing, { ...options, random: () => 1 })).toBe(
        "retry",
      );
      const [second] = await store.db.selectFrom("scheduled_jobs").selectAll().execute();
      // The second waits two minutes; spread by half at the top, three.
      expect(second?.claimed_until).toBe(T0 + 0.5 * MINUTE + 3 * MINUTE);
    });

    it("makes a dead letter of the last failed attempt, lists it to its organisation only, and retries it", async () => {
      await scheduleJob(store.db, job("dead:1"), T0);
      await scheduleJob(store.db, job("dead:2", { organisationId: OTHER_ORG }), T0);
      const failing = async () => {
        throw new Error("calendar unreachable");
      };
      const options = { db: store.db, clock, leaseMs: MINUTE, maxAttempts: 2 };
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        outcomes.push(await runNext(scheduledJobsQueue, failing, options));
        clock.advance(10 * MINUTE);
      }
      expect(outcomes.filter((o) => o === "dead")).toHaveLength(2);
      expect(outcomes.filter((o) => o === "retry")).toHaveLength(2);
      // Dead letters are never claimed again.
      expect(outcomes.slice(-4)).toEqual(["idle", "idle", "idle", "idle"]);

      const dead = await listDeadLetters(store.db, [scheduledJobsQueue], ORG);
      expect(dead).toEqual([
        expect.objectContaining({
          queue: "scheduled-jobs",
          kind: "work",
          attempts: 2,
          lastError: "gave up: calendar unreachable",
        }),
      ]);
      const [letter] = dead;
      // Another organisation can neither see nor retry it.
      const others = await listDeadLetters(store.db, [scheduledJobsQueue], OTHER_ORG);
      expect(others.map((d) => d.id)).not.toContain(letter?.id);
      expect(
        await retryDeadLetter(
          store.db,
          scheduledJobsQueue,
          OTHER_ORG,
          letter?.id as number,
          clock.now(),
        ),
      ).toBe(false);

      expect(
        await retryDeadLetter(store.db, scheduledJobsQueue, ORG, letter?.id as number, clock.now()),
      ).toBe(true);
      const ran: number[] = [];
      const working = async (j: Job) => {
        ran.push(j.id);
      };
      while ((await runNext(scheduledJobsQueue, working, options)) !== "idle") {
        // until nothing is due
      }
      expect(ran).toEqual([letter?.id]);
      expect(await listDeadLetters(store.db, [scheduledJobsQueue], ORG)).toEqual([]);
      const row = await store.db
        .selectFrom("scheduled_jobs")
        .selectAll()
        .where("id", "=", letter?.id as number)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ attempts: 1, dead_at: null, last_error: null });
      expect(row.done_at).not.toBeNull();
    });

    it("sets aside an outbox message after its last attempt as a dead letter, and sends it once retried", async () => {
      await enqueueMail(
        store.db,
        { organisationId: null, kind: "notice", to: "sam@example.com", subject: "Hi", text: "x" },
        T0,
      );
      let failing = true;
      const sent: string[] = [];
      const transport = {
        async send(message: { messageId: string }) {
          if (failing) throw new Error("550 mailbox unavailable");
          sent.push(message.messageId);
          return {};
        },
        close() {},
      };
      const deps = {
        db: store.db,
        clock,
        transport,
        from: "Ally <ally@example.com>",
        maxAttempts: 2,
      };
      for (let i = 0; i < 6; i++) {
        await sendNext(deps);
        clock.advance(24 * 60 * MINUTE);
      }
      const [row] = await store.db.selectFrom("outbox").selectAll().execute();
      expect(row).toMatchObject({
        attempts: 2,
        sent_at: null,
        last_error: "550 mailbox unavailable",
      });
      expect(row?.dead_at).not.toBeNull();
      failing = false;
      expect(await sendNext(deps)).toBe(false);
      await store.db.updateTable("outbox").set({ organisation_id: ORG }).execute();
      const { outboxQueue } = await import("../../src/mail/outbox-worker.js");
      expect(
        await retryDeadLetter(store.db, outboxQueue(), ORG, Number(row?.id), clock.now()),
      ).toBe(true);
      while (await sendNext(deps)) {
        // until nothing is due
      }
      expect(sent).toHaveLength(1);
    });

    it("queues one outbox message per idempotency key", async () => {
      const message = {
        organisationId: null,
        kind: "notice",
        to: "sam@example.com",
        subject: "Reminder",
        text: "x",
        idempotencyKey: "reminder:bk_1:24h",
      };
      const first = await enqueueMail(store.db, message, T0);
      const second = await enqueueMail(store.db, message, T0 + 1);
      expect(second.messageId).toBe(first.messageId);
      const rows = await store.db.selectFrom("outbox").select("message_id").execute();
      expect(rows.map((r) => r.message_id)).toEqual([first.messageId]);
    });
  });
}
