/**
 * `ally backup` and `ally restore` on SQLite: the backup is taken while the database is open and
 * written to; a restore puts it back, and every erasure made after the backup is made again,
 * with a new proof, while the proof given at the time still stands.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { backupCommand, restoreCommand } from "../../src/cli/backup-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { fixedClock } from "../../src/clock.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { erasePerson, readErasureProof } from "../../src/privacy/erasure.js";
import { loadKeyring } from "../../src/secrets/load-keyring.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import {
  addMember,
  type Person,
  signUpOwner,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

function capturingIo(): SlotsIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    readText: async () => "",
    stdout: (text) => out.push(text),
    stderr: (line) => err.push(line),
    nowEpochMs: () => T0,
  };
}

describe("ally backup and ally restore on SQLite", () => {
  let dir: string;
  let env: Record<string, string>;
  let store: Store | undefined;
  let world: World;

  async function open(): Promise<World> {
    const config = testConfig(env);
    store = openStore(config.database.url);
    await migrateToLatest(store.db, store.dialect);
    const clock = fixedClock(T0);
    const deps = buildDeps(config, store, clock, loadKeyring(config, "sqlite"));
    return {
      store,
      url: config.database.url,
      clock,
      config,
      deps,
      ally: undefined as never,
      drop: async () => {},
    };
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-backup-"));
    env = { DATABASE_URL: `sqlite:${join(dir, "ally.db")}`, DATA_DIR: dir };
    world = await open();
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("backs up while the database is open, then restores it and erases again whoever was erased since", async () => {
    const owner = await signUpOwner(world);
    const dana: Person = await addMember(world, owner, "interviewer", {
      email: "dana.erased@example.com",
    });
    const backupFile = join(dir, "before-erasure.db");
    const io = capturingIo();
    expect(await backupCommand([backupFile], io, env)).toBe(0);
    expect(io.out.join("")).toMatch(/^backed up .*ally\.db to .*before-erasure\.db \(\d+ bytes\)/);
    // The backup holds Dana, as the database did when it was taken.
    const copy = new SQLite(backupFile, { readonly: true });
    expect(copy.prepare("select count(*) as n from users where email = ?").get(dana.email)).toEqual(
      { n: 1 },
    );
    copy.close();

    // After the backup, Dana is erased; then Ally stops.
    const first = await erasePerson(world.deps.erasure, { email: dana.email });
    expect(first.tables.users?.deleted ?? 0).toBeGreaterThan(0);
    await store?.close();
    store = undefined;

    const restoring = capturingIo();
    expect(await restoreCommand([backupFile], restoring, env)).toBe(0);
    const said = restoring.out.join("");
    expect(said).toContain("1 erasure(s) made after the backup applied again:");
    const proofId = /proof (ers_\S+) \(all of Ally\): (\d+) row\(s\) erased/.exec(said);
    expect(proofId).not.toBeNull();
    expect(Number(proofId?.[2])).toBeGreaterThan(0);
    expect(said).not.toContain(dana.email);

    world = await open();
    const db = world.store.db;
    expect(
      await db.selectFrom("users").select("id").where("email", "=", dana.email).execute(),
    ).toEqual([]);
    expect(await world.deps.tombstones.isErased(db, dana.email)).toBe(true);
    // The proof Dana was given at the time stands, and the new one says what was erased again.
    expect((await readErasureProof(db, first.id))?.tables).toEqual(first.tables);
    const again = await readErasureProof(db, proofId?.[1] as string);
    expect(again?.tables.users?.deleted ?? 0).toBeGreaterThan(0);
    // The owner, never erased, is back as the backup had them.
    expect(
      await db.selectFrom("users").select("id").where("email", "=", owner.email).execute(),
    ).toHaveLength(1);
  });

  it("takes a sound backup while another connection keeps writing", async () => {
    const owner = await signUpOwner(world);
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await enqueueMail(
          world.store.db,
          {
            organisationId: owner.orgId,
            kind: "notice",
            to: "x@example.com",
            subject: "s",
            text: "t",
          },
          T0,
        );
        writes += 1;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const backupFile = join(dir, "busy.db");
    const io = capturingIo();
    const done = backupCommand([backupFile], io, env);
    expect(await done).toBe(0);
    writing = false;
    await writer;
    const copy = new SQLite(backupFile, { readonly: true });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    const kept = copy.prepare("select count(*) as n from outbox where kind = 'notice'").get() as {
      n: number;
    };
    copy.close();
    expect(writes).toBeGreaterThan(0);
    expect(kept.n).toBeLessThanOrEqual(writes);
  });

  it("says so when no erasure was made after the backup", async () => {
    await signUpOwner(world);
    const backupFile = join(dir, "plain.db");
    expect(await backupCommand([backupFile], capturingIo(), env)).toBe(0);
    await store?.close();
    store = undefined;
    const io = capturingIo();
    expect(await restoreCommand([backupFile], io, env)).toBe(0);
    expect(io.out.join("")).toContain("no erasure made after the backup needed applying again");
  });

  it("refuses to overwrite a file, and to restore what is not a backup of Ally", async () => {
    const backupFile = join(dir, "once.db");
    expect(await backupCommand([backupFile], capturingIo(), env)).toBe(0);
    const again = capturingIo();
    expect(await backupCommand([backupFile], again, env)).toBe(1);
    expect(again.err.join("")).toMatch(/exists; give a new file name/);

    const stranger = join(dir, "stranger.db");
    new SQLite(stranger).exec("create table notes (body text)");
    await store?.close();
    store = undefined;
    const io = capturingIo();
    expect(await restoreCommand([stranger], io, env)).toBe(1);
    expect(io.err.join("")).toMatch(/is not a backup of Ally's database/);
    expect(existsSync(join(dir, "ally.db"))).toBe(true);
  });

  it("points PostgreSQL users to pg_dump and pg_restore", async () => {
    const io = capturingIo();
    const postgres = { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:5432/ally" };
    expect(await backupCommand([join(dir, "x.db")], io, postgres)).toBe(2);
    expect(io.err.join("")).toMatch(/pg_dump and pg_restore/);
  });
});
