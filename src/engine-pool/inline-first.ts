/**
 * Small problems answered on the calling thread, the others on the worker pool. The engine
 * first runs here with a small step budget: an answer that completed within it is exactly the
 * pool's answer (the engine is deterministic, and a budget only ever stops a search), and a
 * search that ran out is handed to the pool with the full budget. Posting a problem to a
 * worker and its answer back costs more than the whole search of a typical request (a pool of
 * 30 over a week takes about 1,500 steps), while the event loop is held for at most
 * `inlineSteps` steps of any request.
 */
import { answerOptions, type OptionsAnswer } from "../engine/answer.js";
import type { EngineProblem } from "../engine/types.js";
import type { EnginePool } from "./pool.js";

/** Steps a problem may take on the calling thread before it goes to the pool. */
export const INLINE_STEPS = 5_000;

/**
 * @example buildDeps(config, store, clock, keyring, { engine: inlineFirst(createEnginePool({ size: 2 })) })
 */
export function inlineFirst(
  pool: Pick<EnginePool, "options">,
  inlineSteps: number = INLINE_STEPS,
): { options(problem: EngineProblem): Promise<OptionsAnswer> } {
  return {
    async options(problem) {
      const answer = answerOptions(problem, inlineSteps);
      return answer.search.complete ? answer : pool.options(problem);
    },
  };
}
