/**
 * Delivering an access package: completing an access or portability request mails the person
 * a link that works once and for seven days; opening it builds the zip from what each module
 * holds at that moment.
 */
import { createHash, randomBytes } from "node:crypto";
import { AppError } from "../../errors.js";
import { privacyDb } from "../db.js";
import { type AccessExport, accessExportZip } from "../export.js";
import type { PrivacyRequestDeps, Tx } from "./deps.js";

export const EXPORT_LINK_LIFETIME_MS = 7 * 86_400_000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

/** Issues the link for a completed request and mails it, in the caller's transaction. */
export async function issueExportLink(
  deps: PrivacyRequestDeps,
  tx: Tx,
  request: { id: string; email: string; organisationId: string | null },
  now: number,
): Promise<void> {
  const token = randomBytes(32).toString("base64url");
  await tx
    .insertInto("privacy_exports")
    .values({
      token_hash: hashOf(token),
      request_id: request.id,
      expires_at: now + EXPORT_LINK_LIFETIME_MS,
      used_at: null,
      created_at: now,
    })
    .execute();
  await deps.sendMail(tx, {
    organisationId: request.organisationId,
    kind: "privacy-export-link",
    to: request.email,
    subject: "Your data is ready to download",
    text: `Your data is ready: ${deps.publicUrl}/privacy/export?token=${token}\n\nThe link works once, for seven days. The download is a zip with a readable summary (summary.html), every record as JSON (data.json) and your interviews (interviews.ics).`,
  });
}

/**
 * The zip behind a link, marking the link used.
 * @throws PERSON_ERASED when the controller erased the person since the link was issued.
 * @throws NOT_FOUND for an unknown, used or expired link (the same answer for each).
 */
export async function downloadExport(deps: PrivacyRequestDeps, token: string): Promise<Uint8Array> {
  const now = deps.clock.now();
  const erasedOn = await erasedSinceIssued(deps, hashOf(token));
  if (erasedOn !== undefined) {
    throw new AppError(
      "PERSON_ERASED",
      `Your data is gone: it was erased on ${new Date(erasedOn).toISOString().slice(0, 10)}, as you asked, so there is nothing left to download.`,
    );
  }
  const request = await privacyDb(deps.db)
    .transaction()
    .execute(async (tx) => {
      const used = await tx
        .updateTable("privacy_exports")
        .set({ used_at: now })
        .where("token_hash", "=", hashOf(token))
        .where("used_at", "is", null)
        .where("expires_at", ">", now)
        .returning("request_id")
        .executeTakeFirst();
      if (used === undefined) return undefined;
      return tx
        .selectFrom("privacy_requests")
        .select(["email", "organisation_id"])
        .where("id", "=", used.request_id)
        .executeTakeFirst();
    });
  if (request === undefined) {
    throw new AppError(
      "NOT_FOUND",
      "This download link has expired or was already used. Ask again on the privacy request page.",
    );
  }
  const collected = await deps.collectRecords(deps.db, request.email, request.organisation_id);
  const input: AccessExport = { email: request.email, generatedAtMs: now, ...collected };
  return accessExportZip(input);
}

/**
 * When the person behind a link (used or not, expired or not) had their data erased by the same
 * controller after the link was issued: the time of that erasure, so the link can say the data
 * is gone rather than that it expired.
 */
async function erasedSinceIssued(
  deps: PrivacyRequestDeps,
  tokenHash: string,
): Promise<number | undefined> {
  const link = await privacyDb(deps.db)
    .selectFrom("privacy_exports")
    .innerJoin("privacy_requests", "privacy_requests.id", "privacy_exports.request_id")
    .select([
      "privacy_exports.created_at",
      "privacy_requests.email",
      "privacy_requests.organisation_id",
    ])
    .where("privacy_exports.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (link === undefined) return undefined;
  let erasures = privacyDb(deps.db)
    .selectFrom("privacy_requests")
    .select("completed_at")
    .where("kind", "=", "erasure")
    .where("status", "=", "completed")
    .where("email", "=", link.email)
    .where("completed_at", ">=", Number(link.created_at));
  erasures =
    link.organisation_id === null
      ? erasures.where("organisation_id", "is", null)
      : erasures.where("organisation_id", "=", link.organisation_id);
  const erased = await erasures.orderBy("completed_at", "asc").executeTakeFirst();
  if (erased === undefined || erased.completed_at === null) return undefined;
  return Number(erased.completed_at);
}
