/**
 * The one daily purge: every module's purge (rules.ts `MODULE_PURGES`), then each
 * organisation's closed requests (closed-requests.ts), recorded per run and per category in
 * `retention_runs`: when it ran, what it removed per table, and what failed. It runs as one
 * scheduled job under a fixed key, so the job queue's lease lets one process run it at a time
 * however many there are; every purge is a delete of what is past its limit, so running it
 * again removes nothing more.
 */
import { Temporal } from "temporal-polyfill";
import type { Clock } from "../clock.js";
import { newId } from "../ids.js";
import { type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import type { ErasureDeps } from "../privacy/erasure.js";
import type { ModulePurge } from "../privacy/retention-limits.js";
import { purgeClosedRequests } from "./closed-requests.js";
import { type AnyHandle, retentionDb } from "./db.js";
import { MODULE_PURGES } from "./rules.js";

export const RETENTION_JOB = "retention-purge";
const DAY_MS = 86_400_000;
const RUNS_KEPT_MS = 400 * DAY_MS;

export interface PurgeDeps {
  db: AnyHandle;
  clock: Clock;
  /** The erasure steps (closed requests are erased as a person is). */
  erasure: ErasureDeps;
  /** The module purges to run; every module's (rules.ts) unless given. */
  purges?: readonly { module: string; purge: ModulePurge }[];
  log?: (line: string) => void;
}

/** One category's line of a run, as recorded. */
export interface CategoryRun {
  category: string;
  organisationId: string | null;
  removed: number;
  tables: Record<string, number>;
  error: string | null;
}

export interface PurgeRun {
  runId: string;
  ranAt: number;
  categories: CategoryRun[];
}

/**
 * Runs every purge once at the clock's now and records it.
 * @example await runRetentionPurge(deps) // { runId: "rtr_…", categories: [{ category: "session", removed: 3, … }, …] }
 */
export async function runRetentionPurge(deps: PurgeDeps): Promise<PurgeRun> {
  const ranAt = deps.clock.now();
  const now = Temporal.Instant.fromEpochMilliseconds(ranAt);
  const byCategory = new Map<string, CategoryRun>();
  const line = (category: string, organisationId: string | null = null): CategoryRun => {
    const key = `${category}\u0000${organisationId ?? ""}`;
    let entry = byCategory.get(key);
    if (entry === undefined) {
      entry = { category, organisationId, removed: 0, tables: {}, error: null };
      byCategory.set(key, entry);
    }
    return entry;
  };
  for (const { module, purge } of deps.purges ?? MODULE_PURGES) {
    try {
      const rows = await retentionDb(deps.db)
        .transaction()
        .execute((trx) => purge(trx, now));
      for (const row of rows) {
        const entry = line(row.category);
        entry.removed += row.removed;
        entry.tables[row.table] = (entry.tables[row.table] ?? 0) + row.removed;
      }
    } catch (error) {
      line(`module:${module}`).error = messageOf(error);
    }
  }
  const total = line("customer");
  try {
    for (const organisation of await purgeClosedRequests(deps.erasure, now)) {
      const entry = line("customer", organisation.organisationId);
      entry.removed = organisation.removed;
      entry.tables = organisation.tables;
      entry.error = organisation.error;
      total.removed += organisation.removed;
      if (organisation.error !== null) total.error = "failed for some organisations";
      for (const [table, n] of Object.entries(organisation.tables)) {
        total.tables[table] = (total.tables[table] ?? 0) + n;
      }
    }
  } catch (error) {
    total.error = messageOf(error);
  }
  const run: PurgeRun = { runId: newId("rtr"), ranAt, categories: [...byCategory.values()] };
  await recordRun(deps.db, run);
  const removed = run.categories.filter((c) => c.organisationId === null && c.removed > 0);
  const failed = run.categories.filter((c) => c.error !== null);
  if (removed.length > 0 || failed.length > 0) {
    deps.log?.(
      `ally: retention purge removed ${removed.map((c) => `${c.category} ${c.removed}`).join(", ") || "nothing"}` +
        (failed.length > 0 ? `; failed: ${failed.map((c) => c.category).join(", ")}` : ""),
    );
  }
  return run;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

async function recordRun(handle: AnyHandle, run: PurgeRun): Promise<void> {
  const rows = run.categories.map((c) => ({
    run_id: run.runId,
    category: c.category,
    organisation_id: c.organisationId,
    ran_at: run.ranAt,
    removed: c.removed,
    detail: JSON.stringify(c.tables),
    error: c.error,
  }));
  const db = retentionDb(handle);
  if (rows.length > 0) await db.insertInto("retention_runs").values(rows).execute();
  // The runs' own record: a year and a month of daily runs is kept.
  await db
    .deleteFrom("retention_runs")
    .where("ran_at", "<=", run.ranAt - RUNS_KEPT_MS)
    .execute();
}

/**
 * The daily purge as a scheduled job: purges, then schedules itself a day later under the same
 * key (the worker leaves a job that moved while running to run again at its new time).
 */
export function retentionPurgeHandler(deps: PurgeDeps): JobHandler {
  return async () => {
    const run = await runRetentionPurge(deps);
    await scheduleRetentionPurge(deps.db, run.ranAt + DAY_MS, run.ranAt, false);
  };
}

/** Sets up the daily purge (at start: kept as it is when already scheduled). */
export async function scheduleRetentionPurge(
  handle: AnyHandle,
  runAt: number,
  now: number,
  keepExisting = true,
): Promise<void> {
  await scheduleJob(
    handle,
    { organisationId: null, kind: RETENTION_JOB, key: RETENTION_JOB, runAt, payload: {} },
    now,
    { keepExisting },
  );
}
