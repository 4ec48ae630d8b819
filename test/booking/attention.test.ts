/**
 * What needs a recruiter: proposals not yet answered, declines before the interview, a move
 * under way, a quiet candidate after three days, a forgotten draft after a day; oldest first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttentionFacts,
  medianMs,
  needsAttention,
  QUIET_AFTER_MS,
  UNSENT_AFTER_MS,
} from "../../src/booking/attention.js";
import { REQUEST_STATUSES } from "../../src/booking/tables.js";

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const HOUR = 3_600_000;

function facts(overrides: Partial<AttentionFacts> & { id: string }): AttentionFacts {
  return {
    status: "awaiting_candidate",
    createdAtMs: T0,
    offeredAtMs: T0,
    lastMemberActionAtMs: T0,
    lastProposalAtMs: null,
    declinedAtMs: null,
    bookedStartsAtMs: null,
    ...overrides,
  };
}

describe("needs attention", () => {
  it("lists times the candidate proposed until a member acts on the request", () => {
    const proposed = facts({ id: "req_a", lastProposalAtMs: T0 + HOUR });
    expect(needsAttention([proposed], T0 + 2 * HOUR)).toEqual([
      { requestId: "req_a", reason: "times-proposed", sinceMs: T0 + HOUR },
    ]);
    const answered = { ...proposed, lastMemberActionAtMs: T0 + 2 * HOUR };
    expect(needsAttention([answered], T0 + 3 * HOUR)).toEqual([]);
  });

  it("lists a decline only while the interview is still ahead", () => {
    const declined = facts({
      id: "req_b",
      status: "scheduled",
      declinedAtMs: T0 + HOUR,
      bookedStartsAtMs: T0 + 48 * HOUR,
    });
    expect(needsAttention([declined], T0 + 2 * HOUR).map((i) => i.reason)).toEqual(["declined"]);
    expect(needsAttention([declined], T0 + 49 * HOUR)).toEqual([]);
  });

  it("nudges about a candidate quiet for three days, not before", () => {
    const waiting = facts({ id: "req_c" });
    expect(needsAttention([waiting], T0 + QUIET_AFTER_MS - 1)).toEqual([]);
    expect(needsAttention([waiting], T0 + QUIET_AFTER_MS)).toEqual([
      { requestId: "req_c", reason: "candidate-quiet", sinceMs: T0 },
    ]);
  });

  it("reminds of a draft left unsent for a day", () => {
    const draft = facts({ id: "req_d", status: "draft", offeredAtMs: null });
    expect(needsAttention([draft], T0 + UNSENT_AFTER_MS - 1)).toEqual([]);
    expect(needsAttention([draft], T0 + UNSENT_AFTER_MS).map((i) => i.reason)).toEqual([
      "not-sent",
    ]);
  });

  it("never lists a cancelled or completed request, and lists the longest waiting first", () => {
    const arbitraryFacts = fc.record({
      id: fc.constantFrom("req_1", "req_2", "req_3", "req_4", "req_5", "req_6"),
      status: fc.constantFrom(...REQUEST_STATUSES),
      createdAtMs: fc.integer({ min: T0 - 10 * 24 * HOUR, max: T0 }),
      offeredAtMs: fc.option(fc.integer({ min: T0 - 10 * 24 * HOUR, max: T0 }), { nil: null }),
      lastMemberActionAtMs: fc.option(fc.integer({ min: T0 - 10 * 24 * HOUR, max: T0 }), {
        nil: null,
      }),
      lastProposalAtMs: fc.option(fc.integer({ min: T0 - 10 * 24 * HOUR, max: T0 }), { nil: null }),
      declinedAtMs: fc.option(fc.integer({ min: T0 - 10 * 24 * HOUR, max: T0 }), { nil: null }),
      bookedStartsAtMs: fc.option(fc.integer({ min: T0 - 24 * HOUR, max: T0 + 24 * HOUR }), {
        nil: null,
      }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbitraryFacts, { maxLength: 12, selector: (r) => r.id }),
        (requests) => {
          const items = needsAttention(requests, T0);
          const statusOf = new Map<string, string>(requests.map((r) => [r.id, r.status]));
          for (const item of items) {
            expect(["cancelled", "completed"]).not.toContain(statusOf.get(item.requestId));
            expect(item.sinceMs).toBeLessThanOrEqual(T0);
          }
          for (let i = 1; i < items.length; i++) {
            expect((items[i - 1]?.sinceMs ?? 0) <= (items[i]?.sinceMs ?? 0)).toBe(true);
          }
          // At most one item per request and reason.
          const keys = items.map((i) => `${i.requestId}/${i.reason}`);
          expect(new Set(keys).size).toBe(keys.length);
        },
      ),
    );
  });

  it("takes the median time to schedule, and none of nothing", () => {
    expect(medianMs([])).toBeNull();
    expect(medianMs([3, 1, 2])).toBe(2);
    expect(medianMs([4, 1, 3, 2])).toBe(2.5);
  });
});
