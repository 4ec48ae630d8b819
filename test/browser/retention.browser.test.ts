/**
 * The retention page in Debian's Chromium at phone width (390 px), on a freshly started Ally:
 * the daily purge runs at start and the owner sees when it ran; from the keyboard alone they
 * try a limit out of range (the error names the field and leads to it), then save 12 months.
 * The page has one level-one heading, no unnamed controls, no sideways scrolling, a visible
 * focus ring at every stop and no serious axe findings. Without Chromium a developer's run skips
 * with one message; with CI=true it fails.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { type RunningServer, startServer } from "../../src/app/main.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import { seriousAxeFindings } from "./support/axe.js";
import {
  byLabel,
  focused,
  focusProblems,
  freePort,
  launchChromium,
  missingTools,
  newContext,
  pageFindings,
  pressAndWait,
  replaceText,
  storySteps,
  tabTo,
} from "./support/browser.js";
import { buildTeam } from "./support/team.js";

const PHONE = { width: 390, height: 844 };
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);

const unavailable = missingTools("the retention page in a browser");

describe.skipIf(unavailable !== undefined)("the retention page in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let store: Store;
  let browser: Browser;
  let page: Page;
  const step = storySteps(STEP_MS);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ally-retention-browser-"));
    const port = await freePort();
    const loaded = loadConfig({
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
      // The purge is due at start; the worker picks it up at its next poll.
      QUEUE_POLL_MS: "200",
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    server = await startServer(loaded.config, () => {});
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    const deps = buildDeps(loaded.config, store, systemClock, MASTER_KEY);
    const team = await buildTeam(deps, store, {
      email: "ivan@example.test",
      password: "another long passphrase",
    });
    browser = await launchChromium();
    const made = await newContext(browser, server.url, { viewport: PHONE });
    await made.context.addCookies([
      {
        name: "ally_session",
        value: team.ownerSession,
        url: server.url,
        httpOnly: true,
        sameSite: "Lax",
      },
    ]);
    page = await made.context.newPage();
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the purge ran at start, and the page says when and by which rules", async () => {
    // Waits for the worker's first run (not a timing assertion: it only bounds the wait).
    for (let tries = 0; tries < 100; tries++) {
      const run = await store.db.selectFrom("retention_runs").select("id").executeTakeFirst();
      if (run !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const response = await page.goto("/app/retention");
    expect(response?.status()).toBe(200);
    expect(await page.getByText(/The purge last ran \d{4}-\d\d-\d\d \d\d:\d\d UTC\./).count()).toBe(
      1,
    );
    const sessions = page.getByRole("row", { name: /^Sessions/ });
    expect(await sessions.getByText("removed when expired").count()).toBe(1);
    expect(await pageFindings(page, "retention")).toEqual([]);
    expect(await seriousAxeFindings(page, "retention")).toEqual([]);
  });

  step("a limit out of range is refused from the keyboard, naming the field", async () => {
    await tabTo(page, "months", byLabel(/^Months after closing/), 120);
    await replaceText(page, "0");
    await pressAndWait(page, "Enter");
    const summary = page.getByRole("alert");
    expect(await summary.getByText("Months after closing must be at least 1").count()).toBe(1);
    expect(await pageFindings(page, "retention with an error")).toEqual([]);
    expect(await seriousAxeFindings(page, "retention with an error")).toEqual([]);
    // The summary's link leads to the field.
    await tabTo(
      page,
      "error link",
      (info) => info.tag === "a" && /at least 1/.test(info.label),
      10,
    );
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    expect((await focused(page)).name).toBe("closedRequestsMonths");
  });

  step("twelve months are saved from the keyboard", async () => {
    await replaceText(page, "12");
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).search).toBe("?saved=1");
    expect(await page.getByText("Saved.").count()).toBe(1);
    expect(await page.getByText("12 months after closing").count()).toBe(1);
    expect(await focusProblems(page)).toEqual([]);
    expect(await seriousAxeFindings(page, "retention saved")).toEqual([]);
  });
});
