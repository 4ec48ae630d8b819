/**
 * Secrets at rest (second-factor keys now; calendar credentials later): AES-256-GCM under a
 * master key, with a key version on every ciphertext and the owning row bound as associated
 * data, so a ciphertext copied to another row does not open.
 *
 * Format: `v1.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface SecretBox {
  seal(plaintext: string, boundTo: string): string;
  /** Throws when the key is wrong, the text was altered, or it belongs to another row. */
  open(sealed: string, boundTo: string): string;
}

export function secretBox(masterKey: Buffer): SecretBox {
  if (masterKey.length !== 32) throw new RangeError("the master key must be 32 bytes");
  return {
    seal(plaintext, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, body, cipher.getAuthTag()]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    open(sealed, boundTo) {
      const [version, iv, body, tag] = sealed.split(".");
      if (version !== "v1" || iv === undefined || body === undefined || tag === undefined) {
        throw new Error("not a sealed secret");
      }
      const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    },
  };
}
