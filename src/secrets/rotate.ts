/**
 * Key rotation, safe while `ally serve` runs. Readers accept every configured master key
 * version and every data key that still exists, so each step only ever adds a way to open a
 * secret before it removes the need for the old one:
 *
 * 1. check that every data key unwraps and, when old-format secrets exist, that master key v1
 *    is configured: otherwise stop before changing anything (fail closed);
 * 2. re-wrap every data key under the newest master key;
 * 3. with `dataKeys`, add a new data key generation for every owner;
 * 4. re-encrypt, in batches with a transaction each, every sealed value that is in the old
 *    format or (with `dataKeys`) not under its owner's newest data key. An update only lands
 *    when the row still holds what was read, so a concurrent change is never overwritten.
 *
 * Running it again after an interruption finishes the job.
 */
import type { Kysely } from "kysely";
import { addDataKey, SYSTEM_SCOPE, unwrapDataKey, wrapDataKey } from "./data-keys.js";
import { type AnyHandle, secretsDb } from "./db.js";
import { SecretsError } from "./errors.js";
import type { Keyring } from "./keyring.js";
import { ownerOf, SEALED_COLUMNS, type SealedColumn } from "./sealed-columns.js";
import { createSecretStore, parseSealed } from "./secret-store.js";

export interface RotateOptions {
  /** Also create new data keys and re-encrypt every sealed value under them. */
  dataKeys: boolean;
  batchSize?: number;
  now: number;
  onProgress?: (progress: RotateProgress) => void;
  /** The sealed columns to visit; SEALED_COLUMNS unless a test says otherwise. */
  columns?: readonly SealedColumn[];
}

export interface RotateProgress {
  phase: "rewrap" | "reencrypt";
  /** `data_keys`, or `table.column`. */
  target: string;
  done: number;
  changed: number;
}

