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

/** Where a mailbox connection's mail comes from. */
export type MailboxKind = "imap" | "gmail" | "microsoft" | "webhook";

/**
 * Mailboxes an organisation connected so that Ally reads the mail sent to them (mailboxes/):
 * an IMAP mailbox it polls, a Gmail or Microsoft 365 mailbox read through the organisation's
 * Google or Microsoft connection, or a provider's inbound-parse webhook. Every message goes into
 * `inbound_mail` like mail to the SMTP listener, once per Message-ID.
 */
export interface MailboxConnectionsTable {
  /** `mbx_…`, bound into the sealed secret. */
  id: string;
  organisation_id: string;
  kind: MailboxKind;
  label: string;
  /** The mailbox's address: the recipient its messages are stored for. */
  address: string;
  /**
   * Sealed JSON (secrets/secret-store.ts) bound to `mailbox_connections.secret:<id>`, read with
   * a schema (mailboxes/secret.ts): IMAP host, port, TLS, user and password; a webhook's key;
   * the calendar connection whose Google or Microsoft tokens read the mail.
   */
  secret: string;
  /** IMAP: the folder handled mail is moved to; null leaves it where it is. */
  handled_folder: string | null;
  /** IMAP: the INBOX's UIDVALIDITY when it was last read (RFC 3501 2.3.1.1). */
  uidvalidity: number | null;
  /** IMAP: the highest UID stored under that UIDVALIDITY. */
  last_uid: number | null;
  /** Gmail: the history id read up to; Microsoft: the delta link. */
  cursor: string | null;
  last_polled_at: number | null;
  /** Why the last poll failed (no credentials in it); null after a good one. */
  last_error: string | null;
  /** Polls failed in a row, for the backoff. */
  failure_count: number;
  /** Not polled before this instant (the interval, or the backoff after a failure). */
  next_poll_at: number | null;
  /** Set by the process polling it now; others leave it alone until then. */
  claimed_until: number | null;
  created_at: number;
}

export interface MailTables {
  outbox: OutboxTable;
  inbound_mail: InboundMailTable;
  mailbox_connections: MailboxConnectionsTable;
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
  mailbox_connections: {
    id: notPersonal,
    organisation_id: notPersonal,
    kind: notPersonal,
    label: notPersonal,
    address: personal("contact", received, "customer"),
    secret: personal("credential", received, "customer"),
    handled_folder: notPersonal,
    uidvalidity: notPersonal,
    last_uid: notPersonal,
    cursor: notPersonal,
    last_polled_at: notPersonal,
    last_error: notPersonal,
    failure_count: notPersonal,
    next_poll_at: notPersonal,
    claimed_until: notPersonal,
    created_at: notPersonal,
  },
};
