/**
 * Why a secret could not be sealed or opened. Every message names the key version, data key id
 * or row at fault, and never a key or a plaintext. Callers fail closed: a secret that does not
 * open is never replaced, skipped over or stored in the clear.
 */

export type SecretsErrorCode =
  /** A ciphertext or data key needs a master key version that is not configured. */
  | "MASTER_KEY_MISSING"
  /** A data key does not unwrap under the configured key of its version: a wrong key, or the stored key was altered. */
  | "MASTER_KEY_WRONG"
  /** A ciphertext names a data key that does not exist. */
  | "DATA_KEY_MISSING"
  /** A ciphertext fails authentication: altered, or copied from another row or column. */
  | "SECRET_UNREADABLE"
  /** Not a sealed secret at all. */
  | "SECRET_MALFORMED";

export class SecretsError extends Error {
  readonly code: SecretsErrorCode;

  constructor(code: SecretsErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "SecretsError";
    this.code = code;
  }
}
