/**
 * One durable lease queue for all of Ally's background work: scheduled jobs, the outbox,
 * inbound mail, calendar event writes and calendar sync. Each module keeps owning its table and
 * describes it in a `QueueSpec` (which rows are due, in what order, what "done" and "dead"
 * look like); the queue only claims, retries and sets aside, so no module queries another's
 * table.
 *
 * Claiming is one statement: `UPDATE t SET claimed_until = now + lease, attempts = attempts + 1
 * WHERE id = (SELECT id … LIMIT 1) RETURNING *`. On PostgreSQL the inner select takes
 * `FOR UPDATE SKIP LOCKED`, so N workers claim N different rows instead of racing for the
 * first; on SQLite the statement runs under the database's single writer lock, so it is atomic
 * as it stands.
 *
 * A claim is a lease: a worker that dies mid-job loses it when `claimed_until` passes and
 * another worker takes the row over. A failure waits `backoffMs(attempts)` times a random
 * factor in [1 - jitter, 1 + jitter] before the next attempt; after `maxAttempts` the row is a
 * dead letter (`dead_at`), listed for admins (`listDeadLetters`) and retried by hand
 * (`retryDeadLetter`). A result is recorded only by the claim that still holds the row (its
 * attempts and lease, and any `guardColumns`), so a job moved or taken over while it ran is
 * not marked done by a stale worker.
 */
import { type Kysely, PostgresAdapter, type RawBuilder, sql } from "kysely";
import type { Clock } from "../clock.js";
import { type RunningWorker, startPolling } from "./polling.js";

// biome-ignore lint/suspicious/noExplicitAny: the queue addresses the table its owner names.
type AnyDb = Kysely<any>;
type Values = Record<string, unknown>;

/** A table as a queue, described by the module that owns it. */
export interface QueueSpec<Row, Result = unknown> {
  /** Shown to admins and in logs, e.g. "outbox"; unique among queues. */
  name: string;
  /** The owner's table; its primary key is `id`. */
  table: string;
  /** Rows waiting to run at `now`, besides lease and dead letters, as SQL over the table's columns. */
  due(now: number): RawBuilder<unknown>;
  /** ORDER BY for due rows, first served first. */
  order: RawBuilder<unknown>;
  /** The lease column (default `claimed_until`). */
  leaseColumn?: string;
  /**
   * Counted attempts, with backoff and dead letters (default). `periodic`: a row that is never
   * done (a connection synced every interval); the handler keeps its own schedule and health.
   */
  mode?: "attempts" | "periodic";
  /** Where "not before" goes after a failure: the lease column unless given. */
  retryColumn?: string;
  /** The organisation column, for dead letters shown to an organisation's admins. */
  orgColumn?: string;
  /** Columns whose values at claim time must still hold when the result is recorded. */
  guardColumns?: readonly string[];
  /** The stored row as the handler sees it; validates what the database holds. */
  parse(row: Values): Row;
  /** The wait before the attempt after `attempts` failed ones (jitter is added to it). */
  backoffMs(attempts: number): number;
  /** Columns set when the handler succeeded (besides clearing the lease and error). */
  onDone?(result: Result, now: number): Values;
  /** Columns set when it fails (besides the lease and the error). */
  onFailure?(reason: string, now: number, willRetry: boolean): Values;
  /** Columns set when the last attempt failed (besides `dead_at`). */
  onDead?(reason: string, now: number): Values;
  /** Columns set when an admin retries a dead letter (besides attempts, lease and `dead_at`). */
  onRetry?(now: number): Values;
  /** SQL over the table's columns that must hold for a dead letter to be retried, if any. */
  retryableWhen?: RawBuilder<unknown>;
  /** A short, non-personal description of a row for the dead-letter list ("reminder", "invitation"). */
  describe?(row: Values): string;
  /** The error as stored; `last_error` unless given. */
  errorColumn?: string;
  /** Attempts column (`attempts`); periodic queues have none. */
  attemptsColumn?: string;
}

export interface QueueWorkerOptions {
  db: Kysely<never> | AnyDb;
  clock: Clock;
  /** How long a claim lasts before another worker may take the row over. */
  leaseMs: number;
  maxAttempts: number;
  /** 0..1; 0 (the default) waits exactly the backoff. */
  jitter?: number;
  /** A number in [0, 1); Math.random unless given. */
  random?: () => number;
  log?: (line: string) => void;
}

export type QueueHandler<Row, Result> = (row: Row) => Promise<Result>;

/** The outcome of one step: nothing due, or one row run (done, retried, dead). */
export type StepOutcome = "idle" | "done" | "retry" | "dead";

