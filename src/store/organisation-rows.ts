/**
 * Deleting an organisation's rows from a module's tables, for the modules' parts of erasing a
 * closed organisation (src/<module>/organisation-erasure.ts). Each module passes its own
 * narrowed handle and its own tables, children first; the counts go into the proof.
 *
 * @example await deleteOrganisationRows(hiringDb(trx), ["pools", "jobs"], orgId) // { pools: 2, jobs: 1 }
 */
import type { Kysely } from "kysely";

export async function deleteOrganisationRows(
  // biome-ignore lint/suspicious/noExplicitAny: any module's handle; its tables are named by that module.
  db: Kysely<any>,
  tables: readonly string[],
  organisationId: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await db
      .deleteFrom(table)
      .where("organisation_id", "=", organisationId)
      .executeTakeFirst();
    counts[table] = Number(result.numDeletedRows);
  }
  return counts;
}
