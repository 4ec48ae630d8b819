/**
 * A request's lifecycle as one transition table: which use cases a request in each status
 * allows. Pages show the buttons `allowedActions` names; commands refuse everything else with
 * REQUEST_NOT_OPEN, through `requireAllowed`.
 *
 *   draft ──send──▶ awaiting_candidate ──book──▶ scheduled ◀──reschedule──┐
 *     └──────────────book──────────────────────────▶ │ ──(declined)──▶ rescheduling
 *   any open status ──cancel──▶ cancelled;  scheduled ──(took place)──▶ completed
 */
import { AppError } from "../errors.js";
import type { RequestStatus } from "./tables.js";

export type RequestAction = "send" | "book" | "reschedule" | "cancel" | "proposeTimes";

/** What the lifecycle needs to know of a request; an `InterviewRequest` is one. */
export interface LifecycleState {
  status: RequestStatus;
  /** The latest booking, if any: a reschedule needs an active one. */
  booking: { status: "active" | "cancelled" } | null;
}

const TRANSITIONS: Record<RequestStatus, readonly RequestAction[]> = {
  draft: ["send", "book", "cancel"],
  awaiting_candidate: ["send", "book", "cancel", "proposeTimes"],
  scheduled: ["reschedule", "cancel", "proposeTimes"],
  rescheduling: ["reschedule", "cancel", "proposeTimes"],
  cancelled: [],
  completed: [],
};

/**
 * The actions a request allows now, in a stable order.
 * @example allowedActions({ status: "draft", booking: null }) // ["send", "book", "cancel"]
 */
export function allowedActions(request: LifecycleState): RequestAction[] {
  return TRANSITIONS[request.status].filter(
    (action) => action !== "reschedule" || request.booking?.status === "active",
  );
}

export function allows(request: LifecycleState, action: RequestAction): boolean {
  return allowedActions(request).includes(action);
}

/** Why a request in this state refuses the action, in words for the person who tried. */
function refusal(status: RequestStatus, action: RequestAction): string {
  switch (action) {
    case "send":
      return `This request is ${status}; only a draft or open request is offered.`;
    case "book":
      return status === "scheduled" || status === "rescheduling"
        ? "This interview is already booked; reschedule it instead."
        : `This request is ${status} and cannot be booked.`;
    case "reschedule":
      return `This request is ${status}; only a booked interview can be rescheduled.`;
    case "cancel":
      return status === "completed"
        ? "This interview has already taken place."
        : `This request is ${status} and cannot be cancelled.`;
    case "proposeTimes":
      return `This request is ${status}.`;
  }
}

/** The REQUEST_NOT_OPEN error for an action the request does not allow; undefined if it does. */
export function refusalOf(request: LifecycleState, action: RequestAction): AppError | undefined {
  if (allows(request, action)) return undefined;
  return new AppError("REQUEST_NOT_OPEN", refusal(request.status, action), {
    detail: { status: request.status, action },
  });
}

/**
 * Refuses an action the request does not allow.
 * @throws AppError REQUEST_NOT_OPEN
 */
export function requireAllowed(request: LifecycleState, action: RequestAction): void {
  const error = refusalOf(request, action);
  if (error !== undefined) throw error;
}
