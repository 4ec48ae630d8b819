/**
 * The person's signed links: 32 random bytes in the email, only their SHA-256 stored, each
 * opening one testimonial. A link works as long as its testimonial exists, so the removal link
 * in a confirmation keeps working for as long as there is anything to remove; the links go
 * when the testimonial's record is purged or erased. Resolving a link is an authentication
 * step: it proves which organisation's testimonial it opens, so it mints an `OrgId`.
 */
import { constantTimeEqual, newSecretToken, tokenHash } from "../accounts/tokens.js";
import { mintOrgId, type OrgId } from "../ids.js";
import { type AnyHandle, testimonialsDb } from "./db.js";

const TOKEN_PREFIX = "tm_";
/** `tm_` and 32 bytes of base64url: anything else was never issued. */
const TOKEN_SHAPE = /^tm_[A-Za-z0-9_-]{43}$/;

export interface OpenedLink {
  testimonialId: string;
  orgId: OrgId;
}

/** A new link to the testimonial; call in the transaction that sends it. */
export async function issueLink(
  handle: AnyHandle,
  testimonial: { id: string; organisationId: string },
  now: number,
): Promise<string> {
  const token = newSecretToken(TOKEN_PREFIX);
  await testimonialsDb(handle)
    .insertInto("testimonial_links")
    .values({
      token_hash: tokenHash(token),
      testimonial_id: testimonial.id,
      organisation_id: testimonial.organisationId,
      created_at: now,
    })
    .execute();
  return token;
}

/** What a token opens, or undefined when it opens nothing (never issued, or purged). */
export async function resolveLink(
  handle: AnyHandle,
  token: string,
): Promise<OpenedLink | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const hash = tokenHash(token);
  const row = await testimonialsDb(handle)
    .selectFrom("testimonial_links")
    .select(["token_hash", "testimonial_id", "organisation_id"])
    .where("token_hash", "=", hash)
    .executeTakeFirst();
  // The index finds the row by hash; the comparison that decides is constant-time.
  if (row === undefined || !constantTimeEqual(row.token_hash, hash)) return undefined;
  return { testimonialId: row.testimonial_id, orgId: mintOrgId(row.organisation_id) };
}
