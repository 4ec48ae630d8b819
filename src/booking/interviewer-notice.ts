/**
 * The note an interviewer gets when Ally writes an interview straight into their connected
 * calendar: no iMIP invitation then (the event is already there, and a second copy would
 * duplicate it), but they are always told what was put there, moved or removed, in their zone.
 * Pure: the message comes out, the caller puts it in the outbox inside the change's transaction.
 */
import { formatWhen } from "../calendar/invitation-mail.js";
import type { OrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import type { OutgoingMessage } from "../mail/outbox.js";
import type { BookingChange } from "./context.js";

export const INTERVIEWER_NOTICE_KIND = "interviewer-notice";

export interface NoticeInput {
  organisationId: OrgId;
  kind: BookingChange["kind"];
  to: { email: string; name: string; zone: string };
  candidateName: string;
  job: string;
  sessionName: string;
  time: { startEpochMs: number; endEpochMs: number };
  previousTime?: { startEpochMs: number; endEpochMs: number };
  videoLink?: string | null;
}

export function interviewerNotice(input: NoticeInput): OutgoingMessage {
  const zone = input.to.zone;
  const when = formatWhen(input.time.startEpochMs, input.time.endEpochMs, zone);
  const before =
    input.previousTime === undefined
      ? undefined
      : formatWhen(input.previousTime.startEpochMs, input.previousTime.endEpochMs, zone);
  const what = `${input.sessionName} with ${input.candidateName} (${input.job})`;
  const [subject, lead] =
    input.kind === "cancelled"
      ? [
          `Cancelled: ${what}`,
          `This interview is cancelled; Ally has removed it from your calendar.`,
        ]
      : input.kind === "rescheduled"
        ? [
            `Moved: ${what}`,
            before === undefined || before === when
              ? `This interview has moved; Ally has updated your calendar.`
              : `This interview has moved from ${before} to ${when}; Ally has updated your calendar.`,
          ]
        : [`On your calendar: ${what}`, "Ally has put this interview on your calendar."];
  const facts: [string, string][] = [
    ["What", what],
    ["When", when],
    ...(input.videoLink ? ([["Video", input.videoLink]] as [string, string][]) : []),
  ];
  const greeting = `Hello ${input.to.name},`;
  return {
    organisationId: input.organisationId,
    kind: INTERVIEWER_NOTICE_KIND,
    to: input.to.email,
    subject,
    text: [greeting, "", lead, "", ...facts.map(([k, v]) => `${k}: ${v}`), ""].join("\n"),
    html: [
      `<p>${escapeHtml(greeting)}</p>`,
      `<p>${escapeHtml(lead)}</p>`,
      "<table>",
      ...facts.map(
        ([k, v]) =>
          `<tr><th align="left">${escapeHtml(k)}</th><td>${k === "Video" ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)}</td></tr>`,
      ),
      "</table>",
    ].join("\n"),
  };
}
