/**
 * The organisation's limit on closed interview requests (the `customer` category): once every
 * request of a candidate has been closed (cancelled or completed) for the organisation's number
 * of months (24 unless it chose otherwise), the candidate is erased from that organisation by
 * the same module steps as an erasure request (privacy/erasure.ts): the candidate record becomes
 * "a candidate", what the requests say about them is redacted, their answers, calendar feed
 * and booking links go, and calendars are told as in an erasure. No tombstone is left: the
 * person may apply again. Each person is erased in their own transaction, with a proof.
 */
import type { Temporal } from "temporal-polyfill";
import { closedCandidacies } from "../booking/retention.js";
import { idleCandidateEmails } from "../hiring/retention.js";
import { mintOrgId } from "../ids.js";
import { type ErasureDeps, erasePerson } from "../privacy/erasure.js";
import { cutoffMs, DEFAULT_CLOSED_REQUESTS_MONTHS } from "../privacy/retention-limits.js";
import { chosenClosedRequestMonths } from "./settings.js";

export interface OrganisationPurge {
  organisationId: string;
  /** People erased. */
  removed: number;
  /** Rows deleted or anonymised, per table. */
  tables: Record<string, number>;
  /** Why it stopped, when it did. */
  error: string | null;
}

/**
 * Erases the candidates of closed requests past each organisation's limit at `now`; one entry
 * per organisation that had any candidate whose requests are all closed.
 * @example await purgeClosedRequests(erasure, now) // [{ organisationId: "org_1", removed: 2, … }]
 */
export async function purgeClosedRequests(
  erasure: ErasureDeps,
  now: Temporal.Instant,
): Promise<OrganisationPurge[]> {
  const chosen = await chosenClosedRequestMonths(erasure.db);
  const byOrganisation = new Map<string, { candidateId: string; closedAt: number }[]>();
  for (const candidacy of await closedCandidacies(erasure.db)) {
    const list = byOrganisation.get(candidacy.organisationId) ?? [];
    list.push(candidacy);
    byOrganisation.set(candidacy.organisationId, list);
  }
  const results: OrganisationPurge[] = [];
  for (const [organisationId, candidacies] of byOrganisation) {
    const months = chosen.get(organisationId) ?? DEFAULT_CLOSED_REQUESTS_MONTHS;
    const cutoff = cutoffMs(now, { months });
    const due = candidacies.filter((c) => c.closedAt <= cutoff).map((c) => c.candidateId);
    const result: OrganisationPurge = { organisationId, removed: 0, tables: {}, error: null };
    results.push(result);
    try {
      const emails = await idleCandidateEmails(erasure.db, organisationId, due, cutoff);
      for (const email of emails) {
        const proof = await erasePerson(erasure, {
          email,
          orgId: mintOrgId(organisationId),
          reason: "retention",
        });
        result.removed += 1;
        for (const [table, counts] of Object.entries(proof.tables)) {
          const touched = counts.deleted + counts.anonymised;
          if (touched > 0) result.tables[table] = (result.tables[table] ?? 0) + touched;
        }
      }
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
  }
  return results;
}
