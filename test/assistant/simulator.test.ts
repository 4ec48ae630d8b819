/**
 * The conversation simulator on a small seeded sample: candidates in five zones accept by
 * number or by restating the time, propose windows, reschedule, cancel, write vaguely, ask
 * questions, send out-of-office replies and go quiet, through the real inbound and outbox
 * workers with a fixed clock. Ally books only what a candidate chose, answers every reply (or
 * takes it to a person), and never answers an auto-reply.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "./simulator/run.js";
import { generateScenarios } from "./simulator/scenarios.js";

describe("the conversation simulator", () => {
  it("generates the same threads from the same seed", () => {
    expect(generateScenarios(30, 7)).toEqual(generateScenarios(30, 7));
    expect(generateScenarios(30, 7)).not.toEqual(generateScenarios(30, 8));
  });

  it("books no time a candidate did not choose and leaves no reply unanswered over 20 threads", async () => {
    const { results, figures } = await simulate({ threads: 20, seed: 16 });
    expect(results).toHaveLength(20);
    expect(results.filter((r) => r.wrong !== null).map((r) => r.wrong)).toEqual([]);
    expect(figures.wrongBookings).toBe(0);
    for (const result of results) {
      expect(["booked", "escalated", "cancelled", "waiting"]).toContain(result.outcome);
      expect({ id: result.scenario.id, unanswered: result.unanswered }).toEqual({
        id: result.scenario.id,
        unanswered: 0,
      });
    }
    expect(figures.answeredAutoReplies).toBe(0);
    // The sample exercises bookings with no person involved.
    expect(figures.bookedWithNoHuman).toBeGreaterThan(0);
  }, 120_000);
});
