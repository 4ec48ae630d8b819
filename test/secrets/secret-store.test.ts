/**
 * Secrets at rest on every database: sealing round trips, tampering, wrong and missing master
 * keys, ciphertexts moved between rows, columns and owners, and old-format ciphertexts.
 */
import { createCipheriv } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { SecretsError, type SecretsErrorCode } from "../../src/secrets/errors.js";
import { keyringFrom, keyringOf, singleKeyring } from "../../src/secrets/keyring.js";
import {
  createSecretStore,
  type SecretBinding,
  totpSecretBinding,
} from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

const databases = await testDatabases();

const KEY_1 = Buffer.alloc(32, 7);
const KEY_2 = Buffer.alloc(32, 9);
const PLAINTEXT = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

async function expectSecretsError(
  promise: Promise<unknown>,
  code: SecretsErrorCode,
): Promise<SecretsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretsError);
  expect((error as SecretsError).code).toBe(code);
  // Never a key or the plaintext in what is said.
  for (const secret of [PLAINTEXT, KEY_1.toString("base64"), KEY_2.toString("base64")]) {
    expect((error as Error).message).not.toContain(secret);
  }
  return error as SecretsError;
}

/** Changes one character of part `index` of a dotted ciphertext, keeping it base64url. */
function flip(sealed: string, index: number): string {
  const parts = sealed.split(".");
  const part = parts[index] as string;
  const bytes = Buffer.from(part, "base64url");
  bytes[0] = (bytes[0] as number) ^ 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

/** What Ally wrote before envelope encryption: `v1.<iv>.<ct>.<tag>` under master key v1. */
function legacySeal(key: Buffer, plaintext: string, boundTo: string): string {
  const iv = Buffer.alloc(12, 1);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

describe("master key settings", () => {
  it("reads one key as version 1 and a list as versioned keys, newest wrapping", () => {
    const one = keyringFrom(KEY_1.toString("base64"));
    expect(one.ok && one.keyring.newest.version).toBe(1);
    const list = keyringFrom(`v1:${KEY_1.toString("base64")},v2:${KEY_2.toString("base64")}`);
    expect(list.ok && list.keyring.newest.version).toBe(2);
    expect(list.ok && list.keyring.versions).toEqual([2, 1]);
    const split = keyringFrom(`v2:${KEY_2.toString("base64")}`, KEY_1.toString("base64"));
    expect(split.ok && split.keyring.versions).toEqual([2, 1]);
  });

  it("refuses short keys, repeated versions and a previous key newer than the current one, without echoing keys", () => {
    const short = Buffer.alloc(16, 1).toString("base64");
    for (const [current, previous] of [
      [short, undefined],
      [`v1:${KEY_1.toString("base64")},v1:${KEY_2.toString("base64")}`, undefined],
      [`v1:${KEY_1.toString("base64")}`, `v2:${KEY_2.toString("base64")}`],
      [`${KEY_1.toString("base64")},${KEY_2.toString("base64")}`, undefined],
    ] as const) {
      const result = keyringFrom(current, previous);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(KEY_1.toString("base64"));
    }
  });

  it("validates ALLY_MASTER_KEY and ALLY_MASTER_KEY_PREVIOUS in the configuration", () => {
    const good = loadConfig({
      ALLY_MASTER_KEY: `v2:${KEY_2.toString("base64")}`,
      ALLY_MASTER_KEY_PREVIOUS: `v1:${KEY_1.toString("base64")}`,
    });
    expect(good.ok).toBe(true);
    const bad = loadConfig({ ALLY_MASTER_KEY: "v2:short" });
    expect(bad.ok).toBe(false);
    const orphan = loadConfig({ ALLY_MASTER_KEY_PREVIOUS: KEY_1.toString("base64") });
    expect(orphan.ok).toBe(false);
  });
});

describe.each(databases)("secrets at rest on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  const keyring = singleKeyring(KEY_1);

  beforeAll(async () => {
    ({ store, drop } = await database.create());
    for (const id of ["org_a", "org_b"]) {
      await store.db.insertInto("organisations").values({ id, name: id, created_at: 0 }).execute();
    }
  });
  afterAll(async () => {
    await drop?.();
  });

  const binding = (rowId: string, owner = "org_a"): SecretBinding => ({
    table: "calendar_connections",
    column: "credentials",
    rowId,
    owner,
  });

  it("opens what it sealed, with the data key and version in the text and no plaintext stored", async () => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const sealed = await secrets.seal(PLAINTEXT, binding("row_1"));
    expect(sealed).toMatch(
      /^v2\.dk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
    );
    expect(sealed).not.toContain(PLAINTEXT);
    expect(await secrets.open(sealed, binding("row_1"))).toBe(PLAINTEXT);
    // A fresh process (no cache) opens it too.
    expect(await createSecretStore({ db: store.db, keyring }).open(sealed, binding("row_1"))).toBe(
      PLAINTEXT,
    );
    const keys = await store.db.selectFrom("data_keys").selectAll().execute();
    expect(keys.every((k) => k.master_version === 1 && !k.wrapped_key.includes(PLAINTEXT))).toBe(
      true,
    );
  });

  it("keeps one data key per organisation and one for the system", async () => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const a = (await secrets.seal(PLAINTEXT, binding("row_1", "org_a"))).split(".")[1];
    const a2 = (await secrets.seal(PLAINTEXT, binding("row_2", "org_a"))).split(".")[1];
    const b = (await secrets.seal(PLAINTEXT, binding("row_1", "org_b"))).split(".")[1];
    const system = (await secrets.seal(PLAINTEXT, totpSecretBinding("u_1"))).split(".")[1];
    expect(a).toBe(a2);
    expect(new Set([a, b, system]).size).toBe(3);
  });

  it.each([
    ["iv", 2],
    ["ciphertext", 3],
    ["tag", 4],
  ])("refuses a ciphertext whose %s was altered", async (_part, index) => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const sealed = await secrets.seal(PLAINTEXT, binding("row_1"));
    await expectSecretsError(
      secrets.open(flip(sealed, index), binding("row_1")),
      "SECRET_UNREADABLE",
    );
  });

  it("refuses a ciphertext relabelled with another data key, or that is not one", async () => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const sealed = await secrets.seal(PLAINTEXT, binding("row_1"));
    const other = (await secrets.seal(PLAINTEXT, binding("row_1", "org_b"))).split(".")[1];
    const parts = sealed.split(".");
    await expectSecretsError(
      secrets.open([parts[0], other, ...parts.slice(2)].join("."), binding("row_1", "org_b")),
      "SECRET_UNREADABLE",
    );
    await expectSecretsError(
      secrets.open([parts[0], "dk_nonesuch", ...parts.slice(2)].join("."), binding("row_1")),
      "DATA_KEY_MISSING",
    );
    await expectSecretsError(secrets.open(PLAINTEXT, binding("row_1")), "SECRET_MALFORMED");
  });

  it("refuses a ciphertext moved to another row, column, table or owner", async () => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const sealed = await secrets.seal(PLAINTEXT, binding("row_1"));
    for (const moved of [
      binding("row_2"),
      { ...binding("row_1"), column: "refresh_token" },
      { ...binding("row_1"), table: "users" },
      binding("row_1", "org_b"),
    ]) {
      await expectSecretsError(secrets.open(sealed, moved), "SECRET_UNREADABLE");
    }
  });

  it("fails closed with a wrong master key, naming its version", async () => {
    const sealed = await createSecretStore({ db: store.db, keyring }).seal(
      PLAINTEXT,
      binding("row_1"),
    );
    const wrong = createSecretStore({ db: store.db, keyring: singleKeyring(KEY_2) });
    const error = await expectSecretsError(
      wrong.open(sealed, binding("row_1")),
      "MASTER_KEY_WRONG",
    );
    expect(error.message).toContain("master key v1");
    // Nor does it seal anything new for that owner under a fresh key.
    await expectSecretsError(wrong.seal(PLAINTEXT, binding("row_3")), "MASTER_KEY_WRONG");
  });

  it("fails closed when the master key version is not configured", async () => {
    const sealed = await createSecretStore({ db: store.db, keyring }).seal(
      PLAINTEXT,
      binding("row_1"),
    );
    const newOnly = createSecretStore({
      db: store.db,
      keyring: keyringOf([{ version: 2, key: KEY_2 }]),
    });
    const error = await expectSecretsError(
      newOnly.open(sealed, binding("row_1")),
      "MASTER_KEY_MISSING",
    );
    expect(error.message).toContain("v1");
  });

  it("still opens old-format ciphertexts sealed under master key v1, bound to their row", async () => {
    const secrets = createSecretStore({ db: store.db, keyring });
    const legacy = legacySeal(KEY_1, PLAINTEXT, "users.totp_secret:u_9");
    expect(await secrets.open(legacy, totpSecretBinding("u_9"))).toBe(PLAINTEXT);
    await expectSecretsError(secrets.open(legacy, totpSecretBinding("u_8")), "SECRET_UNREADABLE");
    await expectSecretsError(
      secrets.open(flip(legacy, 3), totpSecretBinding("u_9")),
      "SECRET_UNREADABLE",
    );
    const newOnly = createSecretStore({
      db: store.db,
      keyring: keyringOf([{ version: 2, key: KEY_2 }]),
    });
    await expectSecretsError(newOnly.open(legacy, totpSecretBinding("u_9")), "MASTER_KEY_MISSING");
  });
});
