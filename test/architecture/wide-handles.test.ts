/**
 * No module holds a handle typed to the whole schema (`scripts/check-modules.ts`,
 * `wideHandles`): each takes the shared `AnyHandle` and narrows it to its own tables; only
 * `src/store/` (which builds every table) names `Kysely<Database>`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { wideHandles } from "../../scripts/check-modules.js";

let folders: string[] = [];
afterEach(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders = [];
});

function project(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "ally-wide-handles-"));
  folders.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("handles typed to the whole schema", () => {
  it("are reported in a module, as a connection or a transaction, with file and line", () => {
    const root = project({
      "src/hiring/pools.ts": [
        'import type { Kysely, Transaction } from "kysely";',
        'import type { Database } from "../store/schema.js";',
        "export async function a(db: Kysely<Database>) {}",
        "export type Trx = Transaction<Database>;",
      ].join("\n"),
    });
    expect(wideHandles(root)).toEqual([
      { file: "src/hiring/pools.ts", line: 3, text: "Kysely<Database>" },
      { file: "src/hiring/pools.ts", line: 4, text: "Transaction<Database>" },
    ]);
  });

  it("are allowed in the store, and a module's own narrowed handle is not one", () => {
    const root = project({
      "src/store/database.ts":
        'import type { Kysely } from "kysely"; export type Db = Kysely<Database>;',
      "src/hiring/db.ts":
        'import type { Kysely } from "kysely"; export type HiringDb = Kysely<HiringTables>;',
    });
    expect(wideHandles(root)).toEqual([]);
  });

  it("are found nowhere in Ally outside the store", () => {
    expect(wideHandles()).toEqual([]);
  });
});
