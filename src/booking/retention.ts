/**
 * The booking module's retention: candidates' booking links go when they expire (`token`), and
 * for the organisation's own limit on closed requests (retention/closed-requests.ts), which
 * candidates' requests are all closed and since when. Closed requests are then erased through
 * the same steps as an erasure (booking/erasure.ts: links, the candidate's calendar feed,
 * answers, what the request says about the person), never by deleting rows here.
 */
import type { Temporal } from "temporal-polyfill";
import { type PurgedRows, removedRows } from "../privacy/retention-limits.js";
import { type AnyHandle, bookingDb } from "./db.js";
import type { RequestStatus } from "./tables.js";

/** A request in one of these is over: nothing more happens to it. */
export const CLOSED_REQUEST_STATUSES: readonly RequestStatus[] = ["cancelled", "completed"];

/**
 * Removes booking links that have expired at `now` (a revoked one is kept until then, so its
 * page still says it was replaced).
 * @example await purgeExpired(db, now) // [{ table: "booking_links", category: "token", removed: 5 }]
 */
export async function purgeExpired(
  handle: AnyHandle,
  now: Temporal.Instant,
): Promise<PurgedRows[]> {
  const links = await bookingDb(handle)
    .deleteFrom("booking_links")
    .where("expires_at", "<=", now.epochMilliseconds)
    .executeTakeFirst();
  return [{ table: "booking_links", category: "token", removed: removedRows(links) }];
}

/** A candidate whose every request in an organisation is closed, and when the last changed. */
export interface ClosedCandidacy {
  organisationId: string;
  candidateId: string;
  /** The last change to any of the candidate's requests (epoch ms): when the last one closed. */
  closedAt: number;
}

/**
 * The candidates, per organisation, whose requests are all closed, with the time the last one
 * changed; a candidate with any request still open is not listed.
 * @example await closedCandidacies(db) // [{ organisationId: "org_1", candidateId: "cand_9", closedAt: 1733… }]
 */
export async function closedCandidacies(handle: AnyHandle): Promise<ClosedCandidacy[]> {
  const rows = await bookingDb(handle)
    .selectFrom("interview_requests")
    .select((eb) => [
      "organisation_id",
      "candidate_id",
      eb.fn.max("updated_at").as("last_changed_at"),
      eb.fn
        .sum<string | number>(
          eb
            .case()
            .when("status", "in", [...CLOSED_REQUEST_STATUSES])
            .then(0)
            .else(1)
            .end(),
        )
        .as("open_requests"),
    ])
    .groupBy(["organisation_id", "candidate_id"])
    .execute();
  return rows
    .filter((row) => Number(row.open_requests) === 0)
    .map((row) => ({
      organisationId: row.organisation_id,
      candidateId: row.candidate_id,
      closedAt: Number(row.last_changed_at),
    }));
}
