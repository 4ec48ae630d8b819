/**
 * What the sync, the event writer and the disconnect need for Google and Microsoft rows: a
 * `CalendarSource` over the chosen calendars and an `EventWriter` to the receiving one, whose
 * access token is refreshed in one place (`accessTokenProvider`) and resealed in the row after
 * every refresh; push channels; Google's incremental read; and the revocation a disconnect
 * asks for. No token is ever logged, shown or put in an error message.
 */
import { busyCalendarIds } from "../chosen-calendars.js";
import {
  credentialsBinding,
  type OAuthCredentials,
  openOAuthCredentials,
} from "../connector-for.js";
import { GoogleCalendar } from "../connectors/google.js";
import { MicrosoftCalendar } from "../connectors/microsoft.js";
import { accessTokenProvider, revokeToken } from "../connectors/oauth.js";
import { GoogleEventWriter, MicrosoftEventWriter } from "../connectors/provider-event-writers.js";
import {
  type CalendarSource,
  ConnectorError,
  type EpochMsInterval,
  type EventWriter,
} from "../connectors/types.js";
import { calendarDb } from "../db.js";
import type { PushClient } from "../push.js";
import { receivingCalendarId } from "../receiving-events.js";
import type { CalendarConnectionsTable } from "../tables.js";
import { readGoogleIfChanged } from "./google-incremental.js";
import {
  credentialsFrom,
  isOAuthProvider,
  type OAuthDeps,
  PROVIDER_NAMES,
  type ProviderKit,
  providerKit,
  tokensFrom,
} from "./providers.js";

/**
 * The row's provider and an access-token source for it: refreshed when it has expired (or
 * the provider refused it), the new tokens resealed in the row before the call goes on.
 */
function tokensFor(
  deps: OAuthDeps,
  kit: ProviderKit,
  row: CalendarConnectionsTable,
  credentials: OAuthCredentials,
) {
  const provider = row.provider;
  if (!isOAuthProvider(provider)) throw new RangeError(`${provider} is not an OAuth provider`);
  const config = kit.config(provider);
  if (config === undefined) {
    throw new ConnectorError(
      "CALENDAR_AUTH_FAILED",
      `${PROVIDER_NAMES[provider]} is no longer set up on this Ally server`,
    );
  }
  let current = credentials;
  const accessToken = accessTokenProvider({
    config,
    http: kit.http[provider],
    now: () => deps.clock.now(),
    store: {
      load: async () => tokensFrom(current),
      save: async (tokens) => {
        current = credentialsFrom(tokens, current.refreshToken);
        const sealed = await deps.box.seal(
          JSON.stringify(current),
          credentialsBinding(row.id, row.organisation_id),
        );
        await calendarDb(deps.db)
          .updateTable("calendar_connections")
          .set({ credentials: sealed })
          .where("id", "=", row.id)
          .where("organisation_id", "=", row.organisation_id)
          .execute();
      },
    },
  });
  return { provider, accessToken };
}

/**
 * Writes Ally's events to the row's calendar marked `receivesEvents` (provider-event-writers.ts:
 * no attendees for the provider to mail).
 * @throws ConnectorError when no calendar of the account is chosen to receive events.
 */
function eventWriter(
  deps: OAuthDeps,
  kit: ProviderKit,
  row: CalendarConnectionsTable,
  credentials: OAuthCredentials,
): EventWriter {
  const receiving = receivingCalendarId(row);
  if (receiving === undefined) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${row.label}: no calendar is chosen to receive Ally's events (choose one on the calendars page)`,
    );
  }
  const { provider, accessToken } = tokensFor(deps, kit, row, credentials);
  if (provider === "google") {
    const google = new GoogleCalendar({
      http: kit.http.google,
      accessToken,
      calendarIds: [receiving],
      baseUrl: kit.endpoints.google.apiBaseUrl,
      label: row.label,
    });
    return new GoogleEventWriter(google, receiving);
  }
  return new MicrosoftEventWriter(
    new MicrosoftCalendar({
      http: kit.http.microsoft,
      accessToken,
      scheduleId: row.account ?? "",
      calendarId: receiving,
      baseUrl: kit.endpoints.microsoft.graphBaseUrl,
      label: row.label,
    }),
  );
}

export type OAuthSources = ReturnType<typeof createOAuthSources>;

