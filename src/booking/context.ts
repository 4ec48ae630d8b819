/**
 * What every booking operation is handed: the dependencies, passed explicitly (no closure sees
 * more than it is given), who acts, and the one write transaction that holds the write lock.
 */
import { sql } from "kysely";
import type { Actor } from "../accounts/service.js";
import type { CalendarService } from "../calendar/connections.js";
import type { Clock } from "../clock.js";
import { answerOptions, type OptionsAnswer as EngineAnswer } from "../engine/answer.js";
import type { EngineProblem } from "../engine/types.js";
import type { OrgId } from "../ids.js";
import type { Dialect } from "../store/database.js";
import { type AnyHandle, type BookingDb, bookingDb } from "./db.js";
import type { BookingLinks } from "./links.js";
import type { InterviewRequest } from "./schemas.js";

/** What changed, handed to `effects` inside the transaction that changed it. */
export interface BookingChange {
  kind: "booked" | "rescheduled" | "cancelled";
  request: InterviewRequest;
  booking: { id: string; uid: string; sequence: number };
  /** The sessions booked (for "cancelled": the ones just released). */
  sessions: { name: string; startsAt: string; endsAt: string; interviewerIds: string[] }[];
  /**
   * For "rescheduled": the sessions as they were, so effects can tell interviewers who are no
   * longer on the booking (their events are cancelled) from those who stay (updated).
   */
  previousSessions?: { name: string; startsAt: string; endsAt: string; interviewerIds: string[] }[];
}

/**
 * Side effects of a change (invitations, calendar writes), run inside its transaction with the
 * transaction's handle, so they commit or roll back with it. A throw aborts the change. The
 * handle is already inside the transaction (on SQLite, a connection in BEGIN IMMEDIATE): query
 * through it, and do not start another transaction on it or use the store's own handle.
 */
export type BookingEffects = (trx: BookingDb, change: BookingChange) => Promise<void>;

/**
 * The slot engine as the booking module uses it: options and, when none fit, the explanation.
 * A port, so that the server can run it off the event loop.
 */
export interface SlotEngine {
  options(problem: EngineProblem): Promise<EngineAnswer>;
}

/** The engine in this thread. Every call is bounded by the engine's step budget. */
export const inlineSlotEngine: SlotEngine = {
  options: async (problem) => answerOptions(problem),
};

export interface BookingDeps {
  db: AnyHandle;
  dialect: Dialect;
  clock: Clock;
  /** Materialised busy time and trust warnings (`busyIntervalsForMany`). */
  calendars: Pick<CalendarService, "busyIntervalsForMany">;
  effects?: BookingEffects;
  /** Sender of the emails Ally writes to recruiters and candidates (MAIL_FROM). */
  mailFrom?: string;
  /** Ally's address (PUBLIC_URL): emails link to the request's page and the booking page. */
  publicUrl?: string;
  /** Runs the slot engine; in-process by default, a worker thread pool in `ally serve`. */
  engine?: SlotEngine;
  /** The candidates' signed links; by default the booking links over the same database. */
  links?: BookingLinks;
}

/** The dependencies with their defaults applied: what each operation receives. */
export interface BookingContext {
  /** The booking tables only: what booking needs of other modules it asks them for. */
  db: BookingDb;
  dialect: Dialect;
  clock: Clock;
  calendars: Pick<CalendarService, "busyIntervalsForMany">;
  effects: BookingEffects | undefined;
  mailFrom: string | undefined;
  publicUrl: string | undefined;
  engine: SlotEngine;
  links: BookingLinks;
}

/** Who acts: a signed-in member, or the candidate of the request (authorised by the caller). */
export type Caller =
  | { kind: "user"; orgId: OrgId; actor: Actor }
  | { kind: "candidate"; orgId: OrgId; candidateId: string; requestId: string }
  | { kind: "interviewer"; orgId: OrgId; userId: string }
  | { kind: "system"; orgId: OrgId };

export const userCaller = (actor: Actor): Caller => ({ kind: "user", orgId: actor.orgId, actor });

export const DAY_MS = 86_400_000;
export const iso = (epochMs: number) => new Date(epochMs).toISOString();
/** The resource a booked slot holds: one person's time. */
export const resource = (userId: string) => `user:${userId}`;
export const userOfResource = (value: string) => value.replace(/^user:/, "");

/**
 * One write transaction that holds the write lock from its first statement: PostgreSQL's
 * transaction with row locks taken inside; SQLite's BEGIN IMMEDIATE on the store's one
 * connection, so another process's writer waits (busy_timeout) instead of failing mid-way.
 */
export async function writeTransaction<T>(
  ctx: { db: AnyHandle; dialect: Dialect },
  work: (trx: BookingDb) => Promise<T>,
): Promise<T> {
  const db = bookingDb(ctx.db);
  if (ctx.dialect === "postgres") return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
    await sql`commit`.execute(connection);
    return result;
  });
}

/** A PostgreSQL (or SQLite) error code, when the error is one. */
export function dbErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function sqliteUnique(error: unknown): boolean {
  return dbErrorCode(error) === "SQLITE_CONSTRAINT_UNIQUE";
}

/** A re-check inside a transaction failed: thrown to roll back what the transaction did. */
export class TakenInside extends Error {}
