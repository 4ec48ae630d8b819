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

/**
 * A data-subject request (requests/commands.ts), one per controller: a candidate's request is
 * filed with every organisation that holds their records, an account holder's with the operator.
 */
export interface PrivacyRequestsTable {
  id: string;
  /** Null when the operator (Ally itself) is the controller. */
  organisation_id: string | null;
  /** "organisation" or "operator". */
  controller: string;
  kind: string;
  email: string;
  /** Set when a signed-in member filed it. */
  user_id: string | null;
  details: string | null;
  /** "gdpr" or "ccpa" (deadlines.ts). */
  jurisdiction: string;
  received_at: number;
  verified_at: number | null;
  due_at: number | null;
  /** 1 when the person was told the answer takes longer. */
  extended: number;
  /** "open", "completed" or "refused". */
  status: string;
  completed_at: number | null;
  completed_by: string | null;
  /** The privacy policy version in force when the request arrived. */
  policy_version: string;
}

/** A public request waiting for its emailed code; its requests are filed once verified. */
export interface PrivacyVerificationsTable {
  id: string;
  email: string;
  kind: string;
  details: string | null;
  jurisdiction: string;
  /** SHA-256 of the code; the code itself is only in the mail. */
  code_hash: string;
  expires_at: number;
  attempts: number;
  /** The requesting network, truncated as in the audit log (for rate limits). */
  network: string | null;
  created_at: number;
  verified_at: number | null;
}

/** A person's standing choices: "restricted" (GDPR 18) and "objected" (GDPR 21), by email. */
export interface PersonFlagsTable {
  email: string;
  flag: string;
  set_at: number;
  request_id: string | null;
}

/** A download link for an access package (export.ts): expires, and works once. */
export interface PrivacyExportsTable {
  /** SHA-256 of the link's token; the token is only in the mail. */
  token_hash: string;
  request_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** Each version of the privacy policy when it was published (policy-publication.ts). */
export interface PolicyPublicationsTable {
  version: number;
  published_at: number;
}

/** Who accepted which version of the privacy policy, and when. */
export interface PolicyAcceptancesTable {
  user_id: string;
  version: number;
  accepted_at: number;
}

/** Questions and complaints sent through /privacy/contact, the operator's queue (complaints.ts). */
export interface PrivacyContactMessagesTable {
  id: Generated<number>;
  name: string;
  email: string;
  topic: string;
  message: string;
  received_at: number;
  due_at: number;
  answered_at: number | null;
}

export interface PrivacyTables {
  audit_log: AuditLogTable;
  privacy_policy_publications: PolicyPublicationsTable;
  privacy_policy_acceptances: PolicyAcceptancesTable;
  privacy_contact_messages: PrivacyContactMessagesTable;
  erasure_tombstones: ErasureTombstonesTable;
  erasure_proofs: ErasureProofsTable;
  privacy_requests: PrivacyRequestsTable;
  privacy_verifications: PrivacyVerificationsTable;
  person_flags: PersonFlagsTable;
  privacy_exports: PrivacyExportsTable;
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
  privacy_requests: {
    id: notPersonal,
    organisation_id: notPersonal,
    controller: notPersonal,
    kind: notPersonal,
    email: personal("contact", "answering a data-subject request", "request-3y"),
    user_id: notPersonal,
    details: personal("identity", "answering a data-subject request", "request-3y"),
    jurisdiction: notPersonal,
    received_at: notPersonal,
    verified_at: notPersonal,
    due_at: notPersonal,
    extended: notPersonal,
    status: notPersonal,
    completed_at: notPersonal,
    completed_by: notPersonal,
    policy_version: notPersonal,
  },
  privacy_verifications: {
    id: notPersonal,
    email: personal("contact", "verifying who asks before answering", "rate-limit-1d"),
    kind: notPersonal,
    details: personal("identity", "verifying who asks before answering", "rate-limit-1d"),
    jurisdiction: notPersonal,
    code_hash: personal("credential", "verifying who asks before answering", "rate-limit-1d"),
    expires_at: notPersonal,
    attempts: notPersonal,
    network: personal("usage", "limiting requests per network", "rate-limit-1d"),
    created_at: notPersonal,
    verified_at: notPersonal,
  },
  person_flags: {
    email: personal("contact", "honouring restriction and objection", "account"),
    flag: notPersonal,
    set_at: notPersonal,
    request_id: notPersonal,
  },
  privacy_exports: {
    token_hash: personal("credential", "delivering an access package", "token"),
    request_id: notPersonal,
    expires_at: notPersonal,
    used_at: notPersonal,
    created_at: notPersonal,
  },
  privacy_policy_publications: { version: notPersonal, published_at: notPersonal },
  privacy_policy_acceptances: {
    user_id: notPersonal,
    version: notPersonal,
    accepted_at: personal("usage", "proof of accepting the privacy policy", "account"),
  },
  privacy_contact_messages: {
    id: notPersonal,
    name: personal("identity", "answering privacy questions and complaints", "audit-2y"),
    email: personal("contact", "answering privacy questions and complaints", "audit-2y"),
    topic: notPersonal,
    message: personal("contact", "answering privacy questions and complaints", "audit-2y"),
    received_at: notPersonal,
    due_at: notPersonal,
    answered_at: notPersonal,
  },
};
