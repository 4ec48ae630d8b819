/**
 * A person's standing choices over their data, by email address, readable by every module:
 * restriction of processing (GDPR art. 18: no mail to them, no interview offered or booked,
 * until lifted) and objection (GDPR art. 21: no analytics or marketing about them, at once).
 * Set and lifted by completing privacy requests (requests/commands.ts).
 */
import { type AnyHandle, privacyDb } from "./db.js";

export type PersonFlag = "restricted" | "objected";

type Handle = AnyHandle;

/** The form an address is compared in: trimmed, lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function hasFlag(db: Handle, email: string, flag: PersonFlag): Promise<boolean> {
  const row = await privacyDb(db)
    .selectFrom("person_flags")
    .select("flag")
    .where("email", "=", normaliseEmail(email))
    .where("flag", "=", flag)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether processing about this person is restricted: send them nothing, offer and book nothing.
 * @example if (await isRestricted(db, "ana@example.com")) return { skipped: "restricted" };
 */
export function isRestricted(db: Handle, email: string): Promise<boolean> {
  return hasFlag(db, email, "restricted");
}

/** Whether the person objected to analytics and marketing about them. */
export function hasObjected(db: Handle, email: string): Promise<boolean> {
  return hasFlag(db, email, "objected");
}

export async function setPersonFlag(
  db: Handle,
  email: string,
  flag: PersonFlag,
  at: number,
  requestId: string | null,
): Promise<void> {
  await privacyDb(db)
    .insertInto("person_flags")
    .values({ email: normaliseEmail(email), flag, set_at: at, request_id: requestId })
    .onConflict((oc) => oc.columns(["email", "flag"]).doNothing())
    .execute();
}

export async function liftPersonFlag(db: Handle, email: string, flag: PersonFlag): Promise<void> {
  await privacyDb(db)
    .deleteFrom("person_flags")
    .where("email", "=", normaliseEmail(email))
    .where("flag", "=", flag)
    .execute();
}
