/**
 * The operator's view of retention, from the command line where the database already is:
 * every category's rule and limit, when the daily purge last ran, what it removed across every
 * organisation per table, and any part of it that failed.
 *
 * `ally retention`: one block per category, e.g.
 *   Sessions: removed when expired (at expiry)
 *     last run 2026-12-01 03:00 UTC: 3 removed (sessions 3)
 */
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally retention";

const when = (epochMs: number) =>
  `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export async function retentionCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  if (args.length > 0) {
    io.stderr(`ally retention: unexpected "${args[0]}" (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { retentionOverview } = await import("../retention/overview.js");
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const overview = await retentionOverview(store.db, { operator: true });
    io.stdout(
      overview.lastRunAt === null
        ? "the daily purge has not run yet\n"
        : `the daily purge last ran ${when(overview.lastRunAt)}\n`,
    );
    for (const s of overview.categories) {
      io.stdout(`${s.rule.name}: ${s.rule.rule} (${s.limit})\n`);
      if (s.rule.enforcedBy === "event") {
        io.stdout("  enforced when it happens, not by the daily purge\n");
        continue;
      }
      if (s.lastRanAt === null) continue;
      const tables = Object.entries(s.tables)
        .map(([table, n]) => `${table} ${n}`)
        .join(", ");
      io.stdout(
        `  last run ${when(s.lastRanAt)}: ${s.removed ?? 0} removed${tables === "" ? "" : ` (${tables})`}` +
          `${s.error === null ? "" : `; failed: ${s.error}`}\n`,
      );
    }
    for (const failure of overview.failures) {
      io.stdout(`failed: the ${failure.module} purge: ${failure.error}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr(`ally retention: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
