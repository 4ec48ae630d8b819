/**
 * The conversation simulator: runs scripted threads (scenarios.ts) against a fresh Ally — a
 * migrated SQLite database in memory, the services composed as `ally serve` composes them, a
 * fixed clock — through the real paths: each message is stored as raw MIME by the inbound store
 * (as the SMTP listener stores it), handled by the inbound worker step, answered through the
 * outbox worker step, and follow-ups come from the scheduled-jobs worker step. The clock moves as
 * the workers would: the inbound and outbox workers poll every `config.mail.pollMs` (the outbox
 * half a period out of step), the job worker every `config.queue.pollMs`.
 *
 * The candidate reads only what Ally sends (the options as printed in their zone) and the
 * simulator keeps what they meant: the option they chose, or the window they proposed. A booking
 * at any other time is a wrong booking.
 */
import { Temporal } from "temporal-polyfill";
import { FOLLOW_UP_JOB } from "../../../src/assistant/coordinator.js";
import type { JobHandler } from "../../../src/jobs/scheduled-jobs.js";
import { runNextJob } from "../../../src/jobs/scheduled-jobs.js";
import { handleNextInbound, storeInbound } from "../../../src/mail/inbound.js";
import {
  type MailTransport,
  type RenderedMessage,
  sendNext,
} from "../../../src/mail/outbox-worker.js";
import { openStore } from "../../../src/store/database.js";
import { migrateToLatest } from "../../../src/store/migrations.js";
import { utcProfile } from "../../booking/factories.js";
import { buildOrganisation, buildWorld, type SignedIn } from "../../hiring/factories.js";
import {
  chooseText,
  generateScenarios,
  type Outcome,
  optionsIn,
  outOfOfficeMail,
  plainText,
  proposeText,
  type Scenario,
  type SeenOption,
  seededRandom,
  type TimedStep,
} from "./scenarios.js";

const HOUR_MS = 3_600_000;

export interface ThreadResult {
  scenario: Scenario;
  outcome: Outcome;
  /** Ally asked a person at least once on this thread. */
  escalated: boolean;
  /** Why the booking is not what the candidate chose; null when it is (or nothing is booked). */
  wrong: string | null;
  /** Replies from the candidate that Ally neither answered nor took to a person. */
  unanswered: number;
  /** Auto-replies (out of office) that Ally answered: must be none. */
  answeredAutoReplies: number;
  /** The candidate's messages and Ally's messages to the candidate. */
  messages: number;
  /** For each reply Ally acted on: from its receipt to Ally's first message about it, sent. */
  replyToAnswerMs: number[];
  /** The thread as the candidate saw it and Ally's outcome for each message, for reading. */
  transcript: string[];
}

export interface Figures {
  threads: number;
  booked: number;
  bookedWithNoHuman: number;
  escalated: number;
  cancelled: number;
  waiting: number;
  endedAsExpected: number;
  wrongBookings: number;
  unansweredReplies: number;
  answeredAutoReplies: number;
  messagesPerBooking: number;
  replyToAnswerP50Ms: number;
  replyToAnswerP95Ms: number;
  replyToAnswerMaxMs: number;
  mailPollMs: number;
  jobPollMs: number;
}

export interface SimulationOptions {
  threads: number;
  seed: number;
}

/** The `q` quantile (nearest rank) of `values`; 0 when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** The first multiple of `interval` (shifted by `phase`) at or after `t`. */
const nextTick = (t: number, interval: number, phase = 0) =>
  Math.ceil((t - phase) / interval) * interval + phase;

/** An RFC 2047 encoded word when the text is not plain ASCII. */
const word = (text: string) =>
  /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;

