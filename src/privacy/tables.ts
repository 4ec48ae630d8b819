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

export interface PrivacyTables {
  audit_log: AuditLogTable;
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
};