const attemptsOf = (spec: QueueSpec<unknown>) => spec.attemptsColumn ?? "attempts";
const leaseOf = (spec: QueueSpec<unknown>) => spec.leaseColumn ?? "claimed_until";
const errorOf = (spec: QueueSpec<unknown>) => spec.errorColumn ?? "last_error";

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The wait before a retry: `baseMs` times a factor in [1 - jitter, 1 + jitter], whole ms. */
export function withJitter(baseMs: number, jitter: number, random: () => number): number {
  if (jitter <= 0) return Math.round(baseMs);
  return Math.max(0, Math.round(baseMs * (1 - jitter + 2 * jitter * random())));
}

/** Exponential backoff: `firstMs`, doubling per failed attempt, at most `maxMs`. */
export function exponentialBackoff(firstMs: number, maxMs: number): (attempts: number) => number {
  return (attempts) => Math.min(firstMs * 2 ** Math.max(0, attempts - 1), maxMs);
}

/** Claims one due row with a lease; the row as stored after the claim, or undefined. */
export async function claimNext<Row>(
  spec: QueueSpec<Row>,
  options: Pick<QueueWorkerOptions, "db" | "clock" | "leaseMs">,
): Promise<Values | undefined> {
  const db = options.db as AnyDb;
  const now = options.clock.now();
  const table = sql.table(spec.table);
  const lease = sql.ref(leaseOf(spec));
  const periodic = spec.mode === "periodic";
  const alive = periodic ? sql`` : sql` and dead_at is null`;
  const lock = isPostgres(db) ? sql` for update skip locked` : sql``;
  const attempts = sql.ref(attemptsOf(spec));
  const count = periodic ? sql`` : sql`, ${attempts} = ${attempts} + 1`;
  const result = await sql<Values>`update ${table} set ${lease} = ${now + options.leaseMs}${count}
    where id = (select id from ${table} where (${spec.due(now)})${alive}
      and (${lease} is null or ${lease} <= ${now})
      order by ${spec.order} limit 1${lock})
    returning *`.execute(db);
  return result.rows[0];
}

/** Claims one due row and runs `handler` on it; records done, a retry or a dead letter. */
export async function runNext<Row, Result>(
  spec: QueueSpec<Row, Result>,
  handler: QueueHandler<Row, Result>,
  options: QueueWorkerOptions,
): Promise<StepOutcome> {
  const stored = await claimNext(spec, options);
  if (stored === undefined) return "idle";
  const db = options.db as AnyDb;
  const { clock } = options;
  const periodic = spec.mode === "periodic";
  // Only the claim that still holds the row records its result.
  const held = () => {
    let update = db.updateTable(spec.table).where("id", "=", stored.id);
    if (!periodic) {
      update = update
        .where(attemptsOf(spec), "=", stored[attemptsOf(spec)])
        .where(leaseOf(spec), "=", stored[leaseOf(spec)]);
    }
    for (const column of spec.guardColumns ?? []) {
      update = update.where(column, "=", stored[column]);
    }
    return update;
  };
  let result: Result;
  try {
    result = await handler(spec.parse(stored));
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).slice(0, 500);
    if (periodic) {
      options.log?.(`ally: ${spec.name} ${String(stored.id)}: ${reason}`);
      return "retry";
    }
    const attempts = Number(stored[attemptsOf(spec)]);
    const dead = attempts >= options.maxAttempts;
    const now = clock.now();
    const retryColumn = spec.retryColumn ?? leaseOf(spec);
    const waitMs = withJitter(
      spec.backoffMs(attempts),
      options.jitter ?? 0,
      options.random ?? Math.random,
    );
    const values: Values = {
      ...spec.onFailure?.(reason, now, !dead),
      [errorOf(spec)]: reason,
      [leaseOf(spec)]: null,
      ...(dead ? { dead_at: now, ...spec.onDead?.(reason, now) } : { [retryColumn]: now + waitMs }),
    };
    await held().set(values).execute();
    const what = spec.describe === undefined ? "" : ` (${spec.describe(stored)})`;
    options.log?.(
      `ally: ${spec.name} ${String(stored.id)}${what} ${dead ? "failed for good" : "will be retried"}: ${reason}`,
    );
    return dead ? "dead" : "retry";
  }
  if (!periodic) {
    await held()
      .set({
        [leaseOf(spec)]: null,
        [errorOf(spec)]: null,
        ...spec.onDone?.(result, clock.now()),
      })
      .execute();
  }
  return "done";
}

/** A dead letter as admins see it: which queue, which row, why, when. No personal data. */
export interface DeadLetter {
  queue: string;
  id: number;
  kind: string;
  attempts: number;
  lastError: string | null;
  deadAt: number;
}

/**
 * Whose dead letters: one organisation's (its admins), or every one's, including queues that
 * belong to no organisation such as inbound mail (the operator's, from the command line).
 */
