/**
 * Master keys: the keys that wrap data keys. Configured as one key or a list of versioned keys;
 * the newest version wraps, and any listed version unwraps, so an operator can roll a new
 * master key out to every process before `ally keys rotate` retires the old one.
 *
 * Format (ALLY_MASTER_KEY, ALLY_MASTER_KEY_PREVIOUS, or DATA_DIR/master.key on SQLite):
 * - `BASE64` — one key of 32 bytes, version 1;
 * - `v2:BASE64,v1:BASE64` — versioned keys, in any order, separated by commas.
 * Versions are positive integers and appear at most once across both settings.
 */

export interface MasterKey {
  version: number;
  key: Buffer;
}

export interface Keyring {
  /** The version that wraps new data keys: the highest configured. */
  readonly newest: MasterKey;
  /** Every configured version, newest first. */
  readonly versions: readonly number[];
  get(version: number): Buffer | undefined;
}

export type KeyringResult = { ok: true; keyring: Keyring } | { ok: false; error: string };

/** Parses one setting into versioned keys; errors never echo the key text. */
export function parseMasterKeys(
  text: string,
): { ok: true; keys: MasterKey[] } | { ok: false; error: string } {
  const keys: MasterKey[] = [];
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return { ok: false, error: "no key given" };
  for (const [index, entry] of entries.entries()) {
    const match = /^v([1-9][0-9]{0,8}):(.*)$/.exec(entry);
    if (match === null && entries.length > 1) {
      return { ok: false, error: `entry ${index + 1} must be written vN:BASE64 in a list` };
    }
    const version = match === null ? 1 : Number(match[1]);
    const encoded = match === null ? entry : (match[2] as string);
    const key = Buffer.from(encoded, "base64");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
      return { ok: false, error: `key v${version} must be 32 bytes, base64-encoded` };
    }
    keys.push({ version, key });
  }
  return { ok: true, keys };
}

/**
 * A keyring from the current setting and, optionally, the previous one.
 * @example keyringFrom("v2:…", "v1:…") // newest v2; v1 still unwraps
 */
export function keyringFrom(current: string, previous?: string): KeyringResult {
  const parsed = parseMasterKeys(current);
  if (!parsed.ok) return parsed;
  const keys = [...parsed.keys];
  const newestCurrent = Math.max(...keys.map((k) => k.version));
  if (previous !== undefined && previous.trim() !== "") {
    const older = parseMasterKeys(previous);
    if (!older.ok) return { ok: false, error: `previous keys: ${older.error}` };
    if (older.keys.some((k) => k.version >= newestCurrent)) {
      return {
        ok: false,
        error: `previous keys must be older than the newest current key (v${newestCurrent})`,
      };
    }
    keys.push(...older.keys);
  }
  const seen = new Set<number>();
  for (const { version } of keys) {
    if (seen.has(version)) return { ok: false, error: `master key v${version} is given twice` };
    seen.add(version);
  }
  return { ok: true, keyring: keyringOf(keys) };
}

/** A keyring of the given keys (at least one). */
export function keyringOf(keys: readonly MasterKey[]): Keyring {
  const sorted = [...keys].sort((a, b) => b.version - a.version);
  const newest = sorted[0];
  if (newest === undefined) throw new RangeError("a keyring needs at least one master key");
  for (const { key } of sorted) {
    if (key.length !== 32) throw new RangeError("master keys must be 32 bytes");
  }
  const byVersion = new Map(sorted.map((k) => [k.version, k.key]));
  return {
    newest,
    versions: sorted.map((k) => k.version),
    get: (version) => byVersion.get(version),
  };
}

/** A keyring holding one key as version 1, as Ally used before versioned master keys. */
export function singleKeyring(key: Buffer): Keyring {
  return keyringOf([{ version: 1, key }]);
}
