/** The scheduling engine: pure functions from a slot problem to answers. */

export { bestOptions } from "./rank.js";
export { allFeasibleStarts } from "./solve.js";
export type * from "./types.js";
