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
import { AppError } from "../errors.js";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/** Prepared statements kept per connection; beyond this many, the oldest are dropped. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The SQLite connection as Kysely sees it, preparing each distinct SQL text once: Kysely
 * prepares every query it runs, and preparing costs more than running most of Ally's queries.
 * A statement is reusable once its `all` or `run` has returned (Ally never streams rows).
 */
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string): SQLite.Statement {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          cache.delete(cache.keys().next().value as string);
        }
        cache.set(text, statement);
      }
      return statement;
    },
    close(): void {
      cache.clear();
      database.close();
    },
  };
}

/**
 * Opens the database named by a URL: `sqlite:PATH`, `sqlite::memory:`, or `postgres://…`.
 * @example const store = openStore("sqlite:./data/ally.db");
 */
export function openStore(
  url: string,
  options: {
    /** Where a lost connection is reported; stderr unless given (the process's log). */
    log?: (line: string) => void;
  } = {},
): Store {
  const report = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
    const database = new SQLite(path === ":memory:" ? ":memory:" : resolve(path));
    database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    });
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
  // A connection the server ends (a restart, a failover, pg_terminate_backend) emits `error`.
  // While it idles in the pool, the pool relays that to its own listener; while it is checked
  // out, pg-pool removes that relay, and an `error` event without a listener would take the
  // process down. So every client gets its own listener as it connects: the query in flight
  // fails (the request answers DATABASE_UNAVAILABLE), the pool discards the broken client on
  // release and opens a new one for the next query.
  let closing = false;
  const lost = (error: Error) => {
    if (!closing) report(`ally: a database connection was lost: ${error.message}`);
  };
  pool.on("error", lost);
  pool.on("connect", (client) => {
    client.on("error", lost);
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

/**
 * PostgreSQL SQLSTATE classes and codes that mean the connection, not the statement, failed:
 * 08 (connection exception), 57P01–57P03 (the server shut down or is starting), 53300 (too
 * many connections).
 */
const CONNECTION_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
/** Socket-level failures on the way to the database server. */
const CONNECTION_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);
/** What pg says when a socket dies or a pool cannot hand out a connection in time. */
const CONNECTION_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/**
 * The error to answer with when `error` says the database could not be reached or dropped the
 * connection (rather than refusing a statement): `DATABASE_UNAVAILABLE`, which the caller may
 * retry. `undefined` for every other error.
 * @example app.onError((e) => { const down = databaseUnavailable(e); if (down) ... })
 */
export function databaseUnavailable(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const lostConnection =
    (typeof code === "string" && (CONNECTION_SQLSTATE.test(code) || CONNECTION_ERRNO.has(code))) ||
    CONNECTION_MESSAGE.test(error.message);
  if (!lostConnection) return undefined;
  return new AppError(
    "DATABASE_UNAVAILABLE",
    "The database is not reachable just now. Please try again in a moment.",
    { cause: error },
  );
}
