/**
 * The operator's dead letters from the command line: `ally jobs dead` lists every queue's,
 * inbound mail included (it belongs to no organisation, so no admin sees it in the app), and
 * `ally jobs retry QUEUE ID` puts one back; a bad queue or id is named.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsCommand } from "../../src/cli/jobs-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { storeInbound } from "../../src/mail/inbound.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: SlotsIo = {
    readText: async () => "",
    stdout: (text) => out.push(text),
    stderr: (line) => err.push(line),
    nowEpochMs: () => T0,
  };
  return { io, out, err };
}

describe("ally jobs (the operator's dead letters)", () => {
  let dir: string;
  let env: Record<string, string>;
  let store: Store;
  let id: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-jobs-cli-"));
    env = {
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      PUBLIC_URL: "http://ally.test",
      MAIL_FROM: "Ally <ally@ally.test>",
      LOG_LEVEL: "warn",
    };
    store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
    const raw = Buffer.from(
      "From: someone@example.com\r\nTo: ally@ally.test\r\nSubject: Hello\r\nMessage-ID: <dead-1@example.com>\r\n\r\nHi\r\n",
    );
    await storeInbound(
      store.db,
      raw,
      { mailFrom: "someone@example.com", rcptTo: ["ally@ally.test"] },
      T0,
    );
    const row = await store.db.selectFrom("inbound_mail").select("id").executeTakeFirstOrThrow();
    id = Number(row.id);
    // A handler failed on it every time: the queue gave up.
    await store.db
      .updateTable("inbound_mail")
      .set({ dead_at: T0, attempts: 5, last_error: "handler threw: boom", handled_at: T0 })
      .where("id", "=", id)
      .execute();
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists inbound mail's dead letters, which no organisation's admin sees", async () => {
    const { io, out } = capture();
    expect(await jobsCommand(["dead"], io, env)).toBe(0);
    expect(out.join("")).toMatch(
      new RegExp(
        `^inbound-mail  ${id}  inbound mail  5 attempts  2026-12-01 14:00 UTC  handler threw: boom`,
        "m",
      ),
    );
  });

  it("puts one back in its queue, due now", async () => {
    const { io, out } = capture();
    expect(await jobsCommand(["retry", "inbound-mail", String(id)], io, env)).toBe(0);
    expect(out.join("")).toContain(`inbound-mail ${id}: back in the queue`);
    const row = await store.db
      .selectFrom("inbound_mail")
      .select(["dead_at", "attempts", "handled_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ dead_at: null, attempts: 0, handled_at: null });
    const again = capture();
    expect(await jobsCommand(["dead"], again.io, env)).toBe(0);
    expect(again.out.join("")).toBe("no dead letters\n");
  });

  it("names what is wrong with a retry it cannot do", async () => {
    const bad = capture();
    expect(await jobsCommand(["retry", "inbound-mail", "x1"], bad.io, env)).toBe(2);
    expect(bad.err.join("")).toContain("give the dead letter's id, a number");
    const missing = capture();
    expect(await jobsCommand(["retry", "inbound-mail", "999"], missing.io, env)).toBe(1);
    expect(missing.err.join("")).toContain("ally jobs retry:");
  });
});
