/**
 * Promotional email in Debian's Chromium at phone width (390 px), with Ally's own server and
 * workers: the owner creates a list, adds a subscriber with the consent's source and sends a
 * message, all from the keyboard, and sees it queued; the subscriber opens the unsubscribe link
 * from the email, sees a button (the visit changed nothing) and presses it; and a visitor signs
 * up on the list's public page. Every page has one level-one heading, no unnamed controls, no
 * sideways scrolling, a visible focus ring at every stop and no serious axe finding.
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
import { waitForMail } from "./support/mail.js";
import { buildTeam } from "./support/team.js";

const PHONE = { width: 390, height: 844 };
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);

const unavailable = missingTools("promotional email in a browser");

const h1 = async (page: Page) =>
  ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();

describe.skipIf(unavailable !== undefined)("promotional email in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let store: Store;
  let browser: Browser;
  let owner: Page;
  let visitor: Page;
  let listPath = "";
  const step = storySteps(STEP_MS);

  /** The shared page checks, axe and the focus ring at every stop. */
  async function audit(page: Page, name: string): Promise<string[]> {
    return [
      ...(await pageFindings(page, name)),
      ...(await seriousAxeFindings(page, name)),
      ...(await focusProblems(page)),
    ];
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ally-marketing-browser-"));
    const port = await freePort();
    const loaded = loadConfig({
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      OUTBOX_POLL_MS: "100",
      QUEUE_POLL_MS: "100",
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
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
    owner = await made.context.newPage();
    visitor = await (await newContext(browser, server.url, { viewport: PHONE })).context.newPage();
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the owner creates a list from the keyboard at 390 px", async () => {
    const response = await owner.goto("/app/marketing");
    expect(response?.status()).toBe(200);
    expect(await h1(owner)).toBe("Marketing");
    expect(await audit(owner, "marketing lists")).toEqual([]);
    await tabTo(owner, "Name", byLabel(/^Name/), 80);
    await owner.keyboard.type("Orbital talent community");
    await tabTo(owner, "Create list", byLabel("Create list"), 5);
    await pressAndWait(owner, "Enter");
    listPath = new URL(owner.url()).pathname;
    expect(listPath).toMatch(/^\/app\/marketing\/lists\/mkl_/);
    expect(await h1(owner)).toBe("Orbital talent community");
  });

  step("adds a subscriber with where they consented, and sees it listed", async () => {
    await tabTo(owner, "Email", byLabel(/^Email/), 80);
    await owner.keyboard.type("sam@example.test");
    await tabTo(owner, "consent source", byLabel(/^Where and how they consented/), 5);
    await owner.keyboard.type("Ticked the box at the Orbital careers fair");
    await tabTo(owner, "Add subscriber", byLabel("Add subscriber"), 5);
    await pressAndWait(owner, "Enter");
    const row = owner.getByRole("row", { name: /sam@example\.test/ });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Ticked the box at the Orbital careers fair");
    expect(await row.textContent()).toContain("added by an admin");
  });

  step("writes and sends a message, and sees how much was queued", async () => {
    await tabTo(owner, "Subject", byLabel(/^Subject/), 80);
    await owner.keyboard.type("Open day at Orbital");
    await tabTo(owner, "Message", byLabel(/^Message/), 3);
    await owner.keyboard.type("Come and meet the team.\n\nhttps://orbital.example/open-day");
    await tabTo(owner, "Send to the list", byLabel("Send to the list"), 5);
    await pressAndWait(owner, "Enter");
    expect(await owner.getByRole("status").textContent()).toContain("being sent");
    let progress = "";
    for (let i = 0; i < 50 && !progress.includes("1 of 1 (done)"); i += 1) {
      await owner.waitForTimeout(200);
      await owner.goto(listPath);
      progress =
        (await owner.getByRole("row", { name: /Open day at Orbital/ }).textContent()) ?? "";
    }
    expect(progress).toContain("1 of 1 (done)");
    expect(await audit(owner, "marketing list")).toEqual([]);
  });

  step(
    "the subscriber's unsubscribe link shows a button, and only the button unsubscribes",
    async () => {
      const mail = await waitForMail(
        join(dir, "outbox"),
        "sam@example.test",
        /^Open day at Orbital$/,
      );
      expect(mail.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      const link = /(http:\/\/127\.0\.0\.1:\d+\/u\/\S+)/.exec(mail.text)?.[1] ?? "";
      await visitor.goto(link);
      expect(await h1(visitor)).toBe("Unsubscribe");
      expect(await audit(visitor, "unsubscribe")).toEqual([]);
      await owner.goto(listPath);
      expect(await owner.getByRole("row", { name: /sam@example\.test/ }).count()).toBe(1);
      await tabTo(visitor, "Unsubscribe", byLabel("Unsubscribe"), 40);
      await pressAndWait(visitor, "Enter");
      expect(await h1(visitor)).toBe("You are unsubscribed");
      await owner.goto(listPath);
      expect(await owner.getByRole("row", { name: /sam@example\.test/ }).count()).toBe(0);
    },
  );

  step(
    "a visitor signs up on the list's public page and is asked to confirm by email",
    async () => {
      await visitor.goto(listPath.replace("/app/marketing/lists/", "/m/join/"));
      expect(await h1(visitor)).toBe("Orbital talent community");
      expect(await audit(visitor, "sign-up")).toEqual([]);
      await tabTo(visitor, "Email", byLabel(/^Email/), 40);
      await visitor.keyboard.type("noor@example.test");
      await tabTo(visitor, "consent box", byLabel(/^I agree to receive/), 5);
      await visitor.keyboard.press("Space");
      await tabTo(visitor, "Sign up", byLabel("Sign up"), 5);
      await pressAndWait(visitor, "Enter");
      expect(await visitor.getByRole("status").textContent()).toContain("Check your inbox");
      const mail = await waitForMail(join(dir, "outbox"), "noor@example.test", /^Confirm:/);
      expect(mail.text).toMatch(/\/m\/confirm\//);
    },
  );
});
