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
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import type { Database } from "../store/schema.js";
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

export type PushChannels = ReturnType<typeof createPushChannels>;

export function createPushChannels(deps: { db: Kysely<Database>; clock: Clock }) {
  const { db, clock } = deps;

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

    async renewed(id: string, expiresAt: number): Promise<void> {
      await db
        .updateTable("calendar_push_channels")
        .set({ expires_at: expiresAt })
        .where("id", "=", id)
        .execute();
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom("calendar_push_channels").where("id", "=", id).execute();
    },

    /**
     * A Google notification: "accepted" (the connection will sync now), "sync" (the handshake
     * Google sends when a channel starts; nothing changed), or "unknown" (no such live channel,
     * or the token does not match).
     */
    async google(notification: GoogleNotification): Promise<"accepted" | "sync" | "unknown"> {
      const { channelId, token } = notification;
      if (channelId === undefined || token === undefined) return "unknown";
      const channel = await db
        .selectFrom("calendar_push_channels")
        .selectAll()
        .where("id", "=", channelId)
        .where("provider", "=", "google")
        .executeTakeFirst();
      if (channel === undefined || !sameHash(token, channel.token_hash)) return "unknown";
      if (channel.expires_at < clock.now()) return "unknown";
      if (
        notification.resourceId !== undefined &&
        notification.resourceId !== channel.resource_id
      ) {
        return "unknown";
      }
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
      for (const connectionId of due) await syncSoon(connectionId);
      return { accepted, ignored };
    },
  };
}
