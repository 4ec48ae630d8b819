/**
 * `ally backup FILE`: a consistent copy of the SQLite database, taken with SQLite's online
 * backup API while Ally serves (readers and writers carry on; the copy is one snapshot).
 * `ally restore FILE`: puts a backup in place of the database, with Ally stopped. Erasures made
 * after the backup are applied again (privacy/reapply-erasures.ts): the tombstones and proofs
 * of the database being replaced are read first, and every person they name is erased from the
 * restored data, each with a new proof. PostgreSQL: pg_dump and pg_restore (README).
 *
 * The master key (DATA_DIR/master.key or ALLY_MASTER_KEY) is not in the backup: keep it apart.
 */

import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { resolve } from "node:path";
import SQLite from "better-sqlite3";
import type { Config } from "../config.js";
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally backup FILE | ally restore FILE";

function sqlitePath(config: Config, io: SlotsIo, command: string): string | undefined {
  const url = config.database.url;
  if (!url.startsWith("sqlite:") || url === "sqlite::memory:") {
    io.stderr(
      `ally ${command}: works on a SQLite file; for PostgreSQL use pg_dump and pg_restore (see README, "Backup and restore")`,
    );
    return undefined;
  }
  return resolve(url.slice("sqlite:".length));
}

/** Copies the live database to `file` with the online backup API; refuses to overwrite. */
export async function backupDatabase(databasePath: string, file: string): Promise<number> {
  if (existsSync(file)) throw new Error(`${file} exists; give a new file name`);
  const source = new SQLite(databasePath, { fileMustExist: true });
  source.pragma("busy_timeout = 5000");
  const partial = `${file}.partial`;
  try {
    rmSync(partial, { force: true });
    // All pages in one step after the first: one read snapshot (writers carry on under WAL),
    // and no restarts, which step-wise copying suffers each time another connection writes.
    await source.backup(partial, { progress: () => 0x7fffffff });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  return statSync(file).size;
}

/** Checks that `file` is a sound SQLite database holding Ally's tables. */
function checkBackup(file: string): void {
  const backup = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const check = backup.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`${file} is damaged: ${String(check)}`);
    const migrations = backup
      .prepare("select count(*) as n from sqlite_master where name = 'kysely_migration'")
      .get() as { n: number } | undefined;
    if (migrations?.n !== 1) throw new Error(`${file} is not a backup of Ally's database`);
  } finally {
    backup.close();
  }
}

/**
 * Replaces the database at `databasePath` with the backup `file`: written beside it, then
 * renamed over it once complete, so an interrupted restore leaves the old database whole.
 */
export async function replaceDatabase(databasePath: string, file: string): Promise<void> {
  checkBackup(file);
  if (existsSync(databasePath)) {
    // Everything in the write-ahead log goes into the file, so none of it outlives the swap.
    const live = new SQLite(databasePath);
    try {
      live.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      live.close();
    }
  }
  const incoming = `${databasePath}.restoring`;
  rmSync(incoming, { force: true });
  const backup = new SQLite(file, { readonly: true });
  try {
    await backup.backup(incoming);
  } finally {
    backup.close();
  }
  renameSync(incoming, databasePath);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${databasePath}${suffix}`, { force: true });
}

export async function backupCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const [file, extra] = args;
  if (file === undefined || extra !== undefined) {
    io.stderr(`ally backup: give one file to write (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const path = sqlitePath(config, io, "backup");
  if (path === undefined) return 2;
  try {
    const bytes = await backupDatabase(path, resolve(file));
    io.stdout(`backed up ${path} to ${resolve(file)} (${bytes} bytes)\n`);
    io.stdout(
      "the master key is not in the backup: keep DATA_DIR/master.key (or ALLY_MASTER_KEY) apart\n",
    );
    return 0;
  } catch (error) {
    io.stderr(`ally backup: ${(error as Error).message}`);
    return 1;
  }
}

export async function restoreCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const [file, extra] = args;
  if (file === undefined || extra !== undefined) {
    io.stderr(`ally restore: give the backup file to restore (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const path = sqlitePath(config, io, "restore");
  if (path === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { readErasureRecords, reapplyErasures } = await import("../privacy/reapply-erasures.js");
  try {
    if (!existsSync(resolve(file))) throw new Error(`${resolve(file)} does not exist`);
    // Erasures the database being replaced knows of, before it is replaced.
    let live = { tombstones: [], proofs: [] } as Awaited<ReturnType<typeof readErasureRecords>>;
    if (existsSync(path)) {
      const current = openStore(`sqlite:${path}`);
      try {
        await migrateToLatest(current.db, current.dialect);
        live = await readErasureRecords(current.db);
      } finally {
        await current.close();
      }
    }
    await replaceDatabase(path, resolve(file));
    const { loadKeyring } = await import("../secrets/load-keyring.js");
    const { buildDeps } = await import("../app/compose.js");
    const { systemClock } = await import("../clock.js");
    const keyring = loadKeyring(config, "sqlite");
    const store = openStore(`sqlite:${path}`);
    try {
      const { applied } = await migrateToLatest(store.db, store.dialect);
      io.stdout(`restored ${resolve(file)} to ${path}\n`);
      if (applied.length > 0) io.stdout(`applied migrations: ${applied.join(", ")}\n`);
      const deps = buildDeps(config, store, systemClock, keyring);
      const again = await reapplyErasures(deps.erasure, live);
      io.stdout(
        again.length === 0
          ? "no erasure made after the backup needed applying again\n"
          : `${again.length} erasure(s) made after the backup applied again:\n`,
      );
      for (const { organisationId, proof } of again) {
        const rows = Object.values(proof.tables).reduce(
          (sum, t) => sum + t.deleted + t.anonymised,
          0,
        );
        io.stdout(
          `  proof ${proof.id} (${organisationId === null ? "all of Ally" : `organisation ${organisationId}`}): ${rows} row(s) erased, ${proof.files} file(s)\n`,
        );
      }
      return 0;
    } finally {
      await store.close();
    }
  } catch (error) {
    io.stderr(`ally restore: ${(error as Error).message}`);
    return 1;
  }
}
