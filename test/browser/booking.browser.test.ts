/**
 * Issue 5 end to end, in Debian's Chromium: a recruiter creates a two-session loop request from
 * a loop template and sends it; the candidate (a browser in Tokyo) opens the link from the .eml
 * in the outbox folder, sees the times in their own zone (picked by the page's script), switches
 * zone, books from the keyboard; the confirmation shows; they reschedule, then cancel.
 *
 * Both interviewers of the loop have a CalDAV calendar on a real Radicale: the interviewer
 * connects theirs on /app/calendars from the keyboard, the recruiter's is connected through the
 * service. After the booking each calendar holds its session's event (written by the server's
 * event-write worker, polled for at most 30 s); after the reschedule the same objects (same
 * address, same UID) hold the new times with a higher SEQUENCE; after the cancellation they are
 * gone. The candidate's emails carry iMIP parts (read with mailparser, then with Ally's parser
 * and ical.js): REQUEST, REQUEST, CANCEL per session, one UID per session throughout (the same
 * as on the interviewers' calendars), SEQUENCE rising, at the times the candidate picked.
 *
 * The organisation, its members, candidate, job, pool and loop template are made through the
 * services on the same database (the onboarding test drives those pages); the recruiter is
 * signed in with the session those services issue. Text fields, radios and buttons are reached
 * with Tab and used with the keyboard; selects and date fields are set with `selectOption` and
 * `fill` once focused (Chromium's headless pickers are not typed into reliably).
 *
 * Ally runs in-process on a free loopback port with SQLite in a temporary folder and no SMTP
 * relay. Without /usr/bin/chromium (or ALLY_CHROMIUM) or Radicale a developer's run skips with one
 * message; with CI=true it fails. Screenshots go to test-artifacts/screenshots/ (git-ignored).
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
import { groupByDay, timesOf } from "../../src/booking/present.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { openStore, type Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";
import {
  makeCalendar,
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
import {
  type CalendarMail,
  calendarMails,
  type StoredObject,
  waitForCalendarMails,
  waitForObjects,
} from "./support/caldav.js";
import { waitForMail } from "./support/mail.js";
import { buildTeam } from "./support/team.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-artifacts/screenshots/", import.meta.url));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1024, height: 768 };
const STEP_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 9);
const _META = { ip: "127.0.0.1", userAgent: "browser test" };

const radicale = radicaleCommand();
const unavailable = missingTools("booking in a browser", radicale.ok ? undefined : radicale.why);

const h1 = (page: Page) => page.getByRole("heading", { level: 1 }).textContent();

/** What the candidate chose: the day's heading, the option's label and the zone shown. */
interface Choice {
  day: string;
  label: string;
  zone: string;
}

/** Reads the checked time on a booking page, as the candidate sees it. */
async function checkedChoice(page: Page): Promise<Choice> {
  const checked = page.locator("input[name=option]:checked");
  expect(await checked.count(), "one time is chosen").toBe(1);
  const id = await checked.getAttribute("id");
  const day = page.locator("fieldset.day", { has: checked }).locator("legend");
  const hint = (await page.getByText(/^Times are shown in /).textContent()) ?? "";
  return {
    day: ((await day.textContent()) ?? "").trim(),
    label: ((await page.locator(`label[for="${id}"]`).textContent()) ?? "").replace(/\s+/g, " "),
    zone: /Times are shown in (\S+)\./.exec(hint)?.[1] ?? "",
  };
}

/** The events of one booking, in time order, match the chosen option on the page. */
function expectChosen(events: { startEpochMs: number; endEpochMs: number }[], choice: Choice) {
  const ranges = [...events]
    .sort((a, b) => a.startEpochMs - b.startEpochMs)
    .map((e) => ({
      startsAt: new Date(e.startEpochMs).toISOString(),
      endsAt: new Date(e.endEpochMs).toISOString(),
    }));
  const first = ranges[0];
  if (first === undefined) throw new Error("no events to compare");
  expect(groupByDay([first], choice.zone)[0]?.heading).toBe(choice.day);
  for (const range of ranges) expect(choice.label).toContain(timesOf(range, choice.zone));
}

