/**
 * Where a load run's Ally runs: a fresh database (a SQLite file in a temporary folder, or a
 * PostgreSQL database of its own, dropped after) and one or more Ally servers on loopback over
 * it: real `ally serve` processes (dist/, as `npm start` runs it), or the same server started in
 * this process (for the test, which needs no build).
 */

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createLogger } from "../../src/app/logger.js";
import { startServer } from "../../src/app/main.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { MAIL_DOMAIN, MASTER_KEY } from "../../test/faults/ally-process.js";
import { POSTGRES_ADMIN_URL } from "../../test/support/databases.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "ally.js");
const DIST = join(ROOT, "dist", "cli", "main.js");

export interface Database {
  url: string;
  store: Store;
  drop(): Promise<void>;
}

export async function createDatabase(kind: "sqlite" | "postgres"): Promise<Database> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "ally-load-"));
    const url = `sqlite:${join(dir, "ally.db")}`;
    const store = openStore(url);
    await migrateToLatest(store.db, store.dialect);
    return {
      url,
      store,
      async drop() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `ally_load_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const address = new URL(POSTGRES_ADMIN_URL);
  address.pathname = `/${name}`;
  const url = address.toString();
  const store = openStore(url);
  await migrateToLatest(store.db, store.dialect);
  return {
    url,
    store,
    async drop() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export interface Servers {
  urls: string[];
  /** Resident set size of each server process, MB. */
  rssMb(): number[];
  stop(): Promise<void>;
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN;
  }
}

/** One `ally serve` process (dist/) on loopback, started with `nodeArgs`. */
function spawnAlly(env: Record<string, string>, nodeArgs: string[]): Promise<AllyProcess> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), "ally-load-data-"));
  const child = spawn(process.execPath, [...nodeArgs, BIN, "serve"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      PORT: "0",
      HOST: "127.0.0.1",
      PUBLIC_URL: "http://127.0.0.1:3000",
      MAIL_FROM: `Ally <ally@${MAIL_DOMAIN}>`,
      DATA_DIR: dataDir,
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (chunk) => {
    // Keep the last few kilobytes: enough to say why it failed.
    err = `${err}${chunk}`.slice(-8000);
  });
  const exited = new Promise<void>((done) =>
    child.on("exit", () => {
      rmSync(dataDir, { recursive: true, force: true });
      done();
    }),
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ally serve did not start in 60 s: ${err}`));
    }, 60_000);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`ally serve ended before serving: ${err}`));
    });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const serving = /serving on (http:\/\/\S+?)[\s(]/.exec(out);
      if (serving === null) return;
      clearTimeout(timer);
      resolve({
        url: serving[1] as string,
        pid: child.pid ?? 0,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill("SIGTERM");
          const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}

interface AllyProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * `count` real `ally serve` processes on the database. With `profileDir`, each writes a CPU
 * profile (`node --cpu-prof`) there when it stops.
 */
export async function startProcesses(
  databaseUrl: string,
  count: number,
  profileDir?: string,
): Promise<Servers> {
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" };
  const nodeArgs = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const processes: AllyProcess[] = [];
  // One after the other, so that they do not race for the data folder's first master key.
  for (let i = 0; i < count; i++) processes.push(await spawnAlly(env, nodeArgs));
  return {
    urls: processes.map((p) => p.url),
    rssMb: () => processes.map((p) => rssOf(p.pid)),
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}

/** The same server `ally serve` starts, in this process (RSS is then this whole process's). */
export async function startInProcess(databaseUrl: string): Promise<Servers> {
  const dataDir = mkdtempSync(join(tmpdir(), "ally-load-data-"));
  const loaded = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    PUBLIC_URL: "http://127.0.0.1:3000",
    MAIL_FROM: `Ally <ally@${MAIL_DOMAIN}>`,
    DATA_DIR: dataDir,
    ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const server = await startServer(loaded.config, () => {}, createLogger({ level: "silent" }));
  return {
    urls: [server.url],
    rssMb: () => [Math.round(process.memoryUsage().rss / 1_048_576)],
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
