/**
 * AES-256-GCM with a 96-bit random IV and a 128-bit tag (NIST SP 800-38D), parts as base64url.
 * Returns `undefined` instead of throwing when authentication fails, so callers choose the error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface Sealed {
  iv: string;
  body: string;
  tag: string;
}

export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString("base64url"),
    body: body.toString("base64url"),
    tag: cipher.getAuthTag().toString("base64url"),
  };
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function decrypt(key: Buffer, sealed: Sealed, aad: string): Buffer | undefined {
  if (![sealed.iv, sealed.body, sealed.tag].every((part) => BASE64URL.test(part))) return undefined;
  const iv = Buffer.from(sealed.iv, "base64url");
  const tag = Buffer.from(sealed.tag, "base64url");
  if (iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.body, "base64url")),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}
