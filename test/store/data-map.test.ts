/**
 * The data map against the live schema, on every database: every column of every Ally table
 * says whether it is personal data, and a personal column says its category, purpose and
 * retention. A migration that adds a column without an answer fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ColumnNote } from "../../src/privacy/data-map.js";
import type { Store } from "../../src/store/database.js";
import { dataMap } from "../../src/store/schema.js";
import { testDatabases } from "../support/databases.js";

const databases = await testDatabases();

const CATEGORIES = [
  "identity",
  "contact",
  "address",
  "credential",
  "usage",
  "recruiting",
  "employment",
];
const RETENTIONS = [
  "account",
  "membership",
  "session",
  "token",
  "customer",
  "audit-2y",
  "rate-limit-1d",
  "mail-90d",
  "survey-2y",
];

const mapped = dataMap as unknown as Record<string, Record<string, ColumnNote>>;

describe.each(databases)("the data map on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  let live: Map<string, string[]>;

  beforeAll(async () => {
    ({ store, drop } = await database.create());
    // Kysely's own migration tables are left out by default.
    const tables = await store.db.introspection.getTables();
    live = new Map(
      tables
        .filter((t) => t.schema === undefined || t.schema === "public")
        .map((t) => [t.name, t.columns.map((c) => c.name)]),
    );
  });
  afterAll(async () => {
    await drop?.();
  });

  it("finds Ally's tables and not Kysely's migration tables", () => {
    expect(live.size).toBeGreaterThan(5);
    expect([...live.keys()].filter((name) => name.startsWith("kysely_"))).toEqual([]);
  });

  it("has an entry for every column of every table", () => {
    const missing: string[] = [];
    for (const [table, columns] of live) {
      for (const column of columns) {
        if (mapped[table]?.[column] === undefined) missing.push(`${table}.${column}`);
      }
    }
    expect(missing, "add these columns to the module's *DataMap").toEqual([]);
  });

  it("has no entry for a table or column that does not exist", () => {
    const stale: string[] = [];
    for (const [table, columns] of Object.entries(mapped)) {
      const present = live.get(table);
      if (present === undefined) {
        stale.push(table);
        continue;
      }
      for (const column of Object.keys(columns)) {
        if (!present.includes(column)) stale.push(`${table}.${column}`);
      }
    }
    expect(stale, "remove these from the *DataMap, or add the migration").toEqual([]);
  });

  it("gives every personal column a category, a purpose and a retention", () => {
    const incomplete: string[] = [];
    for (const [table, columns] of Object.entries(mapped)) {
      for (const [column, note] of Object.entries(columns)) {
        if (!note.personal) continue;
        const ok =
          CATEGORIES.includes(note.category) &&
          RETENTIONS.includes(note.retention) &&
          typeof note.purpose === "string" &&
          note.purpose.trim().length > 0;
        if (!ok) incomplete.push(`${table}.${column}`);
      }
    }
    expect(incomplete).toEqual([]);
  });

  it("marks the columns that obviously hold personal data as personal", () => {
    const mustBePersonal = [
      "users.email",
      "users.name",
      "users.phone",
      "users.postal_address",
      "users.password_hash",
      "users.totp_secret",
      "sessions.ip",
      "sessions.user_agent",
      "audit_log.ip",
      "invitations.email",
      "outbox.to_address",
      "candidates.name",
      "candidates.email",
    ];
    const wrong = mustBePersonal.filter((path) => {
      const [table, column] = path.split(".") as [string, string];
      return mapped[table]?.[column]?.personal !== true;
    });
    expect(wrong).toEqual([]);
  });
});
