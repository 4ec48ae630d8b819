/**
 * Property tests: the engine against the brute-force oracle on small random problems.
 *
 * FC_SEED fixes the seed (default below, so runs are repeatable); FC_RUNS sets runs per
 * property. On failure fast-check prints the seed, the path and the shrunk problem.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allFeasibleStarts, bestOptions } from "../../src/engine/index.js";
import type { EngineProblem, SlotOption } from "../../src/engine/types.js";
import { isFeasibleOption, oracleAllStarts } from "./oracle.js";
import { problemArb } from "./problem-arbitrary.js";

const seed = Number(process.env.FC_SEED ?? 20261201);
const numRuns = Number(process.env.FC_RUNS ?? 200);
const settings = { seed, numRuns, endOnFailure: false };

/** Identity of an option: session ids, starts and interviewer sets, not score. */
function optionKey(option: SlotOption): string {
  return option.sessions
    .map((s) => `${s.id}@${s.start}:${[...s.interviewers].sort().join("+")}`)
    .join(",");
}

function describeProblem(problem: EngineProblem): string {
  return JSON.stringify(problem);
}

describe("slot engine against the brute-force oracle", () => {
  it("lists exactly the block starts the oracle finds", () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        expect(allFeasibleStarts(problem), describeProblem(problem)).toEqual(
          oracleAllStarts(problem),
        );
      }),
      settings,
    );
  });

  it("returns at most `limit` distinct feasible options, best first, scored in [0, 1]", () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const options = bestOptions(problem);
        expect(options.length).toBeLessThanOrEqual(problem.limit);
        for (const option of options) {
          expect(isFeasibleOption(problem, option), optionKey(option)).toBeNull();
          expect(Number.isFinite(option.score)).toBe(true);
          expect(option.score).toBeGreaterThanOrEqual(0);
          expect(option.score).toBeLessThanOrEqual(1);
        }
        expect(new Set(options.map(optionKey)).size).toBe(options.length);
        for (let i = 1; i < options.length; i++) {
          expect(options[i]!.score).toBeLessThanOrEqual(options[i - 1]!.score);
        }
      }),
      settings,
    );
  });

  it("returns no options exactly when the oracle finds no feasible start", () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const none = oracleAllStarts(problem).length === 0;
        expect(bestOptions(problem).length === 0, describeProblem(problem)).toBe(none);
      }),
      settings,
    );
  });

  it("has an oracle that rejects ranked options moved one minute off the grid", () => {
    // A one-minute shift moves local time by 1, 61, -59, 31 or -29 minutes: never a multiple
    // of 5, 7, 15, 30, 45 or 60, so every shifted option breaks the grid rule.
    fc.assert(
      fc.property(problemArb, (problem) => {
        for (const option of bestOptions(problem)) {
          const shifted: SlotOption = {
            ...option,
            start: option.start + 1,
            end: option.end + 1,
            sessions: option.sessions.map((s) => ({ ...s, start: s.start + 1, end: s.end + 1 })),
          };
          expect(isFeasibleOption(problem, shifted)).toMatch(/off the grid/);
        }
      }),
      settings,
    );
  });

  it("only ranks options that begin at a listed feasible start", () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const starts = new Set(allFeasibleStarts(problem));
        for (const option of bestOptions(problem)) expect(starts.has(option.start)).toBe(true);
      }),
      settings,
    );
  });
});
