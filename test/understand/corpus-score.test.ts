/**
 * The reader on the tuning part of the corpus: at least 97% fully right and no wrong reading at
 * or above the default threshold; the same on each development part. (The held-out part is scored
 * only by `npm run eval:understand`.)
 */
import { describe, expect, it } from "vitest";
import { scorePart } from "../../scripts/eval-understand.js";
import { DEFAULT_THRESHOLD } from "../../src/understand/index.js";
import { loadCorpusPart } from "./corpus/corpus.js";

describe("the reader on the tuning corpus", () => {
  const score = scorePart(loadCorpusPart("tune"), DEFAULT_THRESHOLD);

  it("reads at least 97% of the tuning cases fully right", () => {
    expect(score.fullyRight / score.cases).toBeGreaterThanOrEqual(0.97);
  });

  it("gives no wrong or ambiguous reading a confidence at or above the threshold", () => {
    expect(score.wrongAboveThreshold).toBe(0);
  });
});

describe("the reader on the development corpus", () => {
  const score = scorePart(loadCorpusPart("dev"), DEFAULT_THRESHOLD);

  it("reads at least 97% of the development cases fully right", () => {
    expect(score.fullyRight / score.cases).toBeGreaterThanOrEqual(0.97);
  });

  it("gives no wrong or ambiguous development reading a confidence at or above the threshold", () => {
    expect(score.wrongAboveThreshold).toBe(0);
  });
});

describe("the reader on the second development corpus", () => {
  const score = scorePart(loadCorpusPart("dev2"), DEFAULT_THRESHOLD);

  it("reads at least 97% of the second development cases fully right", () => {
    expect(score.fullyRight / score.cases).toBeGreaterThanOrEqual(0.97);
  });

  it("gives no wrong or ambiguous second-development reading a confidence at or above the threshold", () => {
    expect(score.wrongAboveThreshold).toBe(0);
  });
});

describe("the reader on the third development corpus", () => {
  const score = scorePart(loadCorpusPart("dev3"), DEFAULT_THRESHOLD);

  it("reads at least 97% of the third development cases fully right", () => {
    expect(score.fullyRight / score.cases).toBeGreaterThanOrEqual(0.97);
  });

  it("gives no wrong or ambiguous third-development reading a confidence at or above the threshold", () => {
    expect(score.wrongAboveThreshold).toBe(0);
  });
});
