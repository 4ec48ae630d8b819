/**
 * Issue 4 end to end, in Debian's Chromium, against a real Radicale: an interviewer signs in and
 * connects a CalDAV calendar on /app/calendars from the keyboard and sees it healthy; a busy
 * event put in that calendar takes its time out of the options on the recruiter's request page
 * once a sync has read it; then the calendar server stops, two syncs in a row fail (the second
 * only once the backoff after the first has passed), and the calendars page shows the
 * connection as not working while the request page warns that the interviewer's calendar may
 * be out of date.
 *
 * The organisation, its interviewer, candidate, job and a one-session request (the interviewer
 * named, one day's window) are made through the services on the same database; the recruiter
 * is signed in with the session those services issue. The server's own sync worker looks only
 * every minute and a connection is due only CALENDAR_SYNC_MINUTES after its last sync, so the
 * test syncs through the calendar service on the same database: the busy event's sync at once
 * (`syncConnection`), the failing ones as the worker runs them (`syncNext`: claim a connection
 * that is due, sync it) with that service's clock moved on past the sync interval and then past
 * the backoff. The server keeps the real clock.
 *
 * Ally runs in-process on a free loopback port with SQLite in a temporary folder and no SMTP
 * relay. Without /usr/bin/chromium (or ALLY_CHROMIUM) or Radicale a developer's run skips with
 * one message; with CI=true it fails. Screenshots go to test-artifacts/screenshots/ (git-ignored).
 */
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { type RunningServer, startServer } from "../../src/app/main.js";
import { longDay } from "../../src/booking/present.js";
import { syncNext } from "../../src/calendar/sync-worker.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";
import {
  makeCalendar,
  putObject,
  RADICALE_PASSWORD,
  RADICALE_USER,
  type Radicale,
  radicaleCommand,
  startRadicale,
} from "../calendar/connectors/radicale.js";
import {
  byLabel,
  type ContextProblems,
  focused,
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

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const DESKTOP = { width: 1024, height: 768 };
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 7);
const _META = { ip: "127.0.0.1", userAgent: "browser test" };
const SYNC_MINUTES = 15;

const radicale = radicaleCommand();
const unavailable = missingTools(
  "connecting a calendar in a browser",
  radicale.ok ? undefined : radicale.why,
);

const h1 = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();

/** The start times ("09:00") of the options on a request page, by day heading. */
async function optionStarts(page: Page): Promise<Map<string, string[]>> {
  const starts = new Map<string, string[]>();
  for (const day of await page.locator("fieldset.day").all()) {
    const heading = ((await day.locator("legend").textContent()) ?? "").trim();
    const times = await day.locator(".option-time").allTextContents();
    starts.set(
      heading,
      times.map((t) => t.trim().slice(0, 5)),
    );
  }
  return starts;
}

