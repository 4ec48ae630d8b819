/**
 * Candidate surveys end to end, in Debian's Chromium. Orbital Works books Noor's interview;
 * once it is over, the survey sweep emails her a link. On a phone (390×844), from the keyboard
 * (Tab into each radio group, arrow keys to choose, typing, Enter), she answers: 9 out of 10,
 * scheduling 4, interviewers prepared 5, a comment. Rita, the owner, on a laptop (1280×800),
 * opens the results page: the cNPS, the chart drawn as SVG with its table, the comment; she
 * changes the delay with the keyboard. Every page is checked at both widths with the shared
 * page checks and axe-core (no serious or critical finding), for console errors and requests
 * off loopback.
 *
 * Ally runs in-process on a free loopback port with SQLite in a temporary folder and no SMTP
 * relay, so mail is read from the .eml files of the outbox folder. Without /usr/bin/chromium (or
 * ALLY_CHROMIUM) a developer's run skips with one message; with CI=true it fails.
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
import { fixedClock, systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import { runSurveySweep } from "../../src/surveys/sweep.js";
import { auditAtBothWidths, LAPTOP, PHONE } from "./support/axe.js";
import {
  byLabel,
  type ContextProblems,
  freePort,
  launchChromium,
  missingTools,
  newContext,
  pressAndWait,
  replaceText,
  storySteps,
  tabTo,
} from "./support/browser.js";
import { waitForMail } from "./support/mail.js";
import { buildTeam } from "./support/team.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const STEP_MS = 60_000;
const DAY_MS = 86_400_000;
const MASTER_KEY = Buffer.alloc(32, 7);

const unavailable = missingTools("candidate surveys in a browser");

const h1 = async (page: Page) =>
  ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();

describe.skipIf(unavailable !== undefined)("candidate surveys in a browser", () => {
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
  const step = storySteps(STEP_MS);
  const noor = { name: "Noor Candidate", email: "noor@example.test" };
  let surveyLink = "";

  async function context(viewport: { width: number; height: number }) {
    const made = await newContext(browser, origin, { viewport });
    contexts.push(made.context);
    problemSets.push(made.problems);
    return { context: made.context, page: await made.context.newPage() };
  }

  /** The shared page checks and axe, at the phone's width and the laptop's. */
  async function audit(page: Page, name: string): Promise<void> {
    findings.push(
      ...(await auditAtBothWidths(page, name, join(SCREENSHOTS, `survey-${name}.png`))),
    );
  }

  const mailTo = (to: string, subject: RegExp) => waitForMail(outbox, to, subject);

  /** Tabs into a radio group (its first radio) and chooses `value` with the arrow keys. */
  async function choose(page: Page, groupStart: string, from: number, value: number) {
    await tabTo(page, `the radio ${groupStart}`, (info) => info.label === groupStart, 20);
    for (let n = from; n < value; n++) await page.keyboard.press("ArrowRight");
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-surveys-browser-"));
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
    const made = await deps.hiring.createCandidate(team.owner, {
      name: noor.name,
      email: noor.email,
      phone: null,
      timeZone: "Europe/London",
      notes: null,
    });
    const job = await deps.hiring.createJob(team.owner, {
      title: "Flight software engineer",
      department: null,
      location: null,
      description: null,
    });
    // A week from tomorrow, in real time: the server's clock is the system's.
    const tomorrow = Math.ceil(Date.now() / DAY_MS) * DAY_MS;
    const request = await deps.booking.createRequest(team.owner, {
      candidateId: made.id,
      jobId: job.id,
      sessions: [{ name: "Screen", durationMinutes: 45, interviewerIds: [team.owner.userId] }],
      windowStart: new Date(tomorrow).toISOString(),
      windowEnd: new Date(tomorrow + 7 * DAY_MS).toISOString(),
      videoLink: "https://meet.example.com/orbital",
    });
    const [option] = (await deps.booking.options(team.owner, request.id)).options;
    if (option === undefined) throw new Error("no time to book");
    const { booking } = await deps.booking.book(team.owner, request.id, {
      optionId: option.id,
      idempotencyKey: "survey-browser-booking-1",
    });
    const endedAt = Math.max(...booking.sessions.map((s) => Date.parse(s.endsAt)));
    // The sweep as it runs two hours after the interview's end (the link then works 30 days).
    await runSurveySweep({
      db: store.db,
      clock: fixedClock(endedAt + 2 * 3_600_000),
      mailFrom: loaded.config.mail.from,
      publicUrl: loaded.config.http.publicUrl,
    });

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

  step("the candidate is emailed one survey link after the interview", async () => {
    const mail = await mailTo(noor.email, /^How was your interview with Orbital Works\?$/);
    surveyLink = /(https?:\/\/\S+\/survey\/sv_\S+)/.exec(mail.text)?.[1] ?? "";
    expect(new URL(surveyLink).pathname).toMatch(/^\/survey\/sv_/);
  });

  step("she answers on her phone from the keyboard", async () => {
    const { page } = candidate;
    await page.goto(surveyLink);
    expect(await h1(page)).toBe("How was your interview?");
    await audit(page, "form");
    await choose(page, "0", 0, 9);
    await choose(page, "1", 1, 4);
    await choose(page, "1", 1, 5);
    await tabTo(page, "the comment", byLabel(/^Anything else/), 12);
    await page.keyboard.type("Clear steps and a friendly panel.");
    await tabTo(page, "Send my answers", byLabel("Send my answers"), 4);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Thank you for your answers");
    await audit(page, "thanks");
    const [row] = await store.db.selectFrom("survey_responses").selectAll().execute();
    expect(row).toMatchObject({
      scheduling: 4,
      preparation: 5,
      clarity: null,
      comment: "Clear steps and a friendly panel.",
    });
    expect(Number(row?.nps)).toBe(9);
  });

  step("a second visit says the survey was already answered", async () => {
    const { page } = candidate;
    await page.goto(surveyLink);
    expect(await h1(page)).toBe("Thanks, you already answered");
  });

  step("the owner reads the results, with the chart as SVG and as a table", async () => {
    const { page } = admin;
    await page.goto("/app/surveys");
    expect(await h1(page)).toBe("Candidate surveys");
    expect(await page.getByText("cNPS +100", { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByRole("img", { name: /cNPS by month/ }).count()).toBe(1);
    expect(await page.getByRole("table", { name: "cNPS by month" }).count()).toBe(1);
    expect(await page.getByText("Clear steps and a friendly panel.").count()).toBe(1);
    await audit(page, "results");
  });

  step("the owner changes the delay from the keyboard", async () => {
    const { page } = admin;
    await tabTo(page, "the delay", byLabel(/^Hours after the interview/), 120);
    await replaceText(page, "3");
    await tabTo(page, "Save settings", byLabel("Save settings"), 4);
    await pressAndWait(page, "Enter");
    expect(await page.getByText("Settings saved.").count()).toBe(1);
    expect(await page.getByLabel(/^Hours after the interview/).inputValue()).toBe("3");
    await audit(page, "settings-saved");
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
