/**
 * Erasures outlive a restore. A backup taken before a person was erased still holds them; once
 * restored, the erasure must happen again, or a restore would undo a promise Ally kept. Before
 * the restore, `readErasureRecords` reads every tombstone and proof of erasure from the live
 * database (no personal data: keyed hashes and counts); after it, `reapplyErasures` puts back
 * those the backup lacks and erases again every person they name who is in the restored data.
 *
 * Tombstones hold only a keyed hash of the address, so the people are found by hashing the
 * addresses the restored database holds: each module reads its own columns holding an address
 * (`ErasureDeps.heldAddresses`, held-addresses.ts), and privacy its own; a test holds those
 * columns to every one the data map marks as contact data named `…email`. Their values are
 * compared, never logged or returned.
 */
import { mintOrgId } from "../ids.js";
import { type AnyHandle, privacyDb } from "./db.js";
import { type ErasureDeps, type ErasureProof, erasePerson } from "./erasure.js";
import { heldAddresses } from "./held-addresses.js";
import { normaliseEmail } from "./tombstones.js";

interface TombstoneRow {
  organisation_id: string | null;
  key_version: number;
  email_hash: string;
  erased_at: number;
}

interface ProofRow {
  id: string;
  organisation_id: string | null;
  erased_at: number;
  summary: string;
}

/** The erasures a database has recorded: tombstones and proofs, no personal data. */
export interface ErasureRecords {
  tombstones: TombstoneRow[];
  proofs: ProofRow[];
}

export async function readErasureRecords(handle: AnyHandle): Promise<ErasureRecords> {
  const db = privacyDb(handle);
  const tombstones = await db
    .selectFrom("erasure_tombstones")
    .select(["organisation_id", "key_version", "email_hash", "erased_at"])
    .execute();
  const proofs = await db
    .selectFrom("erasure_proofs")
    .select(["id", "organisation_id", "erased_at", "summary"])
    .execute();
  return {
    tombstones: tombstones.map((t) => ({
      ...t,
      key_version: Number(t.key_version),
      erased_at: Number(t.erased_at),
    })),
    proofs: proofs.map((p) => ({ ...p, erased_at: Number(p.erased_at) })),
  };
}

/** The addresses the privacy module keeps: requests, their verifications, flags, messages. */
export const privacyAddresses = heldAddresses(privacyDb, {
  privacy_requests: ["email"],
  privacy_verifications: ["email"],
  person_flags: ["email"],
  privacy_contact_messages: ["email"],
});

/** Every address the modules hold, normalised, each once, in the modules' order. */
async function addressesIn(deps: ErasureDeps): Promise<string[]> {
  const found = new Set<string>();
  for (const source of [...deps.heldAddresses, privacyAddresses]) {
    for (const address of await source.read(deps.db)) found.add(normaliseEmail(address));
  }
  return [...found];
}

const key = (t: { organisation_id: string | null; key_version: number; email_hash: string }) =>
  `${t.organisation_id ?? ""}|${t.key_version}|${t.email_hash}`;

/** One person erased again: the scope (an organisation, or null for all of Ally) and the proof. */
export interface ReappliedErasure {
  organisationId: string | null;
  proof: ErasureProof;
}

/**
 * After a restore: keeps the tombstones and proofs of `live` that the restored database lacks,
 * and erases again each person one of those tombstones names. Returns the new proofs.
 * @example await reapplyErasures(deps, await readErasureRecords(liveDb)) // [{ organisationId: null, proof }]
 */
export async function reapplyErasures(
  deps: ErasureDeps,
  live: ErasureRecords,
): Promise<ReappliedErasure[]> {
  const db = privacyDb(deps.db);
  const restored = await readErasureRecords(db);
  const known = new Set(restored.tombstones.map(key));
  const missing = live.tombstones.filter((t) => !known.has(key(t)));
  const knownProofs = new Set(restored.proofs.map((p) => p.id));
  const missingProofs = live.proofs.filter((p) => !knownProofs.has(p.id));
  if (missing.length === 0 && missingProofs.length === 0) return [];

  const scopes = [...new Set(missing.map((t) => t.organisation_id))];
  const addresses = await addressesIn(deps);
  const erasedBefore = async () => {
    const erased = new Set<string>();
    for (const address of addresses) {
      for (const scope of scopes) {
        const orgId = scope === null ? null : mintOrgId(scope);
        if (await deps.tombstones.isErased(db, address, orgId)) erased.add(`${scope}|${address}`);
      }
    }
    return erased;
  };
  const before = await erasedBefore();
  await db.transaction().execute(async (trx) => {
    if (missing.length > 0) await trx.insertInto("erasure_tombstones").values(missing).execute();
    if (missingProofs.length > 0) {
      await trx.insertInto("erasure_proofs").values(missingProofs).execute();
    }
  });
  const after = await erasedBefore();

  const again: ReappliedErasure[] = [];
  const everywhere = new Set<string>();
  // Erasures from all of Ally first; an organisation's own erasure of the same person is then moot.
  for (const scope of [...scopes].sort((a, b) => (a === null ? -1 : b === null ? 1 : 0))) {
    for (const address of addresses) {
      const id = `${scope}|${address}`;
      if (!after.has(id) || before.has(id) || (scope !== null && everywhere.has(address))) continue;
      if (scope === null) everywhere.add(address);
      const proof = await erasePerson(deps, {
        email: address,
        ...(scope === null ? {} : { orgId: mintOrgId(scope) }),
      });
      again.push({ organisationId: scope, proof });
    }
  }
  return again;
}
