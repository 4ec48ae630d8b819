/**
 * The hiring module's part of the organisation's retention limit on closed requests
 * (retention/closed-requests.ts): which candidates' addresses may be erased because every
 * candidate record with that address is done with. The erasure itself is the same as a
 * person's (hiring/erasure.ts: the record becomes "a candidate").
 */
import { sql } from "kysely";
import { type AnyHandle, hiringDb } from "./db.js";

/**
 * The addresses (lower case) of the organisation's candidates that may be erased: every
 * candidate with the address is among `closedCandidateIds` and unchanged since `changedBefore`
 * (epoch ms, inclusive). An address still on a candidate with an open request, a record edited
 * since, or none at all (already erased) is left out.
 * @example await idleCandidateEmails(db, "org_1", ["cand_9"], cutoff) // ["dana@example.com"]
 */
export async function idleCandidateEmails(
  handle: AnyHandle,
  organisationId: string,
  closedCandidateIds: readonly string[],
  changedBefore: number,
): Promise<string[]> {
  if (closedCandidateIds.length === 0) return [];
  const db = hiringDb(handle);
  const candidates = await db
    .selectFrom("candidates")
    .select(["email", "updated_at"])
    .where("organisation_id", "=", organisationId)
    .where(
      sql<string>`lower(email)`,
      "in",
      db
        .selectFrom("candidates")
        .select(sql<string>`lower(email)`.as("email"))
        .where("organisation_id", "=", organisationId)
        .where("id", "in", [...closedCandidateIds])
        .where("email", "<>", ""),
    )
    .select("id")
    .execute();
  const closed = new Set(closedCandidateIds);
  const verdict = new Map<string, boolean>();
  for (const row of candidates) {
    const email = row.email.toLowerCase();
    const idle = closed.has(row.id) && Number(row.updated_at) <= changedBefore;
    verdict.set(email, (verdict.get(email) ?? true) && idle);
  }
  return [...verdict].filter(([, idle]) => idle).map(([email]) => email);
}
