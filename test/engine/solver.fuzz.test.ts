/**
 * Fuzzing the slot engine with hostile problems: many sessions in any order, long gaps, huge
 * buffers, durations and counts, long ranges on fine grids, odd zones, more seats than people.
 * Every engine call must return (never throw, never loop past its step budget), give only
 * feasible answers, and keep memory bounded. Bounded in runs and time; FC_SEED fixes the seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerOptions } from "../../src/engine/answer.js";
import { SearchBudget } from "../../src/engine/budget.js";
import { allFeasibleStarts } from "../../src/engine/index.js";
import type { EngineParticipant, EngineProblem } from "../../src/engine/types.js";
import { at } from "./build-problem.js";
import { isFeasibleOption } from "./oracle.js";
import { ZONES } from "./problem-arbitrary.js";

const seed = Number(process.env.FC_SEED ?? 20261209);
const MAX_STEPS = 200_000;
const DAY = 1440;
const T0 = at("2026-12-01T00:00:00Z");

/** Small, ordinary and absurd values alike. */
const minutesArb = fc.oneof(
  fc.integer({ min: 0, max: 120 }),
  fc.integer({ min: 0, max: 3 * DAY }),
  fc.constantFrom(0, 1, 59, 1439, 1440, 10_080, 1_000_000, 1_000_000_000),
);

const participantArb = (id: string): fc.Arbitrary<EngineParticipant> =>
  fc
    .record({
      timeZone: fc.constantFrom(...ZONES),
      hours: fc.option(
        fc.record({ start: fc.integer({ min: 0, max: 95 }), end: fc.integer({ min: 0, max: 96 }) }),
        { nil: undefined },
      ),
      busy: fc.array(
        fc.record({ offset: fc.integer({ min: -DAY, max: 30 * DAY }), length: minutesArb }),
        { maxLength: 30 },
      ),
      perDay: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    })
    .map(({ timeZone, hours, busy, perDay }) => {
      const pad = (q: number) =>
        `${String(Math.floor(q / 4)).padStart(2, "0")}:${String((q % 4) * 15).padStart(2, "0")}`;
      const participant: EngineParticipant = {
        id,
        timeZone,
        busy: busy.map(({ offset, length }) => ({ start: T0 + offset, end: T0 + offset + length })),
        interviews: busy
          .slice(0, 3)
          .map(({ offset }) => ({ start: T0 + offset, end: T0 + offset + 30 })),
      };
      if (hours !== undefined) {
        participant.workingHours = [
          {
            days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
            start: pad(hours.start),
            end: hours.end === 96 ? "24:00" : pad(hours.end),
          },
        ];
      }
      if (perDay !== undefined) participant.limits = { perDay };
      return participant;
    });

const hostileProblemArb: fc.Arbitrary<EngineProblem> = fc
  .record({
    people: fc.integer({ min: 1, max: 8 }),
    sessions: fc.array(
      fc.record({
        durationMinutes: fc.oneof(
          fc.integer({ min: 1, max: 90 }),
          fc.constantFrom(1, 5, 1440, 100_000, 1_000_000_000),
        ),
        count: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(20, 1_000_000)),
        pool: fc.array(fc.nat({ max: 7 }), { maxLength: 8 }),
      }),
      { minLength: 1, maxLength: 9 },
    ),
    rangeDays: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(30, 366)),
    timeZone: fc.constantFrom(...ZONES),
    granularityMinutes: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.constantFrom(1, 1440)),
    minNoticeMinutes: minutesArb,
    bufferMinutes: minutesArb,
    order: fc.constantFrom("fixed" as const, "any" as const),
    maxGapMinutes: minutesArb,
    limit: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(1_000_000)),
    candidate: fc.option(
      fc.array(fc.record({ offset: fc.integer({ min: 0, max: 5 * DAY }), length: minutesArb }), {
        maxLength: 4,
      }),
      { nil: undefined },
    ),
  })
  .chain((shape) =>
    fc
      .tuple(...Array.from({ length: shape.people }, (_, i) => participantArb(`p${i}`)))
      .map((participants): EngineProblem => {
        const problem: EngineProblem = {
          now: T0 - 60,
          range: { start: T0, end: T0 + shape.rangeDays * DAY },
          timeZone: shape.timeZone,
          granularityMinutes: shape.granularityMinutes,
          minNoticeMinutes: shape.minNoticeMinutes,
          bufferMinutes: shape.bufferMinutes,
          order: shape.order,
          maxGapMinutes: shape.maxGapMinutes,
          limit: shape.limit,
          participants,
          sessions: shape.sessions.map((s, i) => ({
            id: `s${i}`,
            durationMinutes: s.durationMinutes,
            count: s.count,
            interviewers: s.pool.filter((k) => k < shape.people).map((k) => `p${k}`),
          })),
        };
        if (shape.candidate !== undefined) {
          problem.candidate = {
            available: shape.candidate.map(({ offset, length }) => ({
              start: T0 + offset,
              end: T0 + offset + length,
            })),
          };
        }
        return problem;
      }),
  );

describe("slot engine on hostile problems", () => {
  it("always answers within its step budget, with feasible options only", () => {
    const heapBefore = process.memoryUsage().heapUsed;
    fc.assert(
      fc.property(hostileProblemArb, (problem) => {
        const budget = new SearchBudget(MAX_STEPS);
        const starts = allFeasibleStarts(problem, undefined, budget);
        expect(budget.steps).toBeLessThanOrEqual(MAX_STEPS);
        expect(starts).toEqual([...new Set(starts)].sort((a, b) => a - b));
        const answer = answerOptions(problem, MAX_STEPS);
        expect(answer.search.steps).toBeLessThanOrEqual(MAX_STEPS);
        expect(answer.options.length).toBeLessThanOrEqual(problem.limit);
        // Checking options with the oracle is affordable on short ranges only.
        if (problem.range.end - problem.range.start <= 3 * DAY) {
          for (const option of answer.options) {
            expect(isFeasibleOption(problem, option), JSON.stringify(option)).toBeNull();
          }
        }
      }),
      { seed, numRuns: Number(process.env.FC_RUNS ?? 40), interruptAfterTimeLimit: 20_000 },
    );
    // Nothing the runs built is kept: the heap does not grow by hundreds of megabytes.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(512 * 1024 * 1024);
  }, 60_000);
});
