/**
 * Small problems on the calling thread, the others on the pool: the answer is always the one
 * the engine gives with its full budget; only a search that outgrows the inline budget is
 * posted to the pool.
 */
import { describe, expect, it } from "vitest";
import { answerOptions } from "../../src/engine/answer.js";
import type { EngineProblem } from "../../src/engine/types.js";
import { inlineFirst } from "../../src/engine-pool/inline-first.js";
import { between, buildParticipant, buildProblem, buildSession } from "../engine/build-problem.js";

const people = ["amy", "bob", "cat"].map((id) => buildParticipant({ id }));

/** Two sessions, anyone of three, on a 15-minute grid over `range`. */
function loop(range: ReturnType<typeof between>): EngineProblem {
  return buildProblem({
    range,
    granularityMinutes: 15,
    order: "fixed",
    maxGapMinutes: 30,
    participants: people,
    sessions: ["s1", "s2"].map((id) =>
      buildSession({ id, durationMinutes: 45, interviewers: people.map((p) => p.id) }),
    ),
  });
}

/** A pool that records what it was asked and answers as the engine does. */
function recordingPool() {
  const asked: EngineProblem[] = [];
  return {
    asked,
    options: async (problem: EngineProblem) => {
      asked.push(problem);
      return answerOptions(problem);
    },
  };
}

describe("the engine, inline first", () => {
  it("answers a small problem on this thread, exactly as the engine does", async () => {
    const pool = recordingPool();
    const problem = loop(between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z"));
    expect(await inlineFirst(pool).options(problem)).toEqual(answerOptions(problem));
    expect(pool.asked).toEqual([]);
  });

  it("posts a problem that outgrows the inline budget to the pool, which answers with the full budget", async () => {
    const pool = recordingPool();
    const problem = loop(between("2026-12-01T00:00:00Z", "2026-12-15T00:00:00Z"));
    const full = answerOptions(problem);
    expect(full.search.complete).toBe(true);
    expect(answerOptions(problem, 100).search.complete).toBe(false);
    expect(await inlineFirst(pool, 100).options(problem)).toEqual(full);
    expect(pool.asked).toEqual([problem]);
  });

  it("says so when nothing fits, as the engine does", async () => {
    const pool = recordingPool();
    const problem = {
      ...loop(between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z")),
      minNoticeMinutes: 60 * 24 * 30,
    };
    const answer = await inlineFirst(pool).options(problem);
    expect(answer.options).toEqual([]);
    expect(answer).toEqual(answerOptions(problem));
  });
});
