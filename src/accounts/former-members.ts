/**
 * A former member with nowhere left to go: removed from their last organisation, an account
 * cannot be signed in to ("This account belongs to no organisation") and so serves no purpose
 * the data map lists for `users` ("until the account is closed": the person can no longer close
 * it themselves). Ally therefore closes it for them, in the removal's transaction, exactly as a
 * user closing their own account would: sessions, API tokens and mailed links go, and the row
 * is anonymised (kept, so records that name its id still resolve, to no one). A member who still
 * belongs to another organisation keeps their account untouched.
 */
import { closedAccountEmail } from "./account-closure.js";
import type { AccountsDb } from "./db.js";
import { hashPassword } from "./passwords.js";
import { newSecretToken } from "./tokens.js";

/** The name an anonymised account shows, as after closing one's own. */
export const FORMER_MEMBER_NAME = "Former member";

/**
 * Closes `userId`'s account when no membership is left; returns whether it did.
 * @example await closeIfOrphaned(db, "usr_dana") // true after Dana's only membership went
 */
export async function closeIfOrphaned(db: AccountsDb, userId: string): Promise<boolean> {
  const left = await db
    .selectFrom("memberships")
    .select("organisation_id")
    .where("user_id", "=", userId)
    .limit(1)
    .executeTakeFirst();
  if (left !== undefined) return false;
  for (const table of ["sessions", "api_tokens", "email_tokens"] as const) {
    await db.deleteFrom(table).where("user_id", "=", userId).execute();
  }
  await db
    .updateTable("users")
    .set({
      email: closedAccountEmail(userId),
      name: FORMER_MEMBER_NAME,
      phone: "",
      postal_address: "",
      // A well-formed hash of a secret nobody keeps: the row can never be signed in to again.
      password_hash: await hashPassword(newSecretToken()),
      totp_secret: null,
      pending_email: null,
    })
    .where("id", "=", userId)
    .execute();
  return true;
}
