/**
 * The coordinator's decisions: examples for each intent, then properties over random states
 * and readings (fast-check, fixed seed) against a brute-force oracle for window search.
 */
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  type Action,
  type ConversationState,
  decide,
  fittingOptions,
  type Incoming,
  messagesOf,
  type OfferedOption,
  remember,
  writesBooking,
} from "../../src/assistant/decide.js";
import type { Answerability } from "../../src/assistant/loop-safety.js";
import { INTENTS, type Interval, type Reading } from "../../src/understand/index.js";

const SEED = { seed: 20261203, numRuns: 400 };
const BASE = Temporal.Instant.from("2026-12-07T14:00:00Z");

/** Option n: an hour starting n hours after BASE. */
function option(n: number): OfferedOption {
  const start = BASE.add({ hours: n });
  return { id: `opt_${n}`, start: start.toString(), end: start.add({ hours: 1 }).toString() };
}
const span = (fromHour: number, toHour: number): Interval => ({
  start: BASE.add({ minutes: fromHour * 60 }).toString(),
  end: BASE.add({ minutes: toHour * 60 }).toString(),
});

function stateWith(overrides: Partial<ConversationState> = {}): ConversationState {
  return {
    status: "awaiting_candidate",
    offered: [option(0), option(2), option(4)],
    available: [0, 1, 2, 3, 4, 5, 6, 24, 25].map(option),
    booked: null,
    awaitingCancelConfirmation: false,
    rescheduleAsked: false,
    mode: "automatic",
    threshold: 0.8,
    sentToday: 1,
    dailyLimit: 4,
    maxOffered: 3,
    ...overrides,
  };
}

function reading(overrides: Partial<Reading> = {}): Reading {
  return { intent: "accept", windows: [], unavailable: [], confidence: 0.95, ...overrides };
}

const HUMAN: Answerability = { answer: true };
const fromCandidate = (r: Partial<Reading>): Incoming => ({
  sender: "candidate",
  answerability: HUMAN,
  reading: reading(r),
});

const only = (state: ConversationState, incoming: Incoming): Action => {
  const { actions } = decide(state, incoming);
  expect(actions).toHaveLength(1);
  return actions[0] as Action;
};

