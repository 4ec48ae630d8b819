/**
 * Where a module keeps email addresses, and a read of them all: how the people a restored
 * backup still holds are found again (reapply-erasures.ts). Each module declares its own columns
 * (typed to its own tables) and reads them through its own handle; the composition root hands
 * the list to the erasure, and a test holds it to the data map: every column the data map marks
 * as contact data named `…email` is declared by its owner.
 *
 * @example
 *   export const accountsAddresses = heldAddresses(accountsDb, {
 *     users: ["email", "pending_email"],
 *     invitations: ["email"],
 *   });
 */
import { type Kysely, sql } from "kysely";
import type { AnyHandle } from "./db.js";

/** Table → its columns holding an email address. */
export type EmailColumns<Tables> = {
  [Table in keyof Tables & string]?: readonly (keyof Tables[Table] & string)[];
};

export interface HeldAddresses {
  /** The columns read, table by table (for the data-map test). */
  columns: Readonly<Record<string, readonly string[]>>;
  /** Every distinct value of those columns that looks like an address, as stored. */
  read(handle: AnyHandle): Promise<string[]>;
}

/** The addresses in `columns`, read through the owner's narrowing `narrow`. */
export function heldAddresses<Tables>(
  narrow: (handle: AnyHandle) => Kysely<Tables>,
  columns: EmailColumns<Tables>,
): HeldAddresses {
  const declared: Record<string, readonly string[]> = {};
  for (const [table, names] of Object.entries<readonly string[] | undefined>(columns)) {
    declared[table] = names ?? [];
  }
  const pairs = Object.entries(declared).flatMap(([table, names]) =>
    names.map((column) => ({ table, column })),
  );
  return {
    columns: declared,
    async read(handle) {
      const db = narrow(handle);
      const found: string[] = [];
      for (const { table, column } of pairs) {
        const rows = await sql<{
          address: string | null;
        }>`select distinct ${sql.ref(column)} as address from ${sql.table(table)}`.execute(db);
        for (const row of rows.rows) {
          if (typeof row.address === "string" && row.address.includes("@")) found.push(row.address);
        }
      }
      return found;
    },
  };
}
