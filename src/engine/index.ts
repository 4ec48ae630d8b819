/** The scheduling engine: pure functions from a slot problem to answers. */

export { DEFAULT_MAX_STEPS, SearchBudget, type SearchOutcome } from "./budget.js";
export { bestOptions } from "./rank.js";
export { allFeasibleStarts } from "./solve.js";
export type * from "./types.js";
