/**
 * Secrets handed to people (session cookies, email links, API tokens): 32 random bytes,
 * URL-safe. Only their SHA-256 is stored, so a database leak does not reveal live tokens.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newSecretToken(prefix = ""): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
