/**
 * Durable writes of Ally's events to people's calendars. The booking service calls
 * `enqueueEventWrite` inside the transaction that books, reschedules or cancels, so a write
 * exists exactly when its cause was committed; a worker (`startEventWriteWorker`, one per
 * process, like the outbox and the sync) claims each write from the lease queue
 * (jobs/lease-queue.ts, `eventWritesQueue`), performs it on the
 * person's connection that receives events, remembers where the event went
 * (`calendar_event_links`) so that a reschedule updates and a cancellation removes the same
 * event, retries failures with backoff and gives up after `maxAttempts`, keeping the error.
 *
 * Which connection receives events: the one already holding the event (its link); otherwise
 * a Google or Microsoft connection with a calendar marked `receivesEvents`, else the person's
 * first CalDAV connection. ICS feeds are read-only. A person with none gets nothing written,
 * and the write is done with that reason as its outcome.
 *
 * Writes for one event and person are performed in order: a write waits while an earlier one
 * for the same event is pending, and a new write supersedes earlier ones not yet claimed (each
 * carries the whole event, so only the latest matters).
 */
import { sql } from "kysely";
import { z } from "zod";
import type { Clock } from "../clock.js";
import type { OrgId } from "../ids.js";
import { type QueueSpec, runNext, startQueueWorker } from "../jobs/lease-queue.js";
import type { RunningWorker } from "../jobs/polling.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { connectorKit, openConnector } from "./connector-for.js";
import type { Lookup } from "./connectors/guarded-fetch.js";
import { ConnectorError, type EventWriter } from "./connectors/types.js";
import { type AnyHandle, calendarDb } from "./db.js";
import { eventWritePayload } from "./event-write-payload.js";
import { buildCalendarObject, type InterviewEvent } from "./imip.js";
import type { OAuthSources } from "./oauth-connections.js";
import { receivingConnectionOf } from "./receiving-events.js";
import type { CalendarConnectionsTable, EventWriteAction } from "./tables.js";

export interface EventWriteInput {
  organisationId: OrgId;
  /** Whose calendar receives the event (an interviewer, a recruiter). */
  userId: string;
  action: EventWriteAction;
  /** The whole event as it should now be (for a cancel: as it was, with its UID). */
  event: InterviewEvent;
  /** DTSTAMP to write: when the booking changed. */
  dtstampEpochMs: number;
}

interface Payload {
  event: InterviewEvent;
  dtstampEpochMs: number;
}

/**
 * Adds a write; call inside the transaction that books, reschedules or cancels. Earlier writes
 * of the same event for the same person that no worker has claimed are superseded.
 * @throws RangeError when the event cannot be written (a bug in the caller; the transaction fails).
 */
