/**
 * The operator's view of retention from the command line: `ally retention` says each category's
 * rule and limit, when the daily purge last ran and what it removed across every organisation,
 * per table; before any run it says so; extra words are refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retentionCommand } from "../../src/cli/retention-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

// Tue 1 Dec 2026, 03:00 UTC
const RAN_AT = Date.UTC(2026, 11, 1, 3, 0);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: SlotsIo = {
    readText: async () => "",
    stdout: (text) => out.push(text),
    stderr: (line) => err.push(line),
    nowEpochMs: () => RAN_AT,
  };
  return { io, out, err };
}

describe("ally retention (the operator's view)", () => {
  let dir: string;
  let env: Record<string, string>;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-retention-cli-"));
    env = {
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      PUBLIC_URL: "http://ally.test",
      MAIL_FROM: "Ally <ally@ally.test>",
      LOG_LEVEL: "warn",
    };
    store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says the purge has not run yet, with every rule", async () => {
    const { io, out } = capture();
    expect(await retentionCommand([], io, env)).toBe(0);
    const text = out.join("");
    expect(text).toContain("the daily purge has not run yet\n");
    expect(text).toContain("Sessions: removed when expired (at expiry)\n");
    expect(text).toContain("Audit log and answered privacy messages:");
    expect(text).toContain("(two years)");
  });

  it("says when the last run was and what it removed, per table", async () => {
    await store.db
      .insertInto("retention_runs")
      .values([
        {
          run_id: "rtr_1",
          category: "session",
          organisation_id: null,
          ran_at: RAN_AT,
          removed: 3,
          detail: JSON.stringify({ sessions: 3 }),
          error: null,
        },
        {
          run_id: "rtr_1",
          category: "module:calendar",
          organisation_id: null,
          ran_at: RAN_AT,
          removed: 0,
          detail: "{}",
          error: "connection refused",
        },
      ])
      .execute();
    const { io, out } = capture();
    expect(await retentionCommand([], io, env)).toBe(0);
    const text = out.join("");
    expect(text).toContain("the daily purge last ran 2026-12-01 03:00 UTC\n");
    expect(text).toContain(
      "Sessions: removed when expired (at expiry)\n  last run 2026-12-01 03:00 UTC: 3 removed (sessions 3)\n",
    );
    expect(text).toContain("failed: the calendar purge: connection refused\n");
  });

  it("refuses extra words", async () => {
    const { io, err } = capture();
    expect(await retentionCommand(["now"], io, env)).toBe(2);
    expect(err.join("")).toContain('unexpected "now"');
  });
});