function rawMail(
  headers: {
    from: string;
    to: string;
    cc?: string;
    subject: string;
    messageId: string;
    inReplyTo?: string;
    at: number;
    extra?: Record<string, string>;
  },
  text: string,
): Buffer {
  const lines = [
    `From: ${headers.from}`,
    `To: ${headers.to}`,
    ...(headers.cc === undefined ? [] : [`Cc: ${headers.cc}`]),
    `Subject: ${word(headers.subject)}`,
    `Message-ID: ${headers.messageId}`,
    ...(headers.inReplyTo === undefined
      ? []
      : [`In-Reply-To: ${headers.inReplyTo}`, `References: ${headers.inReplyTo}`]),
    // RFC 5322 date at the edge.
    `Date: ${new Date(headers.at).toUTCString()}`,
    ...Object.entries(headers.extra ?? {}).map(([name, value]) => `${name}: ${value}`),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${text.replaceAll("\n", "\r\n")}\r\n`, "utf8");
}

/** Ally's message quoted below a reply, as mail clients do. */
const quoted = (message: RenderedMessage) =>
  `On Tue, Ally wrote:\n> ${message.text.split("\n").join("\n> ")}`;

/** What the candidate chose: an option they read, or a window they proposed. */
type Chosen = { kind: "option"; option: SeenOption } | { kind: "window"; window: SeenOption };

/**
 * Why a booking is wrong: its time is none the candidate chose. (A booking kept while a later
 * choice could not be had is not wrong: Ally keeps the booked time until a new one is booked.)
 */
function wrongBooking(
  booked: { startsAt: string; endsAt: string } | undefined,
  chosen: readonly Chosen[],
): string | null {
  if (booked === undefined) return null;
  const start = Temporal.Instant.from(booked.startsAt);
  const end = Temporal.Instant.from(booked.endsAt);
  const fits = (c: Chosen) =>
    c.kind === "option"
      ? start.equals(c.option.start)
      : Temporal.Instant.compare(start, c.window.start) >= 0 &&
        Temporal.Instant.compare(end, c.window.end) <= 0;
  if (chosen.some(fits)) return null;
  const what = chosen.map((c) =>
    c.kind === "option"
      ? c.option.start.toString()
      : `${c.window.start.toString()}–${c.window.end.toString()}`,
  );
  return what.length === 0
    ? `booked ${booked.startsAt} though the candidate chose no time`
    : `booked ${booked.startsAt}; the candidate chose ${what.join(", ")}`;
}

/**
 * Runs `threads` scenarios from `seed`, one after another on one organisation (three
 * interviewers, weekdays 09:00–17:00 UTC), and returns each thread's result and the figures.
 */
export async function simulate(
  options: SimulationOptions,
): Promise<{ results: ThreadResult[]; figures: Figures }> {
  const store = openStore("sqlite::memory:");
  await migrateToLatest(store.db, store.dialect);
  try {
    const world = buildWorld(store);
    const { clock, deps } = world;
    const assistant = deps.assistant;
    if (assistant === undefined) throw new Error("the assistant is not composed");
    const mailPollMs = deps.config.mail.pollMs;
    const jobPollMs = deps.config.queue.pollMs;
    const org = await buildOrganisation(world, store);
    const recruiter = await org.add("recruiter", "Riley Recruiter");
    for (const name of ["Dana", "Eli", "Finn"]) {
      const person = await org.add("interviewer", name);
      await world.hiring.putInterviewerProfile(person.actor, person.actor.userId, utcProfile());
    }
    await world.hiring.createJob(org.owner.actor, {
      title: "Platform engineer",
      department: null,
      location: null,
      description: null,
    });
    const allyAddress = (await assistant.settings(recruiter.actor.orgId)).address;
    const jitter = seededRandom(options.seed ^ 0x5eed);

    const sent: { message: RenderedMessage; at: number }[] = [];
    const transport: MailTransport = {
      async send(message) {
        sent.push({ message, at: clock.now() });
        return {};
      },
      close() {},
    };
    // Other jobs (reminders, completions, retention) are not part of the conversation.
    const followUp: JobHandler = (job) => assistant.followUp(job);
    const handlers = new Proxy<Record<string, JobHandler>>(
      {},
      { get: (_target, kind) => (kind === FOLLOW_UP_JOB ? followUp : async () => undefined) },
    );

    const flushOutbox = async () => {
      clock.set(nextTick(clock.now(), mailPollMs, mailPollMs / 2));
      while (await sendNext({ db: store.db, clock, transport, from: deps.config.mail.from })) {
        // next
      }
    };
    /** Stores a message as the listener does, lets the workers handle it; what Ally sent. */
    const deliver = async (raw: Buffer, rcptTo: string[], from: string, at: number) => {
      clock.set(Math.max(clock.now(), at));
      await storeInbound(store.db, raw, { mailFrom: from, rcptTo }, clock.now());
      clock.set(nextTick(clock.now(), mailPollMs));
      while (await handleNextInbound({ db: store.db, clock, handlers: deps.inboundHandlers })) {
        // next
      }
      const before = sent.length;
      await flushOutbox();
      return sent.slice(before);
    };
    /** Moves the clock to `target`, running the jobs that fall due on the way. */
    const advanceTo = async (target: number) => {
      for (let guard = 0; guard < 100; guard += 1) {
        const due = await store.db
          .selectFrom("scheduled_jobs")
          .select("run_at")
          .where("done_at", "is", null)
          .where("run_at", "<=", target)
          .orderBy("run_at")
          .limit(1)
          .executeTakeFirst();
        if (due === undefined) break;
        clock.set(Math.max(clock.now(), nextTick(Number(due.run_at), jobPollMs)));
        while (await runNextJob({ db: store.db, clock, handlers })) {
          // next
        }
        await flushOutbox();
      }
      clock.set(Math.max(clock.now(), target));
    };

    const results: ThreadResult[] = [];
    for (const scenario of generateScenarios(options.threads, options.seed)) {
      results.push(
        await runThread(scenario, {
          recruiter,
          allyAddress,
          deliver,
          advanceTo,
          sent,
          jitterMs: () => Math.floor(jitter() * HOUR_MS),
          now: () => clock.now(),
          world,
        }),
      );
      // The next candidate's thread starts a day later.
      await advanceTo(clock.now() + 24 * HOUR_MS);
    }
    return { results, figures: figuresOf(results, mailPollMs, jobPollMs) };
  } finally {
    await store.close();
  }
}

interface ThreadWorld {
  recruiter: SignedIn;
  allyAddress: string;
  deliver(
    raw: Buffer,
    rcptTo: string[],
    from: string,
    at: number,
  ): Promise<{ message: RenderedMessage; at: number }[]>;
  advanceTo(target: number): Promise<void>;
  sent: { message: RenderedMessage; at: number }[];
  jitterMs(): number;
  now(): number;
  world: ReturnType<typeof buildWorld>;
}

/** Ally's conversational mail (not invitations or reminders): marked as an automatic answer. */
const fromAlly = (message: RenderedMessage) =>
  message.headers?.["Auto-Submitted"] === "auto-replied";

async function runThread(scenario: Scenario, w: ThreadWorld): Promise<ThreadResult> {
  const { candidate } = scenario;
  const first = candidate.name.split(" ")[0] ?? candidate.name;
  await w.world.hiring.createCandidate(w.recruiter.actor, {
    name: candidate.name,
    email: candidate.email,
    timeZone: candidate.timeZone,
  });
  const threadStart = w.now();
  const intakeAt = w.now() + w.jitterMs();
  await w.deliver(
    rawMail(
      {
        from: `${w.recruiter.name} <${w.recruiter.email}>`,
        to: `${word(candidate.name)} <${candidate.email}>`,
        cc: `Ally <${w.allyAddress}>`,
        subject: "Your interview for Platform engineer",
        messageId: `<${scenario.id}-intake@recruiter.example>`,
        at: intakeAt,
      },
      `Hi ${first},\n\nGreat to talk today! You'll meet ${scenario.interviewer} for ${scenario.durationMinutes} minutes next week. I've copied Ally, who will find a time.\n\nBest,\n${w.recruiter.name}`,
    ),
    [w.allyAddress],
    w.recruiter.email,
    intakeAt,
  );
  const toCandidate = () =>
    w.sent.filter(
      (s) => s.at >= threadStart && s.message.to === candidate.email && fromAlly(s.message),
    );
  const chosen: Chosen[] = [];
  let unanswered = 0;
  let answeredAutoReplies = 0;
  let candidateMessages = 0;
  let skipChooseIfBooked = false;
  const replyToAnswerMs: number[] = [];
  const transcript: string[] = [];
  const note = (who: string, text: string) =>
    transcript.push(
      `[${Temporal.Instant.fromEpochMilliseconds(w.now()).toString()}] ${who}: ${text}`,
    );
  const latestOptions = () => {
    const withOptions = toCandidate().filter(
      (s) => optionsIn(s.message.text, Temporal.Instant.fromEpochMilliseconds(s.at)).length > 0,
    );
    const last = withOptions.at(-1);
    return last === undefined
      ? []
      : optionsIn(last.message.text, Temporal.Instant.fromEpochMilliseconds(last.at));
  };

  for (const [index, step] of scenario.steps.entries()) {
    if (step.kind === "silence") {
      await w.advanceTo(w.now() + step.hours * HOUR_MS);
      continue;
    }
    const last = toCandidate().at(-1);
    if (last === undefined) break;
    await w.advanceTo(w.now() + step.delayHours * HOUR_MS + w.jitterMs());
    if (
      step.kind === "choose" &&
      skipChooseIfBooked &&
      (await statusOf(w, candidate.email)).booked
    ) {
      continue;
    }
    skipChooseIfBooked = false;
    const seen = latestOptions();
    const reply = replyFor(step, seen, candidate.timeZone);
    if (reply === undefined) continue;
    const { text, subjectPrefix, extra, automatic } = reply;
    if (reply.chosen !== undefined) chosen.push(reply.chosen);
    if (step.kind === "propose") skipChooseIfBooked = true;
    const at = w.now();
    const answers = await w.deliver(
      rawMail(
        {
          from: `${word(candidate.name)} <${candidate.email}>`,
          to: last.message.headers?.["Reply-To"] ?? w.allyAddress,
          subject: `${subjectPrefix}${last.message.subject.replace(/^Re: /, "")}`,
          messageId: `<${scenario.id}-${index}@candidates.example>`,
          inReplyTo: last.message.messageId,
          at,
          extra,
        },
        automatic ? text : `${text}\n\n${quoted(last.message)}`,
      ),
      [last.message.headers?.["Reply-To"] ?? w.allyAddress],
      candidate.email,
      at,
    );
    note("candidate", text);
    const fromAllyNow = answers.filter((s) => fromAlly(s.message));
    for (const s of fromAllyNow) note(`Ally to ${s.message.to}`, s.message.text);
    if (automatic) {
      answeredAutoReplies += fromAllyNow.filter((s) => s.message.to === candidate.email).length;
      continue;
    }
    candidateMessages += 1;
    const answer = fromAllyNow[0];
    if (answer === undefined) unanswered += 1;
    else replyToAnswerMs.push(answer.at - at);
  }

  const status = await statusOf(w, candidate.email);
  const outcome: Outcome = status.booked
    ? "booked"
    : status.cancelled
      ? "cancelled"
      : status.openEscalations > 0
        ? "escalated"
        : "waiting";
  return {
    scenario,
    outcome,
    escalated: status.escalations > 0,
    wrong: wrongBooking(status.booking, chosen),
    unanswered,
    answeredAutoReplies,
    messages: candidateMessages + toCandidate().length,
    replyToAnswerMs,
    transcript: [
      ...toCandidate()
        .slice(0, 1)
        .map((s) => `Ally's first message:\n${s.message.text}`),
      ...transcript,
    ],
  };
}

