/**
 * Interval algebra on sorted lists of half-open integer intervals `[start, end)`.
 * A "normalised" list is sorted by start, with no empty, overlapping or touching members.
 */
import type { MinuteInterval } from "./types.js";

/** Sorts and merges overlapping or touching intervals; drops empty ones. */
export function normalise(intervals: readonly MinuteInterval[]): MinuteInterval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: MinuteInterval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.start <= last.end) {
      if (interval.end > last.end) last.end = interval.end;
    } else {
      merged.push({ start: interval.start, end: interval.end });
    }
  }
  return merged;
}

/** Intersection of two normalised lists. @example intersect([{start:0,end:10}], [{start:5,end:20}]) // [{start:5,end:10}] */
export function intersect(
  a: readonly MinuteInterval[],
  b: readonly MinuteInterval[],
): MinuteInterval[] {
  const result: MinuteInterval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as MinuteInterval;
    const y = b[j] as MinuteInterval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) result.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return result;
}

/** `a` minus `b`, both normalised. */
export function subtract(
  a: readonly MinuteInterval[],
  b: readonly MinuteInterval[],
): MinuteInterval[] {
  const result: MinuteInterval[] = [];
  let j = 0;
  for (const x of a) {
    let start = x.start;
    while (j < b.length && (b[j] as MinuteInterval).end <= start) j++;
    let k = j;
    while (k < b.length && (b[k] as MinuteInterval).start < x.end) {
      const y = b[k] as MinuteInterval;
      if (y.start > start) result.push({ start, end: y.start });
      if (y.end > start) start = y.end;
      k++;
    }
    if (start < x.end) result.push({ start, end: x.end });
  }
  return result;
}

/** Whether `[start, end)` overlaps any member of a normalised list (binary search). */
export function overlapsAny(list: readonly MinuteInterval[], start: number, end: number): boolean {
  let lo = 0;
  let hi = list.length;
  // First interval whose end is after `start`.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as MinuteInterval).end <= start) lo = mid + 1;
    else hi = mid;
  }
  const candidate = list[lo];
  return candidate !== undefined && candidate.start < end && start < candidate.end;
}

/** Whether a list is already normalised: sorted, no empty, overlapping or touching members. */
export function isNormalised(intervals: readonly MinuteInterval[]): boolean {
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const interval of intervals) {
    if (interval.end <= interval.start || interval.start <= previousEnd) return false;
    previousEnd = interval.end;
  }
  return true;
}
