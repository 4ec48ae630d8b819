/**
 * The calendar module's part of an erasure (privacy/erasure.ts): an erased account's calendar
 * connections and everything they brought (busy time, push channels, sign-in states, event
 * writes and links), and the person's address, name or phone wherever an event write still
 * carries it (the attendee list of an interview on an interviewer's calendar). Once the
 * erasure has committed, each connection's grant is revoked where the provider allows it
 * (Google; Microsoft has no per-grant revocation: see `OAuthSources.revoke`).
 */
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  mentions,
  needlesOf,
  redactedColumns,
  type TableErasure,
} from "../privacy/erasure-subject.js";
import { type AnyHandle, calendarDb } from "./db.js";
import type { CalendarConnectionsTable } from "./tables.js";

export interface CalendarErasureDeps {
  /** Ends a connection's grant at its provider (OAuthSources.revoke); failures are logged there. */
  revoke?: (row: CalendarConnectionsTable) => Promise<void>;
}

type Db = AnyHandle;

/** The person's own rows, by user id, deleted in this order. */
const USER_TABLES = [
  "oauth_states",
  "calendar_event_links",
  "calendar_event_writes",
  "calendar_connections",
] as const;

async function deleteForUsers(
  handle: Db,
  userIds: string[],
): Promise<Record<string, TableErasure>> {
  const trx = calendarDb(handle);
  const tables: Record<string, TableErasure> = {};
  const count = (n: number) => ({ deleted: n, anonymised: 0 });
  tables.busy_blocks = count(
    affected(
      await trx.deleteFrom("busy_blocks").where("user_id", "in", userIds).executeTakeFirst(),
    ),
  );
  const connectionIds = trx
    .selectFrom("calendar_connections")
    .select("id")
    .where("user_id", "in", userIds);
  tables.calendar_push_channels = count(
    affected(
      await trx
        .deleteFrom("calendar_push_channels")
        .where("connection_id", "in", connectionIds)
        .executeTakeFirst(),
    ),
  );
  // Connections last: the rows above refer to them.
  for (const table of USER_TABLES) {
    tables[table] = count(
      affected(await trx.deleteFrom(table).where("user_id", "in", userIds).executeTakeFirst()),
    );
  }
  return tables;
}

const WRITE_TEXT = ["payload", "outcome", "last_error"] as const;

/** Interviews on other people's calendars that name the person: the text is redacted. */
async function redactWrites(handle: AnyHandle, subject: ErasureSubject): Promise<number> {
  const trx = calendarDb(handle);
  const needles = needlesOf(subject);
  let query = trx
    .selectFrom("calendar_event_writes")
    .select(["id", ...WRITE_TEXT])
    .where((eb) => mentions(eb, WRITE_TEXT, needles));
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  let anonymised = 0;
  for (const row of await query.execute()) {
    const changes = redactedColumns(row, WRITE_TEXT, needles);
    if (changes === undefined) continue;
    await trx.updateTable("calendar_event_writes").set(changes).where("id", "=", row.id).execute();
    anonymised += 1;
  }
  return anonymised;
}

/**
 * The calendar module's erasure step.
 * @example calendarErasure({ revoke: (row) => oauthSources.revoke(row) })
 */
export function calendarErasure(deps: CalendarErasureDeps = {}): ModuleErasure {
  return {
    module: "calendar",
    async erase(handle, subject) {
      const trx = calendarDb(handle);
      const connections =
        subject.userIds.length === 0
          ? []
          : await trx
              .selectFrom("calendar_connections")
              .selectAll()
              .where("user_id", "in", subject.userIds)
              .execute();
      const tables = subject.userIds.length === 0 ? {} : await deleteForUsers(trx, subject.userIds);
      const redacted = await redactWrites(trx, subject);
      const writes = tables.calendar_event_writes ?? { deleted: 0, anonymised: 0 };
      tables.calendar_event_writes = { ...writes, anonymised: writes.anonymised + redacted };
      let links = trx
        .deleteFrom("calendar_event_links")
        .where((eb) => mentions(eb, ["provider_ref"], needlesOf(subject)));
      if (subject.orgId !== null) links = links.where("organisation_id", "=", subject.orgId);
      const linked = affected(await links.executeTakeFirst());
      const before = tables.calendar_event_links ?? { deleted: 0, anonymised: 0 };
      tables.calendar_event_links = { ...before, deleted: before.deleted + linked };
      const revoke = deps.revoke;
      return {
        tables,
        ...(revoke === undefined || connections.length === 0
          ? {}
          : {
              afterCommit: async () => {
                for (const row of connections) await revoke(row);
                // Only Google grants can be revoked; the others end with their deleted tokens.
                return { grantsRevoked: connections.filter((c) => c.provider === "google").length };
              },
            }),
      };
    },
  };
}
