/**
 * Writing iCalendar for interviews, and reading attendees' answers: iMIP invitations (RFC 6047
 * over RFC 5546 iTIP) with METHOD:REQUEST and METHOD:CANCEL, the plain event Ally stores on a
 * connected calendar (no METHOD, RFC 4791 4.1), and METHOD:REPLY as Outlook, Google and Apple
 * send it. Pure: no clock (DTSTAMP is passed in), no I/O.
 *
 * One event per iCalendar object. iTIP allows several components in one object only for
 * instances of one UID, so a loop of sessions is one invitation per session, each with its own
 * UID from `sessionUid` (`<bookingUid>-<n>@<host>`), sent to that session's interviewers and
 * to the candidate. A reschedule sends REQUEST again with the same UID and a higher SEQUENCE;
 * a cancellation sends CANCEL with the same UID and a higher SEQUENCE (RFC 5546 2.1.4, 3.2.5).
 *
 * Written as RFC 5545 requires: CRLF line ends, lines folded at 75 octets without splitting a
 * UTF-8 character (3.1), TEXT escaped (3.3.11), instants in UTC (`…Z`).
 */
import type { Component, ContentLine } from "./content-lines.js";
import { parseComponents, property, unescapeText } from "./content-lines.js";
import type { EpochMsInterval } from "./ical.js";

export type InvitationMethod = "REQUEST" | "CANCEL";

/** RFC 5545 3.2.16 participation roles Ally uses. */
export type AttendeeRole = "CHAIR" | "REQ-PARTICIPANT" | "OPT-PARTICIPANT";

export interface Person {
  email: string;
  /** Shown by mail clients, written as `paramText` makes it safe for a CN parameter. */
  name?: string;
}

export interface Attendee extends Person {
  /** Default REQ-PARTICIPANT. */
  role?: AttendeeRole;
}

/** One interview (or one session of a loop) as calendars and invitations show it. */
export interface InterviewEvent {
  /** Globally unique and stable across reschedules, e.g. from `sessionUid`. */
  uid: string;
  /** RFC 5545 3.8.7.4: 0 when first sent; higher on every reschedule and on cancellation. */
  sequence: number;
  /** Half-open: `endEpochMs` is exclusive, as DTEND is (RFC 5545 3.8.2.2). */
  time: EpochMsInterval;
  summary: string;
  description?: string;
  location?: string;
  /** A page about the interview (reschedule or video link). */
  url?: string;
  organizer: Person;
  attendees: Attendee[];
}

export type Partstat = "ACCEPTED" | "DECLINED" | "TENTATIVE";

/** What an attendee answered (METHOD:REPLY). */
export interface InvitationReply {
  uid: string;
  sequence: number;
  /** Lower case, without `mailto:`. */
  attendeeEmail: string;
  partstat: Partstat;
}

export type ReplyResult = { ok: true; reply: InvitationReply } | { ok: false; error: string };

const PRODID = "-//Ally//Ally interview scheduling//EN";
const CRLF = "\r\n";
const MAX_LINE_OCTETS = 75;
const EMAIL = /^[^\s@"<>;:,\\()[\]]+@[^\s@"<>;:,\\()[\]]+$/;

/**
 * The UID of session `index` (0-based) of a booking: stable across reschedules.
 * @example sessionUid("bkg_7Hq2", 0, "ally.example.com") // "bkg_7Hq2-1@ally.example.com"
 */
export function sessionUid(bookingUid: string, index: number, host: string): string {
  return `${bookingUid}-${index + 1}@${host}`;
}

/**
 * An iMIP invitation (REQUEST) or cancellation (CANCEL) for one event, to attach to an email
 * whose `text/calendar` part says the same `method`.
 * @example buildInvitation("REQUEST", event, { dtstampEpochMs: clock.now() })
 * @throws RangeError when the event cannot be written (empty UID, bad address, end before start): a bug in the caller.
 */
export function buildInvitation(
  method: InvitationMethod,
  event: InterviewEvent,
  options: { dtstampEpochMs: number },
): string {
  return calendarText(method, event, options.dtstampEpochMs);
}

/**
 * The event as Ally stores it on a person's CalDAV calendar: no METHOD (RFC 4791 4.1), the
 * organizer and attendees marked `SCHEDULE-AGENT=CLIENT` so that the server does not send its
 * own invitations on top of Ally's (RFC 6638 7.1).
 */
export function buildCalendarObject(
  event: InterviewEvent,
  options: { dtstampEpochMs: number },
): string {
  return calendarText(undefined, event, options.dtstampEpochMs);
}

