/** Tables owned by the accounts module, and what each column holds. */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export type Role = "owner" | "admin" | "recruiter" | "interviewer";
export const ROLES: readonly Role[] = ["owner", "admin", "recruiter", "interviewer"];

export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: number;
  /** When an owner asked to close it; null while open (org-closure.ts). */
  closing_since: number | null;
  /** When its data is erased unless the closing is cancelled first. */
  erase_after: number | null;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  phone: string;
  postal_address: string;
  password_hash: string;
  email_verified_at: number | null;
  /** TOTP secret, sealed with the system data key (see src/secrets/); null when off. */
  totp_secret: string | null;
  created_at: number;
  /** A new address asked for, not yet confirmed from that address (profile.ts). */
  pending_email: string | null;
}

export interface MembershipsTable {
  organisation_id: string;
  user_id: string;
  role: Role;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value; the value itself is never stored. */
  id_hash: string;
  user_id: string;
  organisation_id: string;
  csrf_token: string;
  /** Signed in with password but second factor still due. */
  pending_second_factor: number;
  created_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
}

export type EmailTokenPurpose = "verify-email" | "reset-password" | "change-email";

export interface EmailTokensTable {
  token_hash: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  expires_at: number;
  used_at: number | null;
}

export interface InvitationsTable {
  id: string;
  organisation_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

export interface ApiTokensTable {
  id: string;
  organisation_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Space-separated scopes (`read`, `write`); see token-scopes.ts. */
  scopes: Generated<string>;
}

/**
 * Failed sign-ins per account and source network, for the per-account backoff
 * (sign-in-throttle.ts). Forgotten a day after the last failure or at a correct password.
 */
export interface SignInFailuresTable {
  /** SHA-256 of the normalised email tried (known account or not). */
  account_key: string;
  /** The source network: IPv4 /24 or IPv6 /64. */
  ip_bucket: string;
  failures: number;
  last_failed_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface AccountsTables {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  sign_in_failures: SignInFailuresTable;
}

const security = "keep accounts secure and detect abuse";

export const accountsDataMap: TableNotes<AccountsTables> = {
  organisations: {
    id: notPersonal,
    name: notPersonal,
    created_at: notPersonal,
    closing_since: notPersonal,
    erase_after: notPersonal,
  },
  users: {
    id: notPersonal,
    email: personal("contact", "sign-in and account email", "account"),
    name: personal("identity", "address the user and show them to colleagues", "account"),
    phone: personal("contact", "registration: reach the customer about their account", "account"),
    postal_address: personal("address", "registration: invoicing and contracts", "account"),
    password_hash: personal("credential", "sign-in", "account"),
    email_verified_at: notPersonal,
    totp_secret: personal("credential", "second factor at sign-in", "account"),
    created_at: notPersonal,
    pending_email: personal("contact", "confirm a new sign-in address before using it", "account"),
  },
  memberships: {
    organisation_id: notPersonal,
    user_id: notPersonal,
    role: personal("employment", "decide what a member may do", "membership"),
    created_at: notPersonal,
  },
  sessions: {
    id_hash: personal("credential", "keep the user signed in", "session"),
    user_id: notPersonal,
    organisation_id: notPersonal,
    csrf_token: personal("credential", "protect forms against cross-site requests", "session"),
    pending_second_factor: notPersonal,
    created_at: personal("usage", security, "session"),
    expires_at: notPersonal,
    ip: personal("usage", security, "session"),
    user_agent: personal("usage", security, "session"),
  },
  email_tokens: {
    token_hash: personal("credential", "prove control of an email address", "token"),
    user_id: notPersonal,
    purpose: notPersonal,
    expires_at: notPersonal,
    used_at: notPersonal,
  },
  invitations: {
    id: notPersonal,
    organisation_id: notPersonal,
    email: personal("contact", "invite a colleague to the organisation", "token"),
    role: notPersonal,
    token_hash: personal("credential", "accept an invitation", "token"),
    invited_by: notPersonal,
    created_at: notPersonal,
    expires_at: notPersonal,
    accepted_at: notPersonal,
  },
  api_tokens: {
    id: notPersonal,
    organisation_id: notPersonal,
    user_id: notPersonal,
    name: notPersonal,
    token_hash: personal("credential", "authenticate API calls", "account"),
    created_at: notPersonal,
    last_used_at: personal("usage", security, "account"),
    revoked_at: notPersonal,
    scopes: notPersonal,
  },
  rate_limits: {
    key: personal(
      "usage",
      "limit sign-in and reset attempts; refuse a one-time code used before",
      "rate-limit-1d",
    ),
    window_start: notPersonal,
    count: notPersonal,
  },
  sign_in_failures: {
    account_key: personal("usage", "slow down password guessing on an account", "rate-limit-1d"),
    ip_bucket: personal("usage", "slow down password guessing on an account", "rate-limit-1d"),
    failures: notPersonal,
    last_failed_at: notPersonal,
  },
};
