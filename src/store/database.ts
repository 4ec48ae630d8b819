/**
 * The database: one Kysely instance over embedded SQLite (default) or PostgreSQL.
 *
 * Portable column conventions, the same on both dialects:
 * - ids are text (random, URL-safe);
 * - instants are integer epoch milliseconds (`bigint` on PostgreSQL, read back as numbers);
 * - booleans are integers 0/1; structured values are JSON text.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the database named by a URL: `sqlite:PATH`, `sqlite::memory:`, or `postgres://…`.
 * @example const store = openStore("sqlite:./data/ally.db");
 */
export function openStore(url: string): Store {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = new SQLite(path === ":memory:" ? ":memory:" : resolve(path));
    database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return { db, dialect: "sqlite", close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        // int8 (bigint) holds epoch milliseconds, well inside Number's safe range.
        oid === 20
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as "text"),
    },
  });
  // An idle connection the server ends (a restart, a failover, a dropped database) is reported
  // on the pool; without a listener it would take the process down. The pool replaces it.
  let closing = false;
  pool.on("error", (error) => {
    if (!closing) console.error(`ally: a database connection was lost: ${error.message}`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: "postgres",
    close: () => {
      closing = true;
      return db.destroy();
    },
  };
}
