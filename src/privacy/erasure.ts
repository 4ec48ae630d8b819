/**
 * Erasure (GDPR art. 17): every record about a person, in every module, is deleted or
 * irreversibly anonymised in one transaction; interviews already booked stay with the customer
 * as "a candidate", without name, email or phone. A tombstone (tombstones.ts) keeps the person
 * from coming back, and a proof lists what was removed where, never the data itself.
 *
 * The modules do the removing, each over its own tables (their `erasure.ts`), in the order
 * given: first each says what it knows of the person (`identify`: account, candidate records,
 * requests), then each erases, in the reverse order (so a module erases before the modules it
 * builds on: bookings before candidates, calendar connections before accounts). Files and
 * calls to calendar providers follow the commit.
 */
import { z } from "zod";
import type { Clock } from "../clock.js";
import { invalid } from "../errors.js";
import { mintOrgId, newId, type OrgId } from "../ids.js";
import { parseStoredJson } from "../store/stored-json.js";
import { recordAudit } from "./audit-log.js";
import { type AnyHandle, privacyDb } from "./db.js";
import type { ErasureSubject, ErasureTrx, ModuleErasure, TableErasure } from "./erasure-subject.js";
import type { HeldAddresses } from "./held-addresses.js";
import { normaliseEmail, type Tombstones } from "./tombstones.js";

export interface ErasureDeps {
  db: AnyHandle;
  clock: Clock;
  tombstones: Tombstones;
  /** Every module holding personal data, in the order they identify (erased in reverse). */
  modules: readonly ModuleErasure[];
  /**
   * Where the other modules keep email addresses (reapply-erasures.ts finds erased people
   * again after a restore through them; privacy reads its own).
   */
  heldAddresses: readonly HeldAddresses[];
}

export interface ErasureRequest {
  email: string;
  /** Given: erase the person from this organisation only (the customer as controller). */
  orgId?: OrgId;
  /** Who asked for it, for the audit trail (an operator or the organisation's admin). */
  actorUserId?: string;
  /**
   * Why: the person asked (the default), or the organisation's retention limit passed
   * (retention/closed-requests.ts). A retention erasure leaves no tombstone: the person may
   * apply again and be welcome.
   */
  reason?: "request" | "retention";
}

/** The proof of erasure: counts per table and files, no personal data. */
export interface ErasureProof {
  id: string;
  organisationId: OrgId | null;
  erasedAt: string;
  tables: Record<string, TableErasure>;
  files: number;
  grantsRevoked: number;
}

/**
 * Erases the person with `email`, and returns (and keeps) the proof.
 * @example await erasePerson(deps, { email: "dana@example.com" })
 *   // { id: "ers_…", tables: { candidates: { deleted: 0, anonymised: 2 }, … }, files: 3, … }
 */
export async function erasePerson(
  deps: ErasureDeps,
  request: ErasureRequest,
): Promise<ErasureProof> {
  const erased = await privacyDb(deps.db)
    .transaction()
    .execute((trx) => eraseInTransaction(deps, trx, request));
  return erased.finish();
}

/** What an erasure did inside its transaction; `finish` runs the steps that must wait for it. */
export interface ErasureInProgress {
  proofId: string;
  /** After the transaction commits: files, grants; completes and returns the stored proof. */
  finish(): Promise<ErasureProof>;
}

/**
 * The erasure itself, inside the caller's transaction (a privacy request completed in the same
 * transaction as its answer). Call `finish` once that transaction has committed.
 */
export async function eraseInTransaction(
  deps: ErasureDeps,
  trx: ErasureTrx,
  request: ErasureRequest,
): Promise<ErasureInProgress> {
  const email = normaliseEmail(request.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid("email", "an email address is needed");
  const orgId = request.orgId ?? null;
  const at = deps.clock.now();
  const proofId = newId("ers");
  const tables: Record<string, TableErasure> = {};
  const afterCommit: Array<
    NonNullable<Awaited<ReturnType<ModuleErasure["erase"]>>["afterCommit"]>
  > = [];
  const subject: ErasureSubject = {
    orgId,
    emails: [email],
    names: [],
    phones: [],
    userIds: [],
    candidateIds: [],
    requestIds: [],
    bookingUids: [],
  };
  for (const module of deps.modules) {
    const facts = (await module.identify?.(trx, subject)) ?? {};
    for (const key of Object.keys(facts) as Array<keyof typeof facts>) {
      const merged = new Set([...subject[key], ...(facts[key] ?? [])]);
      subject[key] = [...merged].filter((value) => value.trim() !== "");
    }
  }
  for (const module of [...deps.modules].reverse()) {
    const result = await module.erase(trx, subject);
    for (const [table, counts] of Object.entries(result.tables)) {
      const before = tables[table] ?? { deleted: 0, anonymised: 0 };
      tables[table] = {
        deleted: before.deleted + counts.deleted,
        anonymised: before.anonymised + counts.anonymised,
      };
    }
    if (result.afterCommit !== undefined) afterCommit.push(result.afterCommit);
  }
  const retention = request.reason === "retention";
  if (!retention) await deps.tombstones.record(trx, email, orgId, at);
  await recordAudit(
    trx,
    {
      organisationId: orgId,
      actorUserId: request.actorUserId ?? null,
      action: retention ? "retention-erasure" : "erasure",
      target: proofId,
    },
    at,
  );
  await privacyDb(trx)
    .insertInto("erasure_proofs")
    .values({
      id: proofId,
      organisation_id: orgId,
      erased_at: at,
      summary: JSON.stringify({ tables, files: 0, grantsRevoked: 0 }),
    })
    .execute();

  const finish = async (): Promise<ErasureProof> => {
    let files = 0;
    let grantsRevoked = 0;
    for (const step of afterCommit) {
      const done = await step();
      files += done.files ?? 0;
      grantsRevoked += done.grantsRevoked ?? 0;
    }
    await privacyDb(deps.db)
      .updateTable("erasure_proofs")
      .set({ summary: JSON.stringify({ tables, files, grantsRevoked }) })
      .where("id", "=", proofId)
      .execute();
    return {
      id: proofId,
      organisationId: orgId,
      erasedAt: new Date(at).toISOString(),
      tables,
      files,
      grantsRevoked,
    };
  };
  return { proofId, finish };
}

const tableErasure = z.object({ deleted: z.number(), anonymised: z.number() });
const storedSummary = z.object({
  tables: z.record(z.string(), tableErasure),
  files: z.number(),
  grantsRevoked: z.number(),
});

/**
 * A kept proof of erasure, for the privacy queue and the person's "your data is gone" answer.
 * Given `orgId`, only that organisation's proofs are found (an organisation's admin);
 * without, any (the operator).
 */
export async function readErasureProof(
  handle: AnyHandle,
  id: string,
  orgId?: OrgId,
): Promise<ErasureProof | undefined> {
  let query = privacyDb(handle).selectFrom("erasure_proofs").selectAll().where("id", "=", id);
  if (orgId !== undefined) query = query.where("organisation_id", "=", orgId);
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  const summary = parseStoredJson(storedSummary, row.summary, `erasure_proofs.summary of ${id}`);
  return {
    id: row.id,
    organisationId: row.organisation_id === null ? null : mintOrgId(row.organisation_id),
    erasedAt: new Date(Number(row.erased_at)).toISOString(),
    ...summary,
  };
}
