/**
 * API tokens: a member makes tokens that act as them, with scopes (token-scopes.ts). The token
 * is shown once; only its SHA-256 is stored. Only a signed-in session manages tokens.
 */
import { invalid, notFound } from "../errors.js";
import { mintOrgId, newId } from "../ids.js";
import { requirePermission } from "./permissions.js";
import {
  parseStoredScopes,
  requireSession,
  storedScopes,
  type TokenScope,
} from "./token-scopes.js";
import { newSecretToken, tokenHash } from "./tokens.js";
import type { AccountsBase, Actor, ApiTokenInfo, RequestMeta } from "./types.js";

/** How stale a token's "last used" may be: it is written at most once per this. */
export const LAST_USED_PRECISION_MS = 60_000;

export function apiTokenOperations(deps: AccountsBase) {
  const { store, clock } = deps;
  return {
    /** Creates an API token acting as this member; the token is returned once and never again. */
    async createApiToken(
      actor: Actor,
      name: string,
      meta: RequestMeta,
      scopes: readonly TokenScope[] = ["read", "write"],
    ): Promise<{ token: string; info: ApiTokenInfo }> {
      requireSession(actor);
      requirePermission(actor.role, "api-tokens:own");
      const stored = storedScopes(scopes);
      if (stored === "")
        throw invalid("scopes", "Choose what the token may do: read, write or both");
      const token = newSecretToken("ally_");
      const now = clock.now();
      const id = newId("tok");
      await store.db
        .insertInto("api_tokens")
        .values({
          id,
          organisation_id: actor.orgId,
          user_id: actor.userId,
          name,
          token_hash: tokenHash(token),
          created_at: now,
          last_used_at: null,
          revoked_at: null,
          scopes: stored,
        })
        .execute();
      await store.audit(
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "api-token-created",
          target: id,
          ip: meta.ip,
        },
        now,
      );
      return {
        token,
        info: { id, name, scopes: parseStoredScopes(stored), createdAt: now, lastUsedAt: null },
      };
    },

    async listApiTokens(actor: Actor): Promise<ApiTokenInfo[]> {
      requireSession(actor);
      const rows = await store.db
        .selectFrom("api_tokens")
        .select(["id", "name", "scopes", "created_at", "last_used_at"])
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", actor.userId)
        .where("revoked_at", "is", null)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        scopes: parseStoredScopes(r.scopes),
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
      }));
    },

    async revokeApiToken(actor: Actor, tokenId: string, meta: RequestMeta): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      const result = await store.db
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("id", "=", tokenId)
        .where("organisation_id", "=", actor.orgId)
        .where("user_id", "=", actor.userId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw notFound("API token");
      await store.audit(
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "api-token-revoked",
          target: tokenId,
          ip: meta.ip,
        },
        now,
      );
    },

    /** The actor behind a bearer token, or undefined. */
    async authenticateApiToken(token: string): Promise<Actor | undefined> {
      const row = await store.db
        .selectFrom("api_tokens")
        .innerJoin("memberships", (join) =>
          join
            .onRef("memberships.user_id", "=", "api_tokens.user_id")
            .onRef("memberships.organisation_id", "=", "api_tokens.organisation_id"),
        )
        .select([
          "api_tokens.id",
          "api_tokens.user_id",
          "api_tokens.organisation_id",
          "api_tokens.scopes",
          "api_tokens.last_used_at",
          "memberships.role",
        ])
        .where("api_tokens.token_hash", "=", tokenHash(token))
        .where("api_tokens.revoked_at", "is", null)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      // "Last used" to the minute: a token in steady use is written once a minute, not on
      // every request.
      const now = clock.now();
      const lastUsedAt = row.last_used_at === null ? null : Number(row.last_used_at);
      if (lastUsedAt === null || now - lastUsedAt >= LAST_USED_PRECISION_MS) {
        await store.db
          .updateTable("api_tokens")
          .set({ last_used_at: now })
          .where("id", "=", row.id)
          .execute();
      }
      return {
        userId: row.user_id,
        orgId: mintOrgId(row.organisation_id),
        role: row.role,
        via: "api-token",
        scopes: parseStoredScopes(row.scopes),
      };
    },
  };
}
