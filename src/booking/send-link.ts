/**
 * Sending a request to its candidate: the booking service snapshots the options (`offer`),
 * then one transaction issues the candidate's signed link (revoking any earlier one) and queues
 * the email that carries it, plain text and HTML, so a link exists exactly when its email does.
 */
import type { Kysely } from "kysely";
import type { OrgId } from "../accounts/ids.js";
import type { Actor } from "../accounts/service.js";
import type { Clock } from "../clock.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import type { Database } from "../store/schema.js";
import type { BookingLinks } from "./links.js";
import type { InterviewRequest } from "./schemas.js";
import type { BookingService } from "./service.js";

export interface SendLinkDeps {
  db: Kysely<Database>;
  clock: Clock;
  booking: Pick<BookingService, "offer">;
  links: BookingLinks;
  publicUrl: string;
  mailFrom: string;
}

/** The query for who and what a request is about: candidate, job and organisation. */
export function requestNames(db: Kysely<Database>, orgId: OrgId, requestId: string) {
  return db
    .selectFrom("interview_requests")
    .innerJoin("candidates", "candidates.id", "interview_requests.candidate_id")
    .innerJoin("jobs", "jobs.id", "interview_requests.job_id")
    .innerJoin("organisations", "organisations.id", "interview_requests.organisation_id")
    .select([
      "candidates.name as candidateName",
      "candidates.email as candidateEmail",
      "jobs.title as jobTitle",
      "organisations.name as organisationName",
    ])
    .where("interview_requests.organisation_id", "=", orgId)
    .where("interview_requests.id", "=", requestId);
}

/**
 * Offers the request's options and emails the candidate a link to choose one.
 * @example await sendToCandidate(deps, actor, "req_…") // the request, now awaiting_candidate
 * @throws AppError CONFLICT when nothing fits or the request is booked or cancelled.
 */
export async function sendToCandidate(
  deps: SendLinkDeps,
  actor: Actor,
  requestId: string,
): Promise<InterviewRequest> {
  const request = await deps.booking.offer(actor, requestId);
  const about = await requestNames(deps.db, actor.orgId, requestId).executeTakeFirstOrThrow();
  await deps.db.transaction().execute(async (trx) => {
    const { token } = await deps.links.issue(trx, actor.orgId, requestId);
    const url = `${deps.publicUrl}/book/${token}`;
    const count = request.offeredOptions?.length ?? 0;
    await enqueueMail(
      trx,
      {
        organisationId: actor.orgId,
        kind: "booking-link",
        to: about.candidateEmail,
        subject: `Choose a time for your interview: ${about.jobTitle}`,
        text: [
          `Hello ${about.candidateName},`,
          "",
          `${about.organisationName} would like to interview you for ${about.jobTitle}.`,
          `Choose the time that suits you best from ${count} option${count === 1 ? "" : "s"}, in your own time zone:`,
          "",
          url,
          "",
          "If none of them work, the page lets you tell us when you are free.",
          "The link works for two weeks; reply to this email for a new one.",
        ].join("\n"),
        html: `<p>Hello ${escapeHtml(about.candidateName)},</p><p>${escapeHtml(about.organisationName)} would like to interview you for ${escapeHtml(about.jobTitle)}.</p><p><a href="${escapeHtml(url)}">Choose a time for your interview</a></p><p>If none of the times work, the page lets you tell us when you are free. The link works for two weeks; reply to this email for a new one.</p>`,
      },
      deps.clock.now(),
      deps.mailFrom,
    );
  });
  return request;
}
