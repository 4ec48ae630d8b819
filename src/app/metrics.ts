/**
 * `/metrics` in Prometheus text format (prom-client), one registry per running app:
 * - `ally_http_request_duration_seconds{method,route,status}`: latency by route pattern (never
 *   the path itself, which may hold a booking link's token);
 * - `ally_queue_due_jobs{queue}` and `ally_queue_oldest_job_age_seconds{queue}`: what waits in
 *   each durable queue (jobs/lease-queue.ts) and for how long, read from the database when scraped;
 * - `ally_calendar_connections{status}` and `ally_calendar_oldest_sync_age_seconds`: sync health;
 * - `ally_mail_sent_total`, `ally_mail_failed_total`: what this process's outbox sent or failed;
 * - `ally_engine_budget_stops_total`: option searches stopped by the engine's step budget;
 * - the process's own (CPU, memory, event loop lag) under `ally_process_…`/`ally_nodejs_…`.
 * Counters count in this process; sum them across processes.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { SlotEngine } from "../booking/service.js";
import { eventWritesQueue } from "../calendar/event-writes.js";
import { syncHealth } from "../calendar/sync-health.js";
import { connectionSyncQueue } from "../calendar/sync-worker.js";
import type { Clock } from "../clock.js";
import { type QueueSpec, queueBacklog } from "../jobs/lease-queue.js";
import { scheduledJobsQueue } from "../jobs/scheduled-jobs.js";
import { inboundQueue } from "../mail/inbound.js";
import type { MailTransport } from "../mail/outbox-worker.js";
import { outboxQueue } from "../mail/outbox-worker.js";
import type { Store } from "../store/database.js";

// biome-ignore lint/suspicious/noExplicitAny: a list of queues of different row types.
type AnyQueue = QueueSpec<any, any>;

/** Each queue with the column that says since when a row waits. */
function queuesWatched(syncIntervalMs: number): { spec: AnyQueue; sinceColumn: string }[] {
  return [
    { spec: scheduledJobsQueue, sinceColumn: "run_at" },
    { spec: outboxQueue(), sinceColumn: "created_at" },
    { spec: inboundQueue(), sinceColumn: "received_at" },
    { spec: eventWritesQueue, sinceColumn: "created_at" },
    { spec: connectionSyncQueue(syncIntervalMs), sinceColumn: "last_attempt_at" },
  ];
}

export interface Metrics {
  registry: Registry;
  /** One answered HTTP request. */
  recordRequest(request: {
    method: string;
    route: string;
    status: number;
    durationSeconds: number;
  }): void;
  /** The text a Prometheus server scrapes. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** `transport`, counting what it sent and what failed. */
  countMail(transport: MailTransport): MailTransport;
  /** `engine`, counting searches its step budget stopped. */
  countBudgetStops(engine: SlotEngine): SlotEngine;
}

export function createMetrics(deps: {
  store: Store;
  clock: Clock;
  syncIntervalMs: number;
  /** Also the process's CPU, memory and event loop (off in tests that make many registries). */
  processMetrics?: boolean;
}): Metrics {
  const registry = new Registry();
  if (deps.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: "ally_" });
  const requests = new Histogram({
    name: "ally_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const mailSent = new Counter({
    name: "ally_mail_sent_total",
    help: "Emails this process handed to the relay (or wrote to the outbox folder).",
    registers: [registry],
  });
  const mailFailed = new Counter({
    name: "ally_mail_failed_total",
    help: "Attempts to send an email that failed (each is retried until its last attempt).",
    registers: [registry],
  });
  const budgetStops = new Counter({
    name: "ally_engine_budget_stops_total",
    help: "Option searches the engine stopped when its step budget ran out.",
    registers: [registry],
  });
  const watched = queuesWatched(deps.syncIntervalMs);
  // Scraped together: one read of the queues serves both gauges.
  let backlog: Promise<{ queue: string; due: number; ageSeconds: number }[]> | undefined;
  const readBacklog = () => {
    backlog ??= (async () => {
      const now = deps.clock.now();
      const out = [];
      for (const { spec, sinceColumn } of watched) {
        const { due, oldestSince } = await queueBacklog(deps.store.db, spec, now, sinceColumn);
        out.push({
          queue: spec.name,
          due,
          ageSeconds: oldestSince === null ? 0 : Math.max(0, (now - oldestSince) / 1000),
        });
      }
      return out;
    })();
    return backlog;
  };
  new Gauge({
    name: "ally_queue_due_jobs",
    help: "Jobs due now in each durable queue (dead letters aside).",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await readBacklog()) this.set({ queue: q.queue }, q.due);
    },
  });
  new Gauge({
    name: "ally_queue_oldest_job_age_seconds",
    help: "How long the oldest due job of each queue has waited (0 when none is due).",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of await readBacklog()) this.set({ queue: q.queue }, q.ageSeconds);
    },
  });
  new Gauge({
    name: "ally_calendar_connections",
    help: "Calendar connections by sync status.",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const health = await syncHealth(deps.store.db);
      for (const status of ["pending", "healthy", "unhealthy"]) {
        this.set({ status }, health.byStatus[status] ?? 0);
      }
    },
  });
  new Gauge({
    name: "ally_calendar_oldest_sync_age_seconds",
    help: "Time since the stalest calendar connection last read its calendar successfully.",
    registers: [registry],
    async collect() {
      const { oldestLastSyncedAt } = await syncHealth(deps.store.db);
      this.set(
        oldestLastSyncedAt === null
          ? 0
          : Math.max(0, (deps.clock.now() - oldestLastSyncedAt) / 1000),
      );
    },
  });

  return {
    registry,
    recordRequest({ method, route, status, durationSeconds }) {
      requests.observe({ method, route, status: String(status) }, durationSeconds);
    },
    async exposition() {
      backlog = undefined;
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    countMail(transport) {
      return {
        async send(message) {
          try {
            const sent = await transport.send(message);
            mailSent.inc();
            return sent;
          } catch (error) {
            mailFailed.inc();
            throw error;
          }
        },
        close: () => transport.close(),
      };
    },
    countBudgetStops(engine) {
      return {
        async options(problem) {
          const answer = await engine.options(problem);
          if (!answer.search.complete) budgetStops.inc();
          return answer;
        },
      };
    },
  };
}
