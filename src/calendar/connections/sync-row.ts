/**
 * Syncs one connection: reads it, and in one transaction replaces its busy time and marks it
 * healthy, or records the failure, backs off, and (the first time it turns unhealthy) emails
 * its owner.
 */
import type { Actor } from "../../accounts/service.js";
import { enqueueMail } from "../../mail/outbox.js";
import { openConnector } from "../connector-for.js";
import { ConnectorError } from "../connectors/types.js";
import { type AnyHandle, calendarDb } from "../db.js";
import type { CalendarConnectionsTable } from "../tables.js";
import type { CalendarContext, CalendarMember } from "./context.js";
import { type Read, readCalendar } from "./read-calendar.js";
import { backoffMs, transient, UNHEALTHY_AFTER_FAILURES } from "./sync-policy.js";

async function readRow(
  context: CalendarContext,
  row: CalendarConnectionsTable,
  now: number,
): Promise<Read | "unchanged"> {
  const { box, members } = context.deps;
  const connector = await openConnector(box, row, context.kit);
  const zone = await members.timeZoneOf(row.organisation_id, row.user_id);
  return readCalendar(context, connector, row, zone, now);
}

/** Replaces the row's busy time with a fresh read (or `alreadyRead`, taken just now). */
export async function syncRow(
  context: CalendarContext,
  row: CalendarConnectionsTable,
  alreadyRead?: Read,
): Promise<CalendarConnectionsTable> {
  const { clock } = context.deps;
  const db = calendarDb(context.deps.db);
  const now = clock.now();
  let read: Read | "unchanged" | undefined = alreadyRead;
  let error: unknown;
  if (read === undefined) {
    try {
      read = await readRow(context, row, now);
    } catch (caught) {
      error = caught;
    }
  }
  /** A sync that worked: healthy, nothing owed, due again after the interval. */
  const healthy = {
    status: "healthy" as const,
    last_synced_at: clock.now(),
    last_attempt_at: now,
    last_error: null,
    alerted_at: null,
    claimed_until: null,
    failure_count: 0,
    next_attempt_at: null,
  };
  if (read === "unchanged") {
    await db.updateTable("calendar_connections").set(healthy).where("id", "=", row.id).execute();
  } else if (read === undefined) {
    const failure = failureOf(context, row, error, now);
    // Read before the transaction: on SQLite it holds the only connection.
    const owner = failure.alert
      ? (await context.deps.members.membersOf(row.organisation_id, [row.user_id])).get(row.user_id)
      : undefined;
    await db.transaction().execute((trx) => recordFailure(context, trx, row, failure, owner, now));
  } else {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom("busy_blocks").where("connection_id", "=", row.id).execute();
      if (read.busy.length > 0) {
        await trx
          .insertInto("busy_blocks")
          .values(
            read.busy.map((b) => ({
              connection_id: row.id,
              organisation_id: row.organisation_id,
              user_id: row.user_id,
              start_at: b.startEpochMs,
              end_at: b.endEpochMs,
            })),
          )
          .execute();
      }
      await trx
        .updateTable("calendar_connections")
        .set({ ...healthy, sync_state: read.syncState })
        .where("id", "=", row.id)
        .execute();
    });
  }
  return db
    .selectFrom("calendar_connections")
    .selectAll()
    .where("id", "=", row.id)
    .executeTakeFirstOrThrow();
}

function failureText(error: unknown): string {
  return error instanceof ConnectorError
    ? error.message
    : `the credentials could not be read: ${(error as Error).message}`;
}

interface Failure {
  text: string;
  alert: boolean;
  set: Partial<CalendarConnectionsTable>;
}

/** What a failed read changes: unhealthy when it will not fix itself or keeps happening. */
function failureOf(
  context: CalendarContext,
  row: CalendarConnectionsTable,
  error: unknown,
  now: number,
): Failure {
  const text = failureText(error);
  const failures = row.failure_count + 1;
  const unhealthy =
    row.status === "unhealthy" || !transient(error) || failures >= UNHEALTHY_AFTER_FAILURES;
  const alert = unhealthy && row.alerted_at === null;
  const retryAfter = error instanceof ConnectorError ? (error.retryAfterMs ?? 0) : 0;
  const { syncIntervalMs } = context.deps;
  return {
    text,
    alert,
    set: {
      status: unhealthy ? "unhealthy" : row.status,
      last_attempt_at: now,
      last_error: text.slice(0, 500),
      alerted_at: alert ? now : row.alerted_at,
      claimed_until: null,
      failure_count: failures,
      next_attempt_at: now + backoffMs(failures, syncIntervalMs, context.random, retryAfter),
    },
  };
}

async function recordFailure(
  context: CalendarContext,
  handle: AnyHandle,
  row: CalendarConnectionsTable,
  failure: Failure,
  owner: CalendarMember | undefined,
  now: number,
): Promise<void> {
  const trx = calendarDb(handle);
  await trx.updateTable("calendar_connections").set(failure.set).where("id", "=", row.id).execute();
  if (failure.alert && owner !== undefined) {
    await alertOwner(context, trx, row, owner, failure.text, now);
  }
}

/** Tells the owner, once, that Ally cannot read their calendar. */
async function alertOwner(
  context: CalendarContext,
  handle: AnyHandle,
  row: CalendarConnectionsTable,
  owner: CalendarMember,
  failure: string,
  now: number,
): Promise<void> {
  const trx = calendarDb(handle);
  const { publicUrl, mailFrom } = context.deps;
  const page = publicUrl === undefined ? "" : `\n\n${publicUrl}/app/calendars`;
  await enqueueMail(
    trx,
    {
      organisationId: row.organisation_id as Actor["orgId"],
      kind: "calendar-unhealthy",
      to: owner.email,
      subject: `Ally cannot read your calendar (${row.label})`,
      text: `Hello ${owner.name},\n\nAlly could not read your calendar (${row.label}): ${failure}\n\nUntil it is fixed, Ally's view of your busy time may be out of date. Reconnect it on your calendars page.${page}\n`,
    },
    now,
    mailFrom,
  );
}
