/**
 * The data key repository: creates, finds, wraps and unwraps data keys. A data key is 32
 * random bytes, stored only wrapped under a master key version (AES-256-GCM), with its id and
 * owner bound as associated data so a wrapped key copied to another row does not unwrap.
 */
import { randomBytes } from "node:crypto";
import { decrypt, encrypt } from "./aead.js";
import { type AnyHandle, secretsDb } from "./db.js";
import { SecretsError } from "./errors.js";
import type { Keyring } from "./keyring.js";
import type { DataKeysTable } from "./tables.js";

/** The owner of secrets that belong to no organisation (users' second-factor keys). */
export const SYSTEM_SCOPE = "system";

export type Db = AnyHandle;

const wrapAad = (id: string, scope: string) => `ally.data-key|${id}|${scope}`;

export function wrapDataKey(
  keyring: Keyring,
  id: string,
  scope: string,
  key: Buffer,
): { wrapped_key: string; master_version: number } {
  const { iv, body, tag } = encrypt(keyring.newest.key, key, wrapAad(id, scope));
  return { wrapped_key: `${iv}.${body}.${tag}`, master_version: keyring.newest.version };
}

/** Unwraps a data key row; fails closed naming the master key version, never a key. */
export function unwrapDataKey(
  keyring: Keyring,
  row: Pick<DataKeysTable, "id" | "scope" | "wrapped_key" | "master_version">,
): Buffer {
  const master = keyring.get(row.master_version);
  if (master === undefined) {
    throw new SecretsError(
      "MASTER_KEY_MISSING",
      `data key ${row.id} is wrapped under master key v${row.master_version}, which is not configured (configured: ${keyring.versions.map((v) => `v${v}`).join(", ")})`,
    );
  }
  const [iv, body, tag, extra] = row.wrapped_key.split(".");
  const key =
    iv === undefined || body === undefined || tag === undefined || extra !== undefined
      ? undefined
      : decrypt(master, { iv, body, tag }, wrapAad(row.id, row.scope));
  if (key === undefined || key.length !== 32) {
    throw new SecretsError(
      "MASTER_KEY_WRONG",
      `data key ${row.id} does not unwrap with the configured master key v${row.master_version}: the key is wrong or the stored data key was altered`,
    );
  }
  return key;
}

export async function findDataKey(
  handle: AnyHandle,
  id: string,
): Promise<DataKeysTable | undefined> {
  const db = secretsDb(handle);
  return db.selectFrom("data_keys").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function newestDataKey(
  handle: AnyHandle,
  scope: string,
): Promise<DataKeysTable | undefined> {
  const db = secretsDb(handle);
  return db
    .selectFrom("data_keys")
    .selectAll()
    .where("scope", "=", scope)
    .orderBy("generation", "desc")
    .limit(1)
    .executeTakeFirst();
}

/**
 * Adds a generation to a scope's data keys (the first when it has none) and returns the
 * newest. Two processes racing insert the same generation; one wins and both use it.
 */
export async function addDataKey(
  handle: AnyHandle,
  keyring: Keyring,
  scope: string,
  now: number,
  after?: number,
): Promise<DataKeysTable> {
  const db = secretsDb(handle);
  const current = await newestDataKey(db, scope);
  if (current !== undefined && after !== undefined && current.generation > after) return current;
  const generation = (current?.generation ?? 0) + 1;
  const id = `dk_${randomBytes(9).toString("base64url")}`;
  await db
    .insertInto("data_keys")
    .values({
      id,
      scope,
      organisation_id: scope === SYSTEM_SCOPE ? null : scope,
      generation,
      ...wrapDataKey(keyring, id, scope, randomBytes(32)),
      created_at: now,
      retired_at: null,
    })
    .onConflict((oc) => oc.columns(["scope", "generation"]).doNothing())
    .execute();
  await db
    .updateTable("data_keys")
    .set({ retired_at: now })
    .where("scope", "=", scope)
    .where("generation", "<", generation)
    .where("retired_at", "is", null)
    .execute();
  const newest = await newestDataKey(db, scope);
  if (newest === undefined) throw new Error(`no data key for ${scope} after creating one`);
  return newest;
}
