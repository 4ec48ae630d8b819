/**
 * What the retention page (an organisation's admin) and `ally retention` (the operator) show:
 * each category's rule and limit, and what the last daily purge did. An organisation sees the
 * counts of its own category (its closed requests); the operator's categories span every
 * organisation, so their counts are the operator's to read (`ally retention`), and the
 * organisation sees when they ran and whether they succeeded.
 */
import { z } from "zod";
import { DEFAULT_CLOSED_REQUESTS_MONTHS } from "../privacy/retention-limits.js";
import { parseStoredJson } from "../store/stored-json.js";
import { type AnyHandle, retentionDb } from "./db.js";
import { RETENTION_CATEGORIES, RETENTION_RULES, type RetentionRule } from "./rules.js";
import { organisationLimits } from "./settings.js";

export interface CategoryStatus {
  category: string;
  rule: RetentionRule;
  /** The limit in words, with the organisation's own where it has one. */
  limit: string;
  /** When the purge last ran over it (epoch ms); null: never, or not purged by time. */
  lastRanAt: number | null;
  /** Rows (or, for closed requests, people) removed by that run; null when not shown. */
  removed: number | null;
  /** Removed per table; empty when not shown. */
  tables: Record<string, number>;
  /** Why that run failed for it; null when it did not. */
  error: string | null;
}

export interface RetentionOverview {
  lastRunAt: number | null;
  categories: CategoryStatus[];
  /** Module purges that failed in the last run (the operator's view only). */
  failures: { module: string; error: string }[];
}

const detailSchema = z.record(z.string(), z.number());

/**
 * The last run's outcome per category, for an organisation (`organisationId`) or the operator.
 * @example await retentionOverview(db, { organisationId: "org_1" })
 */
export async function retentionOverview(
  handle: AnyHandle,
  scope: { organisationId: string } | { operator: true },
): Promise<RetentionOverview> {
  const db = retentionDb(handle);
  const latest = await db
    .selectFrom("retention_runs")
    .select(["run_id", "ran_at"])
    .orderBy("ran_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const organisationId = "organisationId" in scope ? scope.organisationId : null;
  const rows =
    latest === undefined
      ? []
      : await db
          .selectFrom("retention_runs")
          .selectAll()
          .where("run_id", "=", latest.run_id)
          .where((eb) =>
            organisationId === null
              ? eb("organisation_id", "is", null)
              : eb.or([
                  eb("organisation_id", "is", null),
                  eb("organisation_id", "=", organisationId),
                ]),
          )
          .execute();
  const lastRunAt = latest === undefined ? null : Number(latest.ran_at);
  const months =
    organisationId === null
      ? null
      : (await organisationLimits(handle, organisationId)).closedRequestsMonths;
  const moduleFailed = rows.some((r) => r.category.startsWith("module:") && r.error !== null);
  const categories = RETENTION_CATEGORIES.map((category): CategoryStatus => {
    const rule = RETENTION_RULES[category];
    const own = organisationId !== null && rule.controller === "organisation";
    const row = rows.find(
      (r) =>
        r.category === category &&
        (own ? r.organisation_id === organisationId : r.organisation_id === null),
    );
    const shown = organisationId === null || own;
    const ran = rule.enforcedBy === "purge" ? lastRunAt : null;
    return {
      category,
      rule,
      limit: limitWords(category, rule, months),
      lastRanAt: ran,
      removed: ran === null || !shown ? null : Number(row?.removed ?? 0),
      tables:
        row === undefined || !shown
          ? {}
          : parseStoredJson(detailSchema, row.detail, `retention_runs.detail of ${row.id}`),
      error:
        row?.error ??
        (ran !== null && row === undefined && moduleFailed && rule.controller === "operator"
          ? "not confirmed: a part of the last purge failed"
          : null),
    };
  });
  const failures =
    organisationId === null
      ? rows
          .filter((r) => r.category.startsWith("module:") && r.error !== null)
          .map((r) => ({ module: r.category.slice("module:".length), error: r.error ?? "" }))
      : [];
  return { lastRunAt, categories, failures };
}

function limitWords(category: string, rule: RetentionRule, months: number | null): string {
  if (category !== "customer") return rule.limit;
  if (months === null)
    return `${DEFAULT_CLOSED_REQUESTS_MONTHS} months after closing unless the organisation chooses otherwise`;
  return `${months} months after closing`;
}