export interface RotateReport {
  masterVersion: number;
  rewrapped: number;
  newDataKeys: number;
  reencrypted: number;
  /** Values that did not open: left untouched, each named by table, column and row. */
  failures: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: sealed columns are named at run time.
type AnyDb = Kysely<any>;

export async function rotateKeys(
  handle: AnyHandle,
  keyring: Keyring,
  options: RotateOptions,
): Promise<RotateReport> {
  const db = secretsDb(handle);
  const batchSize = options.batchSize ?? 200;
  const columns = options.columns ?? SEALED_COLUMNS;
  const progress = options.onProgress ?? (() => {});
  const report: RotateReport = {
    masterVersion: keyring.newest.version,
    rewrapped: 0,
    newDataKeys: 0,
    reencrypted: 0,
    failures: [],
  };

  // 1. Fail closed before any change.
  const keys = await db.selectFrom("data_keys").selectAll().orderBy("id").execute();
  for (const row of keys) unwrapDataKey(keyring, row);
  if (keyring.get(1) === undefined) {
    for (const column of columns) {
      const legacy = await (db as unknown as AnyDb)
        .selectFrom(column.table)
        .select(column.idColumn)
        .where(column.column, "like", "v1.%")
        .limit(1)
        .executeTakeFirst();
      if (legacy !== undefined) {
        throw new SecretsError(
          "MASTER_KEY_MISSING",
          `${column.table}.${column.column} holds secrets sealed directly under master key v1, which is not configured; nothing was changed`,
        );
      }
    }
  }

  // 2. Re-wrap.
  const stale = keys.filter((k) => k.master_version !== keyring.newest.version);
  for (let start = 0; start < stale.length; start += batchSize) {
    const batch = stale.slice(start, start + batchSize);
    await db.transaction().execute(async (trx) => {
      for (const row of batch) {
        const result = await trx
          .updateTable("data_keys")
          .set(wrapDataKey(keyring, row.id, row.scope, unwrapDataKey(keyring, row)))
          .where("id", "=", row.id)
          .where("wrapped_key", "=", row.wrapped_key)
          .executeTakeFirst();
        report.rewrapped += Number(result.numUpdatedRows);
      }
    });
    progress({
      phase: "rewrap",
      target: "data_keys",
      done: start + batch.length,
      changed: report.rewrapped,
    });
  }

  // 3. New data keys: one generation more per owner than when this run began.
  const newest = new Map<string, string>();
  const scopes = new Set(keys.map((k) => k.scope));
  if (options.dataKeys) {
    scopes.add(SYSTEM_SCOPE);
    for (const scope of scopes) {
      const before = keys
        .filter((k) => k.scope === scope)
        .reduce((max, k) => Math.max(max, k.generation), 0);
      const added = await addDataKey(db, keyring, scope, options.now, before);
      if (added.generation > before) report.newDataKeys += 1;
      newest.set(scope, added.id);
    }
  }

  // 4. Re-encrypt.
  const store = createSecretStore({ db, keyring, clock: { now: () => options.now } });
  const currentKeyOf = async (scope: string): Promise<string | undefined> => {
    if (!options.dataKeys) return undefined;
    let id = newest.get(scope);
    if (id === undefined) {
      id = (await addDataKey(db, keyring, scope, options.now, 0)).id;
      newest.set(scope, id);
    }
    return id;
  };
  for (const column of columns) {
    const target = `${column.table}.${column.column}`;
    const selected = [
      column.idColumn,
      column.column,
      ...("organisationColumn" in column.owner ? [column.owner.organisationColumn] : []),
    ];
    let after: string | undefined;
    let done = 0;
    for (;;) {
      let query = (db as unknown as AnyDb)
        .selectFrom(column.table)
        .select(selected)
        .where(column.column, "is not", null)
        .orderBy(column.idColumn)
        .limit(batchSize);
      if (after !== undefined) query = query.where(column.idColumn, ">", after);
      const rows = (await query.execute()) as Record<string, unknown>[];
      if (rows.length === 0) break;
      after = String(rows[rows.length - 1]?.[column.idColumn]);
      const updates: { id: string; from: string; to: string }[] = [];
      for (const row of rows) {
        const id = String(row[column.idColumn]);
        const sealed = String(row[column.column]);
        const owner = ownerOf(column, row);
        const header = parseSealed(sealed);
        const wanted = await currentKeyOf(owner);
        const due =
          header === undefined ||
          header.format === "v1" ||
          (wanted !== undefined && header.dataKeyId !== wanted);
        if (!due) continue;
        const binding = { table: column.table, column: column.column, rowId: id, owner };
        try {
          const plain = await store.open(sealed, binding);
          updates.push({ id, from: sealed, to: await store.seal(plain, binding) });
        } catch (error) {
          const code = error instanceof SecretsError ? error.code : "ERROR";
          report.failures.push(`${target} of row ${id}: ${code}`);
        }
      }
      if (updates.length > 0) {
        await (db as unknown as AnyDb).transaction().execute(async (trx) => {
          for (const update of updates) {
            const result = await trx
              .updateTable(column.table)
              .set({ [column.column]: update.to })
              .where(column.idColumn, "=", update.id)
              .where(column.column, "=", update.from)
              .executeTakeFirst();
            report.reencrypted += Number(result.numUpdatedRows);
          }
        });
      }
      done += rows.length;
      progress({ phase: "reencrypt", target, done, changed: report.reencrypted });
    }
  }
  return report;
}

/** Every data key that the keyring cannot unwrap, and why: for a warning at start-up. */
export async function checkDataKeys(handle: AnyHandle, keyring: Keyring): Promise<string[]> {
  const db = secretsDb(handle);
  const problems: string[] = [];
  const keys = await db.selectFrom("data_keys").selectAll().orderBy("id").execute();
  for (const row of keys) {
    try {
      unwrapDataKey(keyring, row);
    } catch (error) {
      if (!(error instanceof SecretsError)) throw error;
      const owner =
        row.scope === SYSTEM_SCOPE ? "users' second-factor keys" : `organisation ${row.scope}`;
      problems.push(`secrets of ${owner} are unavailable: ${error.message}`);
    }
  }
  return problems;
}
