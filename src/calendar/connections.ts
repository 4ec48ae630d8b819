/**
 * Calendar connections: a person connects a CalDAV collection or an ICS feed; a background sync
 * (sync-worker.ts) materialises its busy time into `busy_blocks`, so slot answers never wait on
 * a provider; `busyFor` reads it back with warnings naming connections that cannot be trusted.
 * Credentials (and an ICS feed's secret address) are sealed, bound to the connection's row.
 * Every read and write is scoped by the actor's organisation; who may view or change a
 * connection is decided in connection-access.ts.
 *
 * This is the facade: each operation lives in `connections/` by concern (connecting, listing,
 * busy time, syncing, disconnecting, the sync lease), given one `CalendarContext`.
 */
import type { Actor } from "../accounts/service.js";
import type { BusyAnswer, BusyIntervals, Interval } from "./connections/busy-time.js";
import { busyForMany, busyIntervalsForMany } from "./connections/busy-time.js";
import { claimDue } from "./connections/claim-due.js";
import { type ConnectInput, connectFeed } from "./connections/connect-feed.js";
import { type CalendarDeps, calendarContext } from "./connections/context.js";
import { disconnect, syncConnection } from "./connections/disconnect.js";
import { getConnection, healthByMember, listConnections } from "./connections/listing.js";

export type { BusyAnswer, BusyIntervals, Interval } from "./connections/busy-time.js";
export type { ConnectInput } from "./connections/connect-feed.js";
export type {
  CalendarDeps,
  CalendarMember,
  CalendarMembers,
} from "./connections/context.js";
export type { MemberCalendarHealth } from "./connections/listing.js";
export type { CalendarConnection } from "./connections/rows.js";
export {
  backoffMs,
  duration,
  FULL_READ_EVERY_MS,
  MAX_BACKOFF_MS,
  SYNC_AHEAD_MS,
  SYNC_BEHIND_MS,
  UNHEALTHY_AFTER_FAILURES,
} from "./connections/sync-policy.js";
export { credentialsBinding } from "./connector-for.js";

export type CalendarService = ReturnType<typeof createCalendarService>;

export function createCalendarService(deps: CalendarDeps) {
  const context = calendarContext(deps);
  return {
    /** Validates by reading once, then saves with sealed credentials and the busy time read. */
    connect: (actor: Actor, input: ConnectInput) => connectFeed(context, actor, input),
    /** The actor's own connections, or (with `members:manage`) another member's. */
    listConnections: (actor: Actor, userId?: string) => listConnections(context, actor, userId),
    getConnection: (actor: Actor, id: string) => getConnection(context, actor, id),
    /** Deletes the connection and its busy time; a Google grant is revoked first. */
    disconnect: (actor: Actor, id: string) => disconnect(context, actor, id),
    /** Reads one connection now and replaces its busy time (the worker's unit of work). */
    syncConnection: (id: string) => syncConnection(context, id),
    /** Claims one connection due for a sync: its id, `""` when another worker won, or undefined. */
    claimDue: (leaseMs: number) => claimDue(context, leaseMs),
    /** Per member, how many calendars are connected, unhealthy and stale (the team page). */
    healthByMember: (actor: Actor) => healthByMember(context, actor),
    /** Materialised busy time of a member, merged, clipped to `range`, with trust warnings. */
    async busyFor(actor: Actor, userId: string, range: Interval): Promise<BusyAnswer> {
      const answers = await busyForMany(context, actor, [userId], range);
      return answers.get(userId) as BusyAnswer;
    },
    /** `busyFor` for several members in three queries. */
    busyForMany: (actor: Actor, userIds: readonly string[], range: Interval) =>
      busyForMany(context, actor, userIds, range),
    /** `busyForMany` in epoch milliseconds, as the slot engine reads busy time. */
    busyIntervalsForMany: (
      actor: Actor,
      userIds: readonly string[],
      range: Interval,
    ): Promise<Map<string, BusyIntervals>> => busyIntervalsForMany(context, actor, userIds, range),
  };
}
