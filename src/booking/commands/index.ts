/**
 * The booking use cases, one command each: every one takes its dependencies (`BookingContext`)
 * and who acts (`Caller`) explicitly and runs in one transaction with its effects (links,
 * outbox, event writes, timeline). Pages, the API, jobs and the mail handlers call these
 * through `createBookingService` and only parse and render around them.
 */
export { book } from "./book.js";
export { cancel } from "./cancel.js";
export { createRequest } from "./create-request.js";
export {
  interviewerUnavailable,
  type UnavailableResult,
} from "./interviewer-unavailable.js";
export { proposeTimes } from "./propose-times.js";
export { type AttendeeReply, recordAttendeeAnswer } from "./record-attendee-answer.js";
export { type ReplacementResult, replaceInterviewer } from "./replace-interviewer.js";
export { reschedule } from "./reschedule.js";
export { offer, sendToCandidate } from "./send-to-candidate.js";
export type { BookingResult } from "./shared.js";
