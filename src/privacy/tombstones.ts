/**
 * Tombstones: what stays of an erased person, so that calendar sync, inbound mail and imports
 * do not bring them back. A tombstone is HMAC-SHA256 of the normalised email under a key
 * derived (HKDF-SHA256, RFC 5869) from a master key; one row per configured master key version,
 * and checks try every version, so a tombstone written before a key rotation still matches while
 * its key is listed. The email itself is never stored, nor written to the audit trail when a
 * re-contact is refused.
 *
 * Scope: a tombstone with an organisation is that customer's erasure of their candidate (the
 * customer is the controller); without one, the person is erased from all of Ally. Inbound mail
 * is not yet tied to an organisation when stored, so only an all-of-Ally tombstone refuses it.
 */
import { createHmac, hkdfSync } from "node:crypto";
import type { OrgId } from "../ids.js";
import { recordAudit } from "./audit-log.js";
import { type AnyHandle, privacyDb } from "./db.js";

/** The slice of the keyring (secrets/keyring.ts) tombstones need: the master keys by version. */
export interface TombstoneKeySource {
  readonly versions: readonly number[];
  get(version: number): Buffer | undefined;
}

type Db = AnyHandle;

/** Lower-cased, trimmed; `Dana@Example.COM ` and `dana@example.com` are one person. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface Tombstones {
  /** Keeps the tombstone of `email` (inside the erasure's transaction). */
  record(db: Db, email: string, orgId: OrgId | null, at: number): Promise<void>;
  /**
   * True when `email` was erased from all of Ally or, given `orgId`, from that organisation.
   * @example await tombstones.isErased(db, "dana@example.com", orgId) // true after erasure
   */
  isErased(db: Db, email: string, orgId?: OrgId | null): Promise<boolean>;
  /**
   * `isErased`, and when it is, an audit entry "recontact-refused" naming the channel (never
   * the email). For the places that would create the person again.
   */
  refuseRecontact(
    db: Db,
    email: string,
    where: { orgId: OrgId | null; channel: string },
    at: number,
  ): Promise<boolean>;
}

export function createTombstones(keyring: TombstoneKeySource): Tombstones {
  const keys = keyring.versions.flatMap((version) => {
    const master = keyring.get(version);
    if (master === undefined) return [];
    const key = Buffer.from(hkdfSync("sha256", master, "ally", "ally erasure tombstone v1", 32));
    return [{ version, key }];
  });
  const hashOf = (key: Buffer, email: string) =>
    createHmac("sha256", key).update(normaliseEmail(email)).digest("hex");

  async function isErased(handle: Db, email: string, orgId: OrgId | null = null): Promise<boolean> {
    const db = privacyDb(handle);
    if (normaliseEmail(email) === "") return false;
    const hashes = keys.map((k) => hashOf(k.key, email));
    let query = db.selectFrom("erasure_tombstones").select("id").where("email_hash", "in", hashes);
    query =
      orgId === null
        ? query.where("organisation_id", "is", null)
        : query.where((eb) =>
            eb.or([eb("organisation_id", "is", null), eb("organisation_id", "=", orgId)]),
          );
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  return {
    async record(handle, email, orgId, at) {
      const db = privacyDb(handle);
      if (await isErased(db, email, orgId)) return;
      for (const { version, key } of keys) {
        await db
          .insertInto("erasure_tombstones")
          .values({
            organisation_id: orgId,
            key_version: version,
            email_hash: hashOf(key, email),
            erased_at: at,
          })
          .execute();
      }
    },
    isErased,
    async refuseRecontact(db, email, where, at) {
      if (!(await isErased(db, email, where.orgId))) return false;
      await recordAudit(
        db,
        {
          organisationId: where.orgId,
          actorUserId: null,
          action: "recontact-refused",
          target: where.channel,
        },
        at,
      );
      return true;
    },
  };
}
