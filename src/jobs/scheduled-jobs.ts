/**
 * Durable work to do at a time: a reminder 24 hours before an interview, a follow-up after it.
 * A job is scheduled inside the transaction of the change that causes it (so it exists exactly
 * when the change does), named by a unique key so that moving an interview moves its jobs and
 * cancelling it removes them, and run once by whichever process's worker claims it first (a
 * lease, as in the outbox). A handler that fails is retried with backoff, then set aside with
 * its error.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { Clock } from "../clock.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type AnyHandle, jobsDb } from "./db.js";
import { exponentialBackoff, type QueueSpec, runNext, startQueueWorker } from "./lease-queue.js";
import type { RunningWorker } from "./polling.js";

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
  handle: AnyHandle,
  job: JobInput,
  now: number,
  options: { keepExisting?: boolean } = {},
): Promise<void> {
  const db = jobsDb(handle);
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
        dead_at: null,
      }),
    )
    .execute();
}

/** Removes the jobs whose key starts with `keyPrefix` that have not run; returns how many. */
export async function cancelJobs(handle: AnyHandle, keyPrefix: string): Promise<number> {
  const db = jobsDb(handle);
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
  db: AnyHandle;
  clock: Clock;
  handlers: Record<string, JobHandler>;
  leaseMs?: number;
  maxAttempts?: number;
  /** Spread of retry waits (config.queue.jitter); none unless given. */
  jitter?: number;
  log?: (line: string) => void;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 6;

const storedJob = z.object({
  id: z.coerce.number(),
  organisation_id: z.string().nullable(),
  kind: z.string(),
  key: z.string(),
  payload: z.string(),
  run_at: z.coerce.number(),
  attempts: z.coerce.number(),
});
const jobPayload = z.record(z.string(), z.unknown());

/** scheduled_jobs as a lease queue (lease-queue.ts). */
export const scheduledJobsQueue: QueueSpec<Job, void> = {
  name: "scheduled-jobs",
  table: "scheduled_jobs",
  due: (now) => sql`done_at is null and run_at <= ${now}`,
  order: sql`run_at, id`,
  orgColumn: "organisation_id",
  // A job moved while it ran runs again at its new time.
  guardColumns: ["run_at"],
  parse(row) {
    const r = storedJob.parse(row);
    return {
      id: r.id,
      organisationId: r.organisation_id,
      kind: r.kind,
      key: r.key,
      payload: parseStoredJson(jobPayload, r.payload, `scheduled_jobs.payload of ${r.id}`),
      runAt: r.run_at,
      attempts: r.attempts - 1,
    };
  },
  // 1, 2, 4, 8 ... minutes, at most an hour.
  backoffMs: exponentialBackoff(60_000, 60 * 60_000),
  onDone: (_result, now) => ({ done_at: now }),
  onDead: (reason, now) => ({ done_at: now, last_error: `gave up: ${reason}` }),
  onRetry: () => ({ done_at: null, last_error: null }),
  describe: (row) => String(row.kind),
};

/** Claims one due job and runs it; false when none is due. */
export async function runNextJob(deps: JobWorkerDeps): Promise<boolean> {
  const outcome = await runNext(scheduledJobsQueue, jobHandler(deps), queueOptions(deps));
  return outcome !== "idle";
}

function jobHandler(deps: JobWorkerDeps): (job: Job) => Promise<void> {
  return async (job) => {
    const handler = deps.handlers[job.kind];
    if (handler === undefined) throw new Error(`no handler for jobs of kind "${job.kind}"`);
    await handler(job);
  };
}

function queueOptions(deps: JobWorkerDeps) {
  return {
    db: deps.db,
    clock: deps.clock,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(deps.jitter === undefined ? {} : { jitter: deps.jitter }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
}

export function startJobWorker(deps: JobWorkerDeps & { pollMs: number }): RunningWorker {
  return startQueueWorker(scheduledJobsQueue, jobHandler(deps), {
    ...queueOptions(deps),
    pollMs: deps.pollMs,
  });
}
