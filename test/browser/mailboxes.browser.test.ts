/**
 * The mailboxes page in Debian's Chromium at phone width (390 px), against a real Dovecot: the
 * owner connects an IMAP mailbox from the keyboard alone, sees it listed with when it was last
 * read, and tests it; the page has one level-one heading, no unnamed controls, no sideways
 * scrolling and a visible focus ring at every stop. Ally runs in-process on a free loopback port
 * with SQLite in a temporary folder. Without Chromium or Dovecot a developer's run skips with one
 * message; with CI=true it fails.
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
import {
  DOVECOT_PASSWORD,
  DOVECOT_USER,
  type Dovecot,
  dovecotOrSkip,
  startDovecot,
} from "../mail/dovecot.js";
import {
  byLabel,
  focusProblems,
  freePort,
  launchChromium,
  missingTools,
  newContext,
  pageFindings,
  pressAndWait,
  storySteps,
  tabTo,
} from "./support/browser.js";
import { buildTeam } from "./support/team.js";

const PHONE = { width: 390, height: 844 };
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);

const haveDovecot = dovecotOrSkip("the mailboxes browser test");
const unavailable = missingTools(
  "connecting a mailbox in a browser",
  haveDovecot ? undefined : "Dovecot is not installed",
);

describe.skipIf(unavailable !== undefined)("connecting a mailbox in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let store: Store;
  let dovecot: Dovecot;
  let browser: Browser;
  let page: Page;
  const step = storySteps(STEP_MS);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ally-mailbox-browser-"));
    dovecot = await startDovecot();
    const port = await freePort();
    const loaded = loadConfig({
      // Tests read their own output: the request log only when something is wrong.
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
      // Dovecot listens on loopback.
      ALLY_ALLOW_PRIVATE_MAIL_HOSTS: "true",
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
    await dovecot?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the owner connects an IMAP mailbox from the keyboard at 390 px", async () => {
    const response = await page.goto("/app/mailboxes");
    expect(response?.status()).toBe(200);
    expect(await page.getByText("No mailbox connected yet.").count()).toBe(1);
    await tabTo(page, "address", byLabel(/^The mailbox's email address/), 80);
    await page.keyboard.type("recruiting@orbital.example");
    await tabTo(page, "server", byLabel(/^IMAP server/), 3);
    await page.keyboard.type(dovecot.host);
    await tabTo(page, "port", byLabel(/^Port/), 3);
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type(String(dovecot.port));
    await tabTo(page, "security", byLabel(/^Security/), 3);
    await page.keyboard.press("ArrowDown");
    await tabTo(page, "user name", byLabel(/^User name/), 3);
    await page.keyboard.type(DOVECOT_USER);
    await tabTo(page, "password", byLabel(/^Password/), 3);
    await page.keyboard.type(DOVECOT_PASSWORD);
    await tabTo(page, "connect", byLabel("Connect mailbox"), 5);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/app/mailboxes");
    const row = page.getByRole("row", { name: /recruiting@orbital\.example/ });
    expect(await row.count()).toBe(1);
    expect(((await row.getByRole("cell").nth(3).textContent()) ?? "").trim()).toBe("None");
  });

  step("tests it from the keyboard, and the page passes its checks", async () => {
    await tabTo(page, "test", byLabel("Test now"), 80);
    await pressAndWait(page, "Enter");
    expect(await page.getByText("Ally logged in and opened the INBOX.").count()).toBe(1);
    expect(await pageFindings(page, "mailboxes")).toEqual([]);
    expect(await focusProblems(page)).toEqual([]);
  });
});
