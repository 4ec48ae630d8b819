/**
 * Signed candidate links: the capability that opens one interview request's booking page
 * without an account. A link is 32 random bytes handed to the candidate; only its SHA-256 is
 * stored, with the request, the organisation and an expiry, so a database leak reveals no live
 * link. Issuing a link for a request revokes the request's earlier links (the newest email is
 * the one that works), and cancelling the request revokes them all.
 *
 * Resolving a token is an authentication step: a live link proves which organisation's request
 * it opens, so this is one of the few places that mints an `OrgId`.
 */
import { constantTimeEqual, newSecretToken, tokenHash } from "../accounts/tokens.js";
import type { Clock } from "../clock.js";
import { mintOrgId, newId, type OrgId } from "../ids.js";
import { type AnyHandle, bookingDb } from "./db.js";

const DAY_MS = 86_400_000;
/** How long a link works unless the caller says otherwise: two weeks. */
export const DEFAULT_LINK_TTL_MS = 14 * DAY_MS;

const TOKEN_PREFIX = "bk_";
/** `bk_` and 32 bytes of base64url: anything else was never issued. */
const TOKEN_SHAPE = /^bk_[A-Za-z0-9_-]{43}$/;

export interface BookingLink {
  id: string;
  orgId: OrgId;
  requestId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type LinkProblem =
  /** Never issued, mistyped or tampered with. */
  | "unknown"
  /** Issued, but its time is up. */
  | "expired"
  /** Replaced by a newer link, or the request was cancelled. */
  | "revoked";

export type LinkResolution = { ok: true; link: BookingLink } | { ok: false; problem: LinkProblem };

export interface IssuedLink {
  /** Goes in the candidate's email; never stored. */
  token: string;
  link: BookingLink;
}

export interface BookingLinks {
  /**
   * A new link for the request, revoking its earlier ones; call inside the transaction that
   * sends it, so a link exists exactly when its email does.
   * @example const { token } = await links.issue(trx, actor.orgId, request.id)
   */
  issue(
    db: AnyHandle,
    orgId: OrgId,
    requestId: string,
    ttlMs?: number,
    options?: { revokeEarlier?: boolean },
  ): Promise<IssuedLink>;
  /** What a token opens, or why it opens nothing. */
  resolve(token: string): Promise<LinkResolution>;
  /** Revokes every live link of the request (it was cancelled or replaced). */
  revokeForRequest(db: AnyHandle, orgId: OrgId, requestId: string): Promise<number>;
}

export function createBookingLinks(deps: { db: AnyHandle; clock: Clock }): BookingLinks {
  const { clock } = deps;
  const db = bookingDb(deps.db);

  const revokeForRequest = async (handle: AnyHandle, orgId: OrgId, requestId: string) => {
    const trx = bookingDb(handle);
    const result = await trx
      .updateTable("booking_links")
      .set({ revoked_at: clock.now() })
      .where("organisation_id", "=", orgId)
      .where("request_id", "=", requestId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  };

  return {
    async issue(handle, orgId, requestId, ttlMs = DEFAULT_LINK_TTL_MS, options = {}) {
      const trx = bookingDb(handle);
      if (!(ttlMs > 0)) throw new Error(`a link must live for a positive time, not ${ttlMs} ms`);
      if (options.revokeEarlier ?? true) await revokeForRequest(trx, orgId, requestId);
      const token = newSecretToken(TOKEN_PREFIX);
      const now = clock.now();
      const link: BookingLink = { id: newId("blink"), orgId, requestId, expiresAt: now + ttlMs };
      await trx
        .insertInto("booking_links")
        .values({
          id: link.id,
          organisation_id: orgId,
          request_id: requestId,
          token_hash: tokenHash(token),
          expires_at: link.expiresAt,
          revoked_at: null,
          created_at: now,
        })
        .execute();
      return { token, link };
    },

    async resolve(token) {
      if (!TOKEN_SHAPE.test(token)) return { ok: false, problem: "unknown" };
      const hash = tokenHash(token);
      const row = await db
        .selectFrom("booking_links")
        .selectAll()
        .where("token_hash", "=", hash)
        .executeTakeFirst();
      // The index finds the row by hash; the comparison that decides is constant-time.
      if (row === undefined || !constantTimeEqual(row.token_hash, hash)) {
        return { ok: false, problem: "unknown" };
      }
      if (row.revoked_at !== null) return { ok: false, problem: "revoked" };
      if (clock.now() >= row.expires_at) return { ok: false, problem: "expired" };
      return {
        ok: true,
        link: {
          id: row.id,
          orgId: mintOrgId(row.organisation_id),
          requestId: row.request_id,
          expiresAt: row.expires_at,
        },
      };
    },

    revokeForRequest,
  };
}

/**
 * The token a booking page's forms carry, bound to its link: a cross-site page that does not
 * know the link cannot compute it, and no cookie is needed.
 * @example linkFormToken("bk_…") // "m2V…" (43 characters)
 */
export function linkFormToken(linkToken: string): string {
  return tokenHash(`booking-form:${linkToken}`);
}

/** Whether a form came with the token of this link, compared in constant time. */
export function linkFormTokenMatches(linkToken: string, sent: string | undefined): boolean {
  return sent !== undefined && constantTimeEqual(sent, linkFormToken(linkToken));
}
