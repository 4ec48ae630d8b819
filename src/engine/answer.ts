/**
 * The answer the booking module needs for a request's options, in one call: the ranked options
 * and, when none fit, the explanation, both spending from one step budget. Plain data in and
 * out, so that it can run in a worker thread as well as in-process.
 */
import { SearchBudget, type SearchOutcome } from "./budget.js";
import { type Explanation, explainProblem } from "./explain.js";
import { bestOptions } from "./rank.js";
import type { EngineProblem, SlotOption } from "./types.js";

export interface OptionsAnswer {
  options: SlotOption[];
  /** Null when options were found. */
  explanation: Explanation | null;
  /** Whether the search examined everything, or stopped when its budget ran out. */
  search: SearchOutcome;
}

/**
 * Ranked options for a problem, with the explanation when none fit.
 * @example answerOptions(problem) // { options: [...], explanation: null, search: { complete: true, steps: 812 } }
 */
export function answerOptions(problem: EngineProblem, maxSteps?: number): OptionsAnswer {
  const budget = new SearchBudget(maxSteps);
  const options = bestOptions(problem, budget);
  const explanation = options.length > 0 ? null : explainProblem(problem, budget);
  return { options, explanation, search: budget.outcome() };
}