/** The candidate's message for a step, and what it chooses; undefined when there is nothing to answer. */
function replyFor(
  step: Exclude<TimedStep, { kind: "silence" }>,
  seen: readonly SeenOption[],
  timeZone: string,
):
  | {
      text: string;
      subjectPrefix: string;
      extra: Record<string, string>;
      automatic: boolean;
      chosen?: Chosen;
    }
  | undefined {
  const plain = { subjectPrefix: "Re: ", extra: {}, automatic: false };
  switch (step.kind) {
    case "choose": {
      const ordinal = Math.min(step.ordinal, seen.length);
      const option = seen[ordinal - 1];
      if (option === undefined) return undefined;
      const text = chooseText({ ...step, ordinal }, seen, timeZone);
      return { ...plain, text, chosen: { kind: "option", option } };
    }
    case "propose": {
      if (seen.length === 0) return undefined;
      const proposal = proposeText(
        { ...step, ordinal: Math.min(step.ordinal, seen.length) },
        seen,
        timeZone,
      );
      return { ...plain, text: proposal.text, chosen: { kind: "window", window: proposal.window } };
    }
    case "out-of-office": {
      const ooo = outOfOfficeMail(step.phrasing);
      return {
        text: ooo.text,
        subjectPrefix: ooo.subjectPrefix,
        extra: ooo.headers,
        automatic: true,
      };
    }
    default:
      return { ...plain, text: plainText(step.kind, step.phrasing) };
  }
}

