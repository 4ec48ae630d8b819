/**
 * Slowing down password guessing without letting anyone lock a user out.
 *
 * Two limits, both kept in the database so every process shares them:
 * - Per source network (IPv4 /24, IPv6 /64): at most `SIGN_IN_NETWORK_RATE.max` failed
 *   sign-ins per window, whichever accounts they name. This stops one network spraying
 *   passwords across many accounts.
 * - Per account, an exponential backoff: after `FREE_FAILURES` failures for an email (from
 *   anywhere), each further attempt from a network that has failed on it must wait
 *   `backoffMs(failures)` after that network's last failure. Attempts refused while waiting
 *   are not counted, so waiting always ends; a network that has not failed on the account (the
 *   owner at home, while someone guesses from elsewhere) is not made to wait, and a correct
 *   password clears the account's failures. There is no permanent lock and no captcha.
 *
 * The email is counted whether or not it has an account, so the answers reveal nothing.
 */
import { AppError } from "../errors.js";
import type { AccountsDb } from "./db.js";
import { type RateRule, takeRate } from "./rate-limit.js";
import { tokenHash } from "./tokens.js";

export const SIGN_IN_NETWORK_RATE: RateRule = { windowMs: 15 * 60_000, max: 50 };
/** Failures an account may see before attempts must wait. */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 15 * 60_000;

/** How long to wait after a failure, once an account has seen `failures` (0 below the limit). */
export function backoffMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  const doublings = Math.min(failures - FREE_FAILURES, 20);
  return Math.min(FIRST_WAIT_MS * 2 ** doublings, LONGEST_WAIT_MS);
}

/**
 * The network an address belongs to, for limits: 203.0.113.77 → 203.0.113.0/24;
 * 2001:db8:1:2:3::5 → 2001:db8:1:2::/64. Anything else is kept as it is.
 */
export function networkOf(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!ip.includes(":")) return ip;
  const [head = "", tail] = ip.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill("0");
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  return `${prefix.join(":")}::/64`;
}

const networkKey = (network: string) => `sign-in:net:${network}`;
const accountKey = (email: string) => tokenHash(email.trim().toLowerCase());

function waitError(message: string, waitMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait =
    retryAfterSeconds < 60
      ? `${retryAfterSeconds} seconds`
      : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return new AppError("RATE_LIMITED", `${message} Wait ${wait} and try again.`, {
    detail: { retryAfterSeconds },
  });
}

export interface SignInAttempt {
  email: string;
  ip: string;
}

/**
 * Refuses an attempt that must wait, before the password is checked.
 * @throws AppError RATE_LIMITED with `detail.retryAfterSeconds`.
 */
export async function checkSignInAllowed(
  db: AccountsDb,
  attempt: SignInAttempt,
  now: number,
): Promise<void> {
  const network = networkOf(attempt.ip);
  const windowStart = now - (now % SIGN_IN_NETWORK_RATE.windowMs);
  const used = await db
    .selectFrom("rate_limits")
    .select("count")
    .where("key", "=", networkKey(network))
    .where("window_start", "=", windowStart)
    .executeTakeFirst();
  if ((used?.count ?? 0) >= SIGN_IN_NETWORK_RATE.max) {
    throw waitError(
      "Too many failed sign-ins from your network.",
      windowStart + SIGN_IN_NETWORK_RATE.windowMs - now,
    );
  }
  const rows = await db
    .selectFrom("sign_in_failures")
    .select(["ip_bucket", "failures", "last_failed_at"])
    .where("account_key", "=", accountKey(attempt.email))
    .execute();
  const mine = rows.find((r) => r.ip_bucket === network);
  if (mine === undefined) return;
  const failures = rows.reduce((sum, r) => sum + r.failures, 0);
  const waitMs = mine.last_failed_at + backoffMs(failures) - now;
  if (waitMs > 0) {
    throw waitError("Too many failed sign-ins for this account.", waitMs);
  }
}

/** Counts a wrong password against the network and the account. */
export async function recordSignInFailure(
  db: AccountsDb,
  attempt: SignInAttempt,
  now: number,
): Promise<void> {
  const network = networkOf(attempt.ip);
  await takeRate(db, networkKey(network), SIGN_IN_NETWORK_RATE, now);
  await db
    .insertInto("sign_in_failures")
    .values({
      account_key: accountKey(attempt.email),
      ip_bucket: network,
      failures: 1,
      last_failed_at: now,
    })
    .onConflict((oc) =>
      oc.columns(["account_key", "ip_bucket"]).doUpdateSet((eb) => ({
        failures: eb("sign_in_failures.failures", "+", 1),
        last_failed_at: now,
      })),
    )
    .execute();
}

/** A correct password: the account starts afresh. */
export async function clearSignInFailures(db: AccountsDb, email: string): Promise<void> {
  await db.deleteFrom("sign_in_failures").where("account_key", "=", accountKey(email)).execute();
}