export async function enqueueEventWrite(
  handle: AnyHandle,
  input: EventWriteInput,
  now: number,
): Promise<{ id: number }> {
  const db = calendarDb(handle);
  // Refuse now, in the caller's transaction, what no worker could ever write.
  buildCalendarObject(input.event, { dtstampEpochMs: input.dtstampEpochMs });
  await db
    .updateTable("calendar_event_writes")
    .set({ status: "done", outcome: "superseded by a later write", done_at: now })
    .where("organisation_id", "=", input.organisationId)
    .where("user_id", "=", input.userId)
    .where("booking_uid", "=", input.event.uid)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .execute();
  const payload: Payload = { event: input.event, dtstampEpochMs: input.dtstampEpochMs };
  const row = await db
    .insertInto("calendar_event_writes")
    .values({
      organisation_id: input.organisationId,
      user_id: input.userId,
      booking_uid: input.event.uid,
      action: input.action,
      payload: JSON.stringify(payload),
      status: "pending",
      attempts: 0,
      next_attempt_at: now,
      claimed_until: null,
      last_error: null,
      outcome: null,
      created_at: now,
      done_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: Number(row.id) };
}

export interface EventWriteWorkerDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  /** How long a claim lasts before another worker may take the write over. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Spread of retry waits (config.queue.jitter); none unless given. */
  jitter?: number;
  /** Per-request timeout for a provider. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Writers for Google and Microsoft connections (oauth-connections.ts); absent = not offered. */
  oauth?: Pick<OAuthSources, "eventWriter">;
  /**
   * config.calendar.allowPrivateHosts: let CalDAV servers on loopback and private networks
   * through. Off by default: writes go through the guarded client (guarded-fetch.ts).
   */
  allowPrivateHosts?: boolean;
  /** Resolves names for the guard; the system resolver by default. */
  lookup?: Lookup;
  /** What sends one request for the guard (tests stand in for a public server with it). */
  transport?: typeof fetch;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 3_600_000;

/** The wait before attempt `attempts + 1`: one minute, doubling, at most six hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

const storedWrite = z.object({
  id: z.coerce.number(),
  organisation_id: z.string(),
  user_id: z.string(),
  booking_uid: z.string(),
  action: z.enum(["upsert", "cancel"]),
  payload: z.string(),
  attempts: z.coerce.number(),
});
type StoredWrite = z.infer<typeof storedWrite>;

/**
 * Event writes as a lease queue (jobs/lease-queue.ts): pending writes whose time has come, each
 * only once no earlier write of the same event for the same person is pending (writes of one
 * event happen in order). A failure waits `retryDelayMs`; after the last attempt the write is
 * `failed` (and a dead letter an admin may retry).
 */
export const eventWritesQueue: QueueSpec<StoredWrite, string> = {
  name: "calendar-event-writes",
  table: "calendar_event_writes",
  due: (now) => sql`status = 'pending' and next_attempt_at <= ${now} and not exists (
    select 1 from calendar_event_writes as earlier
    where earlier.organisation_id = calendar_event_writes.organisation_id
      and earlier.user_id = calendar_event_writes.user_id
      and earlier.booking_uid = calendar_event_writes.booking_uid
      and earlier.status = 'pending'
      and earlier.id < calendar_event_writes.id)`,
  order: sql`next_attempt_at, id`,
  retryColumn: "next_attempt_at",
  orgColumn: "organisation_id",
  parse: (row) => storedWrite.parse(row),
  backoffMs: retryDelayMs,
  onDone: (outcome, now) => ({ status: "done", outcome, done_at: now }),
  onDead: (_reason, now) => ({ status: "failed", done_at: now }),
  onRetry: () => ({ status: "pending", done_at: null, last_error: null }),
  // A later write of the same event carries it as it now is: the failed one is stale.
  retryableWhen: sql`not exists (
    select 1 from calendar_event_writes as later
    where later.organisation_id = calendar_event_writes.organisation_id
      and later.user_id = calendar_event_writes.user_id
      and later.booking_uid = calendar_event_writes.booking_uid
      and later.id > calendar_event_writes.id)`,
  describe: (row) => `calendar event ${String(row.action)}`,
};

function writer(deps: EventWriteWorkerDeps) {
  return async (row: StoredWrite): Promise<string> => {
    try {
      return await perform(deps, row);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw new Error(`the event could not be written: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}

function queueOptions(deps: EventWriteWorkerDeps) {
  return {
    db: deps.db,
    clock: deps.clock,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(deps.jitter === undefined ? {} : { jitter: deps.jitter }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
}

/** Claims and performs one due write; false when none was due. */
export async function writeNext(deps: EventWriteWorkerDeps): Promise<boolean> {
  return (await runNext(eventWritesQueue, writer(deps), queueOptions(deps))) !== "idle";
}

/** Performs one write; returns what happened, for a person. */
async function perform(deps: EventWriteWorkerDeps, row: StoredWrite): Promise<string> {
  const { clock } = deps;
  const db = calendarDb(deps.db);
  const payload = eventWritePayload(row);
  const link = await db
    .selectFrom("calendar_event_links")
    .selectAll()
    .where("organisation_id", "=", row.organisation_id)
    .where("user_id", "=", row.user_id)
    .where("booking_uid", "=", row.booking_uid)
    .executeTakeFirst();
  const linked =
    link === undefined
      ? undefined
      : await db
          .selectFrom("calendar_connections")
          .selectAll()
          .where("organisation_id", "=", row.organisation_id)
          .where("id", "=", link.connection_id)
          .executeTakeFirst();

  if (link !== undefined && linked === undefined) {
    // Its connection was removed (and the event with it, as far as Ally can reach).
    await db
      .deleteFrom("calendar_event_links")
      .where("organisation_id", "=", row.organisation_id)
      .where("booking_uid", "=", row.booking_uid)
      .where("connection_id", "=", link.connection_id)
      .execute();
  }

  if (row.action === "cancel") {
    if (link === undefined || linked === undefined) {
      return "nothing to remove: Ally had written no event for it";
    }
    const writer = await writerFor(deps, linked);
    await writer.remove({
      ref: link.provider_ref,
      ...(link.etag === null ? {} : { etag: link.etag }),
    });
    await db
      .deleteFrom("calendar_event_links")
      .where("organisation_id", "=", row.organisation_id)
      .where("booking_uid", "=", row.booking_uid)
      .where("connection_id", "=", link.connection_id)
      .execute();
    return `removed from ${linked.label}`;
  }

  const connection = linked ?? (await receivingConnectionOf(db, row.organisation_id, row.user_id));
  if (connection === undefined) return "not written: no connected calendar receives events";
  const writer = await writerFor(deps, connection);
  const existing =
    link !== undefined && linked !== undefined
      ? { ref: link.provider_ref, ...(link.etag === null ? {} : { etag: link.etag }) }
      : undefined;
  const written = await writer.upsert(payload.event, {
    dtstampEpochMs: payload.dtstampEpochMs,
    ...(existing === undefined ? {} : { existing }),
  });
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("calendar_event_links")
      .where("organisation_id", "=", row.organisation_id)
      .where("booking_uid", "=", row.booking_uid)
      .where("connection_id", "=", connection.id)
      .execute();
    await trx
      .insertInto("calendar_event_links")
      .values({
        organisation_id: row.organisation_id,
        user_id: row.user_id,
        booking_uid: row.booking_uid,
        connection_id: connection.id,
        provider_ref: written.ref,
        etag: written.etag ?? null,
        updated_at: clock.now(),
      })
      .execute();
  });
  const verb = existing === undefined ? "written to" : "updated on";
  const note = written.changedOnServer
    ? " (it had been changed there; Ally's version replaced it)"
    : "";
  return `${verb} ${connection.label}${note}`;
}

export { receivingCalendarId } from "./receiving-events.js";

async function writerFor(
  deps: EventWriteWorkerDeps,
  row: CalendarConnectionsTable,
): Promise<EventWriter> {
  return (await openConnector(deps.box, row, connectorKit(deps))).writer();
}

/** Polls for due writes every `pollMs` until stopped. */
export function startEventWriteWorker(
  deps: EventWriteWorkerDeps & { pollMs: number },
): RunningWorker {
  return startQueueWorker(eventWritesQueue, writer(deps), {
    ...queueOptions(deps),
    pollMs: deps.pollMs,
  });
}
