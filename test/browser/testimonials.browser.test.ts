/**
 * A testimonial end to end in Debian's Chromium: Rita, Orbital Works' owner, asks Sam for a
 * testimonial on /app/testimonials (a laptop); Sam opens the emailed link on a phone, writes the
 * text, saves it, reads exactly what would be published, ticks the unticked consent box and
 * consents; Rita publishes the version Sam consented to; the home page shows it (escaped: the
 * markup Sam typed is text); Sam removes it with the one button on the page, and the home page
 * no longer shows it.
 *
 * Everything is done from the keyboard (Tab, typing, Space, Enter). Every page is checked at
 * 390 and 1280 px with the shared page checks and axe-core (no serious or critical finding),
 * and for console errors and requests off loopback. Ally runs in-process on a free loopback port
 * with SQLite in a temporary folder and no SMTP relay: mail is read from the outbox folder.
 * Without /usr/bin/chromium (or ALLY_CHROMIUM) a developer's run skips; with CI=true it fails.
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
import { waitForMail } from "./support/mail.js";
import { buildTeam } from "./support/team.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);
const SAM = { name: "Sam Quoted", email: "sam@customer.test" };
const QUOTE = "Ally booked our whole loop in a morning. <b>Really</b>.";

const unavailable = missingTools("testimonials in a browser");

const h1 = async (page: Page) =>
  ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();

describe.skipIf(unavailable !== undefined)("a testimonial in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let origin: string;
  let outbox: string;
  let store: Store;
  let browser: Browser;
  let person: { context: BrowserContext; page: Page };
  let admin: { context: BrowserContext; page: Page };
  const contexts: BrowserContext[] = [];
  const problemSets: ContextProblems[] = [];
  const findings: string[] = [];
  const step = storySteps(STEP_MS);
  let link = "";

  async function context(viewport: { width: number; height: number }) {
    const made = await newContext(browser, origin, { viewport });
    contexts.push(made.context);
    problemSets.push(made.problems);
    return { context: made.context, page: await made.context.newPage() };
  }

  /** The shared page checks and axe, at the phone's width and the laptop's. */
  async function audit(page: Page, name: string): Promise<void> {
    findings.push(
      ...(await auditAtBothWidths(page, name, join(SCREENSHOTS, `testimonial-${name}.png`))),
    );
  }

  const mailTo = (to: string, subject: RegExp) => waitForMail(outbox, to, subject);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-testimonial-browser-"));
    const port = await freePort();
    const loaded = loadConfig({
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      OUTBOX_POLL_MS: "100",
      ALLY_MASTER_KEY: MASTER_KEY.toString("base64"),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    server = await startServer(loaded.config, () => {});
    origin = server.url;
    outbox = join(dir, "outbox");
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    const deps = buildDeps(loaded.config, store, systemClock, MASTER_KEY);
    const team = await buildTeam(deps, store, {
      email: "ivan@example.test",
      password: "another long passphrase",
    });
    browser = await launchChromium();
    person = await context(PHONE);
    admin = await context(LAPTOP);
    await admin.context.addCookies([
      {
        name: "ally_session",
        value: team.ownerSession,
        url: origin,
        httpOnly: true,
        sameSite: "Lax",
      },
    ]);
  }, STEP_MS);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the admin asks for a testimonial from the keyboard", async () => {
    const { page } = admin;
    await page.goto("/app/testimonials");
    expect(await h1(page)).toBe("Testimonials");
    await audit(page, "admin-list-empty");
    await tabTo(page, "Their name", byLabel(/^Their name/));
    await page.keyboard.type(SAM.name);
    await tabTo(page, "Their email", byLabel(/^Their email/), 3);
    await page.keyboard.type(SAM.email);
    await tabTo(page, "Send the request", byLabel("Send the request"), 3);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe(`Testimonial from ${SAM.name}`);
    expect(await page.getByText("Asked, waiting for the person").count()).toBeGreaterThan(0);
    await audit(page, "admin-asked");
    const mail = await mailTo(SAM.email, /^Would you write a few words about Orbital Works\?$/);
    link = /(https?:\/\/\S+\/testimonial\/tm_\S+)/.exec(mail.text)?.[1] ?? "";
    expect(new URL(link).pathname).toMatch(/^\/testimonial\/tm_/);
  });

  step("the person writes the text and sees exactly what would be published", async () => {
    const { page } = person;
    await page.goto(link);
    expect(await h1(page)).toBe("Your testimonial for Orbital Works");
    await audit(page, "person-write");
    await tabTo(page, "Testimonial", byLabel(/^Testimonial/));
    await page.keyboard.type(QUOTE);
    await tabTo(page, "Name shown", byLabel(/^Name shown/), 3);
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("Sam");
    await tabTo(page, "Role (optional)", byLabel(/^Role/), 3);
    await page.keyboard.type("Head of People");
    await tabTo(page, "Save and preview", byLabel("Save and preview"), 5);
    await pressAndWait(page, "Enter");
    const preview = page.locator("#preview");
    expect(await preview.getByRole("heading").textContent()).toBe(
      "Exactly what would be published",
    );
    expect(await preview.locator("blockquote").textContent()).toContain("<b>Really</b>");
    expect(await preview.locator("b").count()).toBe(0);
    expect(await page.getByLabel(/^I agree that Orbital Works publishes/).isChecked()).toBe(false);
    await audit(page, "person-preview");
  });

  step("nothing is on the home page before consent", async () => {
    await person.page.goto("/");
    expect(await person.page.getByText("Ally booked our whole loop").count()).toBe(0);
  });

  step("the person ticks the box and consents", async () => {
    const { page } = person;
    await page.goto(link);
    await tabTo(page, "the consent box", byLabel(/^I agree that Orbital Works publishes/));
    await page.keyboard.press("Space");
    await tabTo(page, "Publish with my consent", byLabel("Publish with my consent"), 3);
    await pressAndWait(page, "Enter");
    expect(await page.getByText(/your consent is recorded/).count()).toBe(1);
    await audit(page, "person-consented");
    const mail = await mailTo(SAM.email, /^You agreed to publish your testimonial$/);
    expect(mail.text).toContain("version 1");
  });

  step("the admin publishes the consented version", async () => {
    const { page } = admin;
    await page.goto("/app/testimonials");
    await tabTo(page, SAM.name, byLabel(SAM.name));
    await pressAndWait(page, "Enter");
    await audit(page, "admin-consented");
    await tabTo(page, "Publish version 1", byLabel("Publish version 1"));
    await pressAndWait(page, "Enter");
    expect(await page.getByText("Published: it is on the home page now.").count()).toBe(1);
    expect(
      await page.getByRole("listitem").filter({ hasText: "Consent to publish given" }).count(),
    ).toBe(1);
  });

  step("the home page shows it, as text, with only what the person chose", async () => {
    const { page } = person;
    await page.goto("/");
    const section = page.getByRole("region", { name: "What people say" });
    expect(await section.locator("blockquote").textContent()).toContain(QUOTE);
    expect(await section.locator("b").count()).toBe(0);
    expect(await section.locator("figcaption").textContent()).toContain("Sam, Head of People");
    expect(await page.getByText(SAM.email).count()).toBe(0);
    expect(await page.getByText(SAM.name).count()).toBe(0);
    await audit(page, "home-published");
  });

  step("the person removes it with one click, and it is gone from the home page", async () => {
    const { page } = person;
    await page.goto(link);
    await tabTo(page, "Remove my testimonial", byLabel("Remove my testimonial"), 80);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Your testimonial was removed");
    await audit(page, "person-removed");
    await page.goto("/");
    expect(await page.getByText("Ally booked our whole loop").count()).toBe(0);
    expect(await page.getByRole("region", { name: "What people say" }).count()).toBe(0);
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
