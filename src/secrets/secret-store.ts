/**
 * Secrets at rest (second-factor keys now, calendar credentials next): envelope encryption.
 * Each owner (an organisation, or `system`) has a data key; the data key is stored wrapped
 * under a versioned master key (data-keys.ts); a secret is sealed with AES-256-GCM under its
 * owner's newest data key, with the row it belongs to bound as associated data.
 *
 * Format: `v2.<dataKeyId>.<iv>.<ciphertext>.<tag>` (base64url parts). The associated data is
 * the JSON array `["v2.<dataKeyId>", table, column, rowId]`, so a ciphertext copied to another
 * row or column, or relabelled with another data key, does not open; the data key must also
 * belong to the binding's owner.
 *
 * Older format still read: `v1.<iv>.<ciphertext>.<tag>`, sealed directly under master key v1
 * with `<table>.<column>:<rowId>` as associated data. `ally keys rotate` re-encrypts it.
 */
import type { Clock } from "../clock.js";
import { decrypt, encrypt } from "./aead.js";
import {
  addDataKey,
  findDataKey,
  newestDataKey,
  SYSTEM_SCOPE,
  unwrapDataKey,
} from "./data-keys.js";
import { type AnyHandle, secretsDb } from "./db.js";
import { SecretsError } from "./errors.js";
import type { Keyring } from "./keyring.js";

/** Where a secret lives: its table, column and row, and whose data key seals it. */
export interface SecretBinding {
  table: string;
  column: string;
  rowId: string;
  /** An organisation id, or `system` (see SYSTEM_SCOPE). */
  owner: string;
}

/** The binding of a user's second-factor key. */
export function totpSecretBinding(userId: string): SecretBinding {
  return { table: "users", column: "totp_secret", rowId: userId, owner: SYSTEM_SCOPE };
}

export interface SecretStore {
  /** Seals under the owner's newest data key, creating the owner's first one if needed. */
  seal(plaintext: string, binding: SecretBinding): Promise<string>;
  /** Throws `SecretsError` when a key is missing or wrong, or the text was altered or moved. */
  open(sealed: string, binding: SecretBinding): Promise<string>;
}

export interface SecretStoreDeps {
  db: AnyHandle;
  keyring: Keyring;
  clock?: Clock;
}

/** What a ciphertext says about itself, before any key is touched. */
export type SealedHeader =
  | { format: "v1"; iv: string; body: string; tag: string }
  | { format: "v2"; dataKeyId: string; iv: string; body: string; tag: string };

export function parseSealed(sealed: string): SealedHeader | undefined {
  const parts = sealed.split(".");
  if (parts[0] === "v1" && parts.length === 4) {
    const [, iv, body, tag] = parts as [string, string, string, string];
    return { format: "v1", iv, body, tag };
  }
  if (parts[0] === "v2" && parts.length === 5 && /^dk_[A-Za-z0-9_-]+$/.test(parts[1] as string)) {
    const [, dataKeyId, iv, body, tag] = parts as [string, string, string, string, string];
    return { format: "v2", dataKeyId, iv, body, tag };
  }
  return undefined;
}

const where = (b: SecretBinding) => `${b.table}.${b.column} of row ${b.rowId}`;

export function createSecretStore(deps: SecretStoreDeps): SecretStore {
  const { keyring } = deps;
  const db = secretsDb(deps.db);
  const now = () => deps.clock?.now() ?? Date.now();
  // Unwrapped data keys by id. Re-wrapping under a new master key changes the stored row,
  // not the key, so an entry never goes stale; a deleted data key just stops being asked for.
  const unwrapped = new Map<string, { scope: string; key: Buffer }>();

  async function dataKey(id: string, binding: SecretBinding): Promise<Buffer> {
    let entry = unwrapped.get(id);
    if (entry === undefined) {
      const row = await findDataKey(db, id);
      if (row === undefined) {
        throw new SecretsError(
          "DATA_KEY_MISSING",
          `${where(binding)} is sealed with data key ${id}, which does not exist`,
        );
      }
      entry = { scope: row.scope, key: unwrapDataKey(keyring, row) };
      unwrapped.set(id, entry);
    }
    if (entry.scope !== binding.owner) {
      throw new SecretsError(
        "SECRET_UNREADABLE",
        `${where(binding)} is sealed with another owner's data key ${id}`,
      );
    }
    return entry.key;
  }

  return {
    async seal(plaintext, binding) {
      // Read the newest generation each time: a rotation in another process adds one.
      const row =
        (await newestDataKey(db, binding.owner)) ??
        (await addDataKey(db, keyring, binding.owner, now(), 0));
      const key = unwrapped.get(row.id)?.key ?? unwrapDataKey(keyring, row);
      unwrapped.set(row.id, { scope: row.scope, key });
      const header = `v2.${row.id}`;
      const { iv, body, tag } = encrypt(
        key,
        Buffer.from(plaintext, "utf8"),
        aadV2(header, binding),
      );
      return `${header}.${iv}.${body}.${tag}`;
    },

    async open(sealed, binding) {
      const parsed = parseSealed(sealed);
      if (parsed === undefined) {
        throw new SecretsError("SECRET_MALFORMED", `${where(binding)} is not a sealed secret`);
      }
      if (parsed.format === "v1") {
        const master = keyring.get(1);
        if (master === undefined) {
          throw new SecretsError(
            "MASTER_KEY_MISSING",
            `${where(binding)} is sealed directly under master key v1, which is not configured`,
          );
        }
        const plain = decrypt(
          master,
          parsed,
          `${binding.table}.${binding.column}:${binding.rowId}`,
        );
        if (plain === undefined) {
          throw new SecretsError(
            "SECRET_UNREADABLE",
            `${where(binding)} does not open with master key v1: the key is wrong, or the secret was altered or copied from another row`,
          );
        }
        return plain.toString("utf8");
      }
      const key = await dataKey(parsed.dataKeyId, binding);
      const plain = decrypt(key, parsed, aadV2(`v2.${parsed.dataKeyId}`, binding));
      if (plain === undefined) {
        throw new SecretsError(
          "SECRET_UNREADABLE",
          `${where(binding)} does not open with data key ${parsed.dataKeyId}: it was altered or copied from another row or column`,
        );
      }
      return plain.toString("utf8");
    },
  };
}

function aadV2(header: string, binding: SecretBinding): string {
  return JSON.stringify([header, binding.table, binding.column, binding.rowId]);
}
