/**
 * Identifiers, shared by every module (a leaf: it imports no module). `OrgId` is branded: only the auth layer (sessions, API tokens, invitations)
 * mints it, after proving the caller belongs to that organisation, and every repository read or
 * write of organisation data requires one. A raw string from a URL can never be used in its place.
 */
import { randomBytes } from "node:crypto";

declare const orgBrand: unique symbol;
export type OrgId = string & { readonly [orgBrand]: true };

/** For the auth layer only: turns a verified organisation id into an `OrgId`. */
export function mintOrgId(verifiedId: string): OrgId {
  return verifiedId as OrgId;
}

/** A random, URL-safe identifier with a readable prefix, e.g. `cand_3kq…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}
