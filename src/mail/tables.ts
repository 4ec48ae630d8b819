/** Tables owned by the mail module: the outbox. */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface OutboxTable {
  id: Generated<number>;
  organisation_id: string | null;
  /** Why the message exists, e.g. "verify-email", "invitation". */
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  created_at: number;
  /** Set by the worker that claimed the message; cleared when the lease expires. */
  claimed_until: number | null;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
  /** Message-ID header, fixed at enqueue time so a retry is the same message. */
  message_id: string;
  /** Where a development copy was written (.eml), when no relay is configured. */
  file_path: string | null;
}

export interface MailTables {
  outbox: OutboxTable;
}

const delivery = "deliver Ally's emails";

export const mailDataMap: TableNotes<MailTables> = {
  outbox: {
    id: notPersonal,
    organisation_id: notPersonal,
    kind: notPersonal,
    to_address: personal("contact", delivery, "mail-90d"),
    subject: personal("recruiting", delivery, "mail-90d"),
    text_body: personal("recruiting", delivery, "mail-90d"),
    html_body: personal("recruiting", delivery, "mail-90d"),
    created_at: notPersonal,
    claimed_until: notPersonal,
    sent_at: notPersonal,
    attempts: notPersonal,
    last_error: notPersonal,
    message_id: notPersonal,
    file_path: notPersonal,
  },
};
