/**
 * Ally's escalations page in Debian's Chromium at phone width (390 px), from the keyboard alone:
 * two candidates answered vaguely, so Ally asked the recruiter about both. She approves the
 * first suggestion as it stands, and for the second picks another time and puts the message in
 * her own words before approving; each candidate is booked at the time chosen and gets the
 * words approved. The page has one level-one heading, no unnamed controls, no sideways
 * scrolling, a visible focus ring at every stop and no serious axe findings; another
 * organisation's member posting the same escalation gets 404 and changes nothing. Ally runs
 * in-process on a free loopback port with SQLite in a temporary folder.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { type RunningServer, startServer } from "../../src/app/main.js";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import type { InboundMessage } from "../../src/mail/inbound.js";
import { openStore, type Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";
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
  replaceText,
  storySteps,
  tabTo,
} from "./support/browser.js";
import { buildTeam, type Team, tokenMailedTo } from "./support/team.js";

const PHONE = { width: 390, height: 844 };
const STEP_MS = 90_000;
const MASTER_KEY = Buffer.alloc(32, 7);
const META = { ip: "127.0.0.1", userAgent: "browser test" };

const unavailable = missingTools("answering Ally's escalations in a browser");

describe.skipIf(unavailable !== undefined)("answering Ally's escalations in a browser", () => {
  let dir: string;
  let server: RunningServer;
  let store: Store;
  let deps: WebDeps;
  let team: Team;
  let browser: Browser;
  let page: Page;
  const step = storySteps(STEP_MS);
  let sequence = 0;

  /** A message as the inbound worker hands it to the assistant. */
  function inbound(fields: Partial<InboundMessage> & { fromAddress: string; text: string }) {
    sequence += 1;
    return {
      id: sequence,
      messageId: `<browser-${sequence}@example.test>`,
      envelopeFrom: fields.fromAddress,
      envelopeTo: [],
      subject: "Your interview",
      calendar: null,
      inReplyTo: null,
      dmarc: null,
      receivedAt: Date.now(),
      headers: {},
      ...fields,
    } satisfies InboundMessage;
  }

  /** Rita copies Ally on an email to `candidate`; the candidate answers vaguely. */
  async function vagueCandidate(candidate: string, name: string): Promise<void> {
    const assistant = deps.assistant;
    if (assistant === undefined) throw new Error("the assistant is not composed");
    const ally = (await assistant.settings(team.owner.orgId)).address;
    const cc = inbound({
      fromAddress: "rita@example.test",
      envelopeTo: [ally],
      subject: "Your interview for Platform engineer",
      text: `Hi ${name},\n\nYou'll meet Ivan for 45 minutes next week. I've copied Ally, who will find a time.\n\nRita`,
      headers: { to: `${name} <${candidate}>`, cc: `Ally <${ally}>` },
    });
    expect(await assistant.handler(cc)).toMatch(/request req_\S+ created/);
    const conversation = await store.db
      .selectFrom("assistant_conversations")
      .select("reply_address")
      .where("candidate_email", "=", candidate)
      .executeTakeFirstOrThrow();
    const reply = inbound({
      fromAddress: candidate,
      envelopeTo: [conversation.reply_address],
      text: "the second one might work, not sure",
    });
    expect(await assistant.handler(reply)).toMatch(/escalated: Ally is not sure/);
  }

  /** Ally's last reply to `address`: from the outbox row, or the .eml once the server sent it. */
  async function lastMailTo(address: string): Promise<{ text_body: string }> {
    const row = await store.db
      .selectFrom("outbox")
      .select(["text_body", "file_path", "sent_at"])
      .where("to_address", "=", address)
      .where("kind", "=", "assistant-reply")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    if (row.sent_at === null || row.file_path === null) return row;
    const parsed = await simpleParser(await readFile(row.file_path));
    return { text_body: (parsed.text ?? "").trim() };
  }

  const statusOf = async (candidate: string) => {
    const row = await store.db
      .selectFrom("assistant_conversations")
      .select("request_id")
      .where("candidate_email", "=", candidate)
      .executeTakeFirstOrThrow();
    return deps.booking.getRequest(team.owner, row.request_id ?? "");
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ally-escalations-browser-"));
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
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    deps = buildDeps(loaded.config, store, systemClock, MASTER_KEY);
    team = await buildTeam(deps, store, {
      email: "ivan@example.test",
      password: "another long passphrase",
    });
    await deps.hiring.putInterviewerProfile(team.owner, team.interviewer.userId, {
      timeZone: "UTC",
      workingHours: [
        { days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: "00:00", end: "23:59" },
      ],
      perDayLimit: null,
      perWeekLimit: null,
    });
    await deps.hiring.createJob(team.owner, {
      title: "Platform engineer",
      department: null,
      location: null,
      description: null,
    });
    await vagueCandidate("ada@example.org", "Ada Example");
    await vagueCandidate("ben@example.org", "Ben Example");
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

  step("the page lists both escalations and passes its checks at 390 px", async () => {
    const response = await page.goto("/app/assistant/escalations");
    expect(response?.status()).toBe(200);
    expect(await page.getByRole("article").count()).toBe(2);
    expect(await pageFindings(page, "escalations")).toEqual([]);
    expect(await seriousAxeFindings(page, "escalations")).toEqual([]);
    expect(await focusProblems(page)).toEqual([]);
  });

  step(
    "another organisation's member posting an escalation gets 404, and nothing changes",
    async () => {
      const [open] = (await deps.assistant?.openEscalations(team.owner)) ?? [];
      if (open === undefined) throw new Error("no escalation");
      await deps.accounts.signUp(
        {
          name: "Sol Stranger",
          email: "sol@elsewhere.test",
          phone: "+44 20 7946 0000",
          postalAddress: "3 Low Road, Leeds",
          company: "Elsewhere Ltd",
          password: "a stranger's long passphrase",
        },
        META,
      );
      const session = await deps.accounts.verifyEmail(
        await tokenMailedTo(store, "sol@elsewhere.test"),
        META,
      );
      const made = await newContext(browser, server.url, { viewport: PHONE });
      await made.context.addCookies([
        {
          name: "ally_session",
          value: session.token,
          url: server.url,
          httpOnly: true,
          sameSite: "Lax",
        },
      ]);
      const theirs = await made.context.newPage();
      expect((await theirs.goto("/app/assistant/escalations"))?.status()).toBe(200);
      expect(await theirs.getByRole("article").count()).toBe(0);
      // Their own page's CSRF token, and the other organisation's escalation id.
      const status = await theirs.evaluate(`(async () => {
      const csrf = document.querySelector('input[name="_csrf"]')?.value ?? "";
      const body = new URLSearchParams({ _csrf: csrf, escalationId: ${JSON.stringify(open.id)}, message: "Hello" });
      const answer = await fetch("/app/assistant/escalations/approve", { method: "POST", body });
      return answer.status;
    })()`);
      expect(status).toBe(404);
      await made.context.close();
      expect((await deps.assistant?.openEscalations(team.owner))?.map((e) => e.id)).toContain(
        open.id,
      );
    },
    { leaf: true },
  );

  let approved = "";
  let edited = "";

  step(
    "approves the first suggestion from the keyboard: that candidate is booked and told",
    async () => {
      await page.goto("/app/assistant/escalations");
      await tabTo(page, "approve", byLabel("Approve"), 80);
      await pressAndWait(page, "Enter");
      expect(new URL(page.url()).pathname).toBe("/app/assistant/escalations");
      expect(await page.getByRole("article").count()).toBe(1);
      const ada = (await statusOf("ada@example.org")).status;
      [approved, edited] =
        ada === "scheduled"
          ? ["ada@example.org", "ben@example.org"]
          : ["ben@example.org", "ada@example.org"];
      expect((await statusOf(approved)).status).toBe("scheduled");
      expect((await statusOf(edited)).status).toBe("awaiting_candidate");
      expect((await lastMailTo(approved)).text_body).toContain("You're booked for");
    },
  );

  step("edits the other suggestion, another time and her own words, then approves", async () => {
    await tabTo(page, "edit", byLabel("Edit before approving"), 80);
    await page.keyboard.press("Enter");
    await tabTo(page, "time", byLabel(/^Time to book/), 5);
    const select = page.getByLabel(/^Time to book/);
    const before = await select.inputValue();
    await page.keyboard.press("ArrowDown");
    const chosen = await select.inputValue();
    expect(chosen).not.toBe(before);
    const label = (await select.locator(`option[value="${chosen}"]`).textContent()) ?? "";
    await tabTo(page, "message", byLabel(/^Message to the candidate/), 5);
    await replaceText(page, `Hello, I've booked you for ${label}. Details: [booking link]`);
    expect(await pageFindings(page, "escalations, editing")).toEqual([]);
    expect(await seriousAxeFindings(page, "escalations, editing")).toEqual([]);
    await tabTo(page, "approve with changes", byLabel("Approve with changes"), 5);
    await pressAndWait(page, "Enter");
    expect(await page.getByText("Nothing is waiting for you.").count()).toBe(1);
    const request = await statusOf(edited);
    expect(request.status).toBe("scheduled");
    const startsAt = request.booking?.sessions[0]?.startsAt ?? "";
    expect(label).toContain(new Date(startsAt).toISOString().slice(11, 16));
    const told = await lastMailTo(edited);
    // Her words as written, the booking link put in; the outbox adds its footer below.
    expect(told.text_body.split("\n")[0]).toMatch(
      /^Hello, I've booked you for .+\. Details: http:\/\/127\.0\.0\.1:\d+\/book\/\S+$/,
    );
  });
});
