/**
 * The development outbox lists emails whose links sign people in, so it must only ever be
 * reachable by a developer on their own machine: no relay configured, a loopback public
 * address, a loopback caller, and no reverse proxy in between.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { fixedClock } from "../../src/clock.js";
import { folderTransport, sendNext } from "../../src/mail/outbox-worker.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { createApp } from "../../src/web/app.js";
import { buildSignUp, MASTER_KEY, META, T0, testConfig } from "../support/web-world.js";

const FROM = "Ally <ally@ally.test>";

describe("the development outbox", () => {
  let dir: string;
  let store: Store;
  const signUp = buildSignUp({ email: "dev-owner@example.com" });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-dev-outbox-"));
    store = openStore("sqlite::memory:");
    await migrateToLatest(store.db, store.dialect);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function appWith(env: Record<string, string>) {
    const config = testConfig({ DATA_DIR: dir, ...env });
    return createApp(buildDeps(config, store, fixedClock(T0), MASTER_KEY));
  }

  it("lists the emails for a developer on a machine served at localhost", async () => {
    const ally = appWith({ PUBLIC_URL: "http://localhost:3000" });
    const { accounts } = buildDeps(testConfig(), store, fixedClock(T0), MASTER_KEY);
    await accounts.signUp(signUp, META);
    const answer = await ally.app.request("/dev/outbox");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain("dev-owner@example.com");
  });

  it("shows a sent email's text from its file, as the outbox keeps no body once sent", async () => {
    const config = testConfig({ DATA_DIR: dir, PUBLIC_URL: "http://localhost:3000" });
    const deps = buildDeps(config, store, fixedClock(T0), MASTER_KEY);
    await deps.accounts.signUp(buildSignUp({ email: "dev-sent@example.com" }), META);
    const ally = createApp(deps);
    const transport = folderTransport(config.mail.outboxDir);
    while (await sendNext({ db: store.db, clock: fixedClock(T0), transport, from: FROM })) {
      // send everything
    }
    transport.close();
    const sent = await store.db
      .selectFrom("outbox")
      .select(["text_body", "file_path"])
      .where("to_address", "=", "dev-sent@example.com")
      .executeTakeFirstOrThrow();
    expect(sent.text_body).toBe("");
    const page = await (await ally.app.request("/dev/outbox")).text();
    expect(page).toContain(`written to ${sent.file_path}`);
    expect(page).toContain("Please confirm your email address");
  });

  it("is not there when Ally is published at a public address", async () => {
    const ally = appWith({ PUBLIC_URL: "https://ally.example.com" });
    const answer = await ally.app.request("/dev/outbox");
    expect(answer.status).toBe(404);
    expect(await answer.text()).not.toContain("dev-owner@example.com");
  });

  it("is not there behind a reverse proxy, even one on the same machine", async () => {
    const ally = appWith({ PUBLIC_URL: "http://localhost:3000" });
    for (const header of [
      ["x-forwarded-for", "198.51.100.7"],
      ["forwarded", "for=198.51.100.7"],
    ] as Array<[string, string]>) {
      const answer = await ally.app.request("/dev/outbox", { headers: [header] });
      expect(answer.status).toBe(404);
    }
  });

  it("is not there for a request naming another host, as a rebinding page would", async () => {
    const ally = appWith({ PUBLIC_URL: "http://localhost:3000" });
    for (const host of ["attacker.example", "attacker.example:3000", "127.0.0.1.nip.io"]) {
      const answer = await ally.app.request("http://localhost:3000/dev/outbox", {
        headers: { host },
      });
      expect(answer.status).toBe(404);
    }
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"]) {
      const answer = await ally.app.request("http://localhost:3000/dev/outbox", {
        headers: { host },
      });
      expect(answer.status).toBe(200);
    }
  });

  it("is not there when mail goes to an SMTP relay", async () => {
    const ally = appWith({
      PUBLIC_URL: "http://localhost:3000",
      SMTP_URL: "smtp://127.0.0.1:2525",
    });
    const answer = await ally.app.request("/dev/outbox");
    expect(answer.status).toBe(404);
  });
});
