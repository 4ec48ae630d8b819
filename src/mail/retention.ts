/**
 * Mail is kept ninety days (the data map's `mail-90d`): sent messages from when they were sent,
 * received ones from when they were dealt with. A message still waiting (unsent, unhandled) is
 * kept until it is done, so nothing is lost before it has had its effect; one the worker gave
 * up on counts from its last attempt's record (creation for the outbox).
 */
import { type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import { type AnyHandle, mailDb } from "./db.js";

export const MAIL_RETENTION_MS = 90 * 86_400_000;

export async function purgeOldMail(
  handle: AnyHandle,
  now: number,
): Promise<{ sent: number; received: number }> {
  const db = mailDb(handle);
  const before = now - MAIL_RETENTION_MS;
  const sent = await db
    .deleteFrom("outbox")
    .where((eb) =>
      eb.or([
        eb("sent_at", "<", before),
        // Given up on (never sent, its lease long gone): kept as long as a sent one would be.
        eb.and([eb("sent_at", "is", null), eb("created_at", "<", before)]),
      ]),
    )
    .executeTakeFirst();
  const received = await db
    .deleteFrom("inbound_mail")
    .where("handled_at", "<", before)
    .executeTakeFirst();
  return { sent: Number(sent.numDeletedRows), received: Number(received.numDeletedRows) };
}

export const PURGE_JOB = "mail-retention";
const DAY_MS = 86_400_000;

/**
 * The daily purge as a scheduled job: purges, then schedules itself a day later under the same
 * key (the worker leaves a job that moved while running to run again at its new time).
 */
export function mailRetentionHandler(deps: {
  db: AnyHandle;
  now: () => number;
  log?: (line: string) => void;
}): JobHandler {
  return async () => {
    const now = deps.now();
    const purged = await purgeOldMail(deps.db, now);
    if (purged.sent + purged.received > 0) {
      deps.log?.(
        `ally: purged mail older than 90 days: ${purged.sent} sent, ${purged.received} received`,
      );
    }
    await scheduleMailRetention(deps.db, now + DAY_MS, now, false);
  };
}

/** Sets up the daily purge (at start: kept as it is when already scheduled). */
export async function scheduleMailRetention(
  handle: AnyHandle,
  runAt: number,
  now: number,
  keepExisting = true,
): Promise<void> {
  const db = mailDb(handle);
  await scheduleJob(
    db,
    { organisationId: null, kind: PURGE_JOB, key: PURGE_JOB, runAt, payload: {} },
    now,
    { keepExisting },
  );
}
