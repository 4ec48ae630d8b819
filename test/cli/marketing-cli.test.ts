/**
 * The operator's promotional list from the command line: `ally marketing create`, `add` with the
 * consent's source, `send` from a text file and `progress`; a subscriber without a stated source
 * is refused, and an organisation's admins never see the operator's list.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { marketingCommand } from "../../src/cli/marketing-command.js";
import { readRegularFile, type SlotsIo } from "../../src/cli/slots.js";
import { fixedClock } from "../../src/clock.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { MASTER_KEY, T0, testConfig } from "../support/web-world.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: SlotsIo = {
    readText: readRegularFile,
    stdout: (text) => out.push(text),
    stderr: (line) => err.push(line),
    nowEpochMs: () => T0,
  };
  return { io, out, err };
}

describe("ally marketing (the operator's list of its customers)", () => {
  let dir: string;
  let env: Record<string, string>;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-marketing-cli-"));
    env = {
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      PUBLIC_URL: "http://ally.test",
      MAIL_FROM: "Ally <ally@ally.test>",
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
    };
    store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a list, adds a customer with the consent's source, and sends a message to it", async () => {
    const created = capture();
    expect(await marketingCommand(["create", "Ally news"], created.io, env)).toBe(0);
    const listId = (created.out[0] ?? "").trim();
    expect(listId).toMatch(/^mkl_/);
    const refused = capture();
    expect(
      await marketingCommand(["add", listId, "ops@customer.example", ""], refused.io, env),
    ).toBe(1);
    expect(refused.err.join("")).toMatch(/Consent source/);
    const added = capture();
    expect(
      await marketingCommand(
        ["add", listId, "ops@customer.example", "Newsletter box at sign-up"],
        added.io,
        env,
      ),
    ).toBe(0);
    const listed = capture();
    await marketingCommand(["subscribers", listId], listed.io, env);
    expect(listed.out.join("")).toBe(
      "ops@customer.example  admin  2026-12-01T14:00:00.000Z  Newsletter box at sign-up\n",
    );
    writeFileSync(join(dir, "news.txt"), "What is new in Ally this month.");
    const sent = capture();
    expect(
      await marketingCommand(
        ["send", listId, "Ally in December", join(dir, "news.txt")],
        sent.io,
        env,
      ),
    ).toBe(0);
    expect(sent.out.join("")).toMatch(/^mkm_\S+ {2}1 recipient\(s\), queued by the workers\n$/);
    const progress = capture();
    await marketingCommand(["progress", listId], progress.io, env);
    expect(progress.out.join("")).toMatch(
      /0 of 1 queued, 0 skipped, 1 waiting, 0 opened {2}Ally in December/,
    );
    // The operator's list is no organisation's.
    const deps = buildDeps(testConfig(env), store, fixedClock(T0), MASTER_KEY);
    const { userId, orgId } = await deps.accounts.signUp(
      {
        name: "Olga Owner",
        email: "olga@customer.example",
        phone: "+44 20 7946 0958",
        postalAddress: "1 High Street",
        company: "Customer Ltd",
        password: "correct horse battery staple",
      },
      { ip: "203.0.113.7", userAgent: "vitest" },
    );
    const admin = deps.marketing.forActor({ userId, orgId, role: "owner", via: "session" });
    expect(await admin.lists()).toEqual([]);
    await expect(admin.subscribers(listId)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a command with the wrong number of arguments", async () => {
    const bad = capture();
    expect(await marketingCommand(["add", "mkl_1"], bad.io, env)).toBe(2);
    expect(bad.err[0]).toMatch(/^ally marketing: usage:/);
  });
});
