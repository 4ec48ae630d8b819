/**
 * Tables owned by the retention module: each organisation's own limits (where the customer is
 * the controller), and the record of every purge run, per category.
 */
import type { Generated } from "kysely";
import { notPersonal, type TableNotes } from "../privacy/data-map.js";

/** An organisation's limits; no row: the defaults (limits.ts). */
export interface RetentionSettingsTable {
  organisation_id: string;
  /** Closed interview requests' candidates are erased this many months after closing. */
  closed_requests_months: number;
  updated_at: number;
  updated_by: string | null;
}

/**
 * One category's part of one daily purge: when it ran, what it removed, what failed. Rows with
 * an organisation are that organisation's share of an organisation-controlled category.
 */
export interface RetentionRunsTable {
  id: Generated<number>;
  /** The run it belongs to (`rtr_…`): every category of one purge shares it. */
  run_id: string;
  category: string;
  organisation_id: string | null;
  ran_at: number;
  removed: number;
  /** JSON: { [table]: rows removed } — counts only, never the data. */
  detail: string;
  /** Why it failed, for the operator; null when it succeeded. */
  error: string | null;
}

export interface RetentionTables {
  retention_settings: RetentionSettingsTable;
  retention_runs: RetentionRunsTable;
}

export const retentionDataMap: TableNotes<RetentionTables> = {
  retention_settings: {
    organisation_id: notPersonal,
    closed_requests_months: notPersonal,
    updated_at: notPersonal,
    updated_by: notPersonal,
  },
  retention_runs: {
    id: notPersonal,
    run_id: notPersonal,
    category: notPersonal,
    organisation_id: notPersonal,
    ran_at: notPersonal,
    removed: notPersonal,
    detail: notPersonal,
    error: notPersonal,
  },
};
