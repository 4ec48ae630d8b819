/** Timing, statistics and progress output shared by the benchmarks. */
import { performance } from "node:perf_hooks";

export const now = (): number => performance.now();

/** Runs a full garbage collection when node was started with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) gc();
}

/** The p-th percentile (0..100) by nearest rank of an unsorted list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

const tty = process.stderr.isTTY === true;

/** A progress line on stderr, only when stderr is a terminal. */
export function progress(message: string): void {
  if (!tty) return;
  process.stderr.write(`\r\x1b[2K${message}`);
}

/** Ends the progress line (terminal only). */
export function progressDone(message?: string): void {
  if (!tty) return;
  process.stderr.write(`\r\x1b[2K${message === undefined ? "" : `${message}\n`}`);
}

/** Rounds to `digits` significant decimals for display and JSON. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A fixed-width text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
