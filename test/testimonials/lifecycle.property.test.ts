/**
 * The testimonial lifecycle (src/testimonials/lifecycle.ts), pure, against a brute-force oracle:
 * for any sequence of steps by the person and the members (right and stale versions alike),
 * the state is published only when the log of accepted steps holds a consent to the current
 * version after the last change of the text, and a publication of that version after that
 * consent; once removed, nothing is ever published again and every later step is refused or
 * changes nothing; a decline is final but for removal; versions never go back.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedSteps,
  isPublished,
  next,
  REQUESTED,
  type TestimonialState,
  type TestimonialStep,
} from "../../src/testimonials/lifecycle.js";

/** A step, with a version offset from the current one (0: the version shown; else stale). */
// Mostly the version shown (offset 0), sometimes a stale or unknown one.
const offset = fc.constantFrom(0, 0, 0, -1, 1);
const stepArb: fc.Arbitrary<(state: TestimonialState) => TestimonialStep> = fc.oneof(
  { arbitrary: fc.constant(() => ({ kind: "view" }) as const), weight: 2 },
  { arbitrary: fc.constant(() => ({ kind: "write" }) as const), weight: 3 },
  { arbitrary: fc.constant(() => ({ kind: "edit" }) as const), weight: 2 },
  { arbitrary: fc.constant(() => ({ kind: "decline" }) as const), weight: 1 },
  { arbitrary: fc.constant(() => ({ kind: "remove" }) as const), weight: 1 },
  {
    arbitrary: offset.map(
      (by) => (s: TestimonialState) => ({ kind: "consent", version: s.version + by }) as const,
    ),
    weight: 4,
  },
  {
    arbitrary: offset.map(
      (by) => (s: TestimonialState) => ({ kind: "publish", version: s.version + by }) as const,
    ),
    weight: 4,
  },
);

interface Logged {
  step: TestimonialStep;
  versionAfter: number;
}

/** The oracle: from the accepted steps alone, whether publication is earned now. */
function earnedPublication(log: readonly Logged[], version: number): boolean {
  if (log.some((l) => l.step.kind === "remove" || l.step.kind === "decline")) return false;
  let lastChange = -1;
  log.forEach((l, i) => {
    if (l.step.kind === "write" || l.step.kind === "edit") lastChange = i;
  });
  const consent = log.findIndex(
    (l, i) => i > lastChange && l.step.kind === "consent" && l.step.version === version,
  );
  if (consent < 0) return false;
  return log.some((l, i) => i > consent && l.step.kind === "publish" && l.step.version === version);
}

function run(steps: Array<(s: TestimonialState) => TestimonialStep>) {
  let state = REQUESTED;
  const log: Logged[] = [];
  const states: TestimonialState[] = [state];
  for (const make of steps) {
    const step = make(state);
    const result = next(state, step);
    if (result.ok && result.changed) {
      state = result.state;
      log.push({ step, versionAfter: state.version });
    }
    states.push(state);
  }
  return { state, log, states };
}

describe("the testimonial lifecycle", () => {
  it("publishes only with consent to the exact current text, given after its last change, and a publication after that", () => {
    let published = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        let state = REQUESTED;
        const log: Logged[] = [];
        let seen = false;
        for (const make of steps) {
          const step = make(state);
          const result = next(state, step);
          if (result.ok && result.changed) {
            state = result.state;
            log.push({ step, versionAfter: state.version });
          }
          expect(isPublished(state)).toBe(earnedPublication(log, state.version));
          if (state.status === "published") {
            expect(state.consentedVersion).toBe(state.version);
            seen = true;
          }
        }
        if (seen) published += 1;
      }),
      { seed: 1412, numRuns: 3000 },
    );
    // The property saw publications in many runs, not only refusals.
    expect(published).toBeGreaterThan(50);
  });

  it("lets removal win: after it nothing is published and nothing changes", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 15 }),
        fc.array(stepArb, { maxLength: 15 }),
        (before, after) => {
          const first = run(before);
          const removed = next(first.state, { kind: "remove" });
          expect(removed.ok).toBe(true);
          if (!removed.ok) return;
          expect(removed.state.status).toBe("removed");
          let state = removed.state;
          for (const make of after) {
            const result = next(state, make(state));
            if (result.ok) {
              expect(result.changed).toBe(false);
              state = result.state;
            }
            expect(state).toEqual(removed.state);
            expect(isPublished(state)).toBe(false);
          }
          expect(allowedSteps(state, "person")).toEqual([]);
          expect(allowedSteps(state, "member")).toEqual([]);
        },
      ),
      { seed: 1413, numRuns: 2000 },
    );
  });

  it("removes from every state the person can reach, in one step", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 20 }), (steps) => {
        const { states } = run(steps);
        for (const state of states) {
          const result = next(state, { kind: "remove" });
          expect(result.ok).toBe(true);
          if (result.ok) expect(result.state.status).toBe("removed");
        }
      }),
      { seed: 1414, numRuns: 1000 },
    );
  });

  it("keeps a decline final (only removal follows) and versions never go back", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        const { states } = run(steps);
        let declined = false;
        for (let i = 1; i < states.length; i++) {
          const [before, after] = [states[i - 1], states[i]] as [
            TestimonialState,
            TestimonialState,
          ];
          expect(after.version).toBeGreaterThanOrEqual(before.version);
          if (declined) expect(["declined", "removed"]).toContain(after.status);
          if (after.status === "declined") declined = true;
        }
      }),
      { seed: 1415, numRuns: 1000 },
    );
  });

  it("makes a member's edit of a published text need the person's consent again", () => {
    let state = REQUESTED;
    for (const step of [
      { kind: "write" },
      { kind: "consent", version: 1 },
      { kind: "publish", version: 1 },
    ] as TestimonialStep[]) {
      const result = next(state, step);
      if (!result.ok) throw new Error(result.reason);
      state = result.state;
    }
    expect(isPublished(state)).toBe(true);
    const edited = next(state, { kind: "edit" });
    expect(edited.ok && edited.state).toEqual({
      status: "drafted",
      version: 2,
      consentedVersion: 1,
    });
    if (!edited.ok) return;
    expect(next(edited.state, { kind: "publish", version: 2 })).toEqual({
      ok: false,
      reason: "The person has not agreed to publish this text.",
    });
    expect(allowedSteps(edited.state, "member")).toEqual(["edit", "decline"]);
    expect(allowedSteps(edited.state, "person")).toEqual(["write", "consent", "remove"]);
  });

  it("refuses consent to a text other than the one shown", () => {
    const drafted = next(REQUESTED, { kind: "write" });
    if (!drafted.ok) throw new Error(drafted.reason);
    const stale = next(drafted.state, { kind: "consent", version: 0 });
    expect(stale.ok).toBe(false);
    const future = next(drafted.state, { kind: "consent", version: 2 });
    expect(future.ok).toBe(false);
  });
});
