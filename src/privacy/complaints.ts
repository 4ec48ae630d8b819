/**
 * Privacy questions and complaints sent through /privacy/contact: each is acknowledged at once
 * by email and queued for the operator with an answer deadline of 45 days; the queue flags the
 * near-due and the overdue, and a complaint left unresolved carries the referral text naming the
 * independent dispute body. The deadline arithmetic is pure.
 */

import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import type { PrivacySettings } from "../config.js";
import { AppError } from "../errors.js";
import { type AnyHandle, privacyDb } from "./db.js";
import type { PrivacyMailer } from "./mailer.js";
import { ANSWER_DAYS } from "./policy/document.js";

/** Within this many days of its deadline an open message is flagged as near due. */
export const NEAR_DUE_DAYS = 7;
/** At most this many messages from one address per day. */
export const MESSAGES_PER_ADDRESS_PER_DAY = 3;

export const CONTACT_TOPICS = ["question", "complaint", "request"] as const;

export const contactInput = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(200, "At most 200 characters."),
  email: z.email("Enter an email address, like name@example.com.").max(254).toLowerCase(),
  topic: z.enum(CONTACT_TOPICS, "Choose what your message is about."),
  message: z
    .string()
    .trim()
    .min(10, "Write at least a sentence (10 characters).")
    .max(10_000, "At most 10,000 characters."),
});
export type ContactInput = z.infer<typeof contactInput>;

/** The instant a message received at `receivedAt` must be answered by: 45 calendar days later (UTC). */
export function answerDeadline(receivedAt: number): number {
  return Temporal.Instant.fromEpochMilliseconds(receivedAt)
    .toZonedDateTimeISO("UTC")
    .add({ days: ANSWER_DAYS })
    .toInstant().epochMilliseconds;
}

export type DeadlineState = "answered" | "open" | "near-due" | "overdue";

/** Where a message stands against its deadline at `now`. */
export function deadlineState(
  dueAt: number,
  answeredAt: number | null,
  now: number,
): DeadlineState {
  if (answeredAt !== null) return "answered";
  if (now > dueAt) return "overdue";
  const nearFrom = Temporal.Instant.fromEpochMilliseconds(dueAt)
    .toZonedDateTimeISO("UTC")
    .subtract({ days: NEAR_DUE_DAYS })
    .toInstant().epochMilliseconds;
  return now >= nearFrom ? "near-due" : "open";
}

/** What a person whose complaint we did not resolve in time is told about referral. */
export function referralText(settings: PrivacySettings): string {
  return `If we have not resolved your complaint within ${ANSWER_DAYS} days, or you are not satisfied with our answer, you may refer it free of charge to ${settings.disputeBody}. You may also complain at any time to ${settings.authority}.`;
}

export interface ContactDeps {
  db: AnyHandle;
  now: number;
  settings: PrivacySettings;
  /** Queues a message in the outbox inside the transaction (mail/outbox.ts `enqueueMail`). */
  mail: PrivacyMailer;
}

/**
 * Queues a message for the operator and acknowledges it by email, in one transaction.
 * @example await submitContactMessage(deps, { name, email, topic: "complaint", message })
 */
export async function submitContactMessage(
  deps: ContactDeps,
  input: ContactInput,
): Promise<{ id: number; dueAt: number }> {
  const dueAt = answerDeadline(deps.now);
  return privacyDb(deps.db)
    .transaction()
    .execute(async (trx) => {
      const recent = await trx
        .selectFrom("privacy_contact_messages")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("email", "=", input.email)
        .where("received_at", ">", deps.now - 86_400_000)
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= MESSAGES_PER_ADDRESS_PER_DAY)
        throw new AppError(
          "RATE_LIMITED",
          "We received several messages from this address today; we will answer those first.",
          { field: "message", detail: { retryAfterSeconds: 3600 } },
        );
      const row = await trx
        .insertInto("privacy_contact_messages")
        .values({
          name: input.name,
          email: input.email,
          topic: input.topic,
          message: input.message,
          received_at: deps.now,
          due_at: dueAt,
          answered_at: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      const due = new Date(dueAt).toISOString().slice(0, 10);
      await deps.mail(
        trx,
        {
          organisationId: null,
          kind: "privacy-contact-received",
          to: input.email,
          subject: `We received your ${input.topic} (reference P-${id})`,
          text: `Hello ${input.name},\n\nWe received your ${input.topic} and will answer by ${due} at the latest. Your reference is P-${id}.\n\n${input.topic === "complaint" ? `${referralText(deps.settings)}\n\n` : ""}Questions meanwhile: ${deps.settings.privacyContact}\n`,
        },
        deps.now,
      );
      await deps.mail(
        trx,
        {
          organisationId: null,
          kind: "privacy-contact-queued",
          to: deps.settings.privacyContact,
          subject: `New privacy ${input.topic} P-${id}, answer by ${due}`,
          text: `From: ${input.name} <${input.email}>\nTopic: ${input.topic}\nAnswer by: ${due}\n\n${input.message}\n\nList the queue with: ally privacy queue\n`,
        },
        deps.now,
      );
      return { id, dueAt };
    });
}

export interface QueuedMessage {
  id: number;
  name: string;
  email: string;
  topic: string;
  message: string;
  receivedAt: number;
  dueAt: number;
  answeredAt: number | null;
  state: DeadlineState;
  /** Set for an overdue complaint: the text telling the person where to refer it. */
  referral: string | undefined;
}

/** The operator's queue: unanswered messages first, soonest deadline first. */
export async function contactQueue(
  handle: AnyHandle,
  now: number,
  settings: PrivacySettings,
  includeAnswered = false,
): Promise<QueuedMessage[]> {
  let query = privacyDb(handle).selectFrom("privacy_contact_messages").selectAll();
  if (!includeAnswered) query = query.where("answered_at", "is", null);
  const rows = await query.orderBy("due_at").orderBy("id").execute();
  return rows.map((r) => {
    const answeredAt = r.answered_at === null ? null : Number(r.answered_at);
    const state = deadlineState(Number(r.due_at), answeredAt, now);
    return {
      id: Number(r.id),
      name: r.name,
      email: r.email,
      topic: r.topic,
      message: r.message,
      receivedAt: Number(r.received_at),
      dueAt: Number(r.due_at),
      answeredAt,
      state,
      referral: state === "overdue" && r.topic === "complaint" ? referralText(settings) : undefined,
    };
  });
}

/** Marks a message answered; an unknown or already answered one is NOT_FOUND. */
export async function markAnswered(handle: AnyHandle, id: number, now: number): Promise<void> {
  const result = await privacyDb(handle)
    .updateTable("privacy_contact_messages")
    .set({ answered_at: now })
    .where("id", "=", id)
    .where("answered_at", "is", null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0)
    throw new AppError("NOT_FOUND", `No open privacy message P-${id}.`);
}
