/**
 * `ally serve`: opens the database, applies pending migrations, starts the HTTP server and the
 * outbox worker, and shuts down gracefully (stops accepting, finishes requests in flight, stops
 * the worker, closes the database) on SIGINT or SIGTERM. Nothing is kept only in memory, so any
 * number of processes can share one PostgreSQL database.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { secretBox } from "../accounts/secrets.js";
import { createAccountsService } from "../accounts/service.js";
import { type Clock, systemClock } from "../clock.js";
import type { Config } from "../config.js";
import { createHiringService } from "../hiring/service.js";
import {
  folderTransport,
  type MailTransport,
  smtpTransport,
  startOutboxWorker,
} from "../mail/outbox-worker.js";
import { openStore, type Store } from "../store/database.js";
import { migrateToLatest } from "../store/migrations.js";
import { createApp } from "./app.js";
import type { WebDeps } from "./env.js";
import { isLoopbackHost } from "./pages/dev-pages.js";

/** The master key: from the environment, else (SQLite only) a file created on first start. */
export function loadMasterKey(config: Config, dialect: Store["dialect"]): Buffer {
  if (config.masterKey !== undefined) return Buffer.from(config.masterKey, "base64");
  if (dialect === "postgres") {
    throw new Error(
      "ALLY_MASTER_KEY is required with PostgreSQL, so that every process opens the same secrets (generate one with: openssl rand -base64 32)",
    );
  }
  const path = resolve(join(config.dataDir, "master.key"));
  if (!existsSync(path)) {
    mkdirSync(resolve(config.dataDir), { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
  return key;
}

export function buildDeps(config: Config, store: Store, clock: Clock, masterKey: Buffer): WebDeps {
  const box = secretBox(masterKey);
  return {
    config,
    store,
    clock,
    accounts: createAccountsService({
      db: store.db,
      clock,
      box,
      publicUrl: config.http.publicUrl,
      mailFrom: config.mail.from,
      sessionTtlMs: config.sessionTtlHours * 3_600_000,
    }),
    hiring: createHiringService({ db: store.db, clock }),
    outboxDirectory: config.mail.smtpUrl === undefined ? resolve(config.mail.outboxDir) : undefined,
  };
}

export function mailTransport(config: Config): MailTransport {
  return config.mail.smtpUrl !== undefined
    ? smtpTransport(config.mail.smtpUrl)
    : folderTransport(resolve(config.mail.outboxDir));
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  // The key first: refusing to start must not leave a migrated database or open connections.
  const masterKey = loadMasterKey(
    config,
    config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
  );
  const store = openStore(config.database.url);
  const { applied } = await migrateToLatest(store.db, store.dialect).catch(async (error) => {
    await store.close();
    throw error;
  });
  if (applied.length > 0) log(`ally: applied migrations: ${applied.join(", ")}`);
  const clock = systemClock;
  const deps = buildDeps(config, store, clock, masterKey);
  const { app } = createApp(deps);
  const worker = startOutboxWorker({
    db: store.db,
    clock,
    transport: mailTransport(config),
    from: config.mail.from,
    pollMs: config.mail.pollMs,
    log: (line) => console.error(line),
  });
  const server = await new Promise<ReturnType<typeof serve>>((ready) => {
    const s = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host }, () =>
      ready(s),
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  const outboxNote =
    deps.outboxDirectory === undefined
      ? ""
      : `; emails are written to ${deps.outboxDirectory}${isLoopbackHost(new URL(config.http.publicUrl).hostname) ? `, listed at ${config.http.publicUrl}/dev/outbox` : ""}`;
  log(`ally: serving on ${url} (${store.dialect}${outboxNote})`);
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        // Stop accepting; finish requests in flight; drop idle keep-alive connections now
        // rather than waiting for their timeout.
        const closed = new Promise<void>((done) => server.close(() => done()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
        await closed;
        await worker.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
