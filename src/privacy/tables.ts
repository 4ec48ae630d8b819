/** Tables owned by the privacy module, and what each column holds. */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "./data-map.js";

/** The audit trail of sensitive actions (audit-log.ts): who, what, when, from which network. */
export interface AuditLogTable {
  id: Generated<number>;
  organisation_id: string | null;
  actor_user_id: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  at: number;
}

/**
 * Who was erased (tombstones.ts): a keyed hash (HMAC-SHA256) of the normalised email, one row
 * per master key version, so that sync, inbound mail and imports cannot bring them back. The
 * email itself is not kept; without the key the hash cannot be turned back into it.
 */
export interface ErasureTombstonesTable {
  id: Generated<number>;
  /** The organisation the erasure was for; null: every organisation (Ally's own erasure). */
  organisation_id: string | null;
  key_version: number;
  email_hash: string;
  erased_at: number;
}

/** What an erasure removed where (erasure.ts): table → rows, file count; never the data. */
export interface ErasureProofsTable {
  id: string;
  organisation_id: string | null;
  erased_at: number;
  /** JSON: { tables: { [table]: { deleted, anonymised } }, files: number, grantsRevoked }. */
  summary: string;
}

export interface PrivacyTables {
  audit_log: AuditLogTable;
  erasure_tombstones: ErasureTombstonesTable;
  erasure_proofs: ErasureProofsTable;
}

export const privacyDataMap: TableNotes<PrivacyTables> = {
  audit_log: {
    id: notPersonal,
    organisation_id: notPersonal,
    actor_user_id: notPersonal,
    action: notPersonal,
    target: notPersonal,
    ip: personal("usage", "accountability for sensitive actions", "audit-2y"),
    at: personal("usage", "accountability for sensitive actions", "audit-2y"),
  },
  erasure_tombstones: {
    id: notPersonal,
    organisation_id: notPersonal,
    key_version: notPersonal,
    // A keyed one-way hash: identifies an erased address only to someone who holds it already.
    email_hash: notPersonal,
    erased_at: notPersonal,
  },
  erasure_proofs: {
    id: notPersonal,
    organisation_id: notPersonal,
    erased_at: notPersonal,
    summary: notPersonal,
  },
};
