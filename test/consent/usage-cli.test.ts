/**
 * The operator's usage analytics from the command line: `ally usage` reports views of the public
 * pages by visitors not signed in, and never an organisation's members' views (those are the
 * organisation's, on /app/usage); a bad number of days is named.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlotsIo } from "../../src/cli/slots.js";
import { usageCommand } from "../../src/cli/usage-command.js";
import { recordPageView } from "../../src/consent/analytics.js";
import { openStore } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

// Tue 1 Dec 2026, 14:00 UTC
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

describe("ally usage (the operator's public-site analytics)", () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-usage-cli-"));
    env = { DATABASE_URL: `sqlite:${join(dir, "ally.db")}`, DATA_DIR: dir, LOG_LEVEL: "warn" };
    const store = openStore(env.DATABASE_URL as string);
    await migrateToLatest(store.db, store.dialect);
    const view = (path: string, organisationId: string | null, referrer?: string) =>
      recordPageView(store.db, {
        path,
        visitedAtMs: T0 - 3_600_000,
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        referrer,
        ownHost: "ally.test",
        ip: "203.0.113.9",
        visitorId: "v_usageclivisitor000",
        userId: organisationId === null ? null : "usr_member",
        organisationId,
      });
    await view("/", null, "https://search.example/?q=ally");
    await view("/privacy", null);
    await view("/app/secret-project-page", "org_acme");
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the public pages' views, referrers and browsers, and no organisation's", async () => {
    const { io, out } = capture();
    expect(await usageCommand(["7"], io, env)).toBe(0);
    const text = out.join("");
    expect(text).toContain("Public pages, last 7 days: 2 page views");
    expect(text).toContain("2026-12-01  2 views  1 visitors");
    expect(text).toMatch(/1 {2}\/privacy/);
    expect(text).toMatch(/1 {2}search\.example/);
    expect(text).toMatch(/2 {2}Firefox/);
    expect(text).not.toContain("secret-project-page");
  });

  it("names a bad number of days", async () => {
    const { io, err } = capture();
    expect(await usageCommand(["0"], io, env)).toBe(2);
    expect(await usageCommand(["many"], io, env)).toBe(2);
    expect(err[0]).toContain("give the number of days, 1 to 400");
  });
});
