/**
 * Durable work to do at a time: a reminder 24 hours before an interview, a follow-up after it.
 * A job is scheduled inside the transaction of the change that causes it (so it exists exactly
 * when the change does), named by a unique key so that moving an interview moves its jobs and
 * cancelling it removes them, and run once by whichever process's worker claims it first (a
 * lease, as in the outbox). A handler that fails is retried with backoff, then set aside with
 * its error.
 */
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Clock } from "../clock.js";
import type { Database } from "../store/schema.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type RunningWorker, startPolling } from "./polling.js";
import type { ScheduledJobsTable } from "./tables.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface JobInput {
  organisationId: string | null;
  kind: string;
  key: string;
  runAt: number;
  /** Ids for the handler; no personal data. */
  payload: Record<string, unknown>;
}

/**
 * Schedules a job, or moves the one with the same key (new time and payload, run again even if
 * it already ran). Call inside the transaction that makes the change. With `keepExisting`, a
 * job already under that key is left as it is (a recurring job set up at every start).
 */
export async function scheduleJob(
  db: Db,
  job: JobInput,
  now: number,
  options: { keepExisting?: boolean } = {},
): Promise<void> {
  const payload = JSON.stringify(job.payload);
  if (options.keepExisting === true) {
    await db
      .insertInto("scheduled_jobs")
      .values({
        organisation_id: job.organisationId,
        kind: job.kind,
        key: job.key,
        payload,
        run_at: job.runAt,
        claimed_until: null,
        attempts: 0,
        done_at: null,
        last_error: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    return;
  }
  await db
    .insertInto("scheduled_jobs")
    .values({
      organisation_id: job.organisationId,
      kind: job.kind,
      key: job.key,
      payload,
      run_at: job.runAt,
      claimed_until: null,
      attempts: 0,
      done_at: null,
      last_error: null,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        kind: job.kind,
        payload,
        run_at: job.runAt,
        claimed_until: null,
        attempts: 0,
        done_at: null,
        last_error: null,
      }),
    )
    .execute();
}

/** Removes the jobs whose key starts with `keyPrefix` that have not run; returns how many. */
export async function cancelJobs(db: Db, keyPrefix: string): Promise<number> {
  // A plain prefix comparison (LIKE would need its wildcards escaped, differently per database).
  const result = await db
    .deleteFrom("scheduled_jobs")
    .where(sql<boolean>`substr(key, 1, ${keyPrefix.length}) = ${keyPrefix}`)
    .where("done_at", "is", null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface Job {
  id: number;
  organisationId: string | null;
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  runAt: number;
  attempts: number;
}

/** Runs a job; throwing means "try again later". */
export type JobHandler = (job: Job) => Promise<void>;

export interface JobWorkerDeps {
  db: Kysely<Database>;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  leaseMs?: number;
  maxAttempts?: number;
  log?: (line: string) => void;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 6;

function toJob(row: Selectable<ScheduledJobsTable>): Job {
  return {
    id: Number(row.id),
    organisationId: row.organisation_id,
    kind: row.kind,
    key: row.key,
    payload: parseStoredJson(
      z.record(z.string(), z.unknown()),
      row.payload,
      `scheduled_jobs.payload of ${row.id}`,
    ),
    runAt: Number(row.run_at),
    attempts: row.attempts,
  };
}

/** Claims one due job and runs it; false when none is due. */
export async function runNextJob(deps: JobWorkerDeps): Promise<boolean> {
  const { db, clock } = deps;
  const now = clock.now();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const candidate = await db
    .selectFrom("scheduled_jobs")
    .selectAll()
    .where("done_at", "is", null)
    .where("run_at", "<=", now)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now)]))
    .orderBy("run_at")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (candidate === undefined) return false;
  const claimed = await db
    .updateTable("scheduled_jobs")
    .set({ claimed_until: now + leaseMs, attempts: candidate.attempts + 1 })
    .where("id", "=", candidate.id)
    .where("attempts", "=", candidate.attempts)
    .where("run_at", "=", candidate.run_at)
    .where("done_at", "is", null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return true; // another worker took it, or it moved
  const job = toJob(candidate);
  const handler = deps.handlers[job.kind];
  try {
    if (handler === undefined) throw new Error(`no handler for jobs of kind "${job.kind}"`);
    await handler(job);
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    deps.log?.(`ally: job ${job.key}: ${reason}`);
    const attempts = candidate.attempts + 1;
    const giveUp = attempts >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    await db
      .updateTable("scheduled_jobs")
      .set(
        giveUp
          ? { done_at: clock.now(), last_error: `gave up: ${reason}`, claimed_until: null }
          : {
              last_error: reason,
              // Back off: 1, 2, 4, 8 ... minutes.
              claimed_until: now + Math.min(60, 2 ** (attempts - 1)) * 60_000,
            },
      )
      .where("id", "=", candidate.id)
      .where("run_at", "=", candidate.run_at)
      .execute();
    return true;
  }
  // Done, unless it was moved while running (then it runs again at its new time).
  await db
    .updateTable("scheduled_jobs")
    .set({ done_at: clock.now(), claimed_until: null, last_error: null })
    .where("id", "=", candidate.id)
    .where("run_at", "=", candidate.run_at)
    .where("attempts", "=", candidate.attempts + 1)
    .execute();
  return true;
}

export function startJobWorker(deps: JobWorkerDeps & { pollMs: number }): RunningWorker {
  return startPolling(() => runNextJob(deps), {
    pollMs: deps.pollMs,
    name: "job worker",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
