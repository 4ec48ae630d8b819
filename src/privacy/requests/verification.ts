/**
 * Requests from people without an account: the form gives an email address, Ally mails a
 * six-digit code (valid 15 minutes, 5 tries), and only a verified request is filed, with every
 * organisation that holds the person's candidate records and, for an account holder, with the
 * operator. Rate-limited per address and per network.
 */
import { createHash, randomInt } from "node:crypto";
import { AppError } from "../../errors.js";
import { newId } from "../../ids.js";
import { truncateIp } from "../audit-log.js";
import { privacyDb } from "../db.js";
import type { PrivacyRequestDeps } from "./deps.js";
import { type FiledRequest, fileRequests } from "./file.js";
import type { PublicRequestInput } from "./schemas.js";

export const CODE_LIFETIME_MS = 15 * 60_000;
export const CODE_ATTEMPTS = 5;
export const PER_EMAIL_PER_HOUR = 3;
export const PER_NETWORK_PER_HOUR = 10;
const HOUR_MS = 3_600_000;

function codeHash(verificationId: string, code: string): string {
  return createHash("sha256").update(`${verificationId}:${code}`).digest("base64url");
}

/**
 * Records a request and mails its code; returns the id the code form carries.
 * @throws RATE_LIMITED after 3 requests an hour for one address, or 10 from one network.
 */
export async function startPublicRequest(
  deps: PrivacyRequestDeps,
  input: PublicRequestInput,
  ip: string | undefined,
): Promise<{ verificationId: string }> {
  const now = deps.clock.now();
  const network = truncateIp(ip);
  return privacyDb(deps.db)
    .transaction()
    .execute(async (tx) => {
      const recent = (column: "email" | "network", value: string) =>
        tx
          .selectFrom("privacy_verifications")
          .select((eb) => eb.fn.countAll<string | number>().as("n"))
          .where(column, "=", value)
          .where("created_at", ">", now - HOUR_MS)
          .executeTakeFirstOrThrow();
      const byEmail = Number((await recent("email", input.email)).n);
      const byNetwork = network === null ? 0 : Number((await recent("network", network)).n);
      if (byEmail >= PER_EMAIL_PER_HOUR || byNetwork >= PER_NETWORK_PER_HOUR) {
        throw new AppError(
          "RATE_LIMITED",
          "Too many requests in the last hour. Check your inbox for a code we sent, or try again later.",
          { detail: { retryAfterSeconds: 3600 } },
        );
      }
      const verificationId = newId("pv");
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      await tx
        .insertInto("privacy_verifications")
        .values({
          id: verificationId,
          email: input.email,
          kind: input.kind,
          details: input.details ?? null,
          jurisdiction: input.jurisdiction,
          code_hash: codeHash(verificationId, code),
          expires_at: now + CODE_LIFETIME_MS,
          attempts: 0,
          network,
          created_at: now,
          verified_at: null,
        })
        .execute();
      await deps.sendMail(tx, {
        organisationId: null,
        kind: "privacy-request-code",
        to: input.email,
        subject: `Your code: ${code}`,
        text: `Someone, hopefully you, asked about the data held about ${input.email}.\n\nYour code is ${code}. It works for 15 minutes.\n\nIf it was not you, ignore this message: nothing happens without the code.`,
      });
      return { verificationId };
    });
}

/**
 * Checks the code; on success files the request with each controller and tells the person who
 * they are. A wrong code uses one of five tries; an expired or used-up code must be asked again.
 * @throws TOKEN_INVALID (field "code") for a wrong, expired or exhausted code.
 */
export async function verifyPublicRequest(
  deps: PrivacyRequestDeps,
  verificationId: string,
  code: string,
): Promise<FiledRequest[]> {
  const now = deps.clock.now();
  const outcome = await privacyDb(deps.db)
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .selectFrom("privacy_verifications")
        .selectAll()
        .where("id", "=", verificationId)
        .executeTakeFirst();
      const expired = (message: string) => ({ ok: false as const, message });
      if (row === undefined || row.verified_at !== null) {
        return expired("This code was already used or never existed. Start a new request.");
      }
      if (Number(row.expires_at) <= now || row.attempts >= CODE_ATTEMPTS) {
        return expired("This code has expired. Start a new request to get a new one.");
      }
      await tx
        .updateTable("privacy_verifications")
        .set({ attempts: row.attempts + 1 })
        .where("id", "=", verificationId)
        .execute();
      if (codeHash(verificationId, code) !== row.code_hash) {
        const left = CODE_ATTEMPTS - row.attempts - 1;
        return expired(
          left > 0
            ? `That code is not right. ${left} ${left === 1 ? "try" : "tries"} left.`
            : "That code is not right, and no tries are left. Start a new request.",
        );
      }
      await tx
        .updateTable("privacy_verifications")
        .set({ verified_at: now })
        .where("id", "=", verificationId)
        .execute();
      const filed = await fileRequests(deps, tx, {
        email: row.email,
        kind: row.kind,
        details: row.details,
        jurisdiction: row.jurisdiction,
        receivedAt: Number(row.created_at),
        verifiedAt: now,
        userId: null,
      });
      return { ok: true as const, filed };
    });
  // The used try is committed even when the code is wrong.
  if (!outcome.ok) throw new AppError("TOKEN_INVALID", outcome.message, { field: "code" });
  return outcome.filed;
}
