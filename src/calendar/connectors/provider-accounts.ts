/**
 * Who a Google or Microsoft grant belongs to and which calendars it can see, read once right
 * after the authorization code is exchanged, so a person can choose which calendars count as
 * busy and which one receives Ally's events.
 *
 * Protocol facts (developers.google.com, learn.microsoft.com/graph):
 * - Google's OpenID Connect userinfo endpoint answers `{sub, email, email_verified}` for a token
 *   with the `openid email` scopes.
 * - Google's `GET /users/me/calendarList` (scope `calendar.calendarlist.readonly`) pages through
 *   `nextPageToken`; each item has `id`, `summary`, optionally `summaryOverride` (the name the
 *   user gave it) and `primary: true` on the user's own calendar, whose id is their address.
 * - Graph's `GET /me` (scope `User.Read`) answers `mail` (null for some personal accounts) and
 *   `userPrincipalName`; `GET /me/calendars` answers `value[{id, name, isDefaultCalendar}]` and
 *   pages through `@odata.nextLink`.
 */

import { errorForResponse, type HttpClient, parseJsonBody } from "./http.js";
import { ConnectorError } from "./types.js";

export interface ProviderCalendar {
  id: string;
  name: string;
  /** The account's own (Google: primary; Microsoft: default) calendar. */
  primary: boolean;
}

export interface ProviderAccount {
  /** The account's email address, as the person knows it. */
  email: string;
  calendars: ProviderCalendar[];
}

/** At most this many pages of calendars are read; a person with more has a bigger problem. */
const MAX_PAGES = 20;

async function getJson(
  http: HttpClient,
  url: string,
  accessToken: string,
  service: string,
): Promise<Record<string, unknown>> {
  const request = {
    method: "GET" as const,
    url,
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    idempotent: true,
  };
  const response = await http.send(request);
  if (response.status < 200 || response.status >= 300) {
    throw errorForResponse(service, request, response);
  }
  const body = parseJsonBody(service, request, response);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${service} answered something that is not an object`,
    );
  }
  return body as Record<string, unknown>;
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/**
 * @example await readGoogleAccount(http, token, { userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo", apiBaseUrl: "https://www.googleapis.com/calendar/v3" })
 */
export async function readGoogleAccount(
  http: HttpClient,
  accessToken: string,
  endpoints: { userinfoUrl: string; apiBaseUrl: string },
): Promise<ProviderAccount> {
  const service = "Google";
  const me = await getJson(http, endpoints.userinfoUrl, accessToken, service);
  const calendars: ProviderCalendar[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ maxResults: "250" });
    if (pageToken !== undefined) query.set("pageToken", pageToken);
    let body: Record<string, unknown>;
    try {
      body = await getJson(
        http,
        `${endpoints.apiBaseUrl.replace(/\/+$/, "")}/users/me/calendarList?${query}`,
        accessToken,
        service,
      );
    } catch (error) {
      // The person unticked the calendar list on the consent page: the primary calendar,
      // which every account has, is still there to use.
      if (error instanceof ConnectorError && error.code === "CALENDAR_AUTH_FAILED") break;
      throw error;
    }
    const items = Array.isArray(body.items) ? body.items : [];
    for (const item of items as Array<Record<string, unknown>>) {
      const id = text(item?.id);
      if (id === undefined) continue;
      calendars.push({
        id,
        name: text(item.summaryOverride) ?? text(item.summary) ?? id,
        primary: item.primary === true,
      });
    }
    pageToken = text(body.nextPageToken);
    if (pageToken === undefined) break;
  }
  const primary = calendars.find((calendar) => calendar.primary);
  const email = text(me.email) ?? primary?.id;
  if (email === undefined) {
    throw new ConnectorError("CALENDAR_INVALID", "Google did not say which account this is");
  }
  if (primary === undefined) {
    // The primary calendar is always there; its id is "primary" for every API call.
    calendars.unshift({ id: "primary", name: email, primary: true });
  }
  return { email, calendars };
}

/**
 * @example await readMicrosoftAccount(http, token, { graphBaseUrl: "https://graph.microsoft.com/v1.0" })
 */
export async function readMicrosoftAccount(
  http: HttpClient,
  accessToken: string,
  endpoints: { graphBaseUrl: string },
): Promise<ProviderAccount> {
  const service = "Microsoft Graph";
  const base = endpoints.graphBaseUrl.replace(/\/+$/, "");
  const me = await getJson(http, `${base}/me?$select=mail,userPrincipalName`, accessToken, service);
  const email = text(me.mail) ?? text(me.userPrincipalName);
  if (email === undefined) {
    throw new ConnectorError("CALENDAR_INVALID", "Microsoft did not say which account this is");
  }
  const calendars: ProviderCalendar[] = [];
  let url: string | undefined = `${base}/me/calendars?$select=id,name,isDefaultCalendar&$top=100`;
  for (let page = 0; page < MAX_PAGES && url !== undefined; page += 1) {
    const body: Record<string, unknown> = await getJson(http, url, accessToken, service);
    const items = Array.isArray(body.value) ? body.value : [];
    for (const item of items as Array<Record<string, unknown>>) {
      const id = text(item?.id);
      if (id === undefined) continue;
      calendars.push({ id, name: text(item.name) ?? id, primary: item.isDefaultCalendar === true });
    }
    const next = text(body["@odata.nextLink"]);
    // The bearer token goes only to the configured Graph origin.
    url = next !== undefined && sameOrigin(next, base) ? next : undefined;
  }
  if (calendars.length > 0 && !calendars.some((calendar) => calendar.primary)) {
    (calendars[0] as ProviderCalendar).primary = true;
  }
  return { email, calendars };
}

function sameOrigin(link: string, base: string): boolean {
  try {
    return new URL(link).origin === new URL(base).origin;
  } catch {
    return false;
  }
}