function calendarText(
  method: InvitationMethod | undefined,
  event: InterviewEvent,
  dtstampEpochMs: number,
): string {
  checkEvent(event);
  const cancelled = method === "CANCEL";
  const stored = method === undefined;
  const lines: string[] = [
    "BEGIN:VCALENDAR",
    `PRODID:${PRODID}`,
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
  ];
  if (method !== undefined) lines.push(`METHOD:${method}`);
  lines.push(
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${utc(dtstampEpochMs)}`,
    `DTSTART:${utc(event.time.startEpochMs)}`,
    `DTEND:${utc(event.time.endEpochMs)}`,
    `SUMMARY:${escapeText(event.summary)}`,
  );
  if (event.description !== undefined) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location !== undefined) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.url !== undefined) lines.push(`URL:${new URL(event.url).href}`);
  const agent = stored ? ";SCHEDULE-AGENT=CLIENT" : "";
  lines.push(`ORGANIZER${cn(event.organizer)}${agent}:mailto:${event.organizer.email}`);
  for (const attendee of event.attendees) {
    const answer = cancelled ? "" : ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE";
    lines.push(
      `ATTENDEE${cn(attendee)};ROLE=${attendee.role ?? "REQ-PARTICIPANT"}${answer}${agent}:mailto:${attendee.email}`,
    );
  }
  lines.push(
    `STATUS:${cancelled ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR",
  );
  return lines.map(foldLine).join("");
}

function checkEvent(event: InterviewEvent): void {
  // Readers disagree on escapes in UIDs (ical.js unescapes them, others compare raw text), so
  // a UID is kept to characters that need none.
  if (!/^[\x21-\x7e]+$/.test(event.uid) || /[\\;,]/.test(event.uid)) {
    throw new RangeError(
      "the UID must be printable ASCII without spaces, commas, semicolons or backslashes",
    );
  }
  if (!Number.isSafeInteger(event.sequence) || event.sequence < 0) {
    throw new RangeError(`SEQUENCE must be a whole number, not ${event.sequence}`);
  }
  const { startEpochMs, endEpochMs } = event.time;
  if (
    !Number.isFinite(startEpochMs) ||
    !Number.isFinite(endEpochMs) ||
    endEpochMs <= startEpochMs
  ) {
    throw new RangeError("the event must end after it starts");
  }
  for (const person of [event.organizer, ...event.attendees]) {
    if (!EMAIL.test(person.email)) {
      throw new RangeError(`"${person.email}" is not an email address Ally can write`);
    }
  }
  if (event.url !== undefined) {
    let protocol = "";
    try {
      protocol = new URL(event.url).protocol;
    } catch {
      // not a URL at all
    }
    if (protocol !== "https:" && protocol !== "http:") {
      throw new RangeError("the event's URL must be an http(s) address");
    }
  }
}

/** `20261201T140000Z`: RFC 5545 3.3.5 form 2, UTC. */
function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** `;CN="…"`: quoted, because a name may hold `,`, `;` or `:` (RFC 5545 3.2). */
function cn(person: Person): string {
  const name = paramText(person.name ?? "");
  return name.trim() === "" ? "" : `;CN="${name}"`;
}

/**
 * A quoted parameter value may hold anything but control characters and DQUOTE (RFC 5545 3.1
 * QSAFE-CHAR): line breaks become spaces, other controls are dropped, `"` becomes `'`. Parameters
 * have no escapes in RFC 5545, but some readers (ical.js) unescape a backslash anyway, so a
 * backslash becomes `/` rather than mean different things to different clients.
 * @example paramText('Dana "D" Scully') // "Dana 'D' Scully"
 */
export function paramText(text: string): string {
  return dropControls(text.replace(/\r\n|[\r\n\t]/g, " "), "")
    .replace(/"/g, "'")
    .replace(/\\/g, "/");
}

/**
 * RFC 5545 3.3.11: backslash, semicolon and comma escaped, line breaks written as `\n`. Other
 * control characters (not allowed in a value, 3.1) are dropped.
 * @example escapeText("Room 4, floor 2; ask at desk\nthen left") // "Room 4\\, floor 2\\; ask at desk\\nthen left"
 */
export function escapeText(text: string): string {
  return normaliseText(text).replace(/[\\;,\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** What `escapeText` keeps of a text, as a reader gets it back: line breaks as `\n`, no other controls. */
export function normaliseText(text: string): string {
  return dropControls(text.replace(/\r\n|\r/g, "\n"), "\n\t");
}

/** Removes C0 controls and DEL, except those in `keep`. */
function dropControls(text: string, keep: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 || code === 0x7f) && !keep.includes(char)) continue;
    out += char;
  }
  return out;
}

/**
 * RFC 5545 3.1: a line longer than 75 octets is split, each continuation starting with one
 * space; a split never falls inside a UTF-8 character (nor between UTF-16 surrogates). Returns
 * the line with its CRLF.
 */
export function foldLine(line: string): string {
  const pieces: string[] = [];
  let current = "";
  let octets = 0;
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = utf8Octets(char.codePointAt(0) as number);
    if (octets + size > limit) {
      pieces.push(current);
      current = "";
      octets = 0;
      limit = MAX_LINE_OCTETS - 1; // the leading space counts
    }
    current += char;
    octets += size;
  }
  pieces.push(current);
  return `${pieces.join(`${CRLF} `)}${CRLF}`;
}

function utf8Octets(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

const PARTSTATS: ReadonlySet<string> = new Set<Partstat>(["ACCEPTED", "DECLINED", "TENTATIVE"]);

/**
 * Reads an attendee's answer to an invitation: a VCALENDAR with METHOD:REPLY holding one VEVENT
 * with UID, SEQUENCE (0 when absent) and the answering ATTENDEE with its PARTSTAT. An answer
 * about one occurrence (RECURRENCE-ID) is refused: Ally's interviews do not repeat.
 * @example parseReply(icsFromMail) // { ok: true, reply: { uid, sequence: 1, attendeeEmail: "dana@example.com", partstat: "ACCEPTED" } }
 */
export function parseReply(text: string): ReplyResult {
  const fail = (error: string): ReplyResult => ({ ok: false, error });
  const { roots } = parseComponents(text);
  const calendar = roots.find((c) => c.name === "VCALENDAR");
  if (calendar === undefined) return fail("not iCalendar data (no BEGIN:VCALENDAR)");
  const method = property(calendar, "METHOD")?.value.trim().toUpperCase();
  if (method !== "REPLY") {
    return fail(`not a reply to an invitation (METHOD is ${method ?? "missing"}, not REPLY)`);
  }
  const events = calendar.components.filter((c) => c.name === "VEVENT");
  if (events.length === 0) return fail("the reply holds no event (VEVENT)");
  if (events.length > 1)
    return fail("the reply answers more than one event; Ally sends one per invitation");
  const event = events[0] as Component;
  const uid = unescapeText(property(event, "UID")?.value ?? "").trim();
  if (uid === "") return fail("the reply's event has no UID");
  if (property(event, "RECURRENCE-ID") !== undefined) {
    return fail(
      "the reply is about one occurrence (RECURRENCE-ID), but Ally's interviews do not repeat",
    );
  }
  const sequenceText = property(event, "SEQUENCE")?.value.trim() ?? "0";
  if (!/^\d{1,9}$/.test(sequenceText))
    return fail(`the reply's SEQUENCE is not a number: ${sequenceText}`);
  const attendees = event.properties.filter((p) => p.name === "ATTENDEE");
  if (attendees.length === 0) return fail("the reply names no ATTENDEE");
  // RFC 5546 3.2.3: a REPLY carries the replying attendee only; some clients echo others
  // without a PARTSTAT answer, so the one that answered is the one with an answer.
  const answering = attendees.filter((a) => PARTSTATS.has(partstatOf(a)));
  if (answering.length === 0) {
    const seen = attendees.map(partstatOf).join(", ");
    return fail(
      `the reply's ATTENDEE does not accept, decline or tentatively accept (PARTSTAT ${seen})`,
    );
  }
  if (answering.length > 1) return fail("the reply holds answers from more than one ATTENDEE");
  const attendee = answering[0] as ContentLine;
  const address = attendee.value
    .trim()
    .replace(/^mailto:/i, "")
    .toLowerCase();
  if (!EMAIL.test(address))
    return fail(`the reply's ATTENDEE is not an email address: ${attendee.value}`);
  return {
    ok: true,
    reply: {
      uid,
      sequence: Number(sequenceText),
      attendeeEmail: address,
      partstat: partstatOf(attendee) as Partstat,
    },
  };
}

function partstatOf(attendee: ContentLine): string {
  return (attendee.params.PARTSTAT?.[0] ?? "NEEDS-ACTION").trim().toUpperCase();
}
