/**
 * Where the master keys come from: ALLY_MASTER_KEY (and ALLY_MASTER_KEY_PREVIOUS), else, on
 * SQLite only, DATA_DIR/master.key, created with a random key on first start.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config.js";
import type { Dialect } from "../store/database.js";
import { type Keyring, keyringFrom } from "./keyring.js";

/**
 * The master keys: from the environment, else (SQLite only) a file created on first start.
 * Both hold one base64 key (version 1) or a list `v2:BASE64,v1:BASE64` (secrets/keyring.ts).
 */
export function loadKeyring(config: Config, dialect: Dialect): Keyring {
  if (config.masterKey !== undefined) {
    const result = keyringFrom(config.masterKey, config.masterKeyPrevious);
    if (!result.ok) throw new Error(`ALLY_MASTER_KEY: ${result.error}`);
    return result.keyring;
  }
  if (dialect === "postgres") {
    throw new Error(
      "ALLY_MASTER_KEY is required with PostgreSQL, so that every process opens the same secrets (generate one with: openssl rand -base64 32)",
    );
  }
  const path = resolve(join(config.dataDir, "master.key"));
  if (!existsSync(path)) {
    mkdirSync(resolve(config.dataDir), { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  const result = keyringFrom(readFileSync(path, "utf8").trim(), config.masterKeyPrevious);
  if (!result.ok) throw new Error(`${path}: ${result.error}`);
  return result.keyring;
}
