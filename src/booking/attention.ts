/**
 * What needs a recruiter now: the rules of the home page's "needs attention" list, over facts
 * read per request (overview.ts). Pure: facts and "now" in, items out, oldest first, so the
 * request that has waited longest is at the top.
 *
 * @example
 *   needsAttention([{ id: "req_1", status: "awaiting_candidate", offeredAt: t0, ... }], t0 + 4 * DAY)
 *   // [{ requestId: "req_1", reason: "candidate-quiet", sinceMs: t0 }]
 */
import type { RequestStatus } from "./tables.js";

export interface AttentionFacts {
  id: string;
  status: RequestStatus;
  createdAtMs: number;
  offeredAtMs: number | null;
  /** The latest thing a member did to the request (any timeline event by a user). */
  lastMemberActionAtMs: number | null;
  /** The latest "none of these work" with the candidate's own times. */
  lastProposalAtMs: number | null;
  /** When an attendee last declined the current invitation, if one did. */
  declinedAtMs: number | null;
  /** The booked interview's first start, when one is booked. */
  bookedStartsAtMs: number | null;
}

export const ATTENTION_REASONS = [
  "times-proposed",
  "declined",
  "rescheduling",
  "candidate-quiet",
  "not-sent",
] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export interface AttentionItem {
  requestId: string;
  reason: AttentionReason;
  /** Since when it has waited (epoch ms). */
  sinceMs: number;
}

const HOUR_MS = 3_600_000;
/** A candidate who has not answered the times offered this long is worth a nudge. */
export const QUIET_AFTER_MS = 72 * HOUR_MS;
/** A draft nobody has sent this long is probably forgotten. */
export const UNSENT_AFTER_MS = 24 * HOUR_MS;

const OPEN: ReadonlySet<RequestStatus> = new Set([
  "draft",
  "awaiting_candidate",
  "scheduled",
  "rescheduling",
]);

function itemsOf(facts: AttentionFacts, nowMs: number): AttentionItem[] {
  if (!OPEN.has(facts.status)) return [];
  const items: AttentionItem[] = [];
  const add = (reason: AttentionReason, sinceMs: number) =>
    items.push({ requestId: facts.id, reason, sinceMs });
  const answered = facts.lastMemberActionAtMs ?? Number.NEGATIVE_INFINITY;
  if (facts.lastProposalAtMs !== null && facts.lastProposalAtMs > answered) {
    add("times-proposed", facts.lastProposalAtMs);
  }
  const ahead = facts.bookedStartsAtMs !== null && facts.bookedStartsAtMs > nowMs;
  if (facts.declinedAtMs !== null && ahead && facts.declinedAtMs > answered) {
    add("declined", facts.declinedAtMs);
  }
  if (facts.status === "rescheduling") add("rescheduling", facts.lastProposalAtMs ?? nowMs);
  if (
    facts.status === "awaiting_candidate" &&
    facts.offeredAtMs !== null &&
    nowMs - facts.offeredAtMs >= QUIET_AFTER_MS &&
    !items.some((i) => i.reason === "times-proposed")
  ) {
    add("candidate-quiet", facts.offeredAtMs);
  }
  if (facts.status === "draft" && nowMs - facts.createdAtMs >= UNSENT_AFTER_MS) {
    add("not-sent", facts.createdAtMs);
  }
  return items;
}

/** Every request's items, oldest first (ties by request id, then reason order). */
export function needsAttention(
  requests: readonly AttentionFacts[],
  nowMs: number,
): AttentionItem[] {
  return requests
    .flatMap((r) => itemsOf(r, nowMs))
    .sort(
      (a, b) =>
        a.sinceMs - b.sinceMs ||
        a.requestId.localeCompare(b.requestId) ||
        ATTENTION_REASONS.indexOf(a.reason) - ATTENTION_REASONS.indexOf(b.reason),
    );
}

/** The median of the durations (ms), or null for none. */
export function medianMs(durations: readonly number[]): number | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
