/**
 * Loops whose search tree is huge: any order, long gaps, many short sessions. The search must
 * stay small (pruning partial blocks that cannot be staffed, remembering failed tails), agree
 * with the brute-force oracle, and, when a problem is too big for its step budget, stop and say
 * so while keeping every answer it gives feasible.
 */
import { describe, expect, it } from "vitest";
import { SearchBudget } from "../../src/engine/budget.js";
import { explainProblem } from "../../src/engine/explain.js";
import { allFeasibleStarts, bestOptions } from "../../src/engine/index.js";
import type { EngineParticipant, EngineProblem } from "../../src/engine/types.js";
import { between, buildParticipant, buildProblem, buildSession, iso } from "./build-problem.js";
import { isFeasibleOption, oracleAllStarts } from "./oracle.js";

/**
 * Five 5-minute sessions in any order with gaps of up to 4 hours, over one day (Tue 1 Dec 2026,
 * UTC) on a 15-minute grid, every session naming the same pool.
 */
function wideLoop(participants: EngineParticipant[], overrides: Partial<EngineProblem> = {}) {
  const pool = participants.map((p) => p.id);
  return buildProblem({
    range: between("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"),
    order: "any",
    maxGapMinutes: 240,
    participants,
    sessions: ["a", "b", "c", "d", "e"].map((id) =>
      buildSession({ id, durationMinutes: 5, interviewers: pool }),
    ),
    ...overrides,
  });
}

const ivy = buildParticipant({ id: "ivy", limits: { perDay: 4 } });

/** Someone who works 09:00–09:15 UTC only. */
const earlyBird = (id: string) =>
  buildParticipant({
    id,
    workingHours: [{ days: ["TU"], start: "09:00", end: "09:15" }],
  });

describe("slot search on loops with a huge search tree", () => {
  it("answers at once that one interviewer cannot hold five sessions of one loop", () => {
    const problem = wideLoop([ivy]);
    const budget = new SearchBudget();
    expect(allFeasibleStarts(problem, undefined, budget)).toEqual([]);
    expect(budget.outcome().complete).toBe(true);
    expect(bestOptions(problem)).toEqual([]);
    expect(explainProblem(problem).feasibleStarts).toBe(0);
    expect(oracleAllStarts(wideLoop([ivy], { maxGapMinutes: 30 }))).toEqual([]);
  }, 20_000);

  it("finds no start when five people are listed but never five free in one block, as the oracle", () => {
    // Amy, Bob, Cat and Dan share a 15-minute morning window: at most three 5-minute sessions
    // fit in it, so a fifth person is always missing.
    const people = [ivy, earlyBird("amy"), earlyBird("bob"), earlyBird("cat"), earlyBird("dan")];
    const problem = wideLoop(people, { granularityMinutes: 5 });
    const budget = new SearchBudget();
    expect(allFeasibleStarts(problem, undefined, budget)).toEqual([]);
    expect(budget.outcome().complete).toBe(true);
    // The oracle enumerates every gap: asked on a 15-minute grid with short gaps only.
    expect(oracleAllStarts(wideLoop(people, { maxGapMinutes: 15 }))).toEqual([]);
    expect(allFeasibleStarts(wideLoop(people, { maxGapMinutes: 15 }))).toEqual([]);
  }, 20_000);

  it("lists exactly the oracle's starts when five people can be found", () => {
    // Amy works 09:00–09:15, the others all day: blocks must put one session in Amy's window.
    const people = [
      ivy,
      earlyBird("amy"),
      buildParticipant({ id: "bob" }),
      buildParticipant({ id: "cat" }),
      buildParticipant({
        id: "dan",
        busy: [between("2026-12-01T10:00:00Z", "2026-12-01T23:00:00Z")],
      }),
    ];
    const problem = wideLoop(people, { maxGapMinutes: 15 });
    const budget = new SearchBudget();
    const starts = allFeasibleStarts(problem, undefined, budget);
    expect(budget.outcome().complete).toBe(true);
    expect(starts.map(iso)).toEqual(oracleAllStarts(problem).map(iso));
    expect(starts.length).toBeGreaterThan(0);
    for (const option of bestOptions(problem)) {
      expect(isFeasibleOption(problem, option)).toBeNull();
    }
  }, 60_000);

  it("stops when its budget runs out, says after how many steps, and keeps only feasible starts", () => {
    const people = [ivy, ...["amy", "bob", "cat", "dan"].map((id) => buildParticipant({ id }))];
    const problem = wideLoop(people, { maxGapMinutes: 15 });
    const complete = allFeasibleStarts(problem);

    const budget = new SearchBudget(500);
    const partial = allFeasibleStarts(problem, undefined, budget);
    const outcome = budget.outcome();
    expect(outcome).toMatchObject({ complete: false, steps: 500 });
    expect(outcome.complete === false && outcome.message).toMatch(/search stopped after 500 steps/);
    expect(partial.length).toBeLessThan(complete.length);
    // What it found is the start of the complete answer: nothing infeasible, nothing skipped.
    expect(partial).toEqual(complete.slice(0, partial.length));
  });

  it("gives only feasible options when the budget runs out while ranking", () => {
    const people = [ivy, ...["amy", "bob", "cat", "dan"].map((id) => buildParticipant({ id }))];
    const problem = wideLoop(people, { maxGapMinutes: 15 });
    const budget = new SearchBudget(2_000);
    const options = bestOptions(problem, budget);
    expect(budget.stopped).toBe(true);
    for (const option of options) expect(isFeasibleOption(problem, option)).toBeNull();
  });

  it("spends the same steps on the same problem every time", () => {
    const people = [ivy, earlyBird("amy"), earlyBird("bob"), earlyBird("cat"), earlyBird("dan")];
    const problem = wideLoop(people);
    const first = new SearchBudget();
    const second = new SearchBudget();
    allFeasibleStarts(problem, undefined, first);
    allFeasibleStarts(problem, undefined, second);
    expect(first.steps).toBe(second.steps);
  });

  it("cuts a grid longer than the budget and says so", () => {
    // Ten years on a one-minute grid: over five million starts.
    const problem = buildProblem({
      range: between("2026-12-01T00:00:00Z", "2036-12-01T00:00:00Z"),
      granularityMinutes: 1,
    });
    const budget = new SearchBudget(10_000);
    const starts = allFeasibleStarts(problem, undefined, budget);
    expect(budget.outcome().complete).toBe(false);
    expect(starts.length).toBeGreaterThan(0);
    expect(starts.length).toBeLessThanOrEqual(5_000);
    expect(iso(starts[0] as number)).toBe("2026-12-01T00:00Z");
  });
});
