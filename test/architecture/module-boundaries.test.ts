/**
 * The module-boundary check (`scripts/check-modules.ts`, run by `npm test`): on a small project
 * written to a temporary folder, and on Ally itself.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkModules } from "../../scripts/check-modules.js";

let folders: string[] = [];
afterEach(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders = [];
});

function project(files: Record<string, string>, allowed = { tableAccess: [], cycles: [] }) {
  const root = mkdtempSync(join(tmpdir(), "ally-modules-"));
  folders.push(root);
  const all = { ...files, "scripts/module-boundaries.json": JSON.stringify(allowed) };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const ownerTables = {
  "src/hiring/tables.ts": "export interface HiringTables { candidates: {}; jobs: {} }",
  "src/booking/tables.ts": "export interface BookingTables { bookings: {} }",
};

describe("module boundaries", () => {
  it("reports a query on another module's table, naming the file, the table and its owner", () => {
    const root = project({
      ...ownerTables,
      "src/booking/service.ts": `export const q = (db: any) => db.selectFrom("candidates as c").innerJoin("bookings", "a", "b");`,
    });
    expect(checkModules(root).newTableAccess).toEqual([
      { file: "src/booking/service.ts", table: "candidates", owner: "hiring" },
    ]);
  });

  it("reads table names in raw sql text too", () => {
    const root = project({
      ...ownerTables,
      "src/booking/report.ts": "export const q = sql`SELECT count(*) FROM jobs WHERE x = 1`;",
    });
    expect(checkModules(root).newTableAccess.map((c) => c.table)).toEqual(["jobs"]);
  });

  it("accepts a listed exception and reports one that no longer occurs", () => {
    const root = project({ ...ownerTables, "src/booking/service.ts": "export const x = 1;" }, {
      tableAccess: [{ file: "src/booking/service.ts", table: "jobs", reason: "r" }],
      cycles: [],
    } as never);
    const report = checkModules(root);
    expect(report.newTableAccess).toEqual([]);
    expect(report.staleTableAccess).toEqual([
      { file: "src/booking/service.ts", table: "jobs", reason: "r" },
    ]);
  });

  it("reports an import cycle between modules, through any number of modules", () => {
    const root = project({
      "src/a/one.ts": 'import { b } from "../b/two.js"; export const a = b;',
      "src/b/two.ts": 'import { c } from "../c/three.js"; export const b = c;',
      "src/c/three.ts": 'import type { a } from "../a/one.js"; export const c = 1;',
      "src/d/four.ts": 'import { a } from "../a/one.js"; export const d = a;',
    });
    expect(checkModules(root).newCycles).toEqual([["a", "b", "c"]]);
  });

  it("finds no new crossing or cycle in Ally and no stale exception", () => {
    const report = checkModules();
    expect(report).toEqual({
      newTableAccess: [],
      staleTableAccess: [],
      newCycles: [],
      staleCycles: [],
    });
  });
});
