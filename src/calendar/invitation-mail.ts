/**
 * Interview invitations by email (iMIP, RFC 6047): one message per attendee, with a text and an
 * HTML body saying what, when and where, and the iCalendar object (imip.ts) as a calendar part
 * that Outlook, Gmail and Apple Mail show with Accept/Decline buttons. A reschedule is the same
 * UID with a higher SEQUENCE; a cancellation is METHOD:CANCEL. `invitationMessages` is pure;
 * `enqueueInvitations` puts them in the outbox inside the caller's transaction, so they are
 * sent exactly when the booking change commits.
 */
import { Temporal } from "temporal-polyfill";
import type { OrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail, type OutgoingMessage } from "../mail/outbox.js";
import { type AnyHandle, calendarDb } from "./db.js";
import {
  buildInvitation,
  type InterviewEvent,
  type InvitationMethod,
  type Person,
} from "./imip.js";

export interface InvitationInput {
  organisationId: OrgId;
  method: InvitationMethod;
  event: InterviewEvent;
  /** DTSTAMP: when the invitation is written. */
  dtstampEpochMs: number;
  /** The zone each recipient reads times in (by email, lower case); UTC when absent. */
  zones?: Readonly<Record<string, string>>;
  /** Default "interview-invitation" / "interview-cancellation". */
  kind?: string;
  /**
   * Who is sent the message (emails, any case): attendees whose calendar Ally writes to
   * directly are left out. Default: every attendee.
   */
  recipients?: readonly string[];
  /** For a reschedule: where the session was, so the mail says "from … to …". */
  previousTime?: { startEpochMs: number; endEpochMs: number };
}

/**
 * One message per attendee, each carrying the same iCalendar object.
 * @example invitationMessages({ organisationId, method: "REQUEST", event, dtstampEpochMs: now })
 */
export function invitationMessages(input: InvitationInput): OutgoingMessage[] {
  const ics = buildInvitation(input.method, input.event, { dtstampEpochMs: input.dtstampEpochMs });
  const cancelled = input.method === "CANCEL";
  const rescheduled = !cancelled && input.event.sequence > 0;
  const kind = input.kind ?? (cancelled ? "interview-cancellation" : "interview-invitation");
  const wanted =
    input.recipients === undefined
      ? undefined
      : new Set(input.recipients.map((email) => email.toLowerCase()));
  const recipients = input.event.attendees.filter(
    (attendee) => wanted === undefined || wanted.has(attendee.email.toLowerCase()),
  );
  return recipients.map((attendee) => {
    const zone = input.zones?.[attendee.email.toLowerCase()] ?? "UTC";
    const when = formatWhen(input.event.time.startEpochMs, input.event.time.endEpochMs, zone);
    const subject = `${cancelled ? "Cancelled" : rescheduled ? "Moved" : "Invitation"}: ${input.event.summary} (${when})`;
    const before =
      rescheduled && input.previousTime !== undefined
        ? formatWhen(input.previousTime.startEpochMs, input.previousTime.endEpochMs, zone)
        : undefined;
    const lead = cancelled
      ? "This interview is cancelled."
      : rescheduled
        ? before === undefined || before === when
          ? "This interview has moved to a new time."
          : `This interview has moved from ${before} to ${when}.`
        : "You are invited to this interview.";
    const facts: [string, string][] = [
      ["What", input.event.summary],
      ["When", when],
    ];
    if (input.event.location !== undefined) facts.push(["Where", input.event.location]);
    if (input.event.url !== undefined) facts.push(["Details", input.event.url]);
    facts.push(["Organiser", personText(input.event.organizer)]);
    const closing = cancelled
      ? "Your calendar will remove it when you open the attached cancellation."
      : "Accept or decline with your calendar's buttons, or open the attached invite.ics.";
    const greeting = `Hello${attendee.name === undefined ? "" : ` ${attendee.name}`},`;
    const text = [
      greeting,
      "",
      lead,
      "",
      ...facts.map(([label, value]) => `${label}: ${value}`),
      ...(input.event.description === undefined ? [] : ["", input.event.description]),
      "",
      closing,
      "",
    ].join("\n");
    const html = [
      `<p>${escapeHtml(greeting)}</p>`,
      `<p>${escapeHtml(lead)}</p>`,
      "<table>",
      ...facts.map(
        ([label, value]) =>
          `<tr><th align="left">${escapeHtml(label)}</th><td>${label === "Details" ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>` : escapeHtml(value)}</td></tr>`,
      ),
      "</table>",
      ...(input.event.description === undefined
        ? []
        : [`<p>${escapeHtml(input.event.description).replace(/\r?\n/g, "<br>")}</p>`]),
      `<p>${escapeHtml(closing)}</p>`,
    ].join("\n");
    return {
      organisationId: input.organisationId,
      kind,
      to: attendee.email,
      subject,
      text,
      html,
      calendar: { method: input.method, ics },
    };
  });
}

/** Adds the invitations to the outbox; call inside the transaction that books or cancels. */
export async function enqueueInvitations(
  handle: AnyHandle,
  input: InvitationInput,
  now: number,
  from?: string,
): Promise<{ messageIds: string[] }> {
  const db = calendarDb(handle);
  const messageIds: string[] = [];
  for (const message of invitationMessages(input)) {
    const { messageId } = await enqueueMail(db, message, now, from);
    if (messageId !== null) messageIds.push(messageId);
  }
  return { messageIds };
}

/** "Tue 1 Dec 2026, 12:00–13:00 (America/New_York)" in the reader's zone. */
export function formatWhen(startEpochMs: number, endEpochMs: number, zone: string): string {
  const start = Temporal.Instant.fromEpochMilliseconds(startEpochMs).toZonedDateTimeISO(zone);
  const end = Temporal.Instant.fromEpochMilliseconds(endEpochMs).toZonedDateTimeISO(zone);
  const day = start.toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  const time = (t: Temporal.ZonedDateTime) =>
    `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
  const sameDay = Temporal.PlainDate.compare(start.toPlainDate(), end.toPlainDate()) === 0;
  const endText = sameDay ? time(end) : `${end.toPlainDate().toString()} ${time(end)}`;
  return `${day}, ${time(start)}–${endText} (${zone})`;
}

function personText(person: Person): string {
  return person.name === undefined ? person.email : `${person.name} <${person.email}>`;
}
