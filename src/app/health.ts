/**
 * `/health` and `/ready`. Health: the process is alive and answers HTTP (what a supervisor
 * restarts on). Ready: it can do its work: the database answers and every migration is applied
 * (what a load balancer routes on; 503 otherwise, with the reason).
 */
import { sql } from "kysely";
import type { Store } from "../store/database.js";
import { pendingMigrations } from "../store/migrations.js";

export type Readiness = { ready: true } | { ready: false; reason: string };

export async function readiness(store: Store): Promise<Readiness> {
  try {
    await sql`select 1`.execute(store.db);
  } catch {
    return { ready: false, reason: "the database does not answer" };
  }
  try {
    const pending = await pendingMigrations(store.db, store.dialect);
    if (pending.length > 0) {
      return { ready: false, reason: `migrations not applied: ${pending.join(", ")}` };
    }
  } catch {
    return { ready: false, reason: "the migrations could not be read" };
  }
  return { ready: true };
}
