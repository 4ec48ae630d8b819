/**
 * Only a module narrows the shared handle to its own tables (`scripts/check-modules.ts`,
 * `foreignNarrowings`): on a small project written to a temporary folder, and on Ally itself.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { foreignNarrowings } from "../../scripts/check-modules.js";

let folders: string[] = [];
afterEach(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders = [];
});

function project(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "ally-handles-"));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const narrowing = "export const hiringDb = (handle: unknown) => handle;";

describe("handle narrowing stays in its module", () => {
  it("reports another module importing a module's narrowing, naming the file and the module", () => {
    const root = project({
      "src/hiring/db.ts": narrowing,
      "src/hiring/pools.ts": 'import { hiringDb } from "./db.js"; export const p = hiringDb;',
      "src/booking/options.ts":
        'import { hiringDb } from "../hiring/db.js"; export const o = hiringDb;',
    });
    expect(foreignNarrowings(root)).toEqual([{ file: "src/booking/options.ts", module: "hiring" }]);
  });

  it("lets a module's own files, nested ones too, narrow to its tables", () => {
    const root = project({
      "src/calendar/db.ts": narrowing,
      "src/calendar/oauth/connect.ts": 'import { calendarDb } from "../db.js"; export const c = 1;',
      "src/calendar/connections/db.ts": "export const notTheModulesHandle = 1;",
      "src/booking/x.ts": 'import { notTheModulesHandle } from "../calendar/connections/db.js";',
    });
    expect(foreignNarrowings(root)).toEqual([]);
  });

  it("finds no module narrowing to another's tables in Ally", () => {
    expect(foreignNarrowings()).toEqual([]);
  });
});
