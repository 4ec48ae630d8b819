/**
 * Cookie consent in Debian's Chromium, from the keyboard: four visitors arrive on a fresh Ally.
 *
 * - Gil's browser sends `Sec-GPC: 1`: the banner says analytics and marketing stay off, and
 *   however many pages he opens, no page view is recorded.
 * - Rae has JavaScript turned off and chooses "Reject all": the plain form posts, she is back
 *   on the page she was on without the banner, and nothing is counted.
 * - Ana chooses "Accept all": from then on her page views are rows.
 * - Sol ticks only analytics with the space bar and saves, then opens "Cookie settings" from the
 *   footer and finds her choice there.
 *
 * The banner (plain and with GPC) and the settings page are checked at 390 and 1280 px with the
 * shared page checks and axe-core (no serious or critical finding; axe runs in the page, so not
 * in Rae's script-less browser), and every context for console errors and requests off loopback.
 * Without /usr/bin/chromium (or ALLY_CHROMIUM) a developer's run skips with one message; with
 * CI=true it fails.
 */
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { type RunningServer, startServer } from "../../src/app/main.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import { auditAtBothWidths, LAPTOP, PHONE } from "./support/axe.js";
import {
  byLabel,
  type ContextProblems,
  freePort,
  launchChromium,
  missingTools,
  newContext,
  pressAndWait,
  storySteps,
  tabTo,
} from "./support/browser.js";
import { buildTeam } from "./support/team.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 9);

const unavailable = missingTools("cookie consent in a browser");