export type DeadLetterScope = string | { operator: true };

/** The dead letters in `scope` in the given queues, newest first (at most `limit`). */
export async function listDeadLetters(
  db: Kysely<never> | AnyDb,
  specs: readonly QueueSpec<unknown, never>[],
  scope: DeadLetterScope,
  limit = 200,
): Promise<DeadLetter[]> {
  const all: DeadLetter[] = [];
  for (const spec of specs) {
    if (spec.mode === "periodic") continue;
    const orgColumn = spec.orgColumn;
    if (typeof scope === "string" && orgColumn === undefined) continue;
    const rows = await (db as AnyDb)
      .selectFrom(spec.table)
      .selectAll()
      .$if(typeof scope === "string", (q) => q.where(orgColumn as string, "=", scope))
      .where("dead_at", "is not", null)
      .orderBy("dead_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    for (const row of rows as Values[]) {
      all.push({
        queue: spec.name,
        id: Number(row.id),
        kind: spec.describe?.(row) ?? spec.name,
        attempts: Number(row[attemptsOf(spec)]),
        lastError: (row[errorOf(spec)] as string | null) ?? null,
        deadAt: Number(row.dead_at),
      });
    }
  }
  return all.sort((a, b) => b.deadAt - a.deadAt || b.id - a.id).slice(0, limit);
}

/**
 * Puts a dead letter back in its queue with fresh attempts, due now. False when the
 * organisation has no such dead letter in that queue, or its queue says it may not be retried.
 */
export async function retryDeadLetter(
  db: Kysely<never> | AnyDb,
  spec: QueueSpec<unknown, never>,
  scope: DeadLetterScope,
  id: number,
  now: number,
): Promise<boolean> {
  const orgColumn = spec.orgColumn;
  if (spec.mode === "periodic") return false;
  if (typeof scope === "string" && orgColumn === undefined) return false;
  const retryColumn = spec.retryColumn ?? leaseOf(spec);
  const result = await (db as AnyDb)
    .updateTable(spec.table)
    .set({
      ...spec.onRetry?.(now),
      dead_at: null,
      [attemptsOf(spec)]: 0,
      [leaseOf(spec)]: null,
      ...(retryColumn === leaseOf(spec) ? {} : { [retryColumn]: now }),
    })
    .where("id", "=", id)
    .$if(typeof scope === "string", (q) => q.where(orgColumn as string, "=", scope))
    .where("dead_at", "is not", null)
    .$if(spec.retryableWhen !== undefined, (update) =>
      update.where(sql<boolean>`(${spec.retryableWhen})`),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** What waits in a queue: rows due now (dead letters aside), and when the oldest became due. */
export interface QueueBacklog {
  due: number;
  /** The smallest `sinceColumn` among due rows (epoch ms); null when none is due. */
  oldestSince: number | null;
}

/**
 * How much work waits in a queue, for the operator's metrics. `sinceColumn` is the owner's
 * column saying since when a row waits (`created_at`, `run_at`, …).
 * @example await queueBacklog(db, outboxQueue(), now, "created_at") // { due: 3, oldestSince: 1764… }
 */
export async function queueBacklog(
  db: Kysely<never> | AnyDb,
  spec: QueueSpec<unknown, never>,
  now: number,
  sinceColumn: string,
): Promise<QueueBacklog> {
  const alive = spec.mode === "periodic" ? sql`` : sql` and dead_at is null`;
  const result = await sql<{ due: number | string; oldest: number | string | null }>`select
    count(*) as due, min(${sql.ref(sinceColumn)}) as oldest from ${sql.table(spec.table)}
    where (${spec.due(now)})${alive}`.execute(db as AnyDb);
  const row = result.rows[0];
  return {
    due: Number(row?.due ?? 0),
    oldestSince: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest),
  };
}

/** A queue's worker: polls every `pollMs` (see polling.ts) and runs one row at a time. */
export function startQueueWorker<Row, Result>(
  spec: QueueSpec<Row, Result>,
  handler: QueueHandler<Row, Result>,
  options: QueueWorkerOptions & { pollMs: number; onStop?: () => void },
): RunningWorker {
  // Each finished job is logged with how long it took; failures are logged by `runNext`.
  const timed: QueueHandler<Row, Result> = async (row) => {
    const startedAt = performance.now();
    const result = await handler(row);
    const ms = Math.round(performance.now() - startedAt);
    options.log?.(`ally: ${spec.name}: a job succeeded in ${ms} ms`);
    return result;
  };
  return startPolling(async () => (await runNext(spec, timed, options)) !== "idle", {
    pollMs: options.pollMs,
    name: `${spec.name} worker`,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.onStop === undefined ? {} : { onStop: options.onStop }),
  });
}
