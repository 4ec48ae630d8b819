/**
 * Sending a request to its candidate, as callers that predate the booking commands call it.
 * The use case itself is `commands/send-to-candidate.ts`: one transaction snapshots the options,
 * issues the candidate's signed link (revoking any earlier one) and queues the email that
 * carries it. The link, the address and the sender are the booking service's own.
 */
import type { Actor } from "../accounts/service.js";
import type { BookingLinks } from "./links.js";
import type { InterviewRequest } from "./schemas.js";
import type { BookingService } from "./service.js";

export interface SendLinkDeps {
  booking: Pick<BookingService, "sendToCandidate">;
  /** Ignored: the booking service's links, PUBLIC_URL and MAIL_FROM are used. */
  db?: unknown;
  clock?: unknown;
  links?: BookingLinks;
  publicUrl?: string;
  mailFrom?: string;
}

/**
 * Offers the request's options and emails the candidate a link to choose one.
 * @example await sendToCandidate({ booking }, actor, "req_…") // the request, now awaiting_candidate
 * @throws AppError REQUEST_NOT_OPEN when the request is booked or cancelled, NO_TIME_FITS.
 */
export async function sendToCandidate(
  deps: SendLinkDeps,
  actor: Actor,
  requestId: string,
): Promise<InterviewRequest> {
  return deps.booking.sendToCandidate(actor, requestId);
}
