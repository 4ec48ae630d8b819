/**
 * Publishing a version of the privacy policy, and who accepted which version when. Publishing
 * records the version, emails every account holder through the outbox (in the same
 * transaction), and from then on each holder is asked to accept it at their next page view.
 */
import { AppError } from "../errors.js";
import { type AnyHandle, privacyDb } from "./db.js";
import type { PrivacyMailer } from "./mailer.js";
import { latestPolicyVersion, policyVersion } from "./policy/versions.js";

/** Someone to tell about the new version (accounts' `accountHolders` lists them all). */
export interface PolicyRecipient {
  userId: string;
  name: string;
  email: string;
}

export interface PublishDeps {
  db: AnyHandle;
  /** Reads the account holders inside the publishing transaction. */
  recipients: (trx: AnyHandle) => Promise<PolicyRecipient[]>;
  now: number;
  publicUrl: string;
  /** Queues a message in the outbox inside the transaction (mail/outbox.ts `enqueueMail`). */
  mail: PrivacyMailer;
}

/** The newest version published on this instance, if any. */
export async function publishedPolicyVersion(handle: AnyHandle): Promise<number | undefined> {
  const row = await privacyDb(handle)
    .selectFrom("privacy_policy_publications")
    .select("version")
    .orderBy("version", "desc")
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.version);
}

/**
 * Publishes `version` (default: the newest in the repository) and tells every account holder.
 * @example await publishPolicyVersion({ db, now: clock.now(), publicUrl }, 2) // { version: 2, notified: 14 }
 */
export async function publishPolicyVersion(
  deps: PublishDeps,
  version: number = latestPolicyVersion().version,
): Promise<{ version: number; notified: number }> {
  const meta = policyVersion(version);
  if (meta === undefined)
    throw new AppError("VALIDATION_FAILED", `There is no privacy policy version ${version}.`);
  return privacyDb(deps.db)
    .transaction()
    .execute(async (trx) => {
      const published = await publishedPolicyVersion(trx);
      if (published !== undefined && published >= version)
        throw new AppError(
          "CONFLICT",
          `Version ${published} is already published; publish a newer version.`,
        );
      await trx
        .insertInto("privacy_policy_publications")
        .values({ version, published_at: deps.now })
        .execute();
      const holders = await deps.recipients(trx);
      const link = `${deps.publicUrl}/privacy/v/${version}`;
      for (const holder of holders) {
        await deps.mail(
          trx,
          {
            organisationId: null,
            kind: "privacy-policy-changed",
            to: holder.email,
            subject: "Our privacy policy has changed",
            text: `Hello ${holder.name},\n\nWe have published version ${version} of our privacy policy, in force from ${meta.effectiveOn}.\n\nWhat changed: ${meta.summary}\n\nRead it at ${link}. We will ask you to accept it the next time you sign in.\n`,
            idempotencyKey: `privacy-policy:v${version}:${holder.userId}`,
          },
          deps.now,
        );
      }
      return { version, notified: holders.length };
    });
}

/** The published version this user has yet to accept, or undefined when there is none. */
export async function policyAwaitingAcceptance(
  handle: AnyHandle,
  userId: string,
): Promise<number | undefined> {
  const published = await publishedPolicyVersion(handle);
  if (published === undefined) return undefined;
  const accepted = await privacyDb(handle)
    .selectFrom("privacy_policy_acceptances")
    .select("version")
    .where("user_id", "=", userId)
    .where("version", "=", published)
    .executeTakeFirst();
  return accepted === undefined ? published : undefined;
}

/** Records that the user accepted `version`, which must be the one in force. */
export async function acceptPolicy(
  handle: AnyHandle,
  userId: string,
  version: number,
  now: number,
): Promise<void> {
  const db = privacyDb(handle);
  const published = await publishedPolicyVersion(db);
  if (published !== version)
    throw new AppError(
      "CONFLICT",
      "That version of the privacy policy is no longer the one in force.",
      {
        field: "version",
      },
    );
  await db
    .insertInto("privacy_policy_acceptances")
    .values({ user_id: userId, version, accepted_at: now })
    .onConflict((oc) => oc.columns(["user_id", "version"]).doNothing())
    .execute();
}

export interface Acceptance {
  version: number;
  acceptedAt: number;
}

/** Every version this user accepted, oldest first. */
export async function acceptancesOf(handle: AnyHandle, userId: string): Promise<Acceptance[]> {
  const rows = await privacyDb(handle)
    .selectFrom("privacy_policy_acceptances")
    .select(["version", "accepted_at"])
    .where("user_id", "=", userId)
    .orderBy("version")
    .execute();
  return rows.map((r) => ({ version: Number(r.version), acceptedAt: Number(r.accepted_at) }));
}