describe.skipIf(unavailable !== undefined)("cookie consent in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let origin: string;
  let store: Store;
  let browser: Browser;
  let ownerSession = "";
  const contexts: BrowserContext[] = [];
  const problemSets: ContextProblems[] = [];
  const findings: string[] = [];
  const step = storySteps(STEP_MS);

  async function visitor(
    viewport: { width: number; height: number },
    options: { gpc?: boolean; javaScript?: boolean } = {},
  ): Promise<Page> {
    const made = await newContext(browser, origin, {
      viewport,
      javaScriptEnabled: options.javaScript ?? true,
      ...(options.gpc ? { extraHTTPHeaders: { "Sec-GPC": "1" } } : {}),
    });
    contexts.push(made.context);
    problemSets.push(made.problems);
    return made.context.newPage();
  }

  /** The shared page checks and axe, at the phone's width and the laptop's. */
  async function audit(page: Page, name: string): Promise<void> {
    findings.push(
      ...(await auditAtBothWidths(page, name, join(SCREENSHOTS, `consent-${name}.png`))),
    );
  }

  const pageViews = async () =>
    Number(
      (
        await store.db
          .selectFrom("page_views")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const lastRecord = () =>
    store.db
      .selectFrom("consent_records")
      .selectAll()
      .orderBy("recorded_at", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
  const bannerShown = async (page: Page) =>
    (await page.getByRole("region", { name: "Cookies and usage data" }).count()) === 1;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-consent-browser-"));
    const port = await freePort();
    const loaded = loadConfig({
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    server = await startServer(loaded.config, () => {});
    origin = server.url;
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    const deps = buildDeps(loaded.config, store, systemClock, MASTER_KEY);
    const team = await buildTeam(deps, store, {
      email: "ivan@example.test",
      password: "another long passphrase",
    });
    ownerSession = team.ownerSession;
    browser = await launchChromium();
  }, STEP_MS);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("with Global Privacy Control, the banner says so and no page view is recorded", async () => {
    const page = await visitor(PHONE, { gpc: true });
    await page.goto("/");
    expect(await bannerShown(page)).toBe(true);
    expect(await page.getByText(/Global Privacy Control signal/).count()).toBeGreaterThan(0);
    await audit(page, "banner-gpc");
    await tabTo(page, "Understood", byLabel("Understood"), 80);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await bannerShown(page)).toBe(false);
    for (const path of ["/privacy", "/login", "/cookies"]) await page.goto(path);
    // The settings page says why analytics and marketing cannot be turned on.
    expect(await page.getByText(/Global Privacy Control signal/).count()).toBeGreaterThan(0);
    expect(await page.getByLabel(/^Analytics:/).isDisabled()).toBe(true);
    expect(await pageViews()).toBe(0);
    expect(await lastRecord()).toMatchObject({ analytics: 0, marketing: 0 });
  });

  step(
    "without JavaScript, Reject all posts the form, comes back, and nothing is counted",
    async () => {
      const page = await visitor(LAPTOP, { javaScript: false });
      await page.goto("/privacy");
      expect(await bannerShown(page)).toBe(true);
      expect(await page.locator(".consent-banner input[type=checkbox]:checked").count()).toBe(0);
      // axe runs in the page's JavaScript: the same banner is audited in the next step.
      await tabTo(page, "Reject all", byLabel("Reject all"), 120);
      await pressAndWait(page, "Enter");
      expect(new URL(page.url()).pathname).toBe("/privacy");
      expect(await bannerShown(page)).toBe(false);
      for (const path of ["/", "/privacy/v/1", "/login"]) await page.goto(path);
      expect(await pageViews()).toBe(0);
      expect(await lastRecord()).toMatchObject({ analytics: 0, marketing: 0, method: "banner" });
    },
  );

  step("after Accept all, page views are recorded", async () => {
    const page = await visitor(PHONE);
    await page.goto("/");
    expect(await bannerShown(page)).toBe(true);
    await audit(page, "banner");
    await tabTo(page, "Accept all", byLabel("Accept all"), 80);
    await pressAndWait(page, "Enter");
    expect(await bannerShown(page)).toBe(false);
    await page.goto("/privacy");
    await page.goto("/login");
    // The page she came back to, then two more.
    expect(await pageViews()).toBe(3);
    const paths = await store.db.selectFrom("page_views").select("path").execute();
    expect(paths.map((p) => p.path).sort()).toEqual(["/", "/login", "/privacy"]);
    expect(await lastRecord()).toMatchObject({ analytics: 1, marketing: 1, method: "banner" });
  });

  step(
    "Save choices keeps only the ticked box, and Cookie settings in the footer shows it",
    async () => {
      const page = await visitor(LAPTOP);
      await page.goto("/login");
      await tabTo(page, "the analytics box", byLabel(/^Analytics:/), 80);
      await page.keyboard.press("Space");
      await tabTo(page, "Save choices", byLabel("Save choices"), 8);
      await pressAndWait(page, "Enter");
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(await lastRecord()).toMatchObject({ analytics: 1, marketing: 0, method: "banner" });
      await tabTo(page, "Cookie settings", byLabel("Cookie settings"), 80);
      await pressAndWait(page, "Enter");
      expect(new URL(page.url()).pathname).toBe("/cookies");
      expect(await page.getByText(/analytics yes, marketing no/).count()).toBe(1);
      await audit(page, "settings");
    },
  );

  step("the organisation's owner reads her members' usage as charts and tables", async () => {
    const page = await visitor(PHONE);
    await page
      .context()
      .addCookies([
        { name: "ally_session", value: ownerSession, url: origin, httpOnly: true, sameSite: "Lax" },
      ]);
    await page.goto("/app");
    await tabTo(page, "Accept all", byLabel("Accept all"), 120);
    await pressAndWait(page, "Enter");
    await page.goto("/app/jobs");
    await page.goto("/app/usage");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Usage");
    expect(await page.getByRole("img", { name: /Page views per day/ }).count()).toBe(1);
    expect(await page.getByRole("cell", { name: "/app/jobs", exact: true }).count()).toBe(1);
    // The chart's numbers as a table, opened from the keyboard.
    await tabTo(page, "the table of page views", byLabel(/as a table/), 40);
    await page.keyboard.press("Enter");
    expect(await page.getByRole("columnheader", { name: "Day" }).isVisible()).toBe(true);
    await audit(page, "usage");
  });

  step(
    "every page passed the checks, with no console errors and nothing off loopback",
    async () => {
      expect(findings).toEqual([]);
      for (const problems of problemSets) {
        expect(problems.consoleErrors).toEqual([]);
        expect(problems.offLoopback).toEqual([]);
      }
    },
  );
});
