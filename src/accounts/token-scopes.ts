/**
 * What an API token may do. A token reaches the JSON API under /api/v1 only, and only within
 * its scopes: `read` for GET, `write` for every call that changes something. Managing tokens and
 * the second factor needs a signed-in session (with its CSRF token), never a token: a leaked
 * token cannot mint more tokens or lock its owner out. A password reset or a change of the
 * second factor revokes every token of the account.
 */
import { z } from "zod";
import { AppError } from "../errors.js";
import type { AccountsDb } from "./db.js";

export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SCOPES_MESSAGE = "Choose what the token may do: read, write or both";

export const tokenScopesSchema = z
  .array(z.enum(TOKEN_SCOPES, { error: SCOPES_MESSAGE }), { error: SCOPES_MESSAGE })
  .min(1, SCOPES_MESSAGE);

/** Stored as `read write`; anything unknown in the column is dropped, never widened. */
export function parseStoredScopes(stored: string): TokenScope[] {
  const words = stored.split(/\s+/);
  return TOKEN_SCOPES.filter((s) => words.includes(s));
}

export function storedScopes(scopes: readonly TokenScope[]): string {
  return TOKEN_SCOPES.filter((s) => scopes.includes(s)).join(" ");
}

/** The scope an API call needs: reading for GET and HEAD, writing for everything else. */
export function scopeFor(method: string): TokenScope {
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

/** The caller as the scope rules see it (an `Actor`, without importing the service). */
interface Caller {
  via: "session" | "api-token";
  scopes?: readonly TokenScope[];
}

/**
 * Refuses API tokens where only a signed-in person may act (token management, second factor).
 * @throws AppError FORBIDDEN for a token.
 */
export function requireSession(actor: Caller): void {
  if (actor.via !== "session") {
    throw new AppError(
      "FORBIDDEN",
      "API tokens cannot do this: sign in to Ally and do it on your account page.",
    );
  }
}

/**
 * Refuses a token call outside its scopes; sessions pass.
 * @throws AppError FORBIDDEN naming the missing scope.
 */
export function requireScope(actor: Caller, scope: TokenScope): void {
  if (actor.via !== "api-token") return;
  if (!(actor.scopes ?? []).includes(scope)) {
    throw new AppError(
      "FORBIDDEN",
      scope === "write"
        ? "This API token may only read. Create a token with the write scope to make changes."
        : "This API token may not read. Create a token with the read scope.",
    );
  }
}

/** Revokes every live API token of a user (after a password reset or second-factor change). */
export async function revokeAllApiTokens(
  db: AccountsDb,
  userId: string,
  now: number,
): Promise<number> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
