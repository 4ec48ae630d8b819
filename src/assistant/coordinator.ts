/**
 * The email assistant at the edge: an inbound handler (mail/inbound.ts) that finds a message's
 * thread, applies loop safety, reads the reply with `understand`, asks decide.ts what to do and
 * does it through the booking commands (the same the booking page calls, so nothing is ever
 * double-booked). Ally's own mail goes through the outbox once, threaded, marked
 * `Auto-Submitted: auto-replied`, and every message is noted on the request's timeline.
 *
 * Threading: a conversation's reply address `ally+TOKEN@domain` (TOKEN an HMAC, see
 * mail/reply-address.ts), else In-Reply-To/References naming a message of the thread. A
 * recruiter's email to the organisation's Ally address starts a conversation (cc intake).
 * Mail from unknown senders about unknown threads is never acted on.
 */
import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import type { Actor } from "../accounts/service.js";
import type { BookingService } from "../booking/service.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { mintOrgId, type OrgId } from "../ids.js";
import { type Job, scheduleJob } from "../jobs/scheduled-jobs.js";
import type { InboundHandler, InboundMessage } from "../mail/inbound.js";
import { enqueueMail } from "../mail/outbox.js";
import type { ReplyAddresses } from "../mail/reply-address.js";
import { DEFAULT_THRESHOLD, type Reading, understand } from "../understand/index.js";
import type { AnyHandle } from "./db.js";
import {
  type Action,
  type ConversationState,
  decide,
  type OfferedOption,
  remember,
  rememberActions,
} from "./decide.js";
import { intake } from "./intake.js";
import { mayAnswer } from "./loop-safety.js";
import { optionsMessage, plainMessage, spanIn, type Written } from "./messages.js";
import * as store from "./store.js";

export type Member = { userId: string; name: string; email: string; role: Actor["role"] };

export interface AssistantDeps {
  db: AnyHandle;
  clock: Clock;
  booking: BookingService;
  /** Ally's inbound domain: its own addresses live there. */
  domain: string;
  mailFrom: string;
  publicUrl: string;
  replyAddresses: ReplyAddresses;
  /** A person is asked below this confidence. */
  threshold?: number;
  /** Ally's messages on one thread per day, at most. */
  dailyLimit: number;
  /** When Ally's MX stamps Authentication-Results, mail without a DMARC pass is not acted on. */
  requireDmarcPass: boolean;
  directory: {
    members(orgId: OrgId): Promise<Member[]>;
    jobs(actor: Actor): Promise<{ id: string; title: string }[]>;
    /** The candidate's id, adding them when new. */
    candidateFor(actor: Actor, person: { email: string; name: string }): Promise<string>;
    /** A link for the candidate to choose on the booking page. */
    bookingLink(orgId: OrgId, requestId: string): Promise<string>;
  };
  /** Hands a privacy request or opt-out to the privacy features (their queue). */
  privacy(input: { name: string; email: string; message: string }): Promise<void>;
  defaults: { durationMinutes: number; windowDays: number };
  log?: (line: string) => void;
}

const DAY_MS = 86_400_000;

/** The scheduled job that writes to a candidate who went quiet (jobs/scheduled-jobs.ts). */
export const FOLLOW_UP_JOB = "assistant-follow-up";
/** How long after Ally's options a quiet candidate is written to again. */
export const FOLLOW_UP_AFTER_MS = 2 * DAY_MS;

const optionSchema = z.object({ id: z.string(), start: z.string(), end: z.string() });
/** An escalation's suggested action, as stored (decide.ts `Action`, one level deep). */
const actionSchema: z.ZodType<Action> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("book"), optionId: z.string() }),
  z.object({ kind: z.literal("move"), optionId: z.string() }),
  z.object({
    kind: z.literal("offer"),
    reason: z.enum(["fresh", "fitting", "none-fit", "reschedule", "declined"]),
    options: z.array(optionSchema),
  }),
  z.object({ kind: z.literal("confirm-cancel") }),
  z.object({ kind: z.literal("cancel") }),
]);

