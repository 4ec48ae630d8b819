/**
 * What every operation on calendar connections is given: the service's dependencies and the
 * connector kit made from them once. Members' names, addresses and zones come in through
 * `members` (wired where the service is created), not from other modules' tables.
 */
import type { Clock } from "../../clock.js";
import type { SecretStore } from "../../secrets/secret-store.js";
import { type ConnectorKit, connectorKit } from "../connector-for.js";
import type { Lookup } from "../connectors/guarded-fetch.js";
import type { AnyHandle } from "../db.js";
import type { OAuthSources } from "../oauth-connections.js";

/** A member as calendar messages and warnings name them. */
export interface CalendarMember {
  name: string;
  email: string;
}

/** What the calendar module needs to know about members; owned by accounts and hiring. */
export interface CalendarMembers {
  /** Each of `userIds` who is a member of the organisation; the others are absent. */
  membersOf(orgId: string, userIds: readonly string[]): Promise<Map<string, CalendarMember>>;
  /** The zone a member's calendars are read in (their profile's; UTC without one). */
  timeZoneOf(orgId: string, userId: string): Promise<string>;
}

export interface CalendarDeps {
  db: AnyHandle;
  clock: Clock;
  box: SecretStore;
  members: CalendarMembers;
  /** How often each connection is synced; a sync older than two intervals is stale. */
  syncIntervalMs: number;
  mailFrom?: string;
  publicUrl?: string;
  /** Per-request timeout for reading a provider. */
  timeoutMs?: number;
  /** Google and Microsoft sources and revocation (oauth-connections.ts); absent = not offered. */
  oauth?: OAuthSources;
  /**
   * Let members connect calendars on loopback and private networks (a self-hosted server);
   * off by default, so a typed-in address cannot reach Ally's own network (guarded-fetch.ts).
   */
  allowPrivateHosts?: boolean;
  /** Resolves host names for that check; the system resolver by default. */
  lookup?: Lookup;
  /** For backoff jitter; Math.random by default. */
  random?: () => number;
}

export interface CalendarContext {
  deps: CalendarDeps;
  kit: ConnectorKit;
  random: () => number;
}

export function calendarContext(deps: CalendarDeps): CalendarContext {
  return {
    deps,
    kit: connectorKit({
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
      ...(deps.allowPrivateHosts === undefined
        ? {}
        : { allowPrivateHosts: deps.allowPrivateHosts }),
      ...(deps.lookup === undefined ? {} : { lookup: deps.lookup }),
      ...(deps.oauth === undefined ? {} : { oauth: deps.oauth }),
    }),
    random: deps.random ?? Math.random,
  };
}
