/**
 * The coordinator: what Ally does with one reply in a conversation. The language layer only
 * reads (src/understand); this deterministic table acts, and anything unsure goes to a person.
 * Pure: the conversation's state and the reading in, the actions out; the edge (handler.ts)
 * carries them out through the booking commands, so the assistant books exactly as the booking
 * page does.
 *
 * Rules that hold whatever comes in (test/assistant/decide.test.ts checks them as properties):
 * - an automatic reply is never acted on (an out-of-office one means "no answer yet");
 * - nothing is booked, moved, cancelled or offered on a reading below the threshold;
 * - a confirmed time is never moved without a reply read as `reschedule` above threshold, and
 *   the booked time is kept until a new one is booked;
 * - Ally never sends more than `dailyLimit` messages on a thread in a day: past it, a person
 *   decides;
 * - privacy requests and opt-outs always reach the privacy features, whatever else holds;
 * - an interviewer's "can't make it" is handled as a calendar decline of their seat (replaced
 *   from the pool, or the recruiter told) only on a booked interview, above threshold and in
 *   automatic mode; it never books, moves, cancels or offers anything to the candidate.
 */
import { Temporal } from "temporal-polyfill";
import type { Interval, PrivacyRequest, Reading } from "../understand/index.js";
import type { Answerability } from "./loop-safety.js";

export type RequestStatus =
  | "draft"
  | "awaiting_candidate"
  | "scheduled"
  | "rescheduling"
  | "cancelled"
  | "completed";

/** An option as offered: the booking module's option id and its span as RFC 3339 instants. */
export type OfferedOption = { id: string; start: string; end: string };

export type ConversationState = {
  status: RequestStatus;
  /** What Ally offered last, in the order shown (the candidate's "2" is `offered[1]`). */
  offered: OfferedOption[];
  /** Options free now, best first (the booking module's), for fresh offers and searches. */
  available: OfferedOption[];
  /** The booked interview's span, while one is booked. */
  booked: Interval | null;
  /** Ally asked "shall I cancel?" and waits for the answer. */
  awaitingCancelConfirmation: boolean;
  /** An earlier reply on this thread was read as `reschedule` above threshold. */
  rescheduleAsked: boolean;
  /** review: every action waits for a person; automatic: Ally acts when sure. */
  mode: "review" | "automatic";
  threshold: number;
  /** Ally's messages on this thread in the last day, and the most it may send. */
  sentToday: number;
  dailyLimit: number;
  /** How many options one message offers at most. */
  maxOffered: number;
};

export type Sender = "candidate" | "interviewer";

export type Incoming = {
  sender: Sender;
  answerability: Answerability;
  reading: Reading;
  /**
   * For an interviewer's message: who they are (a member on the thread) and the interviewer
   * reading of it (src/understand/interviewer-reply.ts).
   */
  interviewer?: { userId: string; cannotAttend: boolean; confidence: number };
};

/** What to say to the candidate along with options. */
export type OfferReason = "fresh" | "fitting" | "none-fit" | "reschedule" | "declined";

export type Action =
  | { kind: "none"; note: "no-answer-yet" | "automatic" }
  | { kind: "book"; optionId: string }
  | { kind: "move"; optionId: string }
  | { kind: "offer"; reason: OfferReason; options: OfferedOption[] }
  | { kind: "confirm-cancel" }
  | { kind: "cancel" }
  | { kind: "forward-question" }
  /** An interviewer cannot make the booked interview: as a calendar decline of their seat. */
  | { kind: "interviewer-unavailable"; userId: string }
  | { kind: "privacy"; request: PrivacyRequest | "opt_out" }
  | { kind: "escalate"; reason: string; suggested: Action | null };

export type Decision = {
  /** In order; at most one action writes to the booking. */
  actions: Action[];
  /** In words, for the request's timeline. */
  why: string;
};

/** How many messages to the candidate an action sends on the thread. */
export function messagesOf(action: Action): number {
  switch (action.kind) {
    case "book":
    case "move":
    case "offer":
    case "confirm-cancel":
    case "cancel":
      return 1;
    default:
      return 0;
  }
}

/** True for actions that change the booking. */
export function writesBooking(action: Action): boolean {
  return action.kind === "book" || action.kind === "move" || action.kind === "cancel";
}

const instant = (text: string) => Temporal.Instant.from(text);

/** True when `option` lies inside `window` (half-open). */
export function fitsWindow(option: OfferedOption, window: Interval): boolean {
  return (
    Temporal.Instant.compare(instant(window.start), instant(option.start)) <= 0 &&
    Temporal.Instant.compare(instant(option.end), instant(window.end)) <= 0
  );
}

/** True when `option` overlaps any of `spans`. */
function overlapsAny(option: OfferedOption, spans: readonly Interval[]): boolean {
  return spans.some(
    (span) =>
      Temporal.Instant.compare(instant(option.start), instant(span.end)) < 0 &&
      Temporal.Instant.compare(instant(span.start), instant(option.end)) < 0,
  );
}

