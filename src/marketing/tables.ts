/**
 * Tables owned by the marketing module: promotional lists, their subscribers (each with the
 * recorded marketing consent that lets them be mailed), the messages sent to a list, one
 * delivery per recipient, opens counted by the beacon, and the suppression list.
 *
 * Whose list: `organisation_id` is the customer whose talent community it is; null is Ally's
 * operator's own list of its customers (as in the outbox, where null is the operator's mail).
 * Every query names the one it is for, never "any".
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface MarketingListsTable {
  /** `mkl_…` */
  id: string;
  /** The customer's organisation; null for the operator's list of its customers. */
  organisation_id: string | null;
  name: string;
  /** What subscribers are promised, shown on the sign-up and confirmation pages. */
  description: string;
  /** The member who made it; null for the operator's (made from the command line). */
  created_by: string | null;
  created_at: number;
}

/** How a subscriber's marketing consent was given. */
export type ConsentMethod =
  /** They asked to join, then confirmed by the signed link sent to their address. */
  | "double-opt-in"
  /** An admin added them, stating where the consent was given (`consent_source`). */
  | "admin";

/**
 * A person on a list. Only a row with `confirmed_at` set is mailed; a pending double opt-in
 * (confirmed_at null) waits for its link and is purged when that link expires.
 */
export interface MarketingSubscribersTable {
  /** `mks_…` */
  id: string;
  organisation_id: string | null;
  list_id: string;
  email: string;
  /** HMAC-SHA-256 of the normalised address (keys.ts): matched against the suppression list. */
  email_hash: string;
  name: string;
  consent_method: ConsentMethod;
  /** Where and how consent was given, as the admin stated it, or "confirmed by email link". */
  consent_source: string;
  /** When consent was recorded: the confirmation, or the admin's addition. */
  consent_at: number | null;
  /** Null until the double opt-in link is used; set at once for an admin's addition. */
  confirmed_at: number | null;
  /** The member who added them; null for a person who joined themselves. */
  added_by: string | null;
  created_at: number;
}

/**
 * Suppressed addresses: anyone who opted out (link, one-click, email) or was erased. Only a keyed
 * hash of the address is kept, so the list stops mail to that person without holding who they
 * are. A row blocks every promotional send to the address from every list of its scope.
 */
export interface MarketingSuppressionsTable {
  id: Generated<number>;
  organisation_id: string | null;
  email_hash: string;
  /** "one-click", "link", "email", "admin", "erasure". */
  method: string;
  /** The list the opt-out came from, when it came from one. */
  list_id: string | null;
  created_at: number;
}

export interface MarketingMessagesTable {
  /** `mkm_…` */
  id: string;
  organisation_id: string | null;
  list_id: string;
  subject: string;
  text_body: string;
  /** The simple HTML version (escaped text with paragraphs and links), or null for none. */
  html_body: string | null;
  created_by: string | null;
  created_at: number;
  /** When every delivery was queued or skipped. */
  finished_at: number | null;
}

/** One recipient of one message: pending until the send job queues it in the outbox. */
export interface MarketingDeliveriesTable {
  /** `mkd_…`: signed into the beacon's and unsubscribe link's tokens. */
  id: string;
  organisation_id: string | null;
  message_id: string;
  subscriber_id: string;
  /** "pending", "queued", "skipped". */
  status: string;
  /** Why it was skipped (suppressed, unsubscribed, restricted, too much mail): no address. */
  reason: string | null;
  queued_at: number | null;
  created_at: number;
}

/** Opens of a promotional message, counted by its beacon: the hour only, nothing of the reader. */
export interface MarketingOpensTable {
  id: Generated<number>;
  organisation_id: string | null;
  message_id: string;
  delivery_id: string;
  /** The hour of the first open (epoch ms truncated to the hour). */
  opened_hour: number;
}

export interface MarketingTables {
  marketing_lists: MarketingListsTable;
  marketing_subscribers: MarketingSubscribersTable;
  marketing_suppressions: MarketingSuppressionsTable;
  marketing_messages: MarketingMessagesTable;
  marketing_deliveries: MarketingDeliveriesTable;
  marketing_opens: MarketingOpensTable;
}

const promote = "send promotional email to people who consented to it";
const honour = "honour an opt-out from promotional email";
const measure = "count opens of promotional email, with marketing consent";

export const marketingDataMap: TableNotes<MarketingTables> = {
  marketing_lists: {
    id: notPersonal,
    organisation_id: notPersonal,
    name: notPersonal,
    description: notPersonal,
    created_by: notPersonal,
    created_at: notPersonal,
  },
  marketing_subscribers: {
    id: notPersonal,
    organisation_id: notPersonal,
    list_id: notPersonal,
    email: personal("contact", promote, "marketing"),
    email_hash: personal("contact", promote, "marketing"),
    name: personal("identity", promote, "marketing"),
    consent_method: personal("usage", promote, "marketing"),
    consent_source: personal("usage", promote, "marketing"),
    consent_at: personal("usage", promote, "marketing"),
    confirmed_at: personal("usage", promote, "marketing"),
    added_by: notPersonal,
    created_at: notPersonal,
  },
  marketing_suppressions: {
    id: notPersonal,
    organisation_id: notPersonal,
    // A keyed hash: it identifies no one without the server's key, and must outlive erasure
    // so the opt-out keeps being honoured.
    email_hash: personal("contact", honour, "suppression"),
    method: personal("usage", honour, "suppression"),
    list_id: notPersonal,
    created_at: personal("usage", honour, "suppression"),
  },
  marketing_messages: {
    id: notPersonal,
    organisation_id: notPersonal,
    list_id: notPersonal,
    subject: notPersonal,
    text_body: notPersonal,
    html_body: notPersonal,
    created_by: notPersonal,
    created_at: notPersonal,
    finished_at: notPersonal,
  },
  marketing_deliveries: {
    id: notPersonal,
    organisation_id: notPersonal,
    message_id: notPersonal,
    subscriber_id: personal("usage", promote, "usage-13m"),
    status: personal("usage", promote, "usage-13m"),
    reason: personal("usage", promote, "usage-13m"),
    queued_at: personal("usage", promote, "usage-13m"),
    created_at: notPersonal,
  },
  marketing_opens: {
    id: notPersonal,
    organisation_id: notPersonal,
    message_id: notPersonal,
    delivery_id: personal("usage", measure, "usage-13m"),
    opened_hour: personal("usage", measure, "usage-13m"),
  },
};