describe("the coordinator, by example", () => {
  it("books the option the candidate picked, by its id", () => {
    expect(only(stateWith(), fromCandidate({ choice: 2 }))).toEqual({
      kind: "book",
      optionId: "opt_2",
    });
  });

  it("escalates an accept below the threshold, suggesting the booking", () => {
    expect(only(stateWith(), fromCandidate({ choice: 2, confidence: 0.5 }))).toMatchObject({
      kind: "escalate",
      suggested: { kind: "book", optionId: "opt_2" },
    });
  });

  it("books a proposed time when exactly one fits and the text named it", () => {
    const action = only(stateWith(), fromCandidate({ intent: "propose", windows: [span(3, 4)] }));
    expect(action).toEqual({ kind: "book", optionId: "opt_3" });
  });

  it("offers the fitting times when the proposed window holds several", () => {
    const action = only(stateWith(), fromCandidate({ intent: "propose", windows: [span(1, 4)] }));
    expect(action).toEqual({
      kind: "offer",
      reason: "fitting",
      options: [option(1), option(2), option(3)],
    });
  });

  it("offers one fitting time rather than booking it when the text gave a range", () => {
    const action = only(
      stateWith(),
      fromCandidate({ intent: "propose", windows: [span(24, 25.5)] }),
    );
    expect(action).toEqual({ kind: "offer", reason: "fitting", options: [option(24)] });
  });

  it("offers fresh options when none of the proposed times is free", () => {
    const action = only(stateWith(), fromCandidate({ intent: "propose", windows: [span(10, 12)] }));
    expect(action).toMatchObject({ kind: "offer", reason: "none-fit" });
    if (action.kind !== "offer") throw new Error("not an offer");
    expect(action.options.map((o) => o.id)).toEqual(["opt_1", "opt_3", "opt_5"]);
  });

  it("keeps the booked time and offers fresh ones on a reschedule without times", () => {
    const state = stateWith({ status: "scheduled", booked: span(0, 1) });
    const incoming = fromCandidate({ intent: "reschedule" });
    expect(only(state, incoming)).toMatchObject({ kind: "offer", reason: "reschedule" });
    expect(remember(state, incoming, decide(state, incoming).actions).rescheduleAsked).toBe(true);
  });

  it("moves the interview when, after asking to reschedule, the candidate picks a time", () => {
    const state = stateWith({ status: "scheduled", booked: span(0, 1), rescheduleAsked: true });
    expect(only(state, fromCandidate({ choice: 3 }))).toEqual({ kind: "move", optionId: "opt_4" });
  });

  it("never moves a booked time on an accept when no reschedule was asked", () => {
    const state = stateWith({ status: "scheduled", booked: span(0, 1) });
    expect(only(state, fromCandidate({ choice: 3 })).kind).toBe("escalate");
  });

  it("confirms before cancelling, then cancels", () => {
    const state = stateWith({ status: "scheduled", booked: span(0, 1) });
    const ask = fromCandidate({ intent: "cancel" });
    expect(only(state, ask)).toEqual({ kind: "confirm-cancel" });
    const memory = remember(state, ask, decide(state, ask).actions);
    expect(only({ ...state, ...memory }, ask)).toEqual({ kind: "cancel" });
  });

  it("forwards questions and routes privacy requests whatever the confidence", () => {
    expect(only(stateWith(), fromCandidate({ intent: "question", confidence: 0.3 }))).toEqual({
      kind: "forward-question",
    });
    expect(
      only(
        stateWith({ mode: "review", sentToday: 99 }),
        fromCandidate({ intent: "privacy_request", privacyRequest: "erasure", confidence: 0.4 }),
      ),
    ).toEqual({ kind: "privacy", request: "erasure" });
    expect(only(stateWith(), fromCandidate({ intent: "opt_out" }))).toEqual({
      kind: "privacy",
      request: "opt_out",
    });
  });

  it("holds every action for approval in review mode", () => {
    expect(only(stateWith({ mode: "review" }), fromCandidate({ choice: 1 }))).toMatchObject({
      kind: "escalate",
      suggested: { kind: "book", optionId: "opt_0" },
    });
  });

  it("reads an out-of-office reply as no answer yet", () => {
    const incoming: Incoming = {
      sender: "candidate",
      answerability: { answer: false, kind: "out-of-office", reason: "away" },
      reading: reading({ choice: 1 }),
    };
    expect(only(stateWith(), incoming)).toEqual({ kind: "none", note: "no-answer-yet" });
  });

  it("tells the recruiter when an interviewer says they can't make it", () => {
    const incoming: Incoming = { ...fromCandidate({ intent: "decline" }), sender: "interviewer" };
    expect(only(stateWith(), incoming)).toMatchObject({
      kind: "escalate",
      reason: "an interviewer says they cannot make it",
    });
  });

  const fromInterviewer = (cannotAttend: boolean, confidence: number): Incoming => ({
    ...fromCandidate({ intent: "unknown", confidence: 0.5 }),
    sender: "interviewer",
    interviewer: { userId: "usr_dana", cannotAttend, confidence },
  });
  const bookedState = (overrides: Partial<ConversationState> = {}) =>
    stateWith({ status: "scheduled", booked: span(0, 1), ...overrides });

  it("hands an interviewer's sure \"can't make it\" on a booked interview to the decline handling", () => {
    expect(only(bookedState(), fromInterviewer(true, 0.9))).toEqual({
      kind: "interviewer-unavailable",
      userId: "usr_dana",
    });
  });

  it("asks a person when an interviewer's \"can't make it\" is unsure, or in review mode, suggesting the decline", () => {
    for (const [state, incoming] of [
      [bookedState(), fromInterviewer(true, 0.5)],
      [bookedState({ mode: "review" }), fromInterviewer(true, 0.9)],
    ] as const) {
      expect(only(state, incoming)).toMatchObject({
        kind: "escalate",
        suggested: { kind: "interviewer-unavailable", userId: "usr_dana" },
      });
    }
  });

  it("asks a person, suggesting nothing, when an interviewer can't make an interview not yet booked", () => {
    expect(only(stateWith(), fromInterviewer(true, 0.9))).toEqual({
      kind: "escalate",
      reason: "an interviewer says they cannot make it, and nothing is booked",
      suggested: null,
    });
  });
});

// Random states and readings for the properties.
const arbOption = fc.integer({ min: 0, max: 40 }).map(option);
const arbWindow = fc
  .tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: 1, max: 6 }))
  .map(([from, length]) => span(from, from + length));
