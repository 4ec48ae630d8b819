/** Tables owned by the jobs module: durable work to do at a time (reminders, deadlines, ...). */
import type { Generated } from "kysely";
import { notPersonal, type TableNotes } from "../privacy/data-map.js";

export interface ScheduledJobsTable {
  id: Generated<number>;
  organisation_id: string | null;
  /** Which handler runs it, e.g. "reminder". */
  kind: string;
  /**
   * Unique name of the job, e.g. `reminder:bk_123:24h`: scheduling the same key again moves the
   * job instead of adding one, and cancelling by key prefix removes a booking's jobs at once.
   */
  key: string;
  /**
   * JSON for the handler: ids only (booking, request), never personal data, which the handler
   * reads when it runs, so an erased person's data is not kept alive in a queue.
   */
  payload: string;
  run_at: number;
  claimed_until: number | null;
  attempts: number;
  done_at: number | null;
  last_error: string | null;
  created_at: number;
  /** When the queue gave up after its last attempt (a dead letter, listed for admins); null while alive. */
  dead_at: number | null;
}

export interface JobsTables {
  scheduled_jobs: ScheduledJobsTable;
}

export const jobsDataMap: TableNotes<JobsTables> = {
  scheduled_jobs: {
    id: notPersonal,
    organisation_id: notPersonal,
    kind: notPersonal,
    key: notPersonal,
    payload: notPersonal,
    run_at: notPersonal,
    claimed_until: notPersonal,
    attempts: notPersonal,
    done_at: notPersonal,
    last_error: notPersonal,
    created_at: notPersonal,
    dead_at: notPersonal,
  },
};
