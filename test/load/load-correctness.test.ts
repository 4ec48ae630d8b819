/**
 * The correctness half of `npm run load --quick`, on a SQLite file with the server in this
 * process: distinct bookings at rising concurrency and groups of clients racing for one hot
 * slot each, through the HTTP API. Afterwards SQL finds no two active slots of one interviewer
 * overlapping and exactly one booking per hot slot; every loser got 409. No timing is asserted
 * (the figures are the load run's, in BENCHMARKS.md).
 */
import { describe, expect, it } from "vitest";
import { QUICK, runTarget } from "../../bench/load/plan.js";
import { startInProcess } from "../../bench/load/targets.js";

describe("bookings under load on SQLite", () => {
  it("leave no overlapping slots and exactly one winner per hot slot, the others refused with 409", async () => {
    const plan = { ...QUICK, correctnessOnly: true };
    const results = await runTarget("sqlite", "sqlite", plan, startInProcess, () => {});

    expect(results.checks.overlaps).toBe(0);
    const { hotGroups, hotGroupSize } = plan.size;
    expect(results.checks.winnersPerHotSlot).toEqual(Array.from({ length: hotGroups }, () => 1));

    const distinct = results.scenarios.filter((s) => s.name === "book, distinct slots");
    expect(distinct.map((s) => s.connections)).toEqual(plan.levels);
    for (const scenario of distinct) {
      expect(scenario.errors).toBe(0);
      expect(scenario.statuses).toEqual({ 200: plan.bookingsPerLevel });
    }
    const hot = results.scenarios.find((s) => s.name === "book, hot slots");
    expect(hot?.errors).toBe(0);
    expect(hot?.statuses).toEqual({ 200: hotGroups, 409: hotGroups * (hotGroupSize - 1) });
    expect(results.checks.bookings).toBe(plan.levels.length * plan.bookingsPerLevel + hotGroups);
  }, 120_000);
});
