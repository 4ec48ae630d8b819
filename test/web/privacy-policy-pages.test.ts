/** The privacy policy pages, and the links to them from every page and the sign-up form. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { fixedClock } from "../../src/clock.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { type AllyApp, createApp } from "../../src/web/app.js";
import { MASTER_KEY, send, T0, testConfig } from "../support/web-world.js";

describe("the privacy policy pages", () => {
  let store: Store;
  let ally: AllyApp;

  beforeAll(async () => {
    store = openStore("sqlite::memory:");
    await migrateToLatest(store.db, store.dialect);
    const config = testConfig({
      PRIVACY_OPERATOR_NAME: "Acme <b>Hosting</b>",
      PRIVACY_CONTACT: "dpo@acme.example",
    });
    ally = createApp(buildDeps(config, store, fixedClock(T0), MASTER_KEY));
  });
  afterAll(async () => {
    await store?.close();
  });

  it("serves the policy in force at /privacy, with the operator's values escaped", async () => {
    const page = await send(ally, "GET", "/privacy");
    expect(page.status).toBe(200);
    expect(page.text).toContain("dpo@acme.example");
    expect(page.text).toContain("Acme &lt;b&gt;Hosting&lt;/b&gt;");
    expect(page.text).not.toContain("<b>Hosting</b>");
    expect(page.text).toContain('id="versions"');
  });

  it("serves every version at /privacy/v/N and a 404 for a version that does not exist", async () => {
    expect((await send(ally, "GET", "/privacy/v/1")).status).toBe(200);
    expect((await send(ally, "GET", "/privacy/v/999")).status).toBe(404);
    expect((await send(ally, "GET", "/privacy/v/one")).status).toBe(404);
  });

  it("links the policy from every page's footer and from the sign-up form", async () => {
    for (const path of ["/", "/login", "/privacy"]) {
      expect((await send(ally, "GET", path)).text).toMatch(/<footer>[\s\S]*href="\/privacy"/);
    }
    expect((await send(ally, "GET", "/signup")).text).toContain(
      '<a href="/privacy">privacy policy</a>',
    );
  });
});
