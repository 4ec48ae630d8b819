/**
 * Finding a person's CalDAV calendars from their server's address (RFC 6764 and RFC 4791 6):
 * `/.well-known/caldav`, the current user's principal, its calendar home, and the calendar
 * collections in it that hold events. People know "caldav.icloud.com" or "caldav.fastmail.com",
 * rarely the long URL of one calendar.
 */
import { createAccount, fetchCalendars, getBasicAuthHeaders } from "tsdav";
import type { CalDavCredentials } from "./caldav.js";
import { networkFailure, statusFailure } from "./http-failure.js";
import { ConnectorError } from "./types.js";

export interface DiscoveredCalendar {
  /** The collection's URL, ending in a slash. */
  url: string;
  /** Its display name, or the last segment of its URL. */
  name: string;
}

export interface DiscoveryOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Event calendars under the principal of `credentials` at `serverUrl`, sorted by name. */
export async function discoverCalendars(
  serverUrl: URL,
  credentials: CalDavCredentials,
  options: DiscoveryOptions = {},
): Promise<DiscoveredCalendar[]> {
  const where = `CalDAV server ${serverUrl.host}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const inner = options.fetch ?? fetch;
  // tsdav reads statuses itself (a 404 for /.well-known/caldav is normal); only a refused
  // password and the network are turned into connector errors here.
  const checkedFetch: typeof fetch = async (input, init) => {
    let response: Response;
    try {
      response = await inner(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw networkFailure(where, error, timeoutMs);
    }
    if (response.status === 401 || response.status === 403 || response.status === 429) {
      await response.body?.cancel();
      throw statusFailure(where, response);
    }
    return response;
  };
  const headers = getBasicAuthHeaders(credentials);
  const bare = new URL(serverUrl);
  bare.username = "";
  bare.password = "";
  let calendars: Awaited<ReturnType<typeof fetchCalendars>>;
  try {
    const account = await createAccount({
      account: { serverUrl: bare.href, accountType: "caldav" },
      headers,
      fetch: checkedFetch,
    });
    calendars = await fetchCalendars({ account, headers, fetch: checkedFetch });
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${where}: no CalDAV calendars were found at this address`,
      { cause: error },
    );
  }
  return calendars
    .filter((c) => c.components === undefined || c.components.includes("VEVENT"))
    .map((c) => {
      const url = new URL(c.url, bare).href;
      const segments = new URL(url).pathname.split("/").filter((s) => s !== "");
      const displayName = typeof c.displayName === "string" ? c.displayName.trim() : "";
      return {
        url: url.endsWith("/") ? url : `${url}/`,
        name: displayName || decodeURIComponent(segments.at(-1) ?? url),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
