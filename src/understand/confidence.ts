/**
 * Step 7: confidence. Conservative by construction: a reading keeps the confidence of the path
 * that decided it only when every word of the sender was explained and nothing was in doubt;
 * any unexplained word or doubt puts it below the default threshold (0.8), so a person sees it.
 * Calibrated on the tuning corpus (`npm run eval:understand` prints the table).
 */

import type { Decision } from "./intent.js";
import type { Analysis } from "./reader.js";

/** The default threshold below which the assistant asks a person (config: UNDERSTAND_THRESHOLD). */
export const DEFAULT_THRESHOLD = 0.8;

export function confidenceOf(decision: Decision, analysis: Analysis): number {
  let c = decision.base;
  if (decision.doubts.length > 0) c = Math.min(c, 0.6 - 0.05 * (decision.doubts.length - 1));
  const u = decision.whole ? 0 : analysis.uncovered.length;
  if (u > 0) c = Math.min(c, 0.75 - 0.04 * (u - 1));
  return Math.round(Math.max(0.05, Math.min(0.99, c)) * 100) / 100;
}
