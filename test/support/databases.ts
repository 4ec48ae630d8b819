/**
 * Every repository test runs on every dialect: SQLite in memory, and PostgreSQL in a fresh
 * database created for the test file and dropped after it. Without a reachable PostgreSQL a
 * developer's run skips those cases with one line; with CI=true they must run.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Dialect, openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

export const POSTGRES_ADMIN_URL =
  process.env.ALLY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({
      connectionString: POSTGRES_ADMIN_URL,
      connectionTimeoutMillis: 2000,
    });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return reachable;
}

export interface TestDatabase {
  dialect: Dialect;
  /** Opens a fresh, migrated, empty database; close it with `drop`. */
  create(): Promise<{ store: Store; url: string; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  dialect: "sqlite",
  async create() {
    const url = "sqlite::memory:";
    const store = openStore(url);
    await migrateToLatest(store.db, store.dialect);
    return { store, url, drop: () => store.close() };
  },
};

const postgres: TestDatabase = {
  dialect: "postgres",
  async create() {
    const name = `ally_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    const store = openStore(url.toString());
    await migrateToLatest(store.db, store.dialect);
    return {
      store,
      url: url.toString(),
      async drop() {
        await store.close();
        const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      },
    };
  },
};

/**
 * The dialects to run on. PostgreSQL is left out (with one line on stderr) only when it is
 * unreachable and CI is not set; on CI an unreachable PostgreSQL fails the run.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  if (await postgresReachable()) return [sqlite, postgres];
  if (process.env.CI === "true") {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}, and CI=true requires it`,
    );
  }
  console.warn(`PostgreSQL not reachable at ${POSTGRES_ADMIN_URL}: PostgreSQL cases skipped`);
  return [sqlite];
}
