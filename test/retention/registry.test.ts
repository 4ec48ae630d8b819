/**
 * The retention registry covers the data map: every retention a column can name (the run-time
 * list `RETENTIONS`, which the type checker holds to the `Retention` union) and every one the
 * live data map uses has a rule, and every rule enforced by the daily purge is reported by a
 * module's purge. A new retention value without a purge rule fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ColumnNote, RETENTIONS } from "../../src/privacy/data-map.js";
import { type PurgeRun, runRetentionPurge } from "../../src/retention/purge-job.js";
import { RETENTION_CATEGORIES, RETENTION_RULES } from "../../src/retention/rules.js";
import { dataMap } from "../../src/store/schema.js";
import { testDatabases } from "../support/databases.js";
import { createWorld, type World } from "../support/web-world.js";

const mapped = dataMap as unknown as Record<string, Record<string, ColumnNote>>;
const usedByDataMap = [
  ...new Set(
    Object.values(mapped)
      .flatMap((columns) => Object.values(columns))
      .flatMap((note) => (note.personal ? [note.retention] : [])),
  ),
].sort();

describe("the retention registry", () => {
  it("has a rule for every retention a column may name", () => {
    const missing = RETENTIONS.filter((retention) => RETENTION_RULES[retention] === undefined);
    expect(missing).toEqual([]);
  });

  it("has a rule for every retention the data map uses", () => {
    const rules = new Set<string>(RETENTION_CATEGORIES);
    expect(usedByDataMap.filter((retention) => !rules.has(retention))).toEqual([]);
    expect(
      usedByDataMap.filter((retention) => !(RETENTIONS as readonly string[]).includes(retention)),
    ).toEqual([]);
  });

  it("says each rule in words, with its limit", () => {
    for (const category of RETENTION_CATEGORIES) {
      const rule = RETENTION_RULES[category];
      expect(rule.name.length, category).toBeGreaterThan(0);
      expect(rule.rule.length, category).toBeGreaterThan(0);
      expect(rule.limit.length, category).toBeGreaterThan(0);
    }
    expect(`${RETENTION_RULES.session.name}: ${RETENTION_RULES.session.rule}`).toBe(
      "Sessions: removed when expired",
    );
  });
});

for (const database of await testDatabases()) {
  describe(`the daily purge's coverage on ${database.dialect}`, () => {
    let world: World;
    let run: PurgeRun;

    beforeAll(async () => {
      world = await createWorld(database);
      run = await runRetentionPurge({
        db: world.store.db,
        clock: world.clock,
        erasure: world.deps.erasure,
      });
    });
    afterAll(async () => {
      await world?.drop();
    });

    it("reports every category the purge enforces, even with nothing to remove", () => {
      const reported = new Set(run.categories.map((c) => c.category));
      const purged = RETENTION_CATEGORIES.filter((c) => RETENTION_RULES[c].enforcedBy === "purge");
      expect(purged.filter((category) => !reported.has(category))).toEqual([]);
    });

    it("reports no category without a rule, and no failure", () => {
      const rules = new Set<string>(RETENTION_CATEGORIES);
      expect(run.categories.filter((c) => !rules.has(c.category))).toEqual([]);
      expect(run.categories.filter((c) => c.error !== null)).toEqual([]);
    });
  });
}
