/**
 * Password hashing: argon2id with explicit parameters (OWASP's recommendation: 19 MiB, two
 * passes, one lane). The parameters are stored in the PHC string, so raising them later still
 * verifies old hashes.
 */
import { hash, verify } from "@node-rs/argon2";

/** `Algorithm.Argon2id` in @node-rs/argon2 (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export const ARGON2ID_PARAMETERS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMETERS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a password nobody knows, to spend the same time when the account does not exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword("decoy password that is never used to sign in");
  return decoy;
}
