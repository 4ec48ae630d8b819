/**
 * The work budget of one engine call. The search counts steps (grid starts looked at, sessions
 * placed, staffing checks), not wall-clock time, so the same problem gives the same answer on a
 * busy machine and an idle one. When the budget is spent the search stops and says so: every
 * answer it gave is still feasible, but starts after the point it reached may be missing.
 */

/** Steps one engine call may take unless its caller says otherwise. */
export const DEFAULT_MAX_STEPS = 2_000_000;

/** How a search ended: complete, or stopped when its budget ran out. */
export type SearchOutcome =
  | { complete: true; steps: number }
  | { complete: false; steps: number; message: string };

export class SearchBudget {
  /** Steps taken so far. */
  steps = 0;
  /** Set once a step beyond `maxSteps` was asked for; never cleared. */
  stopped = false;

  #truncated = false;

  constructor(readonly maxSteps: number = DEFAULT_MAX_STEPS) {}

  /** Takes `count` steps; false (and stopped from then on) when that goes over the budget. */
  spend(count = 1): boolean {
    if (this.stopped) return false;
    this.steps += count;
    if (this.steps > this.maxSteps) {
      this.steps = this.maxSteps;
      this.stopped = true;
      return false;
    }
    return true;
  }

  /**
   * Marks the answer incomplete whatever happens next: part of the problem was left out
   * before the search began. The steps left may still be spent.
   */
  stopAfterRemaining(): void {
    this.#truncated = true;
  }

  /** Steps still available. */
  remaining(): number {
    return this.stopped ? 0 : this.maxSteps - this.steps;
  }

  /** @example new SearchBudget(10).outcome() // { complete: true, steps: 0 } */
  outcome(): SearchOutcome {
    if (!this.stopped && !this.#truncated) return { complete: true, steps: this.steps };
    return {
      complete: false,
      steps: this.steps,
      message: `search stopped after ${this.steps} steps; later starts were not examined, so the answer may be incomplete`,
    };
  }
}
