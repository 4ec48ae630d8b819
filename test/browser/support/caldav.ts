/**
 * What the browser tests check outside the browser: the objects in a Radicale calendar
 * collection (PROPFIND Depth 1, then GET each; RFC 4918 9.1, RFC 4791 5.3.4), and the iCalendar
 * parts of the emails Ally wrote to its outbox folder (parsed with mailparser). Every calendar
 * text is read twice, by Ally's parser and by ical.js, and the two must agree.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import ICAL from "ical.js";
import { simpleParser } from "mailparser";
import { parseICalendar } from "../../../src/calendar/ical.js";
import { RADICALE_PASSWORD, RADICALE_USER } from "../../calendar/connectors/radicale.js";

const basic = `Basic ${Buffer.from(`${RADICALE_USER}:${RADICALE_PASSWORD}`).toString("base64")}`;

/** One VEVENT as both parsers read it. Times are epoch milliseconds, half-open. */
export interface ReadEvent {
  /** The calendar's METHOD (iMIP), or null for a stored calendar object. */
  method: string | null;
  uid: string;
  sequence: number;
  startEpochMs: number;
  endEpochMs: number;
  cancelled: boolean;
  /** Attendees' addresses, lower case, without `mailto:`. */
  attendees: string[];
}

/**
 * Reads the single VEVENT of a calendar text with Ally's parser and with ical.js; throws when
 * either cannot read it or when they disagree on UID, SEQUENCE or times.
 */
export function readEvent(text: string, source: string): ReadEvent {
  const ours = parseICalendar(text, source);
  if (!ours.ok) throw new Error(`${source}: Ally's parser refused it: ${ours.error.message}`);
  if (ours.problems.length > 0) {
    throw new Error(`${source}: ${ours.problems.map((p) => p.message).join("; ")}`);
  }
  const [event, ...more] = ours.calendar.events;
  if (event === undefined || more.length > 0) {
    throw new Error(`${source}: ${ours.calendar.events.length} events, not one`);
  }
  // Ally writes UTC times (imip.ts), so no zone is needed to place them.
  if (event.start.kind !== "utc" || event.end?.kind !== "utc") {
    throw new Error(`${source}: DTSTART and DTEND are not UTC times`);
  }
  const theirs = new ICAL.Component(ICAL.parse(text));
  const vevent = theirs.getFirstSubcomponent("vevent");
  if (vevent === null) throw new Error(`${source}: ical.js found no VEVENT`);
  const parsed = new ICAL.Event(vevent);
  const read: ReadEvent = {
    method: (theirs.getFirstPropertyValue("method") as string | null) ?? null,
    uid: event.uid,
    sequence: event.sequence,
    startEpochMs: event.start.local * 1000,
    endEpochMs: event.end.local * 1000,
    cancelled: event.cancelled,
    attendees: parsed.attendees.map((a) =>
      String(a.getFirstValue())
        .replace(/^mailto:/i, "")
        .toLowerCase(),
    ),
  };
  const icalRead = {
    uid: parsed.uid,
    sequence: parsed.sequence,
    startEpochMs: parsed.startDate.toUnixTime() * 1000,
    endEpochMs: parsed.endDate.toUnixTime() * 1000,
  };
  for (const key of ["uid", "sequence", "startEpochMs", "endEpochMs"] as const) {
    if (read[key] !== icalRead[key]) {
      throw new Error(
        `${source}: ${key} is ${read[key]} for Ally but ${icalRead[key]} for ical.js`,
      );
    }
  }
  return read;
}

/** An object stored in a calendar collection. */
export interface StoredObject {
  /** Absolute URL of the object. */
  href: string;
  etag: string | null;
  event: ReadEvent;
}

/** Every calendar object in the collection at `collectionUrl`, read with Radicale's test user. */
export async function listObjects(collectionUrl: string): Promise<StoredObject[]> {
  const listing = await fetch(collectionUrl, {
    method: "PROPFIND",
    headers: { authorization: basic, depth: "1", "content-type": "application/xml" },
    body: '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
  });
  if (listing.status !== 207) throw new Error(`PROPFIND ${collectionUrl}: HTTP ${listing.status}`);
  const xml = await listing.text();
  const hrefs = [...xml.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)]
    .map((m) => new URL(m[1] ?? "", collectionUrl).href)
    .filter((href) => !href.endsWith("/"));
  const objects: StoredObject[] = [];
  for (const href of hrefs) {
    const response = await fetch(href, { headers: { authorization: basic } });
    if (response.status === 404) continue; // removed between the listing and the read
    if (response.status !== 200) throw new Error(`GET ${href}: HTTP ${response.status}`);
    objects.push({
      href,
      etag: response.headers.get("etag"),
      event: readEvent(await response.text(), href),
    });
  }
  return objects;
}

/**
 * Polls the collection (every 250 ms, at most `timeoutMs`) until `done` holds for its objects,
 * and returns them; Ally writes events from a background worker, so they arrive within seconds.
 */
export async function waitForObjects(
  collectionUrl: string,
  what: string,
  done: (objects: StoredObject[]) => boolean,
  timeoutMs = 30_000,
): Promise<StoredObject[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const objects = await listObjects(collectionUrl);
    if (done(objects)) return objects;
    if (Date.now() > deadline) {
      const seen = objects.map((o) => `${o.event.uid} #${o.event.sequence}`).join(", ") || "none";
      throw new Error(`${collectionUrl} never held ${what} in ${timeoutMs} ms; it holds: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An email from the outbox folder that carries a calendar part. */
export interface CalendarMail {
  file: string;
  subject: string;
  /** The `method` parameter of the part's content type. */
  partMethod: string | undefined;
  event: ReadEvent;
}

/** Emails to `to` in the outbox folder that carry a text/calendar part, each part read. */
export async function calendarMails(directory: string, to: string): Promise<CalendarMail[]> {
  let names: string[] = [];
  try {
    names = (await readdir(directory)).filter((n) => n.endsWith(".eml")).sort();
  } catch {
    return []; // the folder appears with the first message
  }
  const found: CalendarMail[] = [];
  for (const name of names) {
    const file = join(directory, name);
    const mail = await simpleParser(await readFile(file));
    const recipients = (
      Array.isArray(mail.to) ? mail.to : mail.to === undefined ? [] : [mail.to]
    ).flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
    if (!recipients.includes(to.toLowerCase())) continue;
    // nodemailer writes the same calendar as an alternative and as invite.ics; one is enough.
    const part = mail.attachments.find((a) => a.contentType.toLowerCase() === "text/calendar");
    if (part === undefined) continue;
    // mailparser gives a structured header: { value: "text/calendar", params: { method } }.
    const type = part.headers.get("content-type");
    const params =
      typeof type === "object" && type !== null && "params" in type
        ? (type.params as Record<string, string | undefined>)
        : {};
    const partMethod = params.method;
    found.push({
      file,
      subject: mail.subject ?? "",
      partMethod: partMethod?.toUpperCase(),
      event: readEvent(part.content.toString("utf8"), file),
    });
  }
  return found;
}

/** Polls the outbox folder until at least `count` calendar emails to `to` are there. */
export async function waitForCalendarMails(
  directory: string,
  to: string,
  count: number,
  timeoutMs = 30_000,
): Promise<CalendarMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await calendarMails(directory, to);
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) {
      throw new Error(
        `${mails.length} calendar emails to ${to} after ${timeoutMs} ms, not ${count}: ${mails.map((m) => m.subject).join(" | ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