/** Addresses in a header value (To, Cc): `Name <a@b>, c@d`. */
export function addressesIn(value: string | undefined): { address: string; name: string }[] {
  if (value === undefined) return [];
  const found: { address: string; name: string }[] = [];
  for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const match = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(part);
    if (match !== null) {
      found.push({ name: (match[1] ?? "").trim(), address: (match[2] ?? "").toLowerCase() });
      continue;
    }
    const bare = /([^\s<>,;]+@[^\s<>,;]+)/.exec(part);
    if (bare !== null) found.push({ name: "", address: (bare[1] ?? "").toLowerCase() });
  }
  return found;
}

/** Message-IDs in In-Reply-To and References. */
function threadIds(message: InboundMessage): string[] {
  const text = `${message.inReplyTo ?? ""} ${message.headers?.references ?? ""} ${message.headers?.["in-reply-to"] ?? ""}`;
  return [...new Set(text.match(/<[^<>\s]+>/g) ?? [])];
}

function systemActor(member: Member, orgId: OrgId): Actor {
  return { userId: member.userId, orgId, role: member.role, via: "session" };
}

export function createAssistant(deps: AssistantDeps) {
  const { db, clock } = deps;
  const threshold = deps.threshold ?? DEFAULT_THRESHOLD;
  const log = deps.log ?? (() => undefined);

  /** Sends one message on the thread, once (keyed by its cause), and records it. */
  async function send(
    conversation: store.Conversation,
    to: { address: string; party: "candidate" | "recruiter" },
    written: Written,
    cause: string,
    kind: "assistant-reply" | "assistant-escalation" = "assistant-reply",
  ): Promise<string | null> {
    const references = conversation.memory.references.slice(-10);
    const inReplyTo = references.at(-1);
    const headers: Record<string, string> = {
      "Auto-Submitted": "auto-replied",
      "Reply-To": conversation.reply_address,
      ...(inReplyTo === undefined
        ? {}
        : { "In-Reply-To": inReplyTo, References: references.join(" ") }),
    };
    const queued = await enqueueMail(
      db,
      {
        organisationId: mintOrgId(conversation.organisation_id),
        kind,
        to: to.address,
        subject: written.subject,
        text: written.text,
        html: written.html,
        headers,
        idempotencyKey: `assistant:${conversation.id}:${cause}`,
      },
      clock.now(),
      deps.mailFrom,
    );
    if (queued.messageId === null) return null;
    await store.recordMessage(db, {
      organisation_id: conversation.organisation_id,
      conversation_id: conversation.id,
      direction: "out",
      message_id: queued.messageId,
      party: to.party,
      address: to.address,
      subject: written.subject,
      text_body: written.text,
      note: cause,
      created_at: clock.now(),
    });
    if (to.party === "candidate") {
      await store.updateConversation(
        db,
        conversation,
        {
          memory: {
            ...conversation.memory,
            references: [...conversation.memory.references, queued.messageId].slice(-20),
          },
        },
        clock.now(),
      );
      conversation.memory.references.push(queued.messageId);
    }
    if (conversation.request_id !== null) {
      await deps.booking.note(
        mintOrgId(conversation.organisation_id),
        conversation.request_id,
        "assistant-sent",
        { to: to.party, subject: written.subject, messageId: queued.messageId },
      );
    }
    return queued.messageId;
  }

  /** A follow-up in two days, replacing any earlier one for the conversation. */
  async function scheduleFollowUp(conversation: store.Conversation, offeredAt: number) {
    await scheduleJob(
      db,
      {
        organisationId: conversation.organisation_id,
        kind: FOLLOW_UP_JOB,
        key: `${FOLLOW_UP_JOB}:${conversation.id}`,
        runAt: offeredAt + FOLLOW_UP_AFTER_MS,
        payload: { conversationId: conversation.id, offeredAt },
      },
      clock.now(),
    );
  }

  /**
   * The follow-up job: when the candidate has not answered (an out-of-office reply is no
   * answer) and the request still waits for them, Ally writes again with the same options, at
   * most the organisation's follow-ups, within the daily limit.
   */
  async function followUp(job: Job): Promise<void> {
    const conversationId = job.payload.conversationId;
    const offeredAt = job.payload.offeredAt;
    if (job.organisationId === null || typeof conversationId !== "string") return;
    if (typeof offeredAt !== "number") return;
    const orgId = mintOrgId(job.organisationId);
    const conversation = await store.conversationById(db, orgId, conversationId);
    if (conversation === undefined || conversation.request_id === null) return;
    const settings = await settingsFor(orgId);
    if (conversation.follow_ups_sent >= settings.followUpsMax) return;
    if ((await store.answersSince(db, conversation.id, offeredAt)) > 0) return;
    const view = await deps.booking.candidateGet(conversation.request_id);
    if (view.status !== "awaiting_candidate") return;
    if ((await store.sentSince(db, conversation.id, clock.now() - DAY_MS)) >= deps.dailyLimit) {
      return;
    }
    const n = conversation.follow_ups_sent + 1;
    const link = await deps.directory.bookingLink(orgId, conversation.request_id);
    await send(
      conversation,
      { address: conversation.candidate_email, party: "candidate" },
      optionsMessage({
        candidateName: conversation.candidate_name,
        subject: conversation.memory.subject,
        reason: "follow-up",
        options: conversation.memory.offered,
        timeZone: conversation.time_zone,
        bookingLink: link,
      }),
      `follow-up:${n}`,
    );
    await store.updateConversation(db, conversation, { follow_ups_sent: n }, clock.now());
    if (n < settings.followUpsMax) await scheduleFollowUp(conversation, clock.now());
  }

  async function recruiterOf(conversation: store.Conversation): Promise<Member | undefined> {
    const members = await deps.directory.members(mintOrgId(conversation.organisation_id));
    return members.find((m) => m.userId === conversation.recruiter_user_id);
  }

  /** Records an escalation and emails the recruiter about it. */
  async function escalate(
    conversation: store.Conversation,
    text: string,
    reading: Reading | null,
    reason: string,
    suggested: Action | null,
    cause: string,
  ): Promise<string> {
    const id = await store.addEscalation(db, {
      organisation_id: conversation.organisation_id,
      conversation_id: conversation.id,
      request_id: conversation.request_id,
      message_text: text.slice(0, 20_000),
      reading: JSON.stringify(reading),
      suggested: suggested === null ? null : JSON.stringify(suggested),
      reason,
      created_at: clock.now(),
    });
    const recruiter = await recruiterOf(conversation);
    if (recruiter !== undefined) {
      await send(
        conversation,
        { address: recruiter.email, party: "recruiter" },
        plainMessage(
          `Ally needs you: ${conversation.candidate_name || conversation.candidate_email}`,
          [
            `Hi ${recruiter.name},`,
            `Ally did not act on a message from ${conversation.candidate_name || conversation.candidate_email}: ${reason}.`,
            reading === null
              ? ""
              : `Ally read it as "${reading.intent}" (confidence ${reading.confidence.toFixed(2)}).`,
            `Their message:\n${text.slice(0, 2000)}`,
            `Approve, edit or dismiss Ally's suggestion: ${deps.publicUrl}/app/assistant/escalations`,
          ].filter((p) => p !== ""),
        ),
        `escalation:${cause}`,
        "assistant-escalation",
      );
    }
    if (conversation.request_id !== null) {
      await deps.booking.note(
        mintOrgId(conversation.organisation_id),
        conversation.request_id,
        "assistant-escalated",
        { reason, escalationId: id },
      );
    }
    return id;
  }

  /** The conversation's state for decide.ts, read from the booking module. */
  async function stateOf(conversation: store.Conversation, settings: store.Settings) {
    const requestId = conversation.request_id;
    if (requestId === null) throw new Error(`conversation ${conversation.id} has no request`);
    const view = await deps.booking.candidateGet(requestId);
    const activeBooking = view.booking?.status === "active" ? view.booking : null;
    const firstSession = activeBooking?.sessions[0];
    const lastSession = activeBooking?.sessions.at(-1);
    let available: OfferedOption[] = [];
    if (view.status !== "cancelled" && view.status !== "completed") {
      try {
        const { options } = await deps.booking.candidateOptions(requestId);
        available = options.map((o) => ({ id: o.id, start: o.startsAt, end: o.endsAt }));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
    }
    const state: ConversationState = {
      status: view.status,
      offered: conversation.memory.offered,
      available,
      booked:
        firstSession === undefined || lastSession === undefined
          ? null
          : { start: firstSession.startsAt, end: lastSession.endsAt },
      awaitingCancelConfirmation: conversation.memory.awaitingCancelConfirmation,
      rescheduleAsked: conversation.memory.rescheduleAsked,
      mode: settings.reviewMode ? "review" : "automatic",
      threshold,
      sentToday: await store.sentSince(db, conversation.id, clock.now() - DAY_MS),
      dailyLimit: deps.dailyLimit,
      maxOffered: 3,
    };
    return { state, view };
  }

  /** Carries out one action; returns what was done, for the record. */
  async function perform(
    conversation: store.Conversation,
    action: Action,
    context: { cause: string; text: string; reading: Reading | null },
  ): Promise<string> {
    const orgId = mintOrgId(conversation.organisation_id);
    const requestId = conversation.request_id;
    const candidate = { address: conversation.candidate_email, party: "candidate" as const };
    const subject = conversation.memory.subject;
    const zone = conversation.time_zone;
    switch (action.kind) {
      case "none":
        return action.note === "no-answer-yet" ? "out of office: no answer yet" : "not answered";
      case "escalate":
        await escalate(
          conversation,
          context.text,
          context.reading,
          action.reason,
          action.suggested,
          context.cause,
        );
        return `escalated: ${action.reason}`;
      case "forward-question":
        await escalate(
          conversation,
          context.text,
          context.reading,
          "the candidate asked a question",
          null,
          context.cause,
        );
        return "question forwarded to the recruiter";
      case "privacy":
        await deps.privacy({
          name: conversation.candidate_name || conversation.candidate_email,
          email: conversation.candidate_email,
          message: `Sent to Ally by email, read as ${action.request}:\n\n${context.text}`.slice(
            0,
            10_000,
          ),
        });
        if (requestId !== null) {
          await deps.booking.note(orgId, requestId, "assistant-privacy", {
            request: action.request,
          });
        }
        return `privacy: ${action.request} handed to the privacy queue`;
      case "offer": {
        if (requestId === null) return "no request";
        const link = await deps.directory.bookingLink(orgId, requestId);
        await send(
          conversation,
          candidate,
          optionsMessage({
            candidateName: conversation.candidate_name,
            subject,
            reason: action.reason,
            options: action.options,
            timeZone: zone,
            bookingLink: link,
          }),
          context.cause,
        );
        await scheduleFollowUp(conversation, clock.now());
        return `offered ${action.options.length} option(s)`;
      }
      case "book":
      case "move": {
        if (requestId === null) return "no request";
        const input = { optionId: action.optionId, idempotencyKey: `assistant:${context.cause}` };
        try {
          if (action.kind === "book") await deps.booking.candidateBook(requestId, input);
          else await deps.booking.candidateReschedule(requestId, input);
        } catch (error) {
          if (error instanceof AppError && error.code === "SLOT_TAKEN") {
            const { state } = await stateOf(conversation, await settingsFor(orgId));
            const options = state.available.slice(0, 3);
            if (options.length === 0) {
              return perform(
                conversation,
                {
                  kind: "escalate",
                  reason: "the time was taken and none is free",
                  suggested: null,
                },
                context,
              );
            }
            return perform(conversation, { kind: "offer", reason: "fresh", options }, context);
          }
          throw error;
        }
        const chosen = [...conversation.memory.offered].find((o) => o.id === action.optionId);
        const when =
          chosen === undefined ? "the time you chose" : `${spanIn(chosen, zone)} (${zone})`;
        await send(
          conversation,
          candidate,
          plainMessage(subject, [
            `Hi ${conversation.candidate_name || "there"},`,
            action.kind === "book"
              ? `You're booked for ${when}. The calendar invitation is on its way.`
              : `Your interview has moved to ${when}. The updated invitation is on its way.`,
          ]),
          context.cause,
        );
        return `${action.kind === "book" ? "booked" : "moved to"} ${action.optionId}`;
      }
      case "confirm-cancel":
        await send(
          conversation,
          candidate,
          plainMessage(subject, [
            `Hi ${conversation.candidate_name || "there"},`,
            'Shall I cancel your interview? Reply "yes, cancel it" and I will; otherwise nothing changes.',
          ]),
          context.cause,
        );
        return "asked the candidate to confirm the cancellation";
      case "cancel":
        if (requestId === null) return "no request";
        await deps.booking.candidateCancel(requestId, {
          reason: "The candidate cancelled by email.",
        });
        await send(
          conversation,
          candidate,
          plainMessage(subject, [
            `Hi ${conversation.candidate_name || "there"},`,
            "Your interview is cancelled. Thank you for letting us know.",
          ]),
          context.cause,
        );
        return "cancelled";
    }
  }

  async function settingsFor(orgId: OrgId): Promise<store.Settings> {
    return store.settingsOf(db, orgId, deps.domain, clock.now());
  }

  /** Why the sender is not vouched for by DMARC, or undefined. */
  function distrust(message: InboundMessage): string | undefined {
    if (message.dmarc !== null && message.dmarc !== "pass") {
      return `DMARC did not pass for the sender's domain (${message.dmarc})`;
    }
    if (message.dmarc === null && deps.requireDmarcPass) return "no DMARC result for the sender";
    return undefined;
  }

  /** A reply on a known thread. */
  async function onThread(
    conversation: store.Conversation,
    message: InboundMessage,
  ): Promise<string> {
    const orgId = mintOrgId(conversation.organisation_id);
    const settings = await settingsFor(orgId);
    const verdict = mayAnswer(
      {
        headers: message.headers ?? {},
        fromAddress: message.fromAddress,
        returnPath: message.envelopeFrom,
        subject: message.subject,
        text: message.text,
      },
      [`@${deps.domain}`, settings.address],
    );
    const fresh = await store.recordMessage(db, {
      organisation_id: orgId,
      conversation_id: conversation.id,
      direction: "in",
      message_id: message.messageId,
      party: message.fromAddress === conversation.candidate_email ? "candidate" : "other",
      address: message.fromAddress,
      subject: message.subject,
      text_body: message.text,
      note: verdict.answer ? "answer" : verdict.kind,
      created_at: clock.now(),
    });
    if (!fresh) return "assistant: already handled";
    const members = await deps.directory.members(orgId);
    const member = members.find((m) => m.email.toLowerCase() === message.fromAddress);
    if (member !== undefined && conversation.status === "waiting-recruiter") {
      return intakeAnswer(conversation, message, member);
    }
    const isCandidate = message.fromAddress === conversation.candidate_email;
    if (!isCandidate && member === undefined) {
      return "assistant: not acted on (a sender who is not on this thread)";
    }
    if (member !== undefined && member.userId === conversation.recruiter_user_id) {
      return "assistant: the recruiter wrote on the thread; Ally leaves it to them";
    }
    const cause = `in:${message.messageId}`;
    if (conversation.request_id === null) return "assistant: the conversation has no request yet";
    conversation.memory.references.push(message.messageId);
    const untrusted = verdict.answer ? distrust(message) : undefined;
    const { state, view } = await stateOf(conversation, settings);
    const reading = understand({
      now: new Date(message.receivedAt).toISOString(),
      timeZone: conversation.time_zone,
      subject: message.subject,
      text: message.text,
      proposed: state.offered.map((o) => ({ start: o.start, end: o.end })),
      ...(state.booked === null ? {} : { booked: state.booked }),
    });
    if (untrusted !== undefined) {
      await escalate(
        conversation,
        message.text,
        reading,
        `Ally could not confirm the sender: ${untrusted}`,
        null,
        cause,
      );
      return `assistant: not acted on: ${untrusted}`;
    }
    const incoming = {
      sender: isCandidate ? ("candidate" as const) : ("interviewer" as const),
      answerability: verdict,
      reading,
    };
    const decision = decide(state, incoming);
    const done: string[] = [];
    for (const action of decision.actions) {
      done.push(await perform(conversation, action, { cause, text: message.text, reading }));
    }
    const memory = remember(state, incoming, decision.actions);
    await store.updateConversation(
      db,
      conversation,
      {
        memory: { ...conversation.memory, ...memory },
        status: view.status === "cancelled" ? "closed" : "open",
      },
      clock.now(),
    );
    await deps.booking.note(orgId, conversation.request_id, "assistant-received", {
      from: isCandidate ? "candidate" : "interviewer",
      reading: { intent: reading.intent, confidence: reading.confidence },
      decision: decision.why,
    });
    log(`assistant: ${decision.why}`);
    return `assistant: ${done.join("; ")}`;
  }

  /** The recruiter answered Ally's intake question: read the original and the answer together. */
  async function intakeAnswer(
    conversation: store.Conversation,
    message: InboundMessage,
    member: Member,
  ) {
    const original = await store.intakeMail(db, conversation.id);
    return startFrom(
      {
        ...original,
        text: `${original.text}\n\n${message.text}`,
      },
      mintOrgId(conversation.organisation_id),
      member,
      conversation,
    );
  }

  /** cc intake: a recruiter's email to the organisation's Ally address. */
  async function onIntake(settings: store.Settings, message: InboundMessage): Promise<string> {
    const orgId = mintOrgId(settings.organisationId);
    const members = await deps.directory.members(orgId);
    const recruiter = members.find((m) => m.email.toLowerCase() === message.fromAddress);
    if (recruiter === undefined)
      return "assistant: not acted on (an unknown sender on an unknown thread)";
    const verdict = mayAnswer(
      {
        headers: message.headers ?? {},
        fromAddress: message.fromAddress,
        returnPath: message.envelopeFrom,
        subject: message.subject,
        text: message.text,
      },
      [`@${deps.domain}`, settings.address],
    );
    if (!verdict.answer) return `assistant: not answered: ${verdict.reason}`;
    const untrusted = distrust(message);
    if (untrusted !== undefined) return `assistant: not acted on: ${untrusted}`;
    const mail = {
      fromAddress: message.fromAddress,
      to: addressesIn(message.headers?.to),
      cc: addressesIn(message.headers?.cc),
      subject: message.subject,
      text: message.text,
      messageId: message.messageId,
    };
    return startFrom(mail, orgId, recruiter, null);
  }

  async function startFrom(
    mail: store.IntakeMailFacts,
    orgId: OrgId,
    recruiter: Member,
    waiting: store.Conversation | null,
  ): Promise<string> {
    const actor = systemActor(recruiter, orgId);
    const members = await deps.directory.members(orgId);
    const now = clock.now();
    const result = intake(mail, {
      ownAddresses: [`@${deps.domain}`],
      jobs: await deps.directory.jobs(actor),
      members,
      defaults: {
        jobId: null,
        interviewerIds: [],
        durationMinutes: deps.defaults.durationMinutes,
        windowDays: deps.defaults.windowDays,
      },
      now: Temporal.Instant.fromEpochMilliseconds(now),
      timeZone: "UTC",
    });
    const candidateTo = mail.to.find((r) => !r.address.endsWith(`@${deps.domain}`));
    const conversation =
      waiting ??
      (await store.createConversation(db, {
        organisation_id: orgId,
        request_id: null,
        reply_address: deps.replyAddresses.addressFor({
          organisationId: orgId,
          bookingUid: `assistant:${mail.messageId}`,
          attendeeEmail: candidateTo?.address ?? mail.fromAddress,
        }),
        status: "waiting-recruiter",
        candidate_email: candidateTo?.address ?? "",
        candidate_name: candidateTo?.name ?? "",
        recruiter_user_id: recruiter.userId,
        time_zone: "UTC",
        memory: {
          offered: [],
          awaitingCancelConfirmation: false,
          rescheduleAsked: false,
          subject: mail.subject,
          references: [mail.messageId],
        },
        created_at: now,
        updated_at: now,
      }));
    if (waiting === null) {
      await store.recordMessage(db, {
        organisation_id: orgId,
        conversation_id: conversation.id,
        direction: "in",
        message_id: mail.messageId,
        party: "recruiter",
        address: mail.fromAddress,
        subject: mail.subject,
        text_body: JSON.stringify(mail),
        note: "intake",
        created_at: now,
      });
    }
    if (!result.ok) {
      await send(
        conversation,
        { address: recruiter.email, party: "recruiter" },
        plainMessage(mail.subject, [`Hi ${recruiter.name},`, result.question]),
        `intake-question:${mail.messageId}:${result.missing.length}`,
      );
      return `assistant: asked the recruiter (${result.missing.join("; ")})`;
    }
    const plan = result.plan;
    const candidateId = await deps.directory.candidateFor(actor, plan.candidate);
    const request = await deps.booking.createRequest(actor, {
      candidateId,
      jobId: plan.jobId,
      sessions: [
        {
          name: "Interview",
          durationMinutes: plan.durationMinutes,
          interviewerIds: plan.interviewerIds,
        },
      ],
      windowStart: plan.windowStart,
      windowEnd: plan.windowEnd,
    });
    await store.updateConversation(
      db,
      conversation,
      { request_id: request.id, status: "open" },
      now,
    );
    conversation.request_id = request.id;
    conversation.candidate_email = plan.candidate.email;
    await store.setCandidate(db, conversation, plan.candidate, request.timeZone ?? "UTC");
    conversation.candidate_name = plan.candidate.name;
    conversation.time_zone = request.timeZone ?? "UTC";
    await deps.booking.note(orgId, request.id, "assistant-started", {
      by: recruiter.userId,
      notes: result.notes,
    });
    let offered: OfferedOption[];
    try {
      const withOptions = await deps.booking.offer(actor, request.id);
      offered = (withOptions.offeredOptions ?? [])
        .slice(0, 3)
        .map((o) => ({ id: o.id, start: o.startsAt, end: o.endsAt }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await escalate(
        conversation,
        mail.text,
        null,
        `no time fits the request (${error.message})`,
        null,
        `intake:${mail.messageId}`,
      );
      return "assistant: request created; no time fits, recruiter told";
    }
    const settings = await settingsFor(orgId);
    const action: Action = { kind: "offer", reason: "fresh", options: offered };
    await store.updateConversation(
      db,
      conversation,
      { memory: { ...conversation.memory, offered } },
      now,
    );
    conversation.memory.offered = offered;
    const cause = `intake:${mail.messageId}`;
    if (settings.reviewMode) {
      await escalate(
        conversation,
        mail.text,
        null,
        "review mode: a person approves every message",
        action,
        cause,
      );
      return `assistant: request ${request.id} created; first message waits for approval`;
    }
    await perform(conversation, action, { cause, text: mail.text, reading: null });
    return `assistant: request ${request.id} created; ${offered.length} option(s) offered`;
  }

  const handler: InboundHandler = async (message) => {
    if (message.calendar !== null && message.calendar.method === "REPLY") return undefined;
    const recipients = [
      ...message.envelopeTo,
      ...addressesIn(message.headers?.to).map((a) => a.address),
      ...addressesIn(message.headers?.cc).map((a) => a.address),
    ];
    const byAddress = await store.conversationByAddress(db, recipients);
    const conversation =
      byAddress ?? (await store.conversationByMessageIds(db, threadIds(message)));
    if (conversation !== undefined) return onThread(conversation, message);
    const settings = await store.organisationAddressed(db, recipients, deps.domain);
    if (settings !== undefined) return onIntake(settings, message);
    return undefined;
  };

  /** A recruiter approves an escalation: Ally carries out its suggestion. */
  async function approve(actor: Actor, escalationId: string): Promise<string> {
    const escalation = await store.escalationById(db, actor.orgId, escalationId);
    if (escalation === undefined) throw new AppError("NOT_FOUND", "escalation not found");
    if (
      !(await store.resolveEscalation(
        db,
        actor.orgId,
        escalationId,
        "approved",
        actor.userId,
        clock.now(),
      ))
    ) {
      throw new AppError("CONFLICT", "This escalation was already resolved.");
    }
    const conversation = await store.conversationById(db, actor.orgId, escalation.conversationId);
    if (conversation === undefined) throw new AppError("NOT_FOUND", "conversation not found");
    const parsed = actionSchema.safeParse(escalation.suggested);
    if (!parsed.success) return "approved: nothing to do";
    const outcome = await perform(conversation, parsed.data, {
      cause: `approved:${escalationId}`,
      text: escalation.messageText,
      reading: null,
    });
    const memory = rememberActions(conversation.memory, [parsed.data]);
    await store.updateConversation(
      db,
      conversation,
      { memory: { ...conversation.memory, ...memory } },
      clock.now(),
    );
    return outcome;
  }

  async function dismiss(actor: Actor, escalationId: string): Promise<void> {
    if (
      !(await store.resolveEscalation(
        db,
        actor.orgId,
        escalationId,
        "dismissed",
        actor.userId,
        clock.now(),
      ))
    ) {
      throw new AppError("NOT_FOUND", "No open escalation with this id.");
    }
  }

  return {
    handler,
    followUp,
    approve,
    dismiss,
    openEscalations: (actor: Actor) => store.openEscalations(db, actor.orgId),
    settings: (orgId: OrgId) => settingsFor(orgId),
    saveSettings: (actor: Actor, changes: { reviewMode: boolean; followUpsMax: number }) =>
      store.saveSettings(db, actor.orgId, deps.domain, changes, clock.now()),
  };
}

export type Assistant = ReturnType<typeof createAssistant>;
