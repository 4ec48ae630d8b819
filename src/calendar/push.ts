/**
 * Push: Google push channels and Microsoft Graph change subscriptions tell Ally that a
 * connection's calendar changed, and the connection is then synced at once instead of at the
 * next interval. Notifications carry no calendar data; they only make a sync due, so a forged
 * one could at worst cause an early sync, and even that needs the channel's secret (Google's
 * channel token, Graph's clientState), which is kept only as a SHA-256 hash.
 *
 * Channels are created and renewed by the sync when Ally has a public https address
 * (`PUBLIC_URL`): a provider cannot reach a loopback one.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.js";
import type { GoogleCalendar } from "./connectors/google.js";
import type { MicrosoftCalendar } from "./connectors/microsoft.js";
import { type AnyHandle, type CalendarDb, calendarDb } from "./db.js";
import type { CalendarPushChannelsTable } from "./tables.js";

/** Renew a channel when less than this is left of it. */
export const RENEW_BEFORE_MS = 24 * 3_600_000;
/** How long Ally asks a channel to last: Graph allows events subscriptions up to 10,080 minutes. */
export const CHANNEL_TTL_MS = 7 * 24 * 3_600_000 - 60 * 60_000;

export const GOOGLE_HOOK_PATH = "/api/v1/hooks/calendar/google";
export const MICROSOFT_HOOK_PATH = "/api/v1/hooks/calendar/microsoft";

