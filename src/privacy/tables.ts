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
