/**
 * `ally keys rotate` on every database: after a new master key version and a rotation,
 * everything opens with the new key alone and no old ciphertext is left; a rotation without
 * the old key changes nothing; readers keep working while it runs; second-factor sign-in
 * still works afterwards.
 */
import { createCipheriv } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpAt } from "../../src/accounts/totp.js";
import { buildDeps } from "../../src/app/compose.js";
import { keysCommand } from "../../src/cli/keys-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { SecretsError } from "../../src/secrets/errors.js";
import { keyringOf } from "../../src/secrets/keyring.js";
import { rotateKeys } from "../../src/secrets/rotate.js";
import { createSecretStore, totpSecretBinding } from "../../src/secrets/secret-store.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { testDatabases } from "../support/databases.js";
import {
  createWorld,
  MASTER_KEY,
  META,
  type Person,
  signUpOwner,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

const KEY_2 = Buffer.alloc(32, 11);
const V1 = { version: 1, key: MASTER_KEY };
const V2 = { version: 2, key: KEY_2 };

/** What Ally wrote before envelope encryption: `v1.<iv>.<ct>.<tag>` under master key v1. */
function legacySeal(plaintext: string, boundTo: string): string {
  const iv = Buffer.alloc(12, 3);
  const cipher = createCipheriv("aes-256-gcm", MASTER_KEY, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

describe.each(databases)("key rotation on $dialect", (database) => {
  let world: World;
  const people: (Person & { secret: string })[] = [];

  async function sealedValues(): Promise<{ id: string; totp_secret: string | null }[]> {
    return world.store.db.selectFrom("users").select(["id", "totp_secret"]).orderBy("id").execute();
  }
  async function dataKeys() {
    return world.store.db.selectFrom("data_keys").selectAll().orderBy("id").execute();
  }

  beforeAll(async () => {
    world = await createWorld(database);
    // Five users with a second factor sealed the current way, two in the old format.
    for (let i = 0; i < 7; i += 1) {
      const owner = await signUpOwner(world);
      const { secret } = world.deps.accounts.beginSecondFactor(owner.email);
      if (i < 5) {
        await world.deps.accounts.enableSecondFactor(
          owner.actor,
          secret,
          totpAt(secret, world.clock.now()),
          META,
        );
      } else {
        await world.store.db
          .updateTable("users")
          .set({ totp_secret: legacySeal(secret, `users.totp_secret:${owner.userId}`) })
          .where("id", "=", owner.userId)
          .execute();
      }
      people.push({ ...owner, secret });
    }
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("without the old master key, fails closed and changes nothing", async () => {
    const before = { users: await sealedValues(), keys: await dataKeys() };
    const error = await rotateKeys(world.store.db, keyringOf([V2]), {
      dataKeys: true,
      now: world.clock.now(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretsError);
    expect((error as SecretsError).code).toBe("MASTER_KEY_MISSING");
    expect((error as Error).message).toContain("master key v1");
    expect((error as Error).message).not.toContain(MASTER_KEY.toString("base64"));
    expect({ users: await sealedValues(), keys: await dataKeys() }).toEqual(before);
  });

  it("re-wraps and re-encrypts under the new keys while readers keep opening every secret", async () => {
    const before = await sealedValues();
    expect(before.filter((u) => u.totp_secret?.startsWith("v1.")).length).toBe(2);
    const oldDataKeys = new Set((await dataKeys()).map((k) => k.id));
    const both = keyringOf([V1, V2]);

    // Readers in another "process" during the rotation, with both versions configured.
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const secrets = createSecretStore({ db: world.store.db, keyring: both });
        for (const row of await sealedValues()) {
          const person = people.find((p) => p.userId === row.id);
          if (person === undefined || row.totp_secret === null) continue;
          expect(await secrets.open(row.totp_secret, totpSecretBinding(row.id))).toBe(
            person.secret,
          );
          reads += 1;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const progress: string[] = [];
    const report = await rotateKeys(world.store.db, both, {
      dataKeys: true,
      batchSize: 2,
      now: world.clock.now(),
      onProgress: (p) => progress.push(`${p.phase} ${p.target} ${p.done}`),
    });
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    expect(report.reencrypted).toBe(7);
    expect(report.masterVersion).toBe(2);
    expect(progress).toContain("reencrypt users.totp_secret 7");

    // Nothing left in the old format or under an old data key; every data key under v2.
    const keys = await dataKeys();
    expect(keys.every((k) => k.master_version === 2)).toBe(true);
    const newest = keys.filter((k) => k.retired_at === null).map((k) => k.id);
    const after = (await sealedValues()).filter((u) => u.totp_secret !== null);
    expect(after).toHaveLength(7);
    for (const { totp_secret } of after) {
      const [version, dataKeyId] = (totp_secret as string).split(".");
      expect(version).toBe("v2");
      expect(oldDataKeys.has(dataKeyId as string)).toBe(false);
      expect(newest).toContain(dataKeyId);
    }
    const legacyCount = await world.store.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("totp_secret", "like", "v1.%")
      .executeTakeFirstOrThrow();
    expect(Number(legacyCount.n)).toBe(0);

    // Everything opens with the new master key alone.
    const newOnly = createSecretStore({ db: world.store.db, keyring: keyringOf([V2]) });
    for (const person of people) {
      const row = after.find((u) => u.id === person.userId);
      expect(await newOnly.open(row?.totp_secret as string, totpSecretBinding(person.userId))).toBe(
        person.secret,
      );
    }
  });

  it("is idempotent: a second master-key rotation changes nothing", async () => {
    const before = { users: await sealedValues(), keys: await dataKeys() };
    const report = await rotateKeys(world.store.db, keyringOf([V2]), {
      dataKeys: false,
      now: world.clock.now(),
    });
    expect(report).toMatchObject({ rewrapped: 0, newDataKeys: 0, reencrypted: 0, failures: [] });
    expect({ users: await sealedValues(), keys: await dataKeys() }).toEqual(before);
  });

  it("signs in with a second factor afterwards, with only the new master key", async () => {
    world.clock.advance(60_000);
    const { accounts } = buildDeps(world.config, world.store, world.clock, keyringOf([V2]));
    for (const person of [people[0], people[6]]) {
      if (person === undefined) throw new Error("no person");
      const pending = await accounts.signIn(
        { email: person.email, password: person.password },
        META,
      );
      expect(pending.pendingSecondFactor).toBe(true);
      const full = await accounts.completeSecondFactor(
        pending.token,
        totpAt(person.secret, world.clock.now()),
        META,
      );
      expect(full.pendingSecondFactor).toBe(false);
    }
    // And seals new secrets under the newest data key and master key.
    const person = people[1];
    if (person === undefined) throw new Error("no person");
    await accounts.enableSecondFactor(
      person.actor,
      person.secret,
      totpAt(person.secret, world.clock.now()),
      META,
    );
  });
});

describe.each(databases)("ally keys rotate on $dialect", (database) => {
  // The command opens the database by URL, so SQLite runs on a file rather than in memory.
  let url: string;
  let store: Store;
  let drop: () => Promise<void>;
  const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

  beforeAll(async () => {
    if (database.dialect === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "ally-keys-"));
      url = `sqlite:${join(dir, "ally.db")}`;
      store = openStore(url);
      await migrateToLatest(store.db, store.dialect);
      drop = async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else {
      ({ store, url, drop } = await database.create());
    }
    const secrets = createSecretStore({ db: store.db, keyring: keyringOf([V1]) });
    for (let i = 0; i < 5; i += 1) {
      const id = `u_cli_${i}`;
      await store.db
        .insertInto("users")
        .values({
          id,
          email: `cli-${i}@example.com`,
          name: "Cli",
          phone: "",
          postal_address: "",
          password_hash: "",
          email_verified_at: null,
          totp_secret:
            i < 2
              ? legacySeal(secret, `users.totp_secret:${id}`)
              : await secrets.seal(secret, totpSecretBinding(id)),
          created_at: 0,
        })
        .execute();
    }
  });
  afterAll(async () => {
    await drop?.();
  });

  async function sealedValues() {
    return store.db.selectFrom("users").select(["id", "totp_secret"]).orderBy("id").execute();
  }

  it("reports what it did, shows progress on a terminal, and refuses a configuration without the old key", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io: SlotsIo = {
      readText: async () => "",
      stdout: (t) => out.push(t),
      stderr: (l) => err.push(l),
      nowEpochMs: () => 0,
    };
    const written: string[] = [];
    const terminal = { isTTY: true, write: (t: string) => written.push(t) };
    const env = {
      DATABASE_URL: url,
      ALLY_MASTER_KEY: `v2:${KEY_2.toString("base64")}`,
      ALLY_MASTER_KEY_PREVIOUS: `v1:${MASTER_KEY.toString("base64")}`,
    };
    expect(
      await keysCommand(["rotate", "--data-keys", "--batch-size", "2"], io, env, terminal),
    ).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("")).toBe(
      "master key v2: 1 data key(s) re-wrapped, 1 new data key(s), 5 secret(s) re-encrypted\n",
    );
    expect(written.join("")).toContain("re-encrypting users.totp_secret: 5 visited, 5 changed");
    const rows = await sealedValues();
    expect(rows.every((r) => r.totp_secret?.startsWith("v2.dk_"))).toBe(true);
    const newOnly = createSecretStore({ db: store.db, keyring: keyringOf([V2]) });
    for (const row of rows) {
      expect(await newOnly.open(row.totp_secret as string, totpSecretBinding(row.id))).toBe(secret);
    }

    // With only the first key, the data keys (now under v2) do not unwrap: nothing changes.
    const oldOnly = { DATABASE_URL: url, ALLY_MASTER_KEY: MASTER_KEY.toString("base64") };
    expect(await keysCommand(["rotate", "--data-keys"], io, oldOnly, terminal)).toBe(1);
    expect(err.at(-1)).toMatch(
      /MASTER_KEY_MISSING: data key dk_\S+ is wrapped under master key v2/,
    );
    expect(err.join("\n")).not.toContain(MASTER_KEY.toString("base64"));
    expect(await sealedValues()).toEqual(rows);
    expect(await keysCommand(["spin"], io, env, terminal)).toBe(2);
  });
});
