/**
 * The engine's worker pool: the same answers as the engine in this thread, computed off the
 * event loop, so that a costly problem never holds up other work; closing it stops every
 * worker and fails what was still waiting.
 */
import { afterAll, describe, expect, it } from "vitest";
import { answerOptions } from "../../src/engine/answer.js";
import type { EngineProblem } from "../../src/engine/types.js";
import { createEnginePool } from "../../src/engine-pool/pool.js";
import { between, buildParticipant, buildProblem, buildSession } from "../engine/build-problem.js";

const people = ["amy", "bob", "cat", "dan"].map((id) => buildParticipant({ id }));

/** Three 30-minute sessions in any order, anyone of four, on a one-minute grid. */
function loop(range = between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z")): EngineProblem {
  return buildProblem({
    range,
    granularityMinutes: 1,
    order: "any",
    maxGapMinutes: 60,
    participants: people,
    sessions: ["s1", "s2", "s3"].map((id) =>
      buildSession({ id, durationMinutes: 30, interviewers: people.map((p) => p.id) }),
    ),
  });
}

/** Six months on a one-minute grid: millions of steps. */
const costly = loop(between("2026-12-01T00:00:00Z", "2027-06-01T00:00:00Z"));
const COSTLY_STEPS = 50_000_000;

describe("the engine worker pool", () => {
  const pool = createEnginePool({ size: 2 });
  afterAll(() => pool.close());

  it("answers exactly as the engine does in this thread", async () => {
    const problem = loop();
    expect(await pool.options(problem)).toEqual(answerOptions(problem));
  });

  it("answers with the explanation when nothing fits", async () => {
    const problem = { ...loop(), minNoticeMinutes: 60 * 24 * 30 };
    const answer = await pool.options(problem);
    expect(answer.options).toEqual([]);
    expect(answer.explanation?.feasibleStarts).toBe(0);
    expect(answer).toEqual(answerOptions(problem));
  });

  it("keeps the event loop and the other worker free while a costly problem runs", async () => {
    const finished: string[] = [];
    const heavy = pool.options(costly, COSTLY_STEPS).then((answer) => {
      finished.push("costly");
      return answer;
    });
    const timer = new Promise<void>((done) => setTimeout(done, 0)).then(() => {
      finished.push("timer");
    });
    const light = pool.options(loop()).then(() => {
      finished.push("light");
    });
    await Promise.all([heavy, timer, light]);
    expect(finished.indexOf("costly")).toBe(2);
    expect((await heavy).options.length).toBeGreaterThan(0);
  });

  it("fails problems still waiting when closed, and refuses new ones", async () => {
    const own = createEnginePool({ size: 1 });
    const running = expect(own.options(costly, COSTLY_STEPS)).rejects.toThrow(/closed/);
    const waiting = expect(own.options(loop())).rejects.toThrow(/closed/);
    await own.close();
    await running;
    await waiting;
    await expect(own.options(loop())).rejects.toThrow(/closed/);
  });
});