/** Where the candidate's request stands, as the recruiter would see it. */
async function statusOf(w: ThreadWorld, email: string) {
  const db = w.world.deps.store.db;
  const conversation = await db
    .selectFrom("assistant_conversations")
    .select(["id", "request_id"])
    .where("candidate_email", "=", email)
    .executeTakeFirst();
  const escalations =
    conversation === undefined
      ? []
      : await db
          .selectFrom("assistant_escalations")
          .select("status")
          .where("conversation_id", "=", conversation.id)
          .execute();
  const request =
    conversation?.request_id === null || conversation?.request_id === undefined
      ? undefined
      : await w.world.deps.booking.getRequest(w.recruiter.actor, conversation.request_id);
  const active = request?.booking?.status === "active" ? request.booking : undefined;
  const firstSession = active?.sessions[0];
  const lastSession = active?.sessions.at(-1);
  return {
    booked: request?.status === "scheduled" && active !== undefined,
    cancelled: request?.status === "cancelled",
    booking:
      firstSession === undefined || lastSession === undefined
        ? undefined
        : { startsAt: firstSession.startsAt, endsAt: lastSession.endsAt },
    escalations: escalations.length,
    openEscalations: escalations.filter((e) => e.status === "open").length,
  };
}

function figuresOf(results: ThreadResult[], mailPollMs: number, jobPollMs: number): Figures {
  const count = (predicate: (r: ThreadResult) => boolean) => results.filter(predicate).length;
  const booked = count((r) => r.outcome === "booked");
  const latencies = results.flatMap((r) => r.replyToAnswerMs);
  const bookedMessages = results
    .filter((r) => r.outcome === "booked")
    .reduce((sum, r) => sum + r.messages, 0);
  return {
    threads: results.length,
    booked,
    bookedWithNoHuman: count((r) => r.outcome === "booked" && !r.escalated),
    escalated: count((r) => r.escalated),
    cancelled: count((r) => r.outcome === "cancelled"),
    waiting: count((r) => r.outcome === "waiting"),
    endedAsExpected: count((r) => r.outcome === r.scenario.expected),
    wrongBookings: count((r) => r.wrong !== null),
    unansweredReplies: results.reduce((sum, r) => sum + r.unanswered, 0),
    answeredAutoReplies: results.reduce((sum, r) => sum + r.answeredAutoReplies, 0),
    messagesPerBooking: booked === 0 ? 0 : bookedMessages / booked,
    replyToAnswerP50Ms: quantile(latencies, 0.5),
    replyToAnswerP95Ms: quantile(latencies, 0.95),
    replyToAnswerMaxMs: latencies.length === 0 ? 0 : Math.max(...latencies),
    mailPollMs,
    jobPollMs,
  };
}