/** Where providers can reach Ally: only a public https address will do. */
export function pushAddress(publicUrl: string | undefined, path: string): string | undefined {
  if (publicUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(path, publicUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:") return undefined;
  const host = url.hostname;
  if (host === "localhost" || host.endsWith(".localhost") || /^(127\.|\[::1\])/.test(host)) {
    return undefined;
  }
  return url.toString();
}

const hash = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

function sameHash(secret: string, expectedHex: string): boolean {
  const actual = Buffer.from(hash(secret), "hex");
  const expected = Buffer.from(expectedHex, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new channel's id and secret; the secret goes to the provider and is stored only hashed. */
export function newChannelSecret(): { id: string; secret: string } {
  return {
    id: `chan_${randomBytes(12).toString("base64url")}`,
    secret: randomBytes(32).toString("base64url"),
  };
}

/** What a Google notification's headers say (X-Goog-Channel-ID, -Token, X-Goog-Resource-State, -ID). */
export interface GoogleNotification {
  channelId: string | undefined;
  token: string | undefined;
  resourceState: string | undefined;
  resourceId: string | undefined;
}

/** The provider client that creates and ends channels. */
export type PushClient =
  | { provider: "google"; client: Pick<GoogleCalendar, "watch" | "stopChannel"> }
  | {
      provider: "microsoft";
      client: Pick<MicrosoftCalendar, "subscribe" | "renewSubscription" | "deleteSubscription">;
    };

/** A connection whose calendars are to be watched, with the provider client that can. */
export type PushTarget = {
  connectionId: string;
  organisationId: string;
  /** The calendars that count as busy: a change in any of them changes busy time. */
  calendarIds: string[];
  publicUrl: string | undefined;
} & PushClient;

export type PushChannels = ReturnType<typeof createPushChannels>;

/**
 * Asks the provider for a new channel on one calendar, calling `address` with a new secret.
 * Google channels last `ttlSeconds`; Graph subscriptions until `expiresAtEpochMs`.
 */
async function openChannel(
  target: PushTarget,
  calendarId: string,
  address: string,
  now: number,
): Promise<{ id: string; secret: string; resourceId: string; expiresAt: number }> {
  const { id, secret } = newChannelSecret();
  const created =
    target.provider === "google"
      ? await target.client
          .watch(calendarId, {
            id,
            address,
            token: secret,
            ttlSeconds: Math.floor(CHANNEL_TTL_MS / 1000),
          })
          .then((c) => ({ resourceId: c.resourceId, expiresAt: c.expiresAtEpochMs }))
      : await target.client
          .subscribe({
            notificationUrl: address,
            clientState: secret,
            expiresAtEpochMs: now + CHANNEL_TTL_MS,
            calendarId,
          })
          .then((s) => ({ resourceId: s.id, expiresAt: s.expiresAtEpochMs }));
  return { id, secret, ...created };
}

/**
 * Renews an expiring Graph subscription in place; false when Graph refuses (the caller then
 * opens a new one). Google channels cannot be renewed.
 */
async function renewSubscription(
  db: CalendarDb,
  target: PushTarget,
  expiring: CalendarPushChannelsTable,
  now: number,
): Promise<boolean> {
  if (target.provider !== "microsoft") return false;
  const renewed = await target.client
    .renewSubscription(expiring.resource_id, now + CHANNEL_TTL_MS)
    .catch(() => undefined);
  if (renewed === undefined) return false;
  await db
    .updateTable("calendar_push_channels")
    .set({ expires_at: renewed.expiresAtEpochMs })
    .where("id", "=", expiring.id)
    .execute();
  return true;
}

/** The live Google channel a notification is for, if its token and resource match. */
async function googleChannelOf(
  db: CalendarDb,
  clock: Clock,
  notification: GoogleNotification,
): Promise<CalendarPushChannelsTable | undefined> {
  const { channelId, token } = notification;
  if (channelId === undefined || token === undefined) return undefined;
  const channel = await db
    .selectFrom("calendar_push_channels")
    .selectAll()
    .where("id", "=", channelId)
    .where("provider", "=", "google")
    .executeTakeFirst();
  if (channel === undefined || !sameHash(token, channel.token_hash)) return undefined;
  if (channel.expires_at < clock.now()) return undefined;
  if (notification.resourceId !== undefined && notification.resourceId !== channel.resource_id) {
    return undefined;
  }
  return channel;
}

/**
 * The connections a Graph notification batch makes due (at most 1,000 entries are read), and
 * how many entries matched a subscription and its clientState.
 */
async function microsoftConnectionsDue(
  db: CalendarDb,
  entries: unknown[],
): Promise<{ accepted: number; ignored: number; due: Set<string> }> {
  let accepted = 0;
  let ignored = 0;
  const due = new Set<string>();
  for (const entry of entries.slice(0, 1000)) {
    const { subscriptionId, clientState } = (entry ?? {}) as {
      subscriptionId?: unknown;
      clientState?: unknown;
    };
    if (typeof subscriptionId !== "string" || typeof clientState !== "string") {
      ignored += 1;
      continue;
    }
    const channel = await db
      .selectFrom("calendar_push_channels")
      .selectAll()
      .where("provider", "=", "microsoft")
      .where("resource_id", "=", subscriptionId)
      .executeTakeFirst();
    if (channel === undefined || !sameHash(clientState, channel.token_hash)) {
      ignored += 1;
      continue;
    }
    accepted += 1;
    due.add(channel.connection_id);
  }
  return { accepted, ignored, due };
}

export function createPushChannels(deps: { db: AnyHandle; clock: Clock }) {
  const { clock } = deps;
  const db = calendarDb(deps.db);

  /** Ends a channel at the provider (a gone one counts as ended) and forgets it. */
  async function stop(target: PushClient, channel: CalendarPushChannelsTable): Promise<void> {
    if (target.provider === "google") {
      await target.client.stopChannel({ id: channel.id, resourceId: channel.resource_id });
    } else {
      await target.client.deleteSubscription(channel.resource_id);
    }
    await db.deleteFrom("calendar_push_channels").where("id", "=", channel.id).execute();
  }

  /** Makes the connection due now, unless it is backing off after failures. */
  async function syncSoon(connectionId: string): Promise<void> {
    await db
      .updateTable("calendar_connections")
      .set({ next_attempt_at: clock.now() })
      .where("id", "=", connectionId)
      .where("failure_count", "=", 0)
      .execute();
  }

  return {
    async register(channel: {
      id: string;
      secret: string;
      organisationId: string;
      connectionId: string;
      provider: CalendarPushChannelsTable["provider"];
      calendarId: string;
      resourceId: string;
      expiresAt: number;
    }): Promise<void> {
      await db
        .insertInto("calendar_push_channels")
        .values({
          id: channel.id,
          organisation_id: channel.organisationId,
          connection_id: channel.connectionId,
          provider: channel.provider,
          calendar_id: channel.calendarId,
          resource_id: channel.resourceId,
          token_hash: hash(channel.secret),
          expires_at: channel.expiresAt,
          created_at: clock.now(),
        })
        .execute();
    },

    /** Channels of a connection, soonest to expire first. */
    async forConnection(connectionId: string): Promise<CalendarPushChannelsTable[]> {
      return db
        .selectFrom("calendar_push_channels")
        .selectAll()
        .where("connection_id", "=", connectionId)
        .orderBy("expires_at")
        .execute();
    },

    /**
     * Keeps one live channel per watched calendar of a connection: creates what is missing,
     * renews (Graph) or replaces (Google, whose channels cannot be renewed) what expires within
     * RENEW_BEFORE_MS, and stops channels of calendars no longer watched. Without a public https
     * address there is nothing a provider could call, and nothing is done.
     */
    async keep(target: PushTarget): Promise<void> {
      const address = pushAddress(
        target.publicUrl,
        target.provider === "google" ? GOOGLE_HOOK_PATH : MICROSOFT_HOOK_PATH,
      );
      if (address === undefined) return;
      const now = clock.now();
      const channels = await this.forConnection(target.connectionId);
      for (const channel of channels) {
        if (!target.calendarIds.includes(channel.calendar_id)) await stop(target, channel);
      }
      for (const calendarId of target.calendarIds) {
        const mine = channels.filter((c) => c.calendar_id === calendarId);
        const live = mine.find((c) => c.expires_at - now > RENEW_BEFORE_MS);
        if (live !== undefined) continue;
        const expiring = mine.find((c) => c.expires_at > now);
        if (expiring !== undefined && (await renewSubscription(db, target, expiring, now)))
          continue;
        const opened = await openChannel(target, calendarId, address, now);
        await this.register({
          ...opened,
          organisationId: target.organisationId,
          connectionId: target.connectionId,
          provider: target.provider,
          calendarId,
        });
        for (const old of mine) await stop(target, old);
      }
    },

    /** Stops every channel of a connection (before it is disconnected); failures are ignored. */
    async dropAll(target: PushClient & { connectionId: string }): Promise<void> {
      for (const channel of await this.forConnection(target.connectionId)) {
        await stop(target, channel).catch(() => undefined);
      }
    },

    /**
     * A Google notification: "accepted" (the connection will sync now), "sync" (the handshake
     * Google sends when a channel starts; nothing changed), or "unknown" (no such live channel,
     * or the token does not match).
     */
    async google(notification: GoogleNotification): Promise<"accepted" | "sync" | "unknown"> {
      const channel = await googleChannelOf(db, clock, notification);
      if (channel === undefined) return "unknown";
      if (notification.resourceState === "sync") return "sync";
      await syncSoon(channel.connection_id);
      return "accepted";
    },

    /**
     * A Graph notification batch (`{"value": [{subscriptionId, clientState, ...}]}`): each
     * entry whose subscription and clientState match makes its connection due. Returns how many
     * were accepted; entries that do not match are ignored.
     */
    async microsoft(body: unknown): Promise<{ accepted: number; ignored: number }> {
      const entries = (body as { value?: unknown } | null)?.value;
      if (!Array.isArray(entries)) return { accepted: 0, ignored: 0 };
      const { accepted, ignored, due } = await microsoftConnectionsDue(db, entries);
      for (const connectionId of due) await syncSoon(connectionId);
      return { accepted, ignored };
    },
  };
}