describe.skipIf(unavailable !== undefined)("booking in a browser (issue 5)", () => {
  let dir: string;
  let server: RunningServer;
  let origin: string;
  let outbox: string;
  let store: Store;
  let deps: WebDeps;
  let browser: Browser;
  let recruiter: { context: BrowserContext; page: Page };
  let interviewer: { context: BrowserContext; page: Page };
  let candidate: { context: BrowserContext; page: Page };
  let calendarServer: Radicale;
  /** One Radicale collection per interviewer of the loop. */
  const collections = { ivan: "", rita: "" };
  let interviewerSession = "";
  /** What the candidate chose when booking, then when rescheduling. */
  const chosen: { booked?: Choice; moved?: Choice } = {};
  /** Each interviewer's event as written at the booking, then after the reschedule. */
  const written: { booked: Record<string, StoredObject>; moved: Record<string, StoredObject> } = {
    booked: {},
    moved: {},
  };
  const contexts: BrowserContext[] = [];
  const problemSets: ContextProblems[] = [];
  const findings: string[] = [];
  const step = storySteps(STEP_MS);

  const people = {
    candidateEmail: "kenji@example.test",
    candidateId: "",
    jobId: "",
    templateId: "",
  };
  // The window: the coming Monday to Friday (local to UTC, where everyone works 09:00–17:00).
  const today = Temporal.Now.plainDateISO("UTC");
  const monday = today.add({ days: 8 - today.dayOfWeek });
  const friday = monday.add({ days: 4 });

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

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), "ally-booking-browser-"));
    if (!radicale.ok) throw new Error(radicale.why);
    calendarServer = await startRadicale(radicale.argv);
    collections.ivan = `${calendarServer.baseUrl}${RADICALE_USER}/ivan/`;
    collections.rita = `${calendarServer.baseUrl}${RADICALE_USER}/rita/`;
    await makeCalendar(collections.ivan);
    await makeCalendar(collections.rita);
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
      // Radicale listens on loopback.
      ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: "true",
    });
    if (!loaded.ok) throw new Error(loaded.errors.join("; "));
    server = await startServer(loaded.config, () => {});
    origin = server.url;
    outbox = join(dir, "outbox");
    // The same database, through the services, to make the organisation.
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    deps = buildDeps(loaded.config, store, systemClock, MASTER_KEY);
    const team = await buildTeam(deps, store, {
      email: "ivan@example.test",
      password: "another long passphrase",
    });
    const { owner } = team;
    const userId = owner.userId;
    const ivan = team.interviewer;
    const session = { token: team.ownerSession };
    interviewerSession = team.interviewerSession;
    // Ivan runs the technical session, Rita (the recruiter) the hiring manager's.
    const engineers = await deps.hiring.createPool(owner, {
      name: "Engineers",
      memberIds: [ivan.userId],
    });
    const managers = await deps.hiring.createPool(owner, {
      name: "Hiring managers",
      memberIds: [userId],
    });
    const template = await deps.hiring.createLoopTemplate(owner, {
      name: "Onsite loop",
      order: "fixed",
      maxGapMinutes: 30,
      sessions: [
        { name: "Technical", durationMinutes: 60, poolId: engineers.id, count: 1 },
        { name: "Hiring manager", durationMinutes: 45, poolId: managers.id, count: 1 },
      ],
    });
    // The recruiter's calendar through the service; the interviewer connects theirs on the page.
    await deps.calendars.connect(owner, {
      provider: "caldav",
      url: collections.rita,
      username: RADICALE_USER,
      password: RADICALE_PASSWORD,
    });
    const made = await deps.hiring.createCandidate(owner, {
      name: "Kenji Candidate",
      email: people.candidateEmail,
      phone: null,
      timeZone: "America/New_York",
      notes: null,
    });
    const job = await deps.hiring.createJob(owner, {
      title: "Rocket engineer",
      department: null,
      location: null,
      description: null,
    });
    people.candidateId = made.id;
    people.jobId = job.id;
    people.templateId = template.id;

    browser = await launchChromium();
    recruiter = await context({ viewport: DESKTOP });
    await recruiter.context.addCookies([
      { name: "ally_session", value: session.token, url: origin, httpOnly: true, sameSite: "Lax" },
    ]);
    interviewer = await context({ viewport: DESKTOP });
    await interviewer.context.addCookies([
      {
        name: "ally_session",
        value: interviewerSession,
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
    await calendarServer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, STEP_MS);

  step("the interviewer connects their CalDAV calendar from the keyboard", async () => {
    const { page } = interviewer;
    await page.goto("/app/calendars");
    expect(await h1(page)).toBe("Your calendars");
    await tabTo(page, "Calendar address", byLabel(/^Calendar address/), 80);
    await page.keyboard.type(collections.ivan);
    await tabTo(page, "User name", byLabel(/^User name/), 3);
    await page.keyboard.type(RADICALE_USER);
    await tabTo(page, "App-specific password", byLabel(/^App-specific password/), 3);
    await page.keyboard.type(RADICALE_PASSWORD);
    await tabTo(page, "Connect CalDAV calendar", byLabel("Connect CalDAV calendar"), 3);
    await pressAndWait(page, "Enter");
    expect(new URL(page.url()).pathname).toBe("/app/calendars");
    const row = page.getByRole("row", { name: /CalDAV at 127\.0\.0\.1/ });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByRole("cell").nth(1).textContent()).toBe("Healthy");
    await audit(page, "calendars");
    await screenshot(page, "booking-00-calendars");
  });

  step("the recruiter creates a two-session loop request and sends it", async () => {
    const { page } = recruiter;
    await page.goto("/app");
    await tabTo(page, "Requests in the menu", byLabel("Requests"));
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Interview requests");
    await tabTo(page, "New request", byLabel("New request"));
    await pressAndWait(page, "Enter");
    await audit(page, "new request");

    await tabTo(page, "Candidate", byLabel("Candidate"));
    await page.getByLabel("Candidate", { exact: true }).selectOption(people.candidateId);
    await page.keyboard.press("Tab");
    expect((await focused(page)).label).toBe("Job");
    await page.getByLabel("Job", { exact: true }).selectOption(people.jobId);
    await page.keyboard.press("Tab");
    expect((await focused(page)).label).toBe("Loop template");
    await page.getByLabel("Loop template", { exact: true }).selectOption(people.templateId);
    await tabTo(page, "First day", byLabel("First day"));
    await page.getByLabel("First day").fill(monday.toString());
    await tabTo(page, "Last day", byLabel("Last day"), 6);
    await page.getByLabel("Last day").fill(friday.toString());
    // The candidate's hours (each time input is several stops: hours, minutes, day half), left at 08:00–20:00.
    await tabTo(page, "the candidate's hours", byLabel("From"), 6);
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe("08:00");
    await tabTo(page, "Location", byLabel("Location"), 12);
    await page.keyboard.type("Orbital Works, 5 Launch Road");
    await tabTo(page, "Create request", byLabel("Create request"), 10);
    await pressAndWait(page, "Enter");
    expect(page.url()).toMatch(/\/app\/requests\/req_/);
    await expect
      .poll(() => page.getByText("Technical (60 min), Hiring manager (45 min)").count())
      .toBe(1);
    await audit(page, "request page");
    await screenshot(page, "booking-01-request");

    await tabTo(page, "Send to candidate", byLabel("Send to candidate"), 120);
    await pressAndWait(page, "Enter");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("Sent");
    await screenshot(page, "booking-02-sent");
  });

  step(
    "the candidate opens the link from the email and sees times in their browser's zone",
    async () => {
      const mail = await waitForMail(outbox, people.candidateEmail, /choose a time/i);
      expect(mail.text).toContain(`${origin}/book/bk_`);
      candidate = await context({ viewport: PHONE, timezoneId: "Asia/Tokyo" });
      const { page } = candidate;
      await page.setContent(mail.html ?? "");
      await tabTo(page, "the link in the email", byLabel(/choose a time/i), 10);
      await Promise.all([page.waitForURL(/\/book\/bk_/), page.keyboard.press("Enter")]);
      // The page's script picks the browser's zone once and reloads with it.
      await page.waitForURL(/zone=Asia%2FTokyo/);
      await expect.poll(() => page.getByText("Times are shown in Asia/Tokyo.").count()).toBe(1);
      expect(await page.getByText("Rocket engineer").count()).toBeGreaterThan(0);
      expect(await page.getByText("At Orbital Works, 5 Launch Road").count()).toBeGreaterThan(0);
      await audit(page, "booking page");
      await screenshot(page, "booking-03-candidate-tokyo");
    },
  );

  step("switches the time zone with the picker", async () => {
    const { page } = candidate;
    await tabTo(page, "Show times in", byLabel("Show times in"), 40);
    await page.getByLabel("Show times in").selectOption("Europe/London");
    await tabTo(page, "Show times", byLabel("Show times"), 2);
    await pressAndWait(page, "Enter");
    await expect.poll(() => page.getByText("Times are shown in Europe/London.").count()).toBe(1);
    // Remembered for this link: a fresh visit without the query keeps London.
    await page.goto(new URL(page.url()).pathname);
    await expect.poll(() => page.getByText("Times are shown in Europe/London.").count()).toBe(1);
    await screenshot(page, "booking-04-candidate-london");
  });

  step("asks for a time when Confirm is pressed without one, pointing at the choices", async () => {
    const { page } = candidate;
    await tabTo(page, "Confirm", byLabel("Confirm"), 80);
    await pressAndWait(page, "Enter");
    const summary = page.getByRole("alert");
    await expect.poll(() => summary.isVisible()).toBe(true);
    expect(await summary.getByRole("link").getAttribute("href")).toBe("#field-option");
    await expect
      .poll(async () => (await focused(page)).className, { message: "focus starts on the summary" })
      .toBe("error-summary");
    expect(await page.locator("#field-option").getAttribute("aria-invalid")).toBe("true");
    await audit(page, "booking page with an error");
    await screenshot(page, "booking-05a-no-choice");
  });

  step("books a time from the keyboard and sees the confirmation", async () => {
    const { page } = candidate;
    const radio = await tabTo(
      page,
      "the first time",
      (f) => f.tag === "input" && f.type === "radio",
      60,
    );
    expect(radio.name).toBe("option");
    await page.keyboard.press("Space");
    chosen.booked = await checkedChoice(page);
    await tabTo(page, "Confirm", byLabel("Confirm"), 60);
    await pressAndWait(page, "Enter");
    await expect.poll(() => h1(page)).toBe("Your interview is booked");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("booked");
    await audit(page, "confirmation");
    await screenshot(page, "booking-05-booked");
  });

  step("writes each session to its interviewer's calendar on Radicale", async () => {
    for (const [who, collection] of Object.entries(collections)) {
      const [object] = await waitForObjects(collection, "one event", (all) => all.length === 1);
      if (object === undefined) throw new Error(`no event on ${who}'s calendar`);
      written.booked[who] = object;
      // A stored calendar object, not an invitation (RFC 4791 4.1).
      expect(object.event.method).toBeNull();
      expect(object.event.cancelled).toBe(false);
      expect(object.event.attendees).toContain(`${who}@example.test`);
      expect(object.event.attendees).toContain(people.candidateEmail);
    }
    const technical = written.booked.ivan?.event;
    const manager = written.booked.rita?.event;
    if (technical === undefined || manager === undefined) throw new Error("an event is missing");
    expect(technical.uid).not.toBe(manager.uid);
    // The loop's order is fixed: the technical session comes first, an hour long.
    expect(technical.endEpochMs - technical.startEpochMs).toBe(60 * 60_000);
    expect(manager.endEpochMs - manager.startEpochMs).toBe(45 * 60_000);
    expect(technical.endEpochMs).toBeLessThanOrEqual(manager.startEpochMs);
    if (chosen.booked === undefined) throw new Error("the booked choice was not read");
    expectChosen([technical, manager], chosen.booked);
  });

  step("reschedules to another time", async () => {
    const { page } = candidate;
    await tabTo(page, "Choose another time", byLabel("Choose another time"), 40);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Choose a new time");
    await tabTo(page, "a time", (f) => f.tag === "input" && f.type === "radio", 60);
    // Arrow keys move through the radio group and choose as they go.
    await page.keyboard.press("ArrowDown");
    chosen.moved = await checkedChoice(page);
    expect(chosen.moved.label).not.toBe(chosen.booked?.label);
    await tabTo(page, "Move my interview", byLabel("Move my interview"), 60);
    await pressAndWait(page, "Enter");
    await expect.poll(() => page.getByRole("status").first().textContent()).toContain("moved");
    await screenshot(page, "booking-06-moved");
  });

  step("moves the same calendar objects to the new times, with a higher SEQUENCE", async () => {
    for (const [who, collection] of Object.entries(collections)) {
      const before = written.booked[who];
      if (before === undefined) throw new Error(`no event was written for ${who}`);
      const [object] = await waitForObjects(
        collection,
        `${before.event.uid} with a SEQUENCE above ${before.event.sequence}`,
        (all) => all.length === 1 && (all[0]?.event.sequence ?? 0) > before.event.sequence,
      );
      if (object === undefined) throw new Error(`no event on ${who}'s calendar`);
      written.moved[who] = object;
      expect(object.href).toBe(before.href);
      expect(object.event.uid).toBe(before.event.uid);
      expect(object.event.cancelled).toBe(false);
    }
    if (chosen.moved === undefined) throw new Error("the new choice was not read");
    expectChosen(
      Object.values(written.moved).map((o) => o.event),
      chosen.moved,
    );
  });

  step("cancels after confirming", async () => {
    const { page } = candidate;
    await tabTo(page, "Cancel the interview", byLabel("Cancel the interview"), 40);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Cancel your interview?");
    await audit(page, "cancel");
    await tabTo(page, "Yes, cancel the interview", byLabel("Yes, cancel the interview"), 10);
    await pressAndWait(page, "Enter");
    expect(await h1(page)).toBe("Your interview is cancelled");
    await screenshot(page, "booking-07-cancelled");
  });

  step("removes both events from the interviewers' calendars", async () => {
    for (const collection of Object.values(collections)) {
      expect(await waitForObjects(collection, "no event", (all) => all.length === 0)).toEqual([]);
    }
  });

  step(
    "sent the candidate REQUEST, REQUEST, CANCEL per session, one UID each, SEQUENCE rising",
    async () => {
      const mails = await waitForCalendarMails(outbox, people.candidateEmail, 6);
      expect(mails).toHaveLength(6);
      const bySession = new Map<string, CalendarMail[]>();
      for (const mail of mails) {
        expect(mail.partMethod, `${mail.subject}: the part's method`).toBe(mail.event.method);
        bySession.set(mail.event.uid, [...(bySession.get(mail.event.uid) ?? []), mail]);
      }
      // The same UIDs as the events on the interviewers' calendars.
      expect([...bySession.keys()].sort()).toEqual(
        Object.values(written.booked)
          .map((o) => o.event.uid)
          .sort(),
      );
      const invitations: CalendarMail[] = [];
      const moves: CalendarMail[] = [];
      for (const [uid, sent] of bySession) {
        const inOrder = [...sent].sort((a, b) => a.event.sequence - b.event.sequence);
        expect(
          inOrder.map((m) => m.event.method),
          uid,
        ).toEqual(["REQUEST", "REQUEST", "CANCEL"]);
        const [invited, moved, cancelled] = inOrder as [CalendarMail, CalendarMail, CalendarMail];
        expect(invited.event.sequence).toBeLessThan(moved.event.sequence);
        expect(moved.event.sequence).toBeLessThan(cancelled.event.sequence);
        expect(invited.subject).toMatch(/^Invitation: /);
        expect(moved.subject).toMatch(/^Moved: /);
        expect(cancelled.subject).toMatch(/^Cancelled: /);
        expect(cancelled.event.cancelled).toBe(true);
        // The cancellation names the time it takes off the calendar: the moved one.
        expect([cancelled.event.startEpochMs, cancelled.event.endEpochMs]).toEqual([
          moved.event.startEpochMs,
          moved.event.endEpochMs,
        ]);
        const stored = Object.values(written.booked).find((o) => o.event.uid === uid);
        expect(invited.event.sequence).toBe(stored?.event.sequence);
        invitations.push(invited);
        moves.push(moved);
      }
      if (chosen.booked === undefined || chosen.moved === undefined) {
        throw new Error("the choices were not read");
      }
      expectChosen(
        invitations.map((m) => m.event),
        chosen.booked,
      );
      expectChosen(
        moves.map((m) => m.event),
        chosen.moved,
      );
    },
  );

  step("sends no invitations to interviewers whose calendars Ally writes to", async () => {
    expect(await calendarMails(outbox, "ivan@example.test")).toEqual([]);
    expect(await calendarMails(outbox, "rita@example.test")).toEqual([]);
  });

  step("shows no page problems and no console errors", async () => {
    expect(findings).toEqual([]);
    for (const problems of problemSets) {
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.offLoopback).toEqual([]);
    }
  });
});
