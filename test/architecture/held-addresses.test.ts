/**
 * After a restore, erased people are found again by the addresses the restored database holds
 * (privacy/reapply-erasures.ts). Each module reads its own columns; this holds those columns,
 * as the app wires them, to the data map: a new column of contact data named `…email` must be
 * read by its owner too, or an erased person held there would come back with a restore.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColumnNote } from "../../src/privacy/data-map.js";
import type { HeldAddresses } from "../../src/privacy/held-addresses.js";
import { privacyAddresses } from "../../src/privacy/reapply-erasures.js";
import { dataMap } from "../../src/store/schema.js";
import { testDatabases } from "../support/databases.js";
import { createWorld, type World } from "../support/web-world.js";

const [sqlite] = await testDatabases();

function emailColumnsOfTheDataMap(): string[] {
  const found: string[] = [];
  for (const [table, columns] of Object.entries(dataMap)) {
    for (const [column, note] of Object.entries(columns)) {
      const described: ColumnNote = note;
      if (described.personal && described.category === "contact" && /email$/.test(column)) {
        found.push(`${table}.${column}`);
      }
    }
  }
  return found.sort();
}

const columnsRead = (sources: readonly HeldAddresses[]) =>
  sources
    .flatMap((source) =>
      Object.entries(source.columns).flatMap(([table, columns]) =>
        columns.map((column) => `${table}.${column}`),
      ),
    )
    .sort();

describe("the addresses erasures are reapplied to after a restore", () => {
  let world: World;
  beforeAll(async () => {
    if (sqlite === undefined) throw new Error("no SQLite test database");
    world = await createWorld(sqlite);
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("are read from every column the data map marks as an email address, each once", () => {
    const read = columnsRead([...world.deps.erasure.heldAddresses, privacyAddresses]);
    expect(read).toEqual(emailColumnsOfTheDataMap());
    expect(new Set(read).size).toBe(read.length);
  });
});
