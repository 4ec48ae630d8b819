/** The sync's lease: which connection is due, claimed by one worker at a time. */

import { calendarDb } from "../db.js";
import type { CalendarContext } from "./context.js";

/**
 * Claims one connection due for a sync (a lease, like the outbox): its id; `""` when another
 * worker won the race (look again); undefined when nothing is due.
 */
export async function claimDue(
  context: CalendarContext,
  leaseMs: number,
): Promise<string | undefined> {
  const { clock, syncIntervalMs } = context.deps;
  const db = calendarDb(context.deps.db);
  const now = clock.now();
  const dueBefore = now - syncIntervalMs;
  const candidate = await db
    .selectFrom("calendar_connections")
    .select(["id", "last_attempt_at"])
    .where((eb) =>
      eb.or([
        eb("next_attempt_at", "<=", now),
        eb.and([
          eb("next_attempt_at", "is", null),
          eb.or([eb("last_attempt_at", "is", null), eb("last_attempt_at", "<=", dueBefore)]),
        ]),
      ]),
    )
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .orderBy("last_attempt_at")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (candidate === undefined) return undefined;
  const claimed = await db
    .updateTable("calendar_connections")
    .set({ claimed_until: now + leaseMs })
    .where("id", "=", candidate.id)
    .where((eb) =>
      candidate.last_attempt_at === null
        ? eb("last_attempt_at", "is", null)
        : eb("last_attempt_at", "=", candidate.last_attempt_at),
    )
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1 ? candidate.id : "";
}