const arbState: fc.Arbitrary<ConversationState> = fc.record({
  status: fc.constantFrom(
    "draft",
    "awaiting_candidate",
    "scheduled",
    "rescheduling",
    "cancelled",
    "completed",
  ),
  offered: fc.uniqueArray(arbOption, { maxLength: 5, selector: (o) => o.id }),
  available: fc.uniqueArray(arbOption, { maxLength: 12, selector: (o) => o.id }),
  booked: fc.option(arbWindow, { nil: null }),
  awaitingCancelConfirmation: fc.boolean(),
  rescheduleAsked: fc.boolean(),
  mode: fc.constantFrom("review", "automatic"),
  threshold: fc.double({ min: 0.5, max: 0.95, noNaN: true }),
  sentToday: fc.integer({ min: 0, max: 6 }),
  dailyLimit: fc.integer({ min: 0, max: 5 }),
  maxOffered: fc.integer({ min: 1, max: 5 }),
});
const arbReading: fc.Arbitrary<Reading> = fc.record({
  intent: fc.constantFrom(...INTENTS),
  choice: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  windows: fc.array(arbWindow, { maxLength: 3 }),
  unavailable: fc.array(arbWindow, { maxLength: 2 }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
});
const arbAnswerability: fc.Arbitrary<Answerability> = fc.oneof(
  fc.constant<Answerability>({ answer: true }),
  fc.constantFrom<Answerability>(
    { answer: false, kind: "out-of-office", reason: "away" },
    { answer: false, kind: "auto-submitted", reason: "auto" },
    { answer: false, kind: "list", reason: "list" },
    { answer: false, kind: "bounce", reason: "dsn" },
  ),
);
const arbIncoming: fc.Arbitrary<Incoming> = fc.record(
  {
    sender: fc.constantFrom("candidate", "interviewer"),
    answerability: arbAnswerability,
    reading: arbReading,
    interviewer: fc.record({
      userId: fc.constantFrom("usr_dana", "usr_eli"),
      cannotAttend: fc.boolean(),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  { requiredKeys: ["sender", "answerability", "reading"] },
);

const acting = (a: Action) => writesBooking(a) || a.kind === "offer" || a.kind === "confirm-cancel";

describe("the coordinator's invariants", () => {
  it("never books, moves, cancels or offers on a reading below the threshold", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        const { actions } = decide(state, incoming);
        if (incoming.reading.confidence < state.threshold) {
          expect(actions.filter(acting)).toEqual([]);
        }
      }),
      SEED,
    );
  });

  it("never acts on an automatic reply", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        if (incoming.answerability.answer) return;
        expect(decide(state, incoming).actions.every((a) => a.kind === "none")).toBe(true);
      }),
      SEED,
    );
  });

  it("never sends more than the daily limit of messages on a thread", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        const sent = decide(state, incoming).actions.reduce((n, a) => n + messagesOf(a), 0);
        if (sent > 0) expect(state.sentToday + sent).toBeLessThanOrEqual(state.dailyLimit);
      }),
      SEED,
    );
  });

  it("moves a confirmed time only after a reply read as reschedule above threshold", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        const moves = decide(state, incoming).actions.filter((a) => a.kind === "move");
        if (moves.length === 0) return;
        const { reading } = incoming;
        expect(
          state.rescheduleAsked ||
            (reading.intent === "reschedule" && reading.confidence >= state.threshold),
        ).toBe(true);
      }),
      SEED,
    );
  });

  it("books only options that were offered or are free, and only in automatic mode", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        for (const action of decide(state, incoming).actions) {
          if (action.kind !== "book" && action.kind !== "move") continue;
          expect(state.mode).toBe("automatic");
          const known = [...state.offered, ...state.available].map((o) => o.id);
          expect(known).toContain(action.optionId);
        }
      }),
      SEED,
    );
  });

  it("an interviewer's message never books, moves, cancels or offers, nor writes to the candidate; their decline is handled only when sure, booked and in automatic mode", () => {
    fc.assert(
      fc.property(arbState, arbIncoming, (state, incoming) => {
        if (incoming.sender !== "interviewer") return;
        const { actions } = decide(state, incoming);
        expect(actions.filter(acting)).toEqual([]);
        expect(actions.reduce((n, a) => n + messagesOf(a), 0)).toBe(0);
        const handed = actions.filter((a) => a.kind === "interviewer-unavailable");
        if (handed.length === 0) return;
        const said = incoming.interviewer;
        expect(incoming.answerability.answer).toBe(true);
        expect(said?.cannotAttend).toBe(true);
        expect(said?.confidence ?? 0).toBeGreaterThanOrEqual(state.threshold);
        expect(state.mode).toBe("automatic");
        expect(["scheduled", "rescheduling"]).toContain(state.status);
        expect(state.booked).not.toBeNull();
        expect(handed).toEqual([{ kind: "interviewer-unavailable", userId: said?.userId }]);
      }),
      SEED,
    );
  });

  it("routes every privacy request and opt-out to the privacy features, even on a closed request", () => {
    fc.assert(
      fc.property(arbState, arbReading, (state, r) => {
        const incoming: Incoming = { sender: "candidate", answerability: HUMAN, reading: r };
        const kinds = decide(state, incoming).actions.map((a) => a.kind);
        if (r.intent === "privacy_request" || r.intent === "opt_out") {
          expect(kinds).toEqual(["privacy"]);
        }
      }),
      SEED,
    );
  });

  it("finds the fitting options exactly as a brute-force search over every pair does", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbOption, { maxLength: 12, selector: (o) => o.id }),
        fc.array(arbWindow, { maxLength: 3 }),
        fc.array(arbWindow, { maxLength: 2 }),
        (available, windows, unavailable) => {
          const ms = (t: string) => Date.parse(t);
          const oracle = available.filter((o) => {
            let inside = false;
            for (const w of windows) {
              if (ms(w.start) <= ms(o.start) && ms(o.end) <= ms(w.end)) inside = true;
            }
            for (const u of unavailable) {
              if (ms(o.start) < ms(u.end) && ms(u.start) < ms(o.end)) inside = false;
            }
            return inside;
          });
          expect(fittingOptions(available, { windows, unavailable })).toEqual(oracle);
        },
      ),
      SEED,
    );
  });
});