/** A busy event as a person's own calendar app would store it (RFC 5545, UTC times). */
function busyEvent(uid: string, start: Temporal.Instant, end: Temporal.Instant): string {
  const utc = (instant: Temporal.Instant) =>
    `${instant.toString().replace(/[-:]/g, "").replace(/\.\d+/, "").slice(0, 15)}Z`;
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Ally tests//Dentist//EN",
    "BEGIN:VEVENT",
    `UID:${uid}`,
    `DTSTAMP:${utc(start)}`,
    `DTSTART:${utc(start)}`,
    `DTEND:${utc(end)}`,
    "SUMMARY:Dentist",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

describe.skipIf(unavailable !== undefined)("connecting a calendar in a browser (issue 4)", () => {
  let dir: string;
  let server: RunningServer;
  let origin: string;
  let store: Store;
  let deps: WebDeps;
  let calendarServer: Radicale;
  let collection: string;
  let browser: Browser;
  let recruiter: { context: BrowserContext; page: Page };
  let interviewer: { context: BrowserContext; page: Page };
  const contexts: BrowserContext[] = [];
  const problemSets: ContextProblems[] = [];
  const findings: string[] = [];
  /** How far the test's services are ahead of the real clock (the server keeps the real one). */
  let aheadMs = 0;
  const movedClock: Clock = { now: () => Date.now() + aheadMs };
  const step = storySteps(STEP_MS);

  const people = { interviewerEmail: "ivan@example.test", password: "another long passphrase" };
  const ids = { request: "", connection: "" };
  // The request's window: the coming Monday, 00:00 to 24:00 UTC; everyone works 09:00–17:00 UTC.
  const today = Temporal.Now.plainDateISO("UTC");
  const monday = today.add({ days: 8 - today.dayOfWeek });
  const at = (time: string) => Temporal.Instant.from(`${monday.toString()}T${time}Z`);

  async function context(options: Parameters<Browser["newContext"]>[0] = {}) {
    const made = await newContext(browser, origin, options);
    contexts.push(made.context);
    problemSets.push(made.problems);
    return { context: made.context, page: await made.context.newPage() };
  }

  async function audit(page: Page, name: string): Promise<void> {
    findings.push(...(await pageFindings(page, name)));
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** The connection's sync state, as the sync left it in the database. */
  function connectionState() {
    return store.db
      .selectFrom("calendar_connections")
      .select(["status", "failure_count", "next_attempt_at", "last_error"])
      .where("id", "=", ids.connection)
      .executeTakeFirstOrThrow();
  }

  /** The interviewer's connection row on /app/calendars: its status and last error. */
  async function connectionRow(page: Page): Promise<{ status: string; lastError: string }> {
    const row = page.getByRole("row", { name: /CalDAV at 127\.0\.0\.1/ });
    await expect.poll(() => row.count()).toBe(1);
    const cells = row.getByRole("cell");
    return {
      status: ((await cells.nth(1).textContent()) ?? "").trim(),
      lastError: ((await cells.nth(3).textContent()) ?? "").trim(),
    };
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-calendar-browser-"));
    if (!radicale.ok) throw new Error(radicale.why);
    calendarServer = await startRadicale(radicale.argv);
    collection = `${calendarServer.baseUrl}${RADICALE_USER}/work/`;
    await makeCalendar(collection);
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
      CALENDAR_SYNC_MINUTES: String(SYNC_MINUTES),
      // Radicale listens on loopback.
      ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: "true",
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    server = await startServer(loaded.config, () => {});
    origin = server.url;
    // The same database, through the services, to make the organisation and run syncs.
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    deps = buildDeps(loaded.config, store, movedClock, MASTER_KEY);
    const team = await buildTeam(deps, store, {
      email: people.interviewerEmail,
      password: people.password,
    });
    const { owner } = team;
    const ivan = team.interviewer;
    const session = { token: team.ownerSession };
    const candidate = await deps.hiring.createCandidate(owner, {
      name: "Kenji Candidate",
      email: "kenji@example.test",
      phone: null,
      timeZone: "UTC",
      notes: null,
    });
    const job = await deps.hiring.createJob(owner, {
      title: "Rocket engineer",
      department: null,
      location: null,
      description: null,
    });
    const request = await deps.booking.createRequest(owner, {
      candidateId: candidate.id,
      jobId: job.id,
      sessions: [{ name: "Technical", durationMinutes: 60, interviewerIds: [ivan.userId] }],
      windowStart: at("00:00:00").toString(),
      windowEnd: at("00:00:00").add({ hours: 24 }).toString(),
      timeZone: "UTC",
    });
    ids.request = request.id;

    browser = await launchChromium();
    recruiter = await context({ viewport: DESKTOP });
    await recruiter.context.addCookies([
      { name: "ally_session", value: session.token, url: origin, httpOnly: true, sameSite: "Lax" },
    ]);
    interviewer = await context({ viewport: DESKTOP });
  }, STEP_MS);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await store?.close();
    await calendarServer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the interviewer signs in from the keyboard and lands on their calendars", async () => {
    const { page } = interviewer;
    await page.goto("/app/calendars");
    expect(page.url()).toContain("/login?next=%2Fapp%2Fcalendars");
    await tabTo(page, "Email", byLabel("Email"));
    await page.keyboard.type(people.interviewerEmail);
    await page.keyboard.press("Tab");
    expect((await focused(page)).label).toBe("Password");
    await page.keyboard.type(people.password);
    await Promise.all([page.waitForURL("**/app/calendars"), page.keyboard.press("Enter")]);
    expect(await h1(page)).toBe("Your calendars");
    expect(await page.getByText("No calendar connected yet.").count()).toBe(1);
  });

  step("connects a CalDAV calendar from the keyboard and sees it healthy", async () => {
    const { page } = interviewer;
    await tabTo(page, "Calendar address", byLabel(/^Calendar address/), 80);
    await page.keyboard.type(collection);
    await tabTo(page, "User name", byLabel(/^User name/), 3);
    await page.keyboard.type(RADICALE_USER);
    await tabTo(page, "App-specific password", byLabel(/^App-specific password/), 3);
    await page.keyboard.type(RADICALE_PASSWORD);
    await tabTo(page, "Connect CalDAV calendar", byLabel("Connect CalDAV calendar"), 3);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/app/calendars");
    expect(await connectionRow(page)).toEqual({ status: "Healthy", lastError: "None" });
    const href = await page
      .getByRole("row", { name: /CalDAV at 127\.0\.0\.1/ })
      .getByRole("link")
      .getAttribute("href");
    ids.connection = /\/app\/calendars\/(cal_[^/?#]+)/.exec(href ?? "")?.[1] ?? "";
    expect(ids.connection).not.toBe("");
    await audit(page, "calendars");
    await screenshot(page, "calendar-01-connected");
  });

  step("the recruiter's request page offers the morning while the calendar is free", async () => {
    const { page } = recruiter;
    const response = await page.goto(`/app/requests/${ids.request}`);
    expect(response?.status()).toBe(200);
    const starts = await optionStarts(page);
    expect([...starts.keys()]).toEqual([longDay(monday)]);
    expect([...starts.values()][0]).toContain("09:00");
    expect(await page.getByText("Calendars that may be out of date").count()).toBe(0);
    await audit(page, "request page");
  });

  step("a busy event in that calendar takes its time out of the options", async () => {
    await putObject(
      `${collection}dentist.ics`,
      busyEvent("dentist@example.test", at("09:00:00"), at("12:00:00")),
    );
    // A sync now (the server's worker would run it within CALENDAR_SYNC_MINUTES).
    const synced = await deps.calendars.syncConnection(ids.connection);
    expect(synced.status).toBe("healthy");
    const { page } = recruiter;
    await page.reload();
    const starts = [...(await optionStarts(page)).values()].flat();
    expect(starts.length).toBeGreaterThan(0);
    // A 60-minute session starting before 12:00 would overlap the dentist (09:00–12:00).
    expect(starts.filter((start) => start < "12:00")).toEqual([]);
    expect(starts).toContain("12:00");
    await audit(page, "request page with busy time");
    await screenshot(page, "calendar-02-request-options");
  });

  step(
    "when the calendar server stops, a failed sync is retried after its backoff and then marks it not working",
    async () => {
      await calendarServer.stop();
      // Due again one sync interval later, as the server's worker claims it; the first failed
      // read is only a blip.
      aheadMs = SYNC_MINUTES * 60_000;
      expect(await syncNext({ calendars: deps.calendars, pollMs: 0 })).toBe(true);
      const once = await connectionState();
      expect(once.status).toBe("healthy");
      expect(once.failure_count).toBe(1);
      expect(once.last_error).not.toBeNull();
      // The backoff holds: nothing is due until next_attempt_at.
      expect(await syncNext({ calendars: deps.calendars, pollMs: 0 })).toBe(false);
      const nextAttemptAt = Number(once.next_attempt_at);
      aheadMs += nextAttemptAt - movedClock.now() + 1;
      expect(await syncNext({ calendars: deps.calendars, pollMs: 0 })).toBe(true);
      expect(await connectionState()).toMatchObject({ status: "unhealthy", failure_count: 2 });
      // Its owner is told once, by email.
      const alerts = await store.db
        .selectFrom("outbox")
        .select("subject")
        .where("to_address", "=", people.interviewerEmail)
        .where("subject", "like", "Ally cannot read your calendar%")
        .execute();
      expect(alerts).toHaveLength(1);
    },
  );

  step("the calendars page shows the connection as not working", async () => {
    const { page } = interviewer;
    await page.reload();
    const row = await connectionRow(page);
    expect(row.status).toBe("Not working");
    expect(row.lastError).not.toBe("None");
    await audit(page, "calendars, not working");
    await screenshot(page, "calendar-03-not-working");
  });

  step("the request page warns that the interviewer's calendar may be out of date", async () => {
    const { page } = recruiter;
    await page.reload();
    const warning = page
      .getByRole("status")
      .filter({ hasText: "Calendars that may be out of date" });
    await expect.poll(() => warning.count()).toBe(1);
    const items = await warning.getByRole("listitem").allTextContents();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/^Ivan Interviewer's calendar \(CalDAV at 127\.0\.0\.1:\d+\) /);
    await audit(page, "request page with a warning");
    await screenshot(page, "calendar-04-request-warning");
  });

  step("shows no page problems and no console errors", async () => {
    expect(findings).toEqual([]);
    for (const problems of problemSets) {
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.offLoopback).toEqual([]);
    }
  });
});
