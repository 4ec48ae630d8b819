/**
 * The operator's queue from the command line: an account holder's request (the operator is the
 * controller) is listed by `ally privacy requests` with its deadline and flag, and completed by
 * `ally privacy request ID complete`, which mails the access link as an admin's answer does.
 * Another organisation's candidate requests are not in it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { privacyCommand } from "../../src/cli/privacy-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { fixedClock } from "../../src/clock.js";
import { fileMemberRequest } from "../../src/privacy/requests/commands.js";
import { openStore } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import {
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

function capture(now: number) {
  const out: string[] = [];
  const err: string[] = [];
  const io: SlotsIo = {
    readText: async () => "",
    stdout: (text) => out.push(text),
    stderr: (line) => err.push(line),
    nowEpochMs: () => now,
  };
  return { io, out, err };
}

describe("ally privacy requests (the operator's queue)", () => {
  let dir: string;
  let env: Record<string, string>;
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-operator-queue-"));
    env = {
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      PUBLIC_URL: "http://ally.test",
      MAIL_FROM: "Ally <ally@ally.test>",
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
    };
    const store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
    const config = testConfig(env);
    const clock = fixedClock(T0);
    const deps = buildDeps(config, store, clock, MASTER_KEY);
    world = {
      store,
      url: env.DATABASE_URL as string,
      clock,
      config,
      deps,
      ally: undefined as never,
      drop: async () => {},
    };
    org = await createOrganisation(world, "Queue Ltd");
  });
  afterAll(async () => {
    await world?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists an account holder's request with its deadline, and completes it", async () => {
    const member = org.interviewer;
    await fileMemberRequest(
      world.deps.privacy,
      { userId: member.userId, email: member.email },
      { kind: "access", jurisdiction: "gdpr" },
    );
    const listed = capture(T0);
    expect(await privacyCommand(["requests"], listed.io, env)).toBe(0);
    expect(listed.err).toEqual([]);
    expect(listed.out).toHaveLength(1);
    // Tue 1 Dec 2026 + one month
    expect(listed.out[0]).toMatch(/^prq_\S+ {2}ON-TIME {2}due 2027-01-01 {2}access {2}from /);
    expect(listed.out[0]).toContain(member.email);
    const id = listed.out[0]?.split(" ")[0] ?? "";

    const done = capture(T0 + 3_600_000);
    expect(await privacyCommand(["request", id, "complete"], done.io, env)).toBe(0);
    expect(done.out[0]).toContain(`${id}  access  completed`);
    const link = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", member.email)
      .where("kind", "=", "privacy-export-link")
      .execute();
    expect(link).toHaveLength(1);

    const after = capture(T0 + 3_600_000);
    expect(await privacyCommand(["requests"], after.io, env)).toBe(0);
    expect(after.out).toEqual(["no privacy requests waiting\n"]);
    const all = capture(T0 + 3_600_000);
    expect(await privacyCommand(["requests", "--all"], all.io, env)).toBe(0);
    expect(all.out[0]).toContain("COMPLETED");
  });

  it("refuses a request id that is not in the operator's queue, and bad arguments", async () => {
    const missing = capture(T0);
    expect(await privacyCommand(["request", "prq_nope", "complete"], missing.io, env)).toBe(1);
    const bad = capture(T0);
    expect(await privacyCommand(["request", "prq_x", "delete"], bad.io, env)).toBe(2);
    expect(bad.err[0]).toContain("complete, extend or refuse");
  });
});
