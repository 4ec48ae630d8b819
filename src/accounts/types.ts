/** What the accounts operations take and give: the actor, sessions, members, invitations, tokens. */
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { OrgId } from "../ids.js";
import type { AccountsStore } from "./db.js";
import type { Role } from "./tables.js";
import type { TokenScope } from "./token-scopes.js";

/** Who is acting, proven by a session or an API token. Only the auth layer creates one. */
export interface Actor {
  userId: string;
  orgId: OrgId;
  role: Role;
  via: "session" | "api-token";
  /** What an API token may do (token-scopes.ts); absent for sessions. */
  scopes?: readonly TokenScope[];
}

export interface SessionContext {
  actor: Actor;
  sessionIdHash: string;
  csrfToken: string;
  pendingSecondFactor: boolean;
  userName: string;
  userEmail: string;
  organisationName: string;
}

export interface RequestMeta {
  ip: string;
  userAgent: string;
}

export interface IssuedSession {
  token: string;
  csrfToken: string;
  pendingSecondFactor: boolean;
  expiresAt: number;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: number;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
}

/** What every accounts operation has: its own tables (with audit and mail) and the clock. */
export interface AccountsBase {
  store: AccountsStore;
  clock: Clock;
}

/** Operations that sign someone in also need how long a session lasts. */
export interface SessionIssuing extends AccountsBase {
  sessionTtlMs: number;
}

/** Operations that mail a link also need the public address of Ally's pages. */
export interface LinkMailing extends AccountsBase {
  /** The absolute URL of a path on Ally's pages, e.g. `/verify-email?token=…`. */
  link(path: string): string;
}

export const HOUR_MS = 3_600_000;

/**
 * For mail whose page answers alike whether or not the address has an account: a message held
 * back by the sending limits is not an error the asker may see.
 */
export function quietWhenMailLimited(error: unknown): void {
  if (error instanceof AppError && error.code === "RATE_LIMITED") return;
  throw error;
}