export function createOAuthSources(deps: OAuthDeps) {
  const kit = providerKit(deps);
  const log = deps.log ?? ((line: string) => console.error(line));

  /**
   * A source over the row's calendars chosen as busy. The access token is refreshed when it
   * has expired (or the provider refused it), and the new tokens are resealed in the row
   * before the read goes on; a revoked grant fails with CALENDAR_AUTH_FAILED.
   */
  function source(
    row: CalendarConnectionsTable,
    credentials: OAuthCredentials,
  ): GoogleCalendar | MicrosoftCalendar {
    const { provider, accessToken } = tokensFor(deps, kit, row, credentials);
    const busyIds = busyCalendarIds(row);
    if (provider === "google") {
      return new GoogleCalendar({
        http: kit.http.google,
        accessToken,
        calendarIds: busyIds,
        baseUrl: kit.endpoints.google.apiBaseUrl,
        label: row.label,
      });
    }
    // calendarView, not getSchedule: it reads any chosen calendar, and works for personal
    // Microsoft accounts too.
    return new MicrosoftCalendar({
      http: kit.http.microsoft,
      accessToken,
      scheduleId: row.account ?? "",
      baseUrl: kit.endpoints.microsoft.graphBaseUrl,
      label: row.label,
      busyFrom: "calendarView",
      busyCalendarIds: busyIds,
    });
  }

  /** The row's push client, or undefined for providers without push. */
  async function pushClient(row: CalendarConnectionsTable): Promise<PushClient | undefined> {
    if (!isOAuthProvider(row.provider)) return undefined;
    const client = source(row, await openOAuthCredentials(deps.box, row));
    if (client instanceof GoogleCalendar) return { provider: "google", client };
    return { provider: "microsoft", client };
  }

  return {
    source,

    /**
     * Keeps push channels on the row's busy calendars (push.ts), so a change there syncs at
     * once. A failure is logged and left for the next sync; it never fails the sync.
     */
    async keepPush(row: CalendarConnectionsTable): Promise<void> {
      if (deps.push === undefined || !isOAuthProvider(row.provider)) return;
      try {
        const client = await pushClient(row);
        if (client === undefined) return;
        await deps.push.keep({
          ...client,
          connectionId: row.id,
          organisationId: row.organisation_id,
          calendarIds: busyCalendarIds(row),
          publicUrl: deps.publicUrl,
        });
      } catch (error) {
        log(
          `ally: could not set up push notifications for calendar connection ${row.id}: ${(error as Error).message}`,
        );
      }
    },

    /**
     * Writes Ally's events to the row's calendar marked `receivesEvents`, with the same token
     * handling as `source`.
     */
    eventWriter: (row: CalendarConnectionsTable, credentials: OAuthCredentials): EventWriter =>
      eventWriter(deps, kit, row, credentials),

    /** Google's incremental sync (google-incremental.ts); undefined for other sources. */
    async readIfChanged(
      row: CalendarConnectionsTable,
      source: CalendarSource,
      range: EpochMsInterval,
      now: number,
    ): Promise<{ busy: EpochMsInterval[]; syncState: string } | "unchanged" | undefined> {
      if (row.provider !== "google" || !(source instanceof GoogleCalendar)) return undefined;
      return readGoogleIfChanged(deps.db, row, source, range, now);
    },

    /**
     * Ends the grant at the provider before a disconnect deletes the tokens. Google: RFC 7009
     * revocation of the refresh token, which ends the whole grant. Microsoft has no per-grant
     * revocation for delegated tokens: deleting them is all Ally can do; the person can remove
     * Ally under their account's app permissions (myapps.microsoft.com / account.live.com).
     * A failure is logged (without the token) and does not stop the disconnect.
     */
    async revoke(row: CalendarConnectionsTable): Promise<void> {
      if (deps.push !== undefined && isOAuthProvider(row.provider)) {
        const client = await pushClient(row).catch(() => undefined);
        if (client !== undefined) await deps.push.dropAll({ ...client, connectionId: row.id });
      }
      if (row.provider !== "google") return;
      const config = kit.config("google");
      try {
        if (config === undefined) throw new Error("Google Calendar is not set up on this server");
        const credentials = await openOAuthCredentials(deps.box, row);
        await revokeToken(config, kit.http.google, credentials.refreshToken);
      } catch (error) {
        log(
          `ally: could not revoke the Google grant of calendar connection ${row.id}; deleting it anyway: ${(error as Error).message}`,
        );
      }
    },
  };
}
