/**
 * The recruiter hears of every change someone else makes: when the candidate (or anyone other
 * than the request's creator) books, moves or cancels, the creator gets an email with the times
 * in the request's zone, queued in the change's own transaction. Their own changes send nothing.
 */
import { userContact } from "../../accounts/reads.js";
import { candidateFacts } from "../../hiring/scheduling-facts.js";
import type { AnyHandle } from "../../store/handle.js";
import type { BookingChange, BookingContext, Caller } from "../context.js";
import { formatRange } from "../present.js";
import { mailRecruiter, type RecruiterMessage } from "../recruiter-mail.js";
import type { InterviewRequestsTable } from "../tables.js";

type Sessions = BookingChange["sessions"];

/** The whole interview as one range: "Tue 1 Dec, 10:00–12:30 (Europe/Berlin)". */
function whole(sessions: Sessions, zone: string): string {
  const first = sessions[0];
  const last = sessions.at(-1);
  if (first === undefined || last === undefined) return "no time";
  return formatRange({ startsAt: first.startsAt, endsAt: last.endsAt }, zone);
}

function sessionLines(sessions: Sessions, zone: string): string {
  return sessions.map((s) => `- ${s.name}: ${formatRange(s, zone)}`).join("\n");
}

export interface ChangeForMail {
  kind: BookingChange["kind"];
  sessions: Sessions;
  previous?: Sessions;
  reason?: string | null;
}

/**
 * The email for a change; exported for its tests. `actor` made it; `candidate` is whose
 * interview it is (the same person when the candidate acted).
 */
export function changeMessage(
  people: { actor: string; candidate: string },
  change: ChangeForMail,
  zone: string,
): RecruiterMessage {
  const when = whole(change.sessions, zone);
  const who = people.actor;
  const whose = people.actor === people.candidate ? "their" : `${people.candidate}'s`;
  switch (change.kind) {
    case "booked":
      return {
        kind: "candidate-booked",
        subject: `Booked: ${people.candidate}, ${when}`,
        paragraphs: [
          `${who} booked ${whose} interview for ${when}.`,
          `Sessions:\n${sessionLines(change.sessions, zone)}`,
          "Invitations have gone to everyone taking part.",
        ],
      };
    case "rescheduled": {
      const before = whole(change.previous ?? [], zone);
      return {
        kind: "candidate-rescheduled",
        subject: `Moved: ${people.candidate}, to ${when}`,
        paragraphs: [
          `${who} moved ${whose} interview from ${before} to ${when}.`,
          `Sessions now:\n${sessionLines(change.sessions, zone)}`,
          "Updated invitations have gone to everyone taking part.",
        ],
      };
    }
    case "cancelled":
      return {
        kind: "candidate-cancelled",
        subject: `Cancelled: ${people.candidate}, ${when}`,
        paragraphs: [
          `${who} cancelled ${whose} interview of ${when}. The interviewers' time is free again.`,
          ...(change.reason ? [`The reason given:\n${change.reason}`] : []),
        ],
      };
  }
}

/** Emails the request's creator about a change `caller` made, unless the creator made it. */
export async function mailChangeToRecruiter(
  ctx: Pick<BookingContext, "clock" | "mailFrom" | "publicUrl">,
  trx: AnyHandle,
  caller: Caller,
  row: InterviewRequestsTable,
  change: ChangeForMail,
): Promise<void> {
  if (caller.kind === "user" && caller.actor.userId === row.created_by) return;
  if (change.sessions.length === 0) return;
  const facts = await candidateFacts(trx, caller.orgId, row.candidate_id);
  const candidate = facts?.name ?? "The candidate";
  let actor = candidate;
  if (caller.kind === "user" || caller.kind === "interviewer") {
    const userId = caller.kind === "user" ? caller.actor.userId : caller.userId;
    actor = (await userContact(trx, userId))?.name ?? "A colleague";
  }
  await mailRecruiter(
    ctx,
    trx,
    caller.orgId,
    row,
    changeMessage({ actor, candidate }, change, row.time_zone),
  );
}
