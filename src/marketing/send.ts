/**
 * Sending a promotional message to a list: one command records the message and one pending
 * delivery per subscriber with confirmed consent who has not opted out, and schedules the send
 * job. The job (a scheduled job, `marketing-send`) queues a batch of deliveries in the outbox
 * per run and schedules itself again, so a large list goes out over time: a batch every
 * `batchIntervalMs`, and an hour's pause whenever the outbox's limit for the organisation is
 * reached (mail/send-limits.ts). Each delivery is checked again when it is queued: an address
 * that opted out in the meantime is skipped, never mailed.
 */
import { z } from "zod";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import { type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import { enqueueMail } from "../mail/outbox.js";
import type { MailLimits } from "../mail/send-limits.js";
import { composePromotional } from "./compose.js";
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { listOf } from "./lists.js";
import { inScope, organisationOf, type Scope, scopeField, scopeOfRow } from "./scope.js";
import { isHashSuppressed } from "./suppression.js";

export const SEND_JOB = "marketing-send";
const HOUR_MS = 3_600_000;

export interface SendDeps {
  keys: MarketingKeys;
  publicUrl: string;
  mailFrom: string;
  unsubscribeMailbox: string;
  mailLimits?: MailLimits;
  /** Deliveries queued per run of the job. */
  batchSize: number;
  /** The wait between two batches. */
  batchIntervalMs: number;
}

export const messageInput = z.object({
  subject: z
    .string({ error: "Subject is required" })
    .trim()
    .min(1, "Subject is required")
    .max(200, "Subject must be at most 200 characters"),
  text: z
    .string({ error: "Message is required" })
    .trim()
    .min(1, "Message is required")
    .max(20_000, "Message must be at most 20,000 characters"),
});

export interface SendProgress {
  messageId: string;
  listId: string;
  subject: string;
  createdAt: number;
  finishedAt: number | null;
  total: number;
  queued: number;
  skipped: number;
  pending: number;
  opens: number;
}

/**
 * Records the message and its deliveries and schedules the send; call in one transaction.
 * @example await startSend(trx, deps, scope, listId, { subject, text }, actor.userId, now)
 */
export async function startSend(
  handle: AnyHandle,
  scope: Scope,
  listId: string,
  input: z.input<typeof messageInput>,
  byUserId: string | null,
  now: number,
): Promise<{ messageId: string; recipients: number }> {
  const parsed = messageInput.parse(input);
  await listOf(handle, scope, listId);
  const db = marketingDb(handle);
  const messageId = newId("mkm");
  await db
    .insertInto("marketing_messages")
    .values({
      id: messageId,
      organisation_id: organisationOf(scope),
      list_id: listId,
      subject: parsed.subject,
      text_body: parsed.text,
      html_body: null,
      created_by: byUserId,
      created_at: now,
      finished_at: null,
    })
    .execute();
  const subscribers = await db
    .selectFrom("marketing_subscribers")
    .select(["id", "email_hash"])
    .where(inScope(scope))
    .where("list_id", "=", listId)
    .where("confirmed_at", "is not", null)
    .orderBy("id")
    .execute();
  let recipients = 0;
  for (const subscriber of subscribers) {
    recipients += 1;
    await db
      .insertInto("marketing_deliveries")
      .values({
        id: newId("mkd"),
        organisation_id: organisationOf(scope),
        message_id: messageId,
        subscriber_id: subscriber.id,
        status: "pending",
        reason: null,
        queued_at: null,
        created_at: now,
      })
      .execute();
  }
  await scheduleSend(db, scope, messageId, now, now);
  return { messageId, recipients };
}

function scheduleSend(
  handle: AnyHandle,
  scope: Scope,
  messageId: string,
  runAt: number,
  now: number,
): Promise<void> {
  return scheduleJob(
    handle,
    {
      organisationId: organisationOf(scope),
      kind: SEND_JOB,
      key: `${SEND_JOB}:${messageId}`,
      runAt,
      payload: { messageId },
    },
    now,
  );
}

type BatchOutcome = "done" | "more" | "paused";

/**
 * Queues the next batch of a message's deliveries in the outbox, in one transaction, and
 * schedules the next run when some remain. Returns what is left to do.
 */
export async function sendBatch(
  handle: AnyHandle,
  deps: SendDeps,
  messageId: string,
  now: number,
): Promise<BatchOutcome> {
  return marketingDb(handle)
    .transaction()
    .execute(async (trx) => {
      const message = await trx
        .selectFrom("marketing_messages")
        .innerJoin("marketing_lists", "marketing_lists.id", "marketing_messages.list_id")
        .select([
          "marketing_messages.organisation_id",
          "marketing_messages.subject",
          "marketing_messages.text_body",
          "marketing_lists.name as list_name",
        ])
        .where("marketing_messages.id", "=", messageId)
        .executeTakeFirst();
      if (message === undefined) return "done";
      const scope = scopeOfRow(message.organisation_id);
      const batch = await trx
        .selectFrom("marketing_deliveries")
        .leftJoin(
          "marketing_subscribers",
          "marketing_subscribers.id",
          "marketing_deliveries.subscriber_id",
        )
        .select([
          "marketing_deliveries.id",
          "marketing_deliveries.subscriber_id",
          "marketing_subscribers.email",
          "marketing_subscribers.email_hash",
          "marketing_subscribers.confirmed_at",
          "marketing_subscribers.consent_at",
        ])
        .where("marketing_deliveries.message_id", "=", messageId)
        .where("marketing_deliveries.status", "=", "pending")
        .orderBy("marketing_deliveries.id")
        .limit(deps.batchSize)
        .execute();
      for (const delivery of batch) {
        const skip = async (reason: string) => {
          await trx
            .updateTable("marketing_deliveries")
            .set({ status: "skipped", reason })
            .where("id", "=", delivery.id)
            .execute();
        };
        if (
          delivery.email === null ||
          delivery.email_hash === null ||
          delivery.confirmed_at === null
        ) {
          await skip("no longer subscribed");
          continue;
        }
        const hashes = [delivery.email_hash, ...deps.keys.addressHashes(delivery.email)];
        if (await isHashSuppressed(trx, scope, hashes)) {
          await skip("opted out");
          continue;
        }
        const unsubscribeToken = deps.keys.sign("u", [scopeField(scope), delivery.subscriber_id]);
        const composed = composePromotional({
          subject: message.subject,
          text: message.text_body,
          listName: message.list_name,
          unsubscribeUrl: `${deps.publicUrl}/u/${unsubscribeToken}`,
          unsubscribeMailbox: deps.unsubscribeMailbox,
          // The beacon only for a recipient whose marketing consent is on record.
          ...(delivery.consent_at === null
            ? {}
            : { beaconUrl: `${deps.publicUrl}/m/o/${deps.keys.sign("o", [delivery.id])}` }),
        });
        const queued = await enqueueMail(
          trx,
          {
            organisationId: organisationOf(scope),
            kind: "marketing",
            to: delivery.email,
            subject: composed.subject,
            text: composed.text,
            html: composed.html,
            headers: composed.headers,
            idempotencyKey: `marketing:${delivery.id}`,
          },
          now,
          deps.mailFrom,
          deps.mailLimits,
        );
        if (queued.messageId !== null) {
          await trx
            .updateTable("marketing_deliveries")
            .set({ status: "queued", queued_at: now })
            .where("id", "=", delivery.id)
            .execute();
        } else if (/organisation/.test(queued.notSent)) {
          // The organisation's hourly limit: the rest waits an hour.
          await scheduleSend(trx, scope, messageId, now + HOUR_MS, now);
          return "paused";
        } else {
          await skip(
            queued.notSent === "restricted" ? "restricted" : "too much mail to this address",
          );
        }
      }
      const left = await trx
        .selectFrom("marketing_deliveries")
        .select("id")
        .where("message_id", "=", messageId)
        .where("status", "=", "pending")
        .limit(1)
        .executeTakeFirst();
      if (left !== undefined) {
        await scheduleSend(trx, scope, messageId, now + deps.batchIntervalMs, now);
        return "more";
      }
      await trx
        .updateTable("marketing_messages")
        .set({ finished_at: now })
        .where("id", "=", messageId)
        .where("finished_at", "is", null)
        .execute();
      return "done";
    });
}

/** The send job's handler (app/compose.ts registers it under SEND_JOB). */
export function sendHandler(deps: SendDeps & { db: AnyHandle; now: () => number }): JobHandler {
  return async (job) => {
    const messageId = job.payload.messageId;
    if (typeof messageId !== "string") throw new Error("marketing-send without a messageId");
    await sendBatch(deps.db, deps, messageId, deps.now());
  };
}

/** The messages sent to a list, newest first, with how far each has gone. */
export async function progressOf(
  handle: AnyHandle,
  scope: Scope,
  listId: string,
): Promise<SendProgress[]> {
  const db = marketingDb(handle);
  const messages = await db
    .selectFrom("marketing_messages")
    .selectAll()
    .where(inScope(scope))
    .where("list_id", "=", listId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  if (messages.length === 0) return [];
  const ids = messages.map((m) => m.id);
  const counts = await db
    .selectFrom("marketing_deliveries")
    .select((eb) => ["message_id", "status", eb.fn.countAll<string | number>().as("n")])
    .where(inScope(scope))
    .where("message_id", "in", ids)
    .groupBy(["message_id", "status"])
    .execute();
  const opens = await db
    .selectFrom("marketing_opens")
    .select((eb) => ["message_id", eb.fn.countAll<string | number>().as("n")])
    .where(inScope(scope))
    .where("message_id", "in", ids)
    .groupBy("message_id")
    .execute();
  return messages.map((m) => {
    const of = (status: string) =>
      Number(counts.find((c) => c.message_id === m.id && c.status === status)?.n ?? 0);
    const queued = of("queued");
    const skipped = of("skipped");
    const pending = of("pending");
    return {
      messageId: m.id,
      listId: m.list_id,
      subject: m.subject,
      createdAt: Number(m.created_at),
      finishedAt: m.finished_at === null ? null : Number(m.finished_at),
      total: queued + skipped + pending,
      queued,
      skipped,
      pending,
      opens: Number(opens.find((o) => o.message_id === m.id)?.n ?? 0),
    };
  });
}

/** @throws AppError NOT_FOUND when the message is not this scope's. */
export async function messageOf(handle: AnyHandle, scope: Scope, messageId: string) {
  const row = await marketingDb(handle)
    .selectFrom("marketing_messages")
    .select(["id", "list_id"])
    .where(inScope(scope))
    .where("id", "=", messageId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError("NOT_FOUND", "No such promotional message.");
  return row;
}
