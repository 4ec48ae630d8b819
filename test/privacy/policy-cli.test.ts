/** `ally privacy`: publishing the policy and working the contact queue from the command line. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privacyCommand } from "../../src/cli/privacy-command.js";
import type { SlotsIo } from "../../src/cli/slots.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { answerDeadline, submitContactMessage } from "../../src/privacy/complaints.js";
import { openStore } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { testConfig } from "../support/web-world.js";

const T = Date.parse("2026-12-03T14:00:00Z");

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

describe("ally privacy", () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-privacy-cli-"));
    env = {
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      MAIL_FROM: "Ally <ally@ally.test>",
    };
    const store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
    await submitContactMessage(
      { db: store.db, now: T, settings: testConfig().privacy, mail: enqueueMail },
      {
        name: "Rosa",
        email: "rosa@example.com",
        topic: "complaint",
        message: "Please delete my data.",
      },
    );
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("publishes the newest version once, and refuses to publish it again", async () => {
    const first = capture(T);
    expect(await privacyCommand(["publish"], first.io, env)).toBe(0);
    expect(first.out.join("")).toContain("version 1 published; 0 account holder(s) emailed");
    const again = capture(T);
    expect(await privacyCommand(["publish", "1"], again.io, env)).toBe(1);
    expect(again.err.join("")).toContain("already published");
  });

  it("lists the queue with the overdue complaint flagged and its referral text, then marks it answered", async () => {
    const late = capture(answerDeadline(T) + 1);
    expect(await privacyCommand(["queue"], late.io, env)).toBe(0);
    expect(late.out.join("")).toMatch(/P-1\s+OVERDUE\s+due 2027-01-17\s+complaint/);
    expect(late.out.join("")).toContain("tell them: If we have not resolved your complaint");
    expect(await privacyCommand(["answered", "P-1"], capture(T).io, env)).toBe(0);
    const after = capture(T);
    await privacyCommand(["queue"], after.io, env);
    expect(after.out.join("")).toBe("no privacy messages waiting\n");
  });

  it("answers a wrong command line with its usage and exit code 2", async () => {
    const wrong = capture(T);
    expect(await privacyCommand(["publish", "latest"], wrong.io, env)).toBe(2);
    expect(await privacyCommand(["erase"], wrong.io, env)).toBe(2);
    expect(wrong.err.join("\n")).toContain("usage: ally privacy");
  });
});
