/**
 * Connecting a CalDAV collection or an ICS feed: the address (and Basic auth) are checked by
 * reading once, then saved with sealed credentials and the busy time read. A CalDAV server's
 * address (caldav.icloud.com) rather than one calendar's connects each event calendar found.
 */

import type { Actor } from "../../accounts/service.js";
import { invalid } from "../../errors.js";
import { newId } from "../../ids.js";
import { connectorWith, credentialsBinding, type FeedCredentials } from "../connector-for.js";
import { discoverCalendars } from "../connectors/caldav-discovery.js";
import { ConnectorError } from "../connectors/types.js";
import { calendarDb } from "../db.js";
import type { CalendarConnectionsTable, CalendarProvider } from "../tables.js";
import type { CalendarContext } from "./context.js";
import { type Read, readCalendar } from "./read-calendar.js";
import { type CalendarConnection, newConnectionRow, toConnection } from "./rows.js";
import { syncRow } from "./sync-row.js";

export type ConnectInput =
  | { provider: "ics-feed"; url: string }
  | { provider: "caldav"; url: string; username: string; password: string };

type FeedProvider = "caldav" | "ics-feed";

function parseHttpUrl(text: string, field: string): URL {
  if (text.length > 2000) throw invalid(field, "the address is too long (at most 2000 characters)");
  let url: URL;
  try {
    url = new URL(text.trim().replace(/^webcal:/i, "https:"));
  } catch {
    throw invalid(field, "enter the calendar's full address, starting with https://");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    throw invalid(field, "the address must start with https:// (or http://)");
  }
  if (url.username !== "" || url.password !== "") {
    throw invalid(field, "put the user name and password in their own fields, not in the address");
  }
  return url;
}

/** The credentials typed in, checked. */
function credentialsOf(input: ConnectInput): { url: URL; credentials: FeedCredentials } {
  const url = parseHttpUrl(typeof input.url === "string" ? input.url : "", "url");
  const credentials: FeedCredentials = { url: url.toString() };
  if (input.provider === "caldav") {
    const username = typeof input.username === "string" ? input.username.trim() : "";
    const password = typeof input.password === "string" ? input.password : "";
    if (username === "") throw invalid("username", "enter the calendar's user name");
    if (username.length > 200) throw invalid("username", "the user name is too long");
    if (password.trim() === "") throw invalid("password", "enter the (app-specific) password");
    if (password.length > 500) throw invalid("password", "the password is too long");
    credentials.username = username;
    credentials.password = password;
  }
  return { url, credentials };
}

/** A failure to read at connect is the person's to fix, so it names the field. */
function connectFailure(provider: CalendarProvider, error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  if (error.code === "CALENDAR_AUTH_FAILED" && provider === "caldav") {
    return invalid("password", `the server refused this user name and password: ${error.message}`);
  }
  return invalid("url", `Ally could not read this calendar: ${error.message}`);
}

interface Draft {
  row: CalendarConnectionsTable;
  credentials: FeedCredentials;
}

function draft(
  context: CalendarContext,
  actor: Actor,
  provider: FeedProvider,
  credentials: FeedCredentials,
  label: string,
): Draft {
  const row = newConnectionRow({
    id: newId("cal"),
    organisation_id: actor.orgId,
    user_id: actor.userId,
    provider,
    label,
    // Sealed when saved, once the first read worked.
    credentials: "",
    created_at: context.deps.clock.now(),
    calendars: null,
    account: null,
  });
  return { row, credentials };
}

/** Reads busy time once, before a connection is saved. */
async function firstRead(context: CalendarContext, draft: Draft, zone: string): Promise<Read> {
  const connector = connectorWith(
    draft.row,
    { kind: "feed", credentials: draft.credentials },
    context.kit,
  );
  const read = await readCalendar(context, connector, draft.row, zone, context.deps.clock.now());
  if (read === "unchanged") throw new Error("a first read cannot be unchanged");
  return read;
}

async function probe(context: CalendarContext, draft: Draft, zone: string): Promise<Read> {
  try {
    return await firstRead(context, draft, zone);
  } catch (error) {
    throw connectFailure(draft.row.provider, error);
  }
}

/** Saves a connection that was read just now, and materialises that read. */
async function save(
  context: CalendarContext,
  draft: Draft,
  read: Read,
): Promise<CalendarConnection> {
  const { box } = context.deps;
  const db = calendarDb(context.deps.db);
  const { row, credentials } = draft;
  const binding = credentialsBinding(row.id, row.organisation_id);
  const saved = {
    ...row,
    credentials: await box.seal(JSON.stringify(credentials), binding),
    created_at: context.deps.clock.now(),
  };
  await db.insertInto("calendar_connections").values(saved).execute();
  return toConnection(await syncRow(context, saved, read));
}

/** Validates by reading once, then saves with sealed credentials and the busy time read. */
export async function connectFeed(
  context: CalendarContext,
  actor: Actor,
  input: ConnectInput,
): Promise<CalendarConnection> {
  const provider = input.provider;
  if (provider !== "caldav" && provider !== "ics-feed") {
    throw invalid("provider", "choose CalDAV or an ICS feed");
  }
  const { url, credentials } = credentialsOf(input);
  const zone = await context.deps.members.timeZoneOf(actor.orgId, actor.userId);
  if (provider === "ics-feed") {
    const feed = draft(context, actor, provider, credentials, `ICS feed at ${url.host}`);
    return save(context, feed, await probe(context, feed, zone));
  }
  const one = draft(context, actor, provider, credentials, `CalDAV at ${url.host}`);
  let read: Read;
  try {
    read = await firstRead(context, one, zone);
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.code !== "CALENDAR_INVALID") {
      throw connectFailure(provider, error);
    }
    return connectDiscovered(context, actor, url, credentials, zone, error);
  }
  return save(context, one, read);
}

/**
 * Not one calendar: perhaps the server's address. Every event calendar found there is
 * connected, each on its own, so one can be removed alone.
 */
async function connectDiscovered(
  context: CalendarContext,
  actor: Actor,
  url: URL,
  credentials: FeedCredentials,
  zone: string,
  notOne: ConnectorError,
): Promise<CalendarConnection> {
  const found = await discoverCalendars(
    url,
    { username: credentials.username ?? "", password: credentials.password ?? "" },
    context.kit.feeds,
  ).catch((discovery: unknown) => {
    throw discovery instanceof ConnectorError && discovery.code !== "CALENDAR_INVALID"
      ? connectFailure("caldav", discovery)
      : connectFailure("caldav", notOne);
  });
  if (found.length === 0) throw connectFailure("caldav", notOne);
  const connected: CalendarConnection[] = [];
  for (const calendar of found.slice(0, 20)) {
    const each = draft(
      context,
      actor,
      "caldav",
      { ...credentials, url: calendar.url },
      `CalDAV: ${calendar.name} at ${url.host}`,
    );
    connected.push(await save(context, each, await probe(context, each, zone)));
  }
  return connected[0] as CalendarConnection;
}
