/**
 * cNPS and the survey results against a brute-force oracle: the answers counted one by one,
 * by the definition (9–10 promoters, 0–6 detractors, % promoters − % detractors), and the
 * groups rebuilt by scanning every fact for every key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MIN_GROUP_ANSWERS,
  monthOf,
  npsClass,
  npsSummary,
  type SurveyFact,
  surveyResults,
} from "../../src/surveys/cnps.js";

const SEED = 20261201;
const score = fc.integer({ min: 0, max: 10 });

/** The definition, one answer at a time. */
function oracleCnps(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let promoters = 0;
  let detractors = 0;
  for (const s of scores) {
    if (s === 9 || s === 10) promoters += 1;
    if (s >= 0 && s <= 6) detractors += 1;
  }
  return (promoters / scores.length) * 100 - (detractors / scores.length) * 100;
}

// Tue 1 Dec 2026 to Fri 31 Dec 2027, UTC.
const answeredAt = fc.integer({ min: Date.UTC(2026, 11, 1), max: Date.UTC(2027, 11, 31) });
const rating = fc.option(fc.integer({ min: 1, max: 5 }), { nil: null });
const fact: fc.Arbitrary<SurveyFact> = fc.record({
  jobId: fc.constantFrom("job_a", "job_b", "job_c"),
  interviewerIds: fc.uniqueArray(fc.constantFrom("u1", "u2", "u3", "u4"), { maxLength: 3 }),
  answer: fc.option(
    fc.record({ nps: score, scheduling: rating, preparation: rating, clarity: rating, answeredAt }),
    { nil: null },
  ),
});

describe("cNPS", () => {
  it("classes 9 and 10 as promoters, 7 and 8 as passives and 0 to 6 as detractors", () => {
    expect([0, 6, 7, 8, 9, 10].map(npsClass)).toEqual([
      "detractor",
      "detractor",
      "passive",
      "passive",
      "promoter",
      "promoter",
    ]);
    expect(() => npsClass(11)).toThrow(RangeError);
    expect(() => npsClass(4.5)).toThrow(RangeError);
  });

  it("equals the percentage of promoters minus the percentage of detractors", () => {
    fc.assert(
      fc.property(fc.array(score, { maxLength: 60 }), (scores) => {
        const summary = npsSummary(scores);
        const expected = oracleCnps(scores);
        if (expected === null) expect(summary.cnps).toBeNull();
        else expect(summary.cnps).toBeCloseTo(expected, 9);
        expect(summary.promoters + summary.passives + summary.detractors).toBe(scores.length);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("stays within −100 and +100 and does not depend on the order of answers", () => {
    fc.assert(
      fc.property(fc.array(score, { minLength: 1, maxLength: 40 }), fc.nat(), (scores, shift) => {
        const cnps = npsSummary(scores).cnps as number;
        expect(cnps).toBeGreaterThanOrEqual(-100);
        expect(cnps).toBeLessThanOrEqual(100);
        const k = shift % scores.length;
        const rotated = [...scores.slice(k), ...scores.slice(0, k)];
        expect(npsSummary(rotated).cnps).toBeCloseTo(cnps, 9);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("survey results", () => {
  it("count sent and answered surveys per job and per interviewer as a scan of every fact does", () => {
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 40 }), (facts) => {
        const results = surveyResults(facts);
        for (const group of results.byJob) {
          const mine = facts.filter((f) => f.jobId === group.key);
          const answers = mine.filter((f) => f.answer !== null);
          expect(group.sent).toBe(mine.length);
          expect(group.answered).toBe(answers.length);
          const expected = oracleCnps(answers.map((f) => f.answer?.nps as number));
          if (expected === null) expect(group.nps?.cnps ?? null).toBeNull();
          else expect(group.nps?.cnps).toBeCloseTo(expected, 9);
        }
        expect(results.byJob.map((g) => g.key).sort()).toEqual(
          [...new Set(facts.map((f) => f.jobId))].sort(),
        );
        for (const group of results.byInterviewer) {
          const mine = facts.filter((f) => f.interviewerIds.includes(group.key));
          const answers = mine.filter((f) => f.answer !== null);
          expect(group.sent).toBe(mine.length);
          expect(group.answered).toBe(answers.length);
          expect(group.withheld).toBe(answers.length < MIN_GROUP_ANSWERS);
          if (group.withheld) {
            expect(group.nps).toBeNull();
            expect(group.averages).toBeNull();
          } else {
            expect(group.nps?.cnps).toBeCloseTo(
              oracleCnps(answers.map((f) => f.answer?.nps as number)) as number,
              9,
            );
            const given = answers
              .map((f) => f.answer?.scheduling)
              .filter((v): v is number => typeof v === "number");
            const mean =
              given.length === 0 ? null : given.reduce((a, b) => a + b, 0) / given.length;
            if (mean === null) expect(group.averages?.scheduling).toBeNull();
            else expect(group.averages?.scheduling).toBeCloseTo(mean, 9);
          }
        }
        expect(results.overall.sent).toBe(facts.length);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("has one month per calendar month from the first answer to the last, with every answer in its month", () => {
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 40 }), (facts) => {
        const answers = facts.flatMap((f) => (f.answer === null ? [] : [f.answer]));
        const { byMonth } = surveyResults(facts);
        if (answers.length === 0) {
          expect(byMonth).toEqual([]);
          return;
        }
        const months = answers.map((a) => monthOf(a.answeredAt)).sort();
        expect(byMonth[0]?.month).toBe(months[0]);
        expect(byMonth.at(-1)?.month).toBe(months.at(-1));
        for (let i = 1; i < byMonth.length; i += 1) {
          const [y0, m0] = (byMonth[i - 1]?.month ?? "").split("-").map(Number);
          const [y1, m1] = (byMonth[i]?.month ?? "").split("-").map(Number);
          expect((y1 as number) * 12 + (m1 as number)).toBe(
            (y0 as number) * 12 + (m0 as number) + 1,
          );
        }
        for (const month of byMonth) {
          const scores = answers
            .filter((a) => monthOf(a.answeredAt) === month.month)
            .map((a) => a.nps);
          expect(month.nps.answers).toBe(scores.length);
          const expected = oracleCnps(scores);
          if (expected === null) expect(month.nps.cnps).toBeNull();
          else expect(month.nps.cnps).toBeCloseTo(expected, 9);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("reads the month in UTC: 23:59:59.999 on 31 December is still December", () => {
    expect(monthOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe("2026-12");
    expect(monthOf(Date.UTC(2027, 0, 1))).toBe("2027-01");
  });
});
