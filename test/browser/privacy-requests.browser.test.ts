/**
 * A candidate's privacy rights end to end, in Debian's Chromium: Noor, a candidate Orbital Works
 * recorded, asks for a copy of her data on /privacy/request with the code Ally emails her, and
 * is told that Orbital Works is the controller; Rita, Orbital Works' owner, sees the request in
 * /app/privacy/requests and marks it done; Noor follows the emailed link and downloads the zip
 * (her records in it); she then asks for erasure the same way; Rita sees both requests in the
 * queue and completes the erasure; the candidate record is anonymised, and Noor's download link
 * now says her data is gone.
 *
 * Everything is done from the keyboard (Tab, typing, Enter; the request kind is picked with
 * `selectOption` once its select has focus, as the other browser tests do). Noor's browser is a
 * phone (390×844), Rita's a laptop (1280×800); every page is checked at both widths with the
 * shared page checks and the axe-core audit (no serious or critical finding), and for console
 * errors and requests off loopback.
 *
 * Ally runs in-process on a free loopback port with SQLite in a temporary folder and no SMTP
 * relay, so mail is read from the .eml files of the outbox folder. Without /usr/bin/chromium (or
 * ALLY_CHROMIUM) a developer's run skips with one message; with CI=true it fails.
 */
import { mkdirSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
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
import { type OutboxMail, readMail } from "./support/mail.js";
import { buildTeam } from "./support/team.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);

const unavailable = missingTools("privacy requests in a browser");

const h1 = async (page: Page) =>
  ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/**
 * A plain-text email as a mail client shows it: the text, with its web addresses made links.
 * The person then reaches the link with Tab and opens it with Enter.
 */
function asMailClientShows(mail: OutboxMail): string {
  const body = escapeHtml(mail.text).replace(
    /https?:\/\/[^\s<]+/g,
    (url) => `<a href="${url}">${url}</a>`,
  );
  return `<!doctype html><html lang="en"><head><title>${escapeHtml(mail.subject)}</title></head><body><main><h1>${escapeHtml(mail.subject)}</h1><pre>${body}</pre></main></body></html>`;
}

describe.skipIf(unavailable !== undefined)("a candidate's privacy requests in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let origin: string;
  let outbox: string;
  let store: Store;
  let browser: Browser;
  let candidate: { context: BrowserContext; page: Page };
  let admin: { context: BrowserContext; page: Page };
  const contexts: BrowserContext[] = [];
  const problemSets: ContextProblems[] = [];
  const findings: string[] = [];
  const seenMail = new Set<string>();
  const step = storySteps(STEP_MS);
  const noor = { name: "Noor Candidate", email: "noor@example.test", phone: "+44 7700 900123" };
  const download = { link: "", linkMail: undefined as OutboxMail | undefined };
  let candidateId = "";

  async function context(viewport: { width: number; height: number }) {
    const made = await newContext(browser, origin, { viewport, acceptDownloads: true });
    contexts.push(made.context);
    problemSets.push(made.problems);
    return { context: made.context, page: await made.context.newPage() };
  }

  /** The shared page checks and axe, at the phone's width and the laptop's. */
  async function audit(page: Page, name: string): Promise<void> {
    findings.push(
      ...(await auditAtBothWidths(page, name, join(SCREENSHOTS, `privacy-${name}.png`))),
    );
  }

  /** The next message to `to` whose subject matches, not one returned before (polling). */
  async function nextMail(to: string, subject: RegExp, timeoutMs = 30_000): Promise<OutboxMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const names = await readdir(outbox).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.endsWith(".eml")).sort()) {
        if (seenMail.has(name)) continue;
        const mail = await readMail(join(outbox, name));
        if (mail.to.toLowerCase().includes(to) && subject.test(mail.subject)) {
          seenMail.add(name);
          return mail;
        }
      }
      if (Date.now() > deadline) throw new Error(`no new email to ${to} matching ${subject}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Noor fills the public form from the keyboard, enters the emailed code, and is told who answers. */
  async function ask(kind: "access" | "erasure", screenshotName: string): Promise<void> {
    const { page } = candidate;
    await page.goto("/privacy/request");
    expect(await h1(page)).toBe("Ask about your data");
    if (kind === "access") await audit(page, "request-form");
    await tabTo(page, "Your email address", byLabel(/^Your email address/));
    await page.keyboard.type(noor.email);
    await tabTo(page, "What you ask for", byLabel(/^What you ask for/), 3);
    await page.getByLabel("What you ask for").selectOption(kind);
    await tabTo(page, "Send me a code", byLabel("Send me a code"), 6);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Enter your code");
    if (kind === "access") await audit(page, "code-form");

    const codeMail = await nextMail(noor.email, /^Your code: \d{6}$/);
    const code = /(\d{6})/.exec(codeMail.subject)?.[1] ?? "";
    await tabTo(page, "Code", byLabel(/^Code/));
    await page.keyboard.type(code);
    await tabTo(page, "Confirm my request", byLabel("Confirm my request"), 3);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Your request is filed");
    expect(await page.getByRole("listitem").filter({ hasText: "Orbital Works" }).count()).toBe(1);
    await audit(page, screenshotName);
  }

  /** Rita marks Noor's open request done from the keyboard. */
  async function completeOpenRequest(kindLabel: string): Promise<void> {
    const { page } = admin;
    await page.goto("/app/privacy/requests");
    expect(await h1(page)).toBe("Privacy requests");
    const open = page.getByRole("row").filter({ hasText: noor.email }).filter({ hasText: "open" });
    expect(await open.count()).toBe(1);
    expect(await open.textContent()).toContain(kindLabel);
    await tabTo(page, "Mark done", byLabel("Mark done"), 80);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/app/privacy/requests");
    const done = page
      .getByRole("row")
      .filter({ hasText: noor.email })
      .filter({ hasText: kindLabel })
      .filter({ hasText: "completed" });
    expect(await done.count()).toBe(1);
  }

  /** Opens the download link from the email as Noor would, with Tab and Enter. */
  async function followDownloadLink(page: Page): Promise<void> {
    if (download.linkMail === undefined) throw new Error("no download email yet");
    await page.goto("about:blank");
    await page.setContent(asMailClientShows(download.linkMail));
    await tabTo(page, "the download link", (info) => info.href === download.link, 10);
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-privacy-browser-"));
    const port = await freePort();
    const loaded = loadConfig({
      // Tests read their own output: the request log only when something is wrong.
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
    const made = await deps.hiring.createCandidate(team.owner, {
      name: noor.name,
      email: noor.email,
      phone: noor.phone,
      timeZone: "Europe/London",
      notes: null,
    });
    candidateId = made.id;

    browser = await launchChromium();
    candidate = await context(PHONE);
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

  step("the candidate asks for a copy of her data with the emailed code", async () => {
    await ask("access", "access-filed");
  });

  step("the organisation's admin sees the request in the queue and completes it", async () => {
    await completeOpenRequest("A copy of my data (access)");
    await audit(admin.page, "queue-after-access");
  });

  step("the candidate downloads the access package from the emailed link", async () => {
    const mail = await nextMail(noor.email, /^Your data is ready to download$/);
    download.link = /(https?:\/\/\S+)/.exec(mail.text)?.[1] ?? "";
    download.linkMail = mail;
    expect(new URL(download.link).pathname).toBe("/privacy/export");
    const { page } = candidate;
    await followDownloadLink(page);
    const [file] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
    expect(file.suggestedFilename()).toBe("your-data.zip");
    const bytes = await readFile(await file.path());
    expect(bytes.subarray(0, 4).toString("hex")).toBe("504b0304");
    const text = bytes.toString("utf8");
    expect(text).toContain("summary.html");
    expect(text).toContain("data.json");
    expect(text).toContain(noor.name);
    expect(text).toContain(noor.phone);
    expect(text).toContain("Candidate records kept by Orbital Works");
  });

  step("the candidate asks for erasure the same way", async () => {
    await ask("erasure", "erasure-filed");
  });

  step("the admin sees both requests and completes the erasure", async () => {
    const { page } = admin;
    await page.goto("/app/privacy/requests");
    const rows = page.getByRole("row").filter({ hasText: noor.email });
    expect(await rows.count()).toBe(2);
    await audit(page, "queue-both");
    await completeOpenRequest("Delete my data (erasure)");
    expect(await rows.filter({ hasText: "completed" }).count()).toBe(2);
    const kept = await store.db
      .selectFrom("candidates")
      .select(["name", "email", "phone"])
      .where("id", "=", candidateId)
      .executeTakeFirst();
    expect(JSON.stringify(kept ?? {})).not.toContain("Noor");
    expect(JSON.stringify(kept ?? {})).not.toContain(noor.email);
    expect(JSON.stringify(kept ?? {})).not.toContain(noor.phone);
  });

  step("the candidate's download link now says her data is gone", async () => {
    const { page } = candidate;
    await followDownloadLink(page);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/privacy/export");
    expect(await page.getByText(/Your data is gone/).count()).toBeGreaterThan(0);
    expect(await page.getByText(/expired or was already used/).count()).toBe(0);
    await audit(page, "data-gone");
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
