/**
 * Dead letters for an organisation's admins: the jobs, messages and calendar writes Ally gave
 * up on after their last attempt, from every queue that belongs to an organisation, and the
 * way to put one back. Inbound mail belongs to no organisation until read, so its dead letters
 * are the operator's: `operatorDeadLetters` lists and retries every queue's, for every
 * organisation, from the command line (`ally jobs dead`, `ally jobs retry QUEUE ID`).
 */
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import { eventWritesQueue } from "../calendar/event-writes.js";
import type { Clock } from "../clock.js";
import { notFound } from "../errors.js";
import {
  type DeadLetter,
  listDeadLetters,
  type QueueSpec,
  retryDeadLetter,
} from "../jobs/lease-queue.js";
import { scheduledJobsQueue } from "../jobs/scheduled-jobs.js";
import { inboundQueue } from "../mail/inbound.js";
import { outboxQueue } from "../mail/outbox-worker.js";
import type { Store } from "../store/database.js";

export interface DeadLetters {
  /** Newest first. @throws AppError FORBIDDEN unless the actor may read the audit trail (admins). */
  list(actor: Actor): Promise<DeadLetter[]>;
  /**
   * Puts a dead letter back in its queue, due now, with fresh attempts.
   * @throws AppError NOT_FOUND when the organisation has no such dead letter.
   */
  retry(actor: Actor, queue: string, id: number): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of queues of different row types.
type AnyQueue = QueueSpec<any, any>;

/** The queues whose dead letters an organisation's admins see. */
export const organisationQueues: readonly AnyQueue[] = [
  scheduledJobsQueue,
  outboxQueue(),
  eventWritesQueue,
];

export function createDeadLetters(deps: {
  store: Store;
  clock: Clock;
  queues?: readonly AnyQueue[];
}): DeadLetters {
  const queues = deps.queues ?? organisationQueues;
  return {
    async list(actor) {
      requirePermission(actor.role, "audit:read");
      return listDeadLetters(deps.store.db, queues, actor.orgId);
    },
    async retry(actor, queue, id) {
      requirePermission(actor.role, "audit:read");
      const spec = queues.find((q) => q.name === queue);
      const retried =
        spec !== undefined &&
        Number.isSafeInteger(id) &&
        (await retryDeadLetter(deps.store.db, spec, actor.orgId, id, deps.clock.now()));
      if (!retried) throw notFound("dead job");
    },
  };
}

/** Every queue with dead letters: the organisations' and inbound mail. */
export const operatorQueues: readonly AnyQueue[] = [...organisationQueues, inboundQueue()];

/** The operator's view: every dead letter of every queue and organisation, and retrying one. */
export function operatorDeadLetters(deps: { store: Store; clock: Clock }) {
  return {
    list: (limit = 200) =>
      listDeadLetters(deps.store.db, operatorQueues, { operator: true }, limit),
    /** @throws AppError NOT_FOUND when no queue of that name has that dead letter. */
    async retry(queue: string, id: number): Promise<void> {
      const spec = operatorQueues.find((q) => q.name === queue);
      const retried =
        spec !== undefined &&
        Number.isSafeInteger(id) &&
        (await retryDeadLetter(deps.store.db, spec, { operator: true }, id, deps.clock.now()));
      if (!retried) throw notFound("dead job");
    },
  };
}
