/**
 * The processes Ally runs. `ally serve` (`startServer`): opens the database, applies pending
 * migrations, starts the HTTP server, the SMTP listener when configured and the queue workers,
 * and shuts down gracefully (stops accepting, finishes requests in flight, lets each worker
 * finish its unit, closes the database). `ally work` (`startWorkerProcess`): the same without
 * HTTP and SMTP, for a machine that only drains the queues. Nothing is kept only in memory, so
 * any number of either can share one PostgreSQL database.
 *
 * Each process makes one structured logger (app/logger.ts, JSON lines on stderr at LOG_LEVEL)
 * and one metrics registry (app/metrics.ts) and passes them down. `announce` receives the few
 * lines a person starting Ally reads (where it serves); it writes to stdout unless given.
 */
import { systemClock } from "../clock.js";
import type { Config } from "../config.js";
import { inlineFirst } from "../engine-pool/inline-first.js";
import { createEnginePool } from "../engine-pool/pool.js";
import { startSmtpListener } from "../mail/smtp-listener.js";
import type { Keyring } from "../secrets/keyring.js";
import { loadKeyring } from "../secrets/load-keyring.js";
import { checkDataKeys } from "../secrets/rotate.js";
import { openStore, type Store } from "../store/database.js";
import { migrateToLatest } from "../store/migrations.js";
import { createApp } from "../web/app.js";
import { isLoopbackHost } from "../web/pages/dev-pages.js";
import { serveHttp } from "../web/server.js";
import { buildDeps, startWorkers } from "./compose.js";
import { createLogger, type Logger, lineLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The keyring, the database and its migrations: what both processes open first. */
async function openDatabase(
  config: Config,
  log: (line: string) => void,
  logger: Logger,
): Promise<{ keyring: Keyring; store: Store }> {
  // The key first: refusing to start must not leave a migrated database or open connections.
  const keyring = loadKeyring(
    config,
    config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
  );
  const store = openStore(config.database.url, { log: lineLogger(logger, "error") });
  const { applied } = await migrateToLatest(store.db, store.dialect).catch(async (error) => {
    await store.close();
    throw error;
  });
  if (applied.length > 0) {
    log(`ally: applied migrations: ${applied.join(", ")}`);
    logger.info({ migrations: applied }, "applied migrations");
  }
  // Fail closed, loudly: secrets whose data key does not unwrap stay sealed, and their
  // features refuse to work, while everything else serves.
  for (const problem of await checkDataKeys(store.db, keyring)) {
    log(`ally: warning: ${problem}`);
    logger.warn(problem);
  }
  return { keyring, store };
}

const toStdout = (line: string) => {
  process.stdout.write(`${line}\n`);
};

export async function startServer(
  config: Config,
  log: (line: string) => void = toStdout,
  logger: Logger = createLogger({ level: config.operations.logLevel }),
): Promise<RunningServer> {
  const { keyring, store } = await openDatabase(config, log, logger);
  const clock = systemClock;
  // Options are computed on worker threads: one costly request must not stall the others.
  // A small problem is answered on this thread, cheaper than the trip to a worker and back.
  const enginePool = createEnginePool({ size: config.engine.workers });
  const metrics = createMetrics({
    store,
    clock,
    syncIntervalMs: config.calendar.syncMinutes * 60_000,
    processMetrics: true,
  });
  const deps = buildDeps(config, store, clock, keyring, {
    engine: inlineFirst(enginePool),
    logger,
    metrics,
  });
  const { app } = createApp(deps);
  const workers = await startWorkers(config, store, clock, keyring, deps, metrics);
  const inbound = config.mail.inbound;
  const smtpListener =
    inbound === undefined
      ? undefined
      : await startSmtpListener({
          db: store.db,
          clock,
          host: inbound.host,
          port: inbound.port,
          domain: inbound.domain,
          tombstones: deps.tombstones,
          ...(config.mail.trustedAuthservId === undefined
            ? {}
            : { trustedAuthservId: config.mail.trustedAuthservId }),
          log: lineLogger(logger.child({ component: "smtp" })),
        });
  const http = await serveHttp(app.fetch, { port: config.http.port, host: config.http.host });
  const outboxNote =
    deps.outboxDirectory === undefined
      ? ""
      : `; emails are written to ${deps.outboxDirectory}${isLoopbackHost(new URL(config.http.publicUrl).hostname) ? `, listed at ${config.http.publicUrl}/dev/outbox` : ""}`;
  log(`ally: serving on ${http.url} (${store.dialect}${outboxNote})`);
  logger.info({ url: http.url, dialect: store.dialect }, "serving");
  if (smtpListener !== undefined && inbound !== undefined) {
    log(`ally: receiving mail for @${inbound.domain} on ${inbound.host}:${smtpListener.port}`);
  }
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    close() {
      closing ??= (async () => {
        await http.close();
        await smtpListener?.close();
        await workers.stop();
        await enginePool.close();
        await store.close();
      })();
      return closing;
    },
  };
}

export interface RunningWorkerProcess {
  close(): Promise<void>;
}

/** `ally work`: only the queue workers, no HTTP and no SMTP listener. */
export async function startWorkerProcess(
  config: Config,
  log: (line: string) => void = toStdout,
  logger: Logger = createLogger({ level: config.operations.logLevel }),
): Promise<RunningWorkerProcess> {
  const { keyring, store } = await openDatabase(config, log, logger);
  const clock = systemClock;
  const metrics = createMetrics({
    store,
    clock,
    syncIntervalMs: config.calendar.syncMinutes * 60_000,
  });
  const deps = buildDeps(config, store, clock, keyring, { logger, metrics });
  const workers = await startWorkers(config, store, clock, keyring, deps, metrics);
  log(`ally: working the queues (${store.dialect})`);
  logger.info({ dialect: store.dialect }, "working the queues");
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await workers.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
