/**
 * The marketing module's two keys, each derived (HKDF-SHA256, RFC 5869) from every configured
 * master key, newest first, so what was made before a key rotation still verifies while the
 * older master key is listed:
 *
 * - the address key: the suppression list and subscribers are matched by HMAC-SHA-256 of the
 *   normalised address. A keyed hash, not a plain one: an address list is small enough to hash
 *   every candidate address, so a plain SHA-256 of an address would identify it to anyone with
 *   the table; without the server's key the hash names no one.
 * - the link key: the links in promotional mail (unsubscribe, beacon, confirmation) are
 *   `KIND.FIELD….SIGNATURE`, an HMAC over the kind and fields, so a link cannot be made up or
 *   altered to act on someone else's subscription.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** The slice of the keyring (secrets/keyring.ts) needed here: the master keys by version. */
export interface MarketingKeySource {
  readonly versions: readonly number[];
  get(version: number): Buffer | undefined;
}

export type LinkKind = "u" | "o" | "c";

export interface MarketingKeys {
  /** The address's hash under the newest key: what is stored. */
  addressHash(email: string): string;
  /** Its hash under every listed key: what a lookup matches. */
  addressHashes(email: string): string[];
  /** A signed token for a link. Fields are ids and numbers: `[A-Za-z0-9_-]` only. */
  sign(kind: LinkKind, fields: readonly string[]): string;
  /** The fields of a token of `kind` signed under any listed key, or undefined. */
  verify(kind: LinkKind, token: string): string[] | undefined;
}

const FIELD = /^[A-Za-z0-9_-]{1,80}$/;
const SIGNATURE_BYTES = 16;

/** Lower-cased and trimmed: `Dana@Example.COM ` and `dana@example.com` are one address. */
export function normaliseAddress(email: string): string {
  return email.trim().toLowerCase();
}

export function createMarketingKeys(source: MarketingKeySource): MarketingKeys {
  const derive = (info: string) =>
    source.versions.flatMap((version) => {
      const master = source.get(version);
      return master === undefined
        ? []
        : [Buffer.from(hkdfSync("sha256", master, "ally", info, 32))];
    });
  const addressKeys = derive("ally marketing address v1");
  const linkKeys = derive("ally marketing link v1");
  const [newestAddress] = addressKeys;
  const [newestLink] = linkKeys;
  if (newestAddress === undefined || newestLink === undefined) {
    throw new RangeError("marketing keys need at least one master key");
  }
  const hash = (key: Buffer, email: string) =>
    createHmac("sha256", key).update(normaliseAddress(email)).digest("hex");
  const signature = (key: Buffer, body: string) =>
    createHmac("sha256", key)
      .update(body)
      .digest()
      .subarray(0, SIGNATURE_BYTES)
      .toString("base64url");
  return {
    addressHash: (email) => hash(newestAddress, email),
    addressHashes: (email) => addressKeys.map((key) => hash(key, email)),
    sign(kind, fields) {
      for (const field of fields) {
        if (!FIELD.test(field)) throw new RangeError(`not a link field: ${field}`);
      }
      const body = [kind, ...fields].join(".");
      return `${body}.${signature(newestLink, body)}`;
    },
    verify(kind, token) {
      if (token.length > 400) return undefined;
      const parts = token.split(".");
      const given = parts.pop();
      if (given === undefined || parts[0] !== kind || parts.length < 2) return undefined;
      if (!parts.slice(1).every((field) => FIELD.test(field))) return undefined;
      const body = parts.join(".");
      const givenBytes = Buffer.from(given);
      for (const key of linkKeys) {
        const expected = Buffer.from(signature(key, body));
        if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) {
          return parts.slice(1);
        }
      }
      return undefined;
    },
  };
}
