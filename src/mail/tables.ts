/** Tables owned by the mail module: the outbox. */
import type { ColumnType, Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface OutboxTable {
  id: Generated<number>;
  organisation_id: string | null;
  /** Why the message exists, e.g. "verify-email", "invitation". */
  kind: string;
  to_address: string;
  subject: string;
  /** Emptied once sent (with `html_body` and `calendar_ics`): the bodies carry live links. */
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
  /** iMIP: the METHOD of `calendar_ics` (REQUEST, CANCEL), sent as the part's `method=`. */
  calendar_method: string | null;
  /** iMIP: an iCalendar object sent as a text/calendar alternative and as invite.ics. */
  calendar_ics: string | null;
  /** When the queue gave up after its last attempt (a dead letter, listed for admins); null while alive. */
  dead_at: number | null;
  /**
   * What the message is sent for, when its sender names it (e.g. `reminder:bk_1:24h`): unique,
   * so enqueueing the same cause twice queues one message.
   */
  idempotency_key: string | null;
  /** JSON object of extra headers (In-Reply-To, References, Auto-Submitted, Reply-To); null for none. */
  headers: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * Mail Ally received (its SMTP listener, later a mailbox or a provider's webhook), kept until a
 * handler has dealt with it. One row per Message-ID: the same message delivered twice (two MX
 * hosts, a retry) is stored once.
 */
export interface InboundMailTable {
  id: Generated<number>;
  /** The Message-ID header, or `<sha256-of-message@ally.invalid>` for a message without one. */
  message_id: string;
  envelope_from: string;
  /** JSON array of the envelope recipients (RCPT TO). */
  envelope_to: string;
  from_address: string;
  subject: string;
  text_body: string;
  /** A `text/calendar` part, if the message has one (iMIP: REPLY, COUNTER, ...). */
  calendar_ics: string | null;
  /** Its METHOD (REPLY, REQUEST, CANCEL, ...), upper case. */
  calendar_method: string | null;
  in_reply_to: string | null;
  /**
   * DMARC as Ally's own MX judged it (authentication-results.ts): `pass` (aligned with From),
   * `unaligned`, `none`, `fail`, …; null when no trusted Authentication-Results was present.
   */
  dmarc: string | null;
  /** JSON object of the headers loop safety and threading read (inbound.ts KEPT_HEADERS). */
  headers: string | null;
  received_at: number;
  /** Set by the worker that claimed it for handling. */
  claimed_until: number | null;
  handled_at: number | null;
  /** What was done with it, for a person reading the logs: "attendee status updated", ... */
  outcome: string | null;
  attempts: number;
  /** Why the last attempt failed, while it is retried. */
  last_error: string | null;
  /** When the queue gave up after its last attempt (a dead letter, listed for admins); null while alive. */
  dead_at: number | null;
}

export interface MailTables {
  outbox: OutboxTable;
  inbound_mail: InboundMailTable;
}

const delivery = "deliver Ally's emails";
const received = "act on replies to Ally's emails (answers, calendar replies)";

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
    calendar_method: notPersonal,
    calendar_ics: personal("recruiting", delivery, "mail-90d"),
    dead_at: notPersonal,
    idempotency_key: notPersonal,
    headers: personal("contact", delivery, "mail-90d"),
  },
  inbound_mail: {
    id: notPersonal,
    message_id: notPersonal,
    envelope_from: personal("contact", received, "mail-90d"),
    envelope_to: personal("contact", received, "mail-90d"),
    from_address: personal("contact", received, "mail-90d"),
    subject: personal("recruiting", received, "mail-90d"),
    text_body: personal("recruiting", received, "mail-90d"),
    calendar_ics: personal("recruiting", received, "mail-90d"),
    calendar_method: notPersonal,
    in_reply_to: notPersonal,
    dmarc: notPersonal,
    headers: personal("contact", received, "mail-90d"),
    received_at: notPersonal,
    claimed_until: notPersonal,
    handled_at: notPersonal,
    outcome: notPersonal,
    attempts: notPersonal,
    last_error: notPersonal,
    dead_at: notPersonal,
  },
};
