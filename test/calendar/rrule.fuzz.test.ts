/**
 * Fuzzing recurrence rules: whatever the text, parsing answers a value (never throws), and
 * expansion over a window of up to a month returns sorted instances inside the window, no more
 * than asked for, within its work budget. Fixed seed, bounded runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expandRecurrence,
  expansionBudget,
  localSeconds,
  parseRecurrenceRule,
} from "../../src/calendar/recurrence.js";
import { rruleText, validRruleText } from "./rrule-arbitraries.js";

const WORK = 300_000;
const MAX_INSTANCES = 20_000;
/** The most one step of an expansion charges at once: one period's candidates. */
const LARGEST_STEP = 100_000;

describe("recurrence rules from hostile text", () => {
  it("parse to a rule or an error, and expand within the budget into the window", () => {
    fc.assert(
      fc.property(
        fc.oneof(validRruleText, rruleText),
        fc.integer({ min: 0, max: 40 * 365 }),
        fc.integer({ min: 0, max: 10 * 365 }),
        fc.integer({ min: 1, max: 31 * 86_400 }),
        fc.boolean(),
        (text, startDay, offsetDays, windowSeconds, dateOnly) => {
          const parsed = parseRecurrenceRule(text);
          if (!parsed.ok) {
            expect(typeof parsed.error).toBe("string");
            return;
          }
          const dtstart = localSeconds(1990, 1, 1) + startDay * 86_400 + 9 * 3600;
          const from = dtstart + offsetDays * 86_400;
          const budget = expansionBudget(WORK);
          const starts = expandRecurrence(parsed.rule, dtstart, {
            fromLocalSeconds: from,
            toLocalSeconds: from + windowSeconds,
            dateOnly,
            maxInstances: MAX_INSTANCES,
            budget,
          });
          expect(starts.length).toBeLessThanOrEqual(MAX_INSTANCES);
          expect(WORK - budget.remaining).toBeLessThanOrEqual(WORK + LARGEST_STEP);
          if (!budget.exhausted) expect(budget.remaining).toBeGreaterThanOrEqual(0);
          for (let i = 0; i < starts.length; i++) {
            const s = starts[i] as number;
            expect(s).toBeGreaterThanOrEqual(from);
            expect(s).toBeLessThan(from + windowSeconds);
            if (i > 0) expect(s).toBeGreaterThan(starts[i - 1] as number);
          }
        },
      ),
      { seed: 20_261_202, numRuns: 150, interruptAfterTimeLimit: 15_000 },
    );
  }, 60_000);
});