/** The available options inside one of the reader's windows and clear of what they can't do. */
export function fittingOptions(
  available: readonly OfferedOption[],
  reading: Pick<Reading, "windows" | "unavailable">,
): OfferedOption[] {
  return available.filter(
    (option) =>
      reading.windows.some((window) => fitsWindow(option, window)) &&
      !overlapsAny(option, reading.unavailable),
  );
}

/**
 * True when the sender named one exact time (one window as long as the option, starting when
 * it starts: "Tuesday at 3pm works"), not a range Ally picked a time within.
 */
export function namedExactly(option: OfferedOption, windows: readonly Interval[]): boolean {
  if (windows.length !== 1) return false;
  const [window] = windows;
  if (window === undefined) return false;
  return (
    instant(window.start).equals(instant(option.start)) &&
    instant(window.end).equals(instant(option.end))
  );
}

const OPEN: readonly RequestStatus[] = ["draft", "awaiting_candidate"];
const BOOKED: readonly RequestStatus[] = ["scheduled", "rescheduling"];

function escalate(reason: string, suggested: Action | null = null): Action {
  return { kind: "escalate", reason, suggested };
}

/** Options not offered before, best first; the same ones again when nothing else is free. */
function freshOptions(state: ConversationState): OfferedOption[] {
  const offered = new Set(state.offered.map((o) => o.id));
  const fresh = state.available.filter((o) => !offered.has(o.id));
  return fresh.slice(0, state.maxOffered);
}

/** The action the reading asks for, before mode, limits and confidence are applied. */
function proposedAction(state: ConversationState, reading: Reading): Action {
  if (reading.intent === "opt_out") return { kind: "privacy", request: "opt_out" };
  if (reading.intent === "privacy_request") {
    return { kind: "privacy", request: reading.privacyRequest ?? "access" };
  }
  const open = OPEN.includes(state.status);
  const booked = BOOKED.includes(state.status) && state.booked !== null;
  if (!open && !booked) {
    return escalate(`the request is ${state.status}; a person should answer`);
  }
  switch (reading.intent) {
    case "accept": {
      const option = reading.choice === undefined ? undefined : state.offered[reading.choice - 1];
      if (option === undefined) {
        return escalate("the reply accepts, but not one of the options Ally offered");
      }
      if (open) return { kind: "book", optionId: option.id };
      // Taking one of the times offered after asking to move the interview.
      if (state.rescheduleAsked) return { kind: "move", optionId: option.id };
      return escalate("the reply picks a time, but the interview is booked and no move was asked");
    }
    case "propose":
    case "reschedule": {
      if (booked && reading.intent === "propose" && !state.rescheduleAsked) {
        return escalate("the reply proposes times, but the interview is already booked");
      }
      const moving = booked;
      if (reading.windows.length === 0) {
        const options = freshOptions(state);
        if (options.length === 0) return escalate("no other time is free");
        return { kind: "offer", reason: moving ? "reschedule" : "fresh", options };
      }
      const fitting = fittingOptions(state.available, reading);
      const [only] = fitting;
      if (fitting.length === 1 && only !== undefined && namedExactly(only, reading.windows)) {
        return moving ? { kind: "move", optionId: only.id } : { kind: "book", optionId: only.id };
      }
      if (fitting.length > 0) {
        return { kind: "offer", reason: "fitting", options: fitting.slice(0, state.maxOffered) };
      }
      const options = freshOptions(state);
      if (options.length === 0) return escalate("none of the times given is free, nor any other");
      return { kind: "offer", reason: "none-fit", options };
    }
    case "decline": {
      if (booked) return escalate("the candidate declined the booked interview");
      const options = freshOptions(state);
      if (options.length === 0)
        return escalate("the candidate declined, and no other time is free");
      return { kind: "offer", reason: "declined", options };
    }
    case "cancel":
      return state.awaitingCancelConfirmation ? { kind: "cancel" } : { kind: "confirm-cancel" };
    case "question":
      return { kind: "forward-question" };
    case "unknown":
      return escalate("Ally could not tell what the reply means");
  }
}

/** What a reading below the threshold may still do: what a person sees either way. */
function alwaysSafe(action: Action): boolean {
  return (
    action.kind === "privacy" || action.kind === "forward-question" || action.kind === "escalate"
  );
}

/**
 * The actions for one incoming message.
 * @example decide(state, { sender: "candidate", answerability: { answer: true }, reading })
 *   // { actions: [{ kind: "book", optionId: "opt_2" }], why: "..." }
 */
