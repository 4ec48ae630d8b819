/**
 * The start grid: every instant in a range whose wall-clock time in the organiser's zone is a
 * whole multiple of `granularityMinutes` after local midnight (spec rule 1). On a DST day the
 * grid follows the wall clock: in a spring gap the missing local times have no instant, and in
 * an autumn overlap the repeated local times give two instants each.
 */
import { MINUTES_PER_DAY } from "./civil.js";
import type { EpochMinutes, MinuteInterval } from "./types.js";
import type { ZoneRules } from "./zone.js";

/**
 * Grid instants in `[range.start, range.end)`, ascending; only the first `maxLength` of them
 * when there are more (the caller can tell by the length).
 */
export function startGrid(
  rules: ZoneRules,
  range: MinuteInterval,
  granularityMinutes: number,
  maxLength = Number.POSITIVE_INFINITY,
): EpochMinutes[] {
  const grid: EpochMinutes[] = [];
  let t = range.start;
  while (t < range.end && grid.length < maxLength) {
    // Constant offset from t until the next change (checked a day at a time).
    const offset = rules.offsetMsAt(t * 60_000) / 60_000;
    let segmentEnd = Math.min(range.end, t + MINUTES_PER_DAY);
    if (rules.offsetMsAt((segmentEnd - 1) * 60_000) / 60_000 !== offset) {
      // Find the first minute with another offset by bisection.
      let lo = t;
      let hi = segmentEnd - 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (rules.offsetMsAt(mid * 60_000) / 60_000 === offset) lo = mid + 1;
        else hi = mid;
      }
      segmentEnd = lo;
    }
    for (; t < segmentEnd && grid.length < maxLength; ) {
      const local = t + offset;
      const ofDay = ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
      const remainder = ofDay % granularityMinutes;
      if (remainder === 0) {
        grid.push(t);
        // Next grid point in this local day, or the next local midnight.
        const next = ofDay + granularityMinutes;
        t = Math.min(
          segmentEnd,
          t + (next >= MINUTES_PER_DAY ? MINUTES_PER_DAY - ofDay : granularityMinutes),
        );
      } else {
        const next = ofDay - remainder + granularityMinutes;
        t = Math.min(
          segmentEnd,
          t + (next >= MINUTES_PER_DAY ? MINUTES_PER_DAY - ofDay : next - ofDay),
        );
      }
    }
  }
  return grid;
}

/** Index of the first grid instant `>= instant` (grid.length when none). */
export function lowerBound(grid: readonly number[], instant: number): number {
  let lo = 0;
  let hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((grid[mid] as number) < instant) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `lowerBound` for a caller that walks the grid forwards: the index of the first grid instant
 * `>= instant`, given that every grid instant before `from` is `< instant`. Gallops from `from`,
 * so a search costs the logarithm of the distance moved, not of the grid's length.
 */
export function lowerBoundFrom(grid: readonly number[], from: number, instant: number): number {
  const length = grid.length;
  if (from >= length || (grid[from] as number) >= instant) return from;
  // grid[below] < instant throughout.
  let below = from;
  let step = 1;
  while (below + step < length && (grid[below + step] as number) < instant) {
    below += step;
    step *= 2;
  }
  let lo = below + 1;
  let hi = Math.min(below + step, length);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((grid[mid] as number) < instant) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
