/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
 * six digits, one step of drift accepted either way. Pure: the time is passed in.
 */
import { createHmac, randomBytes } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const TOTP_STEP_SECONDS = 30;

/** A new 160-bit secret in base32, as authenticator apps expect. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index === -1) throw new RangeError("not base32");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP value for a counter. */
export function hotp(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac("sha1", secret).update(message).digest();
  const offset = (digest[digest.length - 1] as number) & 0x0f;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

/** The code an authenticator shows at `epochMs`. @example totpAt(secret, 59_000) */
export function totpAt(secretBase32: string, epochMs: number): string {
  return hotp(base32Decode(secretBase32), Math.floor(epochMs / 1000 / TOTP_STEP_SECONDS));
}

/** Whether `code` is valid at `epochMs`, allowing one step of clock drift. */
export function verifyTotp(secretBase32: string, code: string, epochMs: number): boolean {
  return matchingTotpStep(secretBase32, code, epochMs) !== undefined;
}

/**
 * The time step whose code `code` is (one step of drift allowed), or undefined. Callers that
 * sign people in record the step, so that a code is accepted once (RFC 6238 section 5.2).
 * @example matchingTotpStep(secret, totpAt(secret, 59_000), 59_000) // 1
 */
export function matchingTotpStep(
  secretBase32: string,
  code: string,
  epochMs: number,
): number | undefined {
  if (!/^\d{6}$/.test(code.trim())) return undefined;
  const secret = base32Decode(secretBase32);
  const step = Math.floor(epochMs / 1000 / TOTP_STEP_SECONDS);
  return [step - 1, step, step + 1].find((s) => hotp(secret, s) === code.trim());
}

export function otpauthUri(secretBase32: string, account: string, issuer = "Ally"): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  return `otpauth://totp/${label}?secret=${secretBase32}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=${TOTP_STEP_SECONDS}`;
}
