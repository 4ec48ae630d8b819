/**
 * Durable writes of Ally's events to people's calendars. The booking service calls
 * `enqueueEventWrite` inside the transaction that books, reschedules or cancels, so a write
 * exists exactly when its cause was committed; a worker (`startEventWriteWorker`, one per
 * process, like the outbox and the sync) claims each write with a lease, performs it on the
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
import type { Kysely, Selectable, Transaction } from "kysely";
import type { OrgId } from "../accounts/ids.js";
import type { Clock } from "../clock.js";
import { type RunningWorker, startPolling } from "../jobs/polling.js";
import type { SecretStore } from "../secrets/secret-store.js";
import type { Database } from "../store/schema.js";
import { connectorKit, openConnector } from "./connector-for.js";
import type { Lookup } from "./connectors/guarded-fetch.js";
import { ConnectorError, type EventWriter } from "./connectors/types.js";
import { eventWritePayload } from "./event-write-payload.js";
import { buildCalendarObject, type InterviewEvent } from "./imip.js";
import type { OAuthSources } from "./oauth-connections.js";
import { receivingConnectionOf } from "./receiving-events.js";
import type {
  CalendarConnectionsTable,
  CalendarEventWritesTable,
  EventWriteAction,
} from "./tables.js";

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

type WriteRow = Selectable<CalendarEventWritesTable>;

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
  db: Kysely<Database> | Transaction<Database>,
  input: EventWriteInput,
  now: number,
): Promise<{ id: number }> {
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
  db: Kysely<Database>;
  clock: Clock;
  box: SecretStore;
  /** How long a claim lasts before another worker may take the write over. */
  leaseMs?: number;
  maxAttempts?: number;
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

/**
 * Claims one due write with a lease (a conditional update only one worker can win): its row;
 * `"lost"` when another worker won the race (look again); undefined when nothing is due.
 */
async function claimNext(deps: EventWriteWorkerDeps): Promise<WriteRow | "lost" | undefined> {
  const { db } = deps;
  const now = deps.clock.now();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const candidate = await db
    .selectFrom("calendar_event_writes as w")
    .select(["w.id", "w.attempts"])
    .where("w.status", "=", "pending")
    .where("w.next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("w.claimed_until", "is", null), eb("w.claimed_until", "<", now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("calendar_event_writes as earlier")
            .select("earlier.id")
            .whereRef("earlier.organisation_id", "=", "w.organisation_id")
            .whereRef("earlier.user_id", "=", "w.user_id")
            .whereRef("earlier.booking_uid", "=", "w.booking_uid")
            .where("earlier.status", "=", "pending")
            .whereRef("earlier.id", "<", "w.id"),
        ),
      ),
    )
    .orderBy("w.next_attempt_at")
    .orderBy("w.id")
    .limit(1)
    .executeTakeFirst();
  if (candidate === undefined) return undefined;
  const claimed = await db
    .updateTable("calendar_event_writes")
    .set({ claimed_until: now + leaseMs, attempts: candidate.attempts + 1 })
    .where("id", "=", candidate.id)
    .where("status", "=", "pending")
    .where("attempts", "=", candidate.attempts)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return "lost";
  return db
    .selectFrom("calendar_event_writes")
    .selectAll()
    .where("id", "=", candidate.id)
    .executeTakeFirstOrThrow();
}

/** Claims and performs one due write; false when none was due. */
export async function writeNext(deps: EventWriteWorkerDeps): Promise<boolean> {
  const row = await claimNext(deps);
  if (row === undefined) return false;
  if (row === "lost") return true; // another worker won; look again
  const { db, clock } = deps;
  try {
    const outcome = await perform(deps, row);
    await db
      .updateTable("calendar_event_writes")
      .set({
        status: "done",
        outcome,
        done_at: clock.now(),
        claimed_until: null,
        last_error: null,
      })
      .where("id", "=", row.id)
      .execute();
  } catch (error) {
    const message =
      error instanceof ConnectorError
        ? error.message
        : `the event could not be written: ${(error as Error).message}`;
    const attempts = row.attempts;
    const giveUp = attempts >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    await db
      .updateTable("calendar_event_writes")
      .set({
        status: giveUp ? "failed" : "pending",
        last_error: message.slice(0, 500),
        next_attempt_at: clock.now() + retryDelayMs(attempts),
        claimed_until: null,
        ...(giveUp ? { done_at: clock.now() } : {}),
      })
      .where("id", "=", row.id)
      .execute();
    deps.log?.(
      `ally: calendar event write ${row.id} (${row.action}) ${giveUp ? "failed for good" : "will be retried"}: ${message}`,
    );
  }
  return true;
}

/** Performs one write; returns what happened, for a person. */
async function perform(deps: EventWriteWorkerDeps, row: WriteRow): Promise<string> {
  const { db, clock } = deps;
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
  return startPolling(() => writeNext(deps), {
    pollMs: deps.pollMs,
    name: "calendar event writer",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