export function decide(state: ConversationState, incoming: Incoming): Decision {
  const { answerability, reading } = incoming;
  if (!answerability.answer) {
    const note = answerability.kind === "out-of-office" ? "no-answer-yet" : "automatic";
    return { actions: [{ kind: "none", note }], why: `not answered: ${answerability.reason}` };
  }
  if (incoming.sender === "interviewer") return interviewerDecision(state, incoming);
  const action = proposedAction(state, reading);
  if (alwaysSafe(action)) {
    return { actions: [action], why: whyOf(action, reading) };
  }
  if (reading.confidence < state.threshold) {
    const reason = `Ally is not sure (confidence ${reading.confidence.toFixed(2)} below ${state.threshold})`;
    return { actions: [escalate(reason, action)], why: reason };
  }
  if (action.kind === "move" && !(state.rescheduleAsked || reading.intent === "reschedule")) {
    return {
      actions: [
        escalate("a booked time moves only when the candidate asked to reschedule", action),
      ],
      why: "no reschedule was asked",
    };
  }
  if (state.sentToday + messagesOf(action) > state.dailyLimit) {
    const reason = `Ally already sent ${state.sentToday} messages on this thread today (limit ${state.dailyLimit})`;
    return { actions: [escalate(reason, action)], why: reason };
  }
  if (state.mode === "review") {
    return {
      actions: [escalate("review mode: a person approves every action", action)],
      why: "review mode",
    };
  }
  return { actions: [action], why: whyOf(action, reading) };
}

/** An interviewer's message: "can't make it" on a booked interview is acted on when sure. */
function interviewerDecision(state: ConversationState, incoming: Incoming): Decision {
  const said = incoming.interviewer;
  const { reading } = incoming;
  if (said === undefined || !said.cannotAttend) {
    const reason =
      said === undefined && (reading.intent === "decline" || reading.intent === "cancel")
        ? "an interviewer says they cannot make it"
        : "an interviewer wrote on the thread";
    return { actions: [escalate(reason)], why: reason };
  }
  const action: Action = { kind: "interviewer-unavailable", userId: said.userId };
  const booked = BOOKED.includes(state.status) && state.booked !== null;
  const held = (reason: string, suggested: Action | null = action): Decision => ({
    actions: [escalate(reason, suggested)],
    why: reason,
  });
  if (!booked) {
    return held("an interviewer says they cannot make it, and nothing is booked", null);
  }
  if (said.confidence < state.threshold) {
    return held(
      `Ally is not sure an interviewer cannot make it (confidence ${said.confidence.toFixed(2)} below ${state.threshold})`,
    );
  }
  if (state.mode === "review") return held("review mode: a person approves every action");
  return {
    actions: [action],
    why: `an interviewer cannot make it (confidence ${said.confidence.toFixed(2)})`,
  };
}

function whyOf(action: Action, reading: Reading): string {
  const read = `read as ${reading.intent} (confidence ${reading.confidence.toFixed(2)})`;
  switch (action.kind) {
    case "escalate":
      return `${action.reason}; ${read}`;
    case "book":
    case "move":
      return `${action.kind} ${action.optionId}: ${read}`;
    case "offer":
      return `offer ${action.options.length} option(s) (${action.reason}): ${read}`;
    default:
      return `${action.kind}: ${read}`;
  }
}

/**
 * Whether the confirmed time may move given this decision: only after a reply read as
 * `reschedule` above threshold (now or earlier on the thread). Exposed for the tests' oracle.
 */
export function mayMove(state: ConversationState, reading: Reading): boolean {
  return (
    state.rescheduleAsked ||
    (reading.intent === "reschedule" && reading.confidence >= state.threshold)
  );
}

/** What the conversation remembers after the decision was carried out. */
export type Remembered = Pick<
  ConversationState,
  "offered" | "awaitingCancelConfirmation" | "rescheduleAsked"
>;

/**
 * The conversation's memory after `actions` were carried out: options offered, a cancel
 * awaiting confirmation, a reschedule asked for (above threshold).
 */
export function remember(
  state: ConversationState,
  incoming: Incoming,
  actions: readonly Action[],
): Remembered {
  const next: Remembered = {
    offered: state.offered,
    awaitingCancelConfirmation: state.awaitingCancelConfirmation,
    rescheduleAsked: state.rescheduleAsked,
  };
  if (!incoming.answerability.answer) return next;
  const { reading } = incoming;
  if (
    incoming.sender === "candidate" &&
    reading.intent === "reschedule" &&
    reading.confidence >= state.threshold
  ) {
    next.rescheduleAsked = true;
  }
  return rememberActions(next, actions);
}

/** The memory after `actions` were carried out (an approved escalation's suggestion too). */
export function rememberActions(memory: Remembered, actions: readonly Action[]): Remembered {
  const next: Remembered = { ...memory };
  for (const action of actions) {
    if (action.kind === "offer") next.offered = action.options;
    if (action.kind === "confirm-cancel") next.awaitingCancelConfirmation = true;
    if (action.kind === "cancel") next.awaitingCancelConfirmation = false;
    if (action.kind === "book" || action.kind === "move") {
      next.rescheduleAsked = false;
      next.awaitingCancelConfirmation = false;
    }
  }
  return next;
}
