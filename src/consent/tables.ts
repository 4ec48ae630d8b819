/**
 * Tables owned by the consent module: every cookie choice a visitor made (kept as proof of
 * consent, versioned by the notice it was made under), and the page views counted for usage
 * analytics, only for visitors who said yes to analytics.
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface ConsentRecordsTable {
  id: string;
  /** The random id in the visitor's consent cookie (`v_…`). */
  visitor_id: string;
  /** The signed-in member who chose, else null. */
  user_id: string | null;
  /** The cookie notice version the choice was made under (notice.ts). */
  notice_version: number;
  /** 1: yes to first-party usage analytics. */
  analytics: number;
  /** 1: yes to marketing (promotional email opens and links). */
  marketing: number;
  /** banner, settings, gpc (a Global Privacy Control signal turned earlier yeses off). */
  method: string;
  /** Epoch ms. */
  recorded_at: number;
  /** The network the choice came from: IPv4 /24 or IPv6 /48, never the full address. */
  ip_prefix: string | null;
  /** Epoch ms the visitor's next choice replaced this one; null while it is their choice. */
  replaced_at: number | null;
}

export interface PageViewsTable {
  id: Generated<number>;
  /** Epoch ms. */
  visited_at: number;
  /** The page's route, ids replaced by their names (`/app/jobs/:jobId`), no query string. */
  path: string;
  /** Browser, operating system and device class read from the User-Agent (user-agent.ts). */
  browser: string;
  os: string;
  device: string;
  /** The host of a referring site, never its path; null when there was none or it was Ally. */
  referrer_host: string | null;
  ip_prefix: string | null;
  visitor_id: string;
  /** A signed-in member's views: their id and organisation (its own members' usage). */
  user_id: string | null;
  organisation_id: string | null;
}

export interface ConsentTables {
  consent_records: ConsentRecordsTable;
  page_views: PageViewsTable;
}

const proof = "proof of the visitor's cookie choice (consent, GDPR 7(1))";
const usage = "first-party usage analytics, with the visitor's consent";

export const consentDataMap: TableNotes<ConsentTables> = {
  consent_records: {
    id: notPersonal,
    visitor_id: personal("usage", proof, "consent-proof"),
    user_id: personal("usage", proof, "consent-proof"),
    notice_version: notPersonal,
    analytics: personal("usage", proof, "consent-proof"),
    marketing: personal("usage", proof, "consent-proof"),
    method: notPersonal,
    recorded_at: personal("usage", proof, "consent-proof"),
    ip_prefix: personal("usage", proof, "consent-proof"),
    replaced_at: notPersonal,
  },
  page_views: {
    id: notPersonal,
    visited_at: personal("usage", usage, "usage-13m"),
    path: personal("usage", usage, "usage-13m"),
    browser: personal("usage", usage, "usage-13m"),
    os: personal("usage", usage, "usage-13m"),
    device: personal("usage", usage, "usage-13m"),
    referrer_host: personal("usage", usage, "usage-13m"),
    ip_prefix: personal("usage", usage, "usage-13m"),
    visitor_id: personal("usage", usage, "usage-13m"),
    user_id: personal("usage", usage, "usage-13m"),
    organisation_id: notPersonal,
  },
};
