/**
 * Mail is kept ninety days (the data map's `mail-90d`): sent messages from when they were sent,
 * received ones from when they were dealt with. A message still waiting (unsent, unhandled) is
 * kept until it is done, so nothing is lost before it has had its effect; one the worker gave
 * up on counts from when it was set aside (creation for the outbox). The daily purge
 * (retention/purge-job.ts) calls `purgeExpired`.
 */
import type { Temporal } from "temporal-polyfill";
import {
  cutoffMs,
  instantOf,
  type PurgedRows,
  RETENTION_LIMITS,
  removedRows,
} from "../privacy/retention-limits.js";
import { type AnyHandle, mailDb } from "./db.js";

export const MAIL_RETENTION_MS = 90 * 86_400_000;

/**
 * Removes mail past ninety days at `now`.
 * @example await purgeExpired(db, now) // [{ table: "outbox", category: "mail-90d", removed: 4 }, …]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const db = mailDb(handle);
  const before = cutoffMs(now, RETENTION_LIMITS["mail-90d"]);
  const sent = await db
    .deleteFrom("outbox")
    .where((eb) =>
      eb.or([
        eb("sent_at", "<=", before),
        // Given up on (never sent, its lease long gone): kept as long as a sent one would be.
        eb.and([eb("sent_at", "is", null), eb("created_at", "<=", before)]),
      ]),
    )
    .executeTakeFirst();
  const received = await db
    .deleteFrom("inbound_mail")
    .where((eb) =>
      eb.or([
        eb("handled_at", "<=", before),
        // Set aside unhandled (a dead letter): kept as long as a handled one would be.
        eb.and([eb("handled_at", "is", null), eb("dead_at", "<=", before)]),
      ]),
    )
    .executeTakeFirst();
  return [
    { table: "outbox", category: "mail-90d", removed: removedRows(sent) },
    { table: "inbound_mail", category: "mail-90d", removed: removedRows(received) },
  ];
}

/** The same purge with epoch milliseconds, as counts of sent and received mail. */
export async function purgeOldMail(
  handle: AnyHandle,
  now: number,
): Promise<{ sent: number; received: number }> {
  const rows = await purgeExpired(handle, instantOf(now));
  const count = (table: string) => rows.find((row) => row.table === table)?.removed ?? 0;
  return { sent: count("outbox"), received: count("inbound_mail") };
}
