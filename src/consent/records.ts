/**
 * Consent records: every cookie choice a visitor makes is kept, versioned by the notice it was
 * made under, with how it was made (the banner, the cookie settings page, or a Global Privacy
 * Control signal), when, from which network (the IP truncated to /24 or /48), the visitor's id
 * and the member's when signed in. A new choice replaces the visitor's earlier one (its
 * `replaced_at` is set), so "the choice in force" and "when it stopped being in force" are both
 * on record, for proof and for retention (retention.ts).
 */
import { z } from "zod";
import { newId } from "../ids.js";
import { type AnyHandle, consentDb } from "./db.js";
import { truncateIp } from "./ip.js";
import {
  type Choices,
  CONSENT_LIFETIME_MS,
  CONSENT_METHODS,
  CONSENT_NOTICE_VERSION,
  type ConsentMethod,
} from "./notice.js";

export interface ConsentChoiceInput extends Choices {
  visitorId: string;
  userId: string | null;
  method: ConsentMethod;
  /** The caller's full IP address; only its network prefix is stored. */
  ip: string;
  noticeVersion?: number;
}

export interface ConsentRecord extends Choices {
  id: string;
  visitorId: string;
  userId: string | null;
  noticeVersion: number;
  method: ConsentMethod;
  recordedAtMs: number;
  ipPrefix: string | null;
  replacedAtMs: number | null;
}

const methodSchema = z.enum(CONSENT_METHODS as [ConsentMethod, ...ConsentMethod[]]);

function toRecord(row: {
  id: string;
  visitor_id: string;
  user_id: string | null;
  notice_version: number;
  analytics: number;
  marketing: number;
  method: string;
  recorded_at: number;
  ip_prefix: string | null;
  replaced_at: number | null;
}): ConsentRecord {
  return {
    id: row.id,
    visitorId: row.visitor_id,
    userId: row.user_id,
    noticeVersion: Number(row.notice_version),
    analytics: Number(row.analytics) === 1,
    marketing: Number(row.marketing) === 1,
    method: methodSchema.parse(row.method),
    recordedAtMs: Number(row.recorded_at),
    ipPrefix: row.ip_prefix,
    replacedAtMs: row.replaced_at === null ? null : Number(row.replaced_at),
  };
}

/**
 * Records a visitor's choice, replacing their earlier one, in the caller's transaction or its own.
 * @example await recordConsent(db, { visitorId, userId: null, method: "banner", ip: "203.0.113.9", analytics: false, marketing: false }, now)
 *   // { id: "cns_…", ipPrefix: "203.0.113.0/24", noticeVersion: 1, … }
 */
export async function recordConsent(
  handle: AnyHandle,
  input: ConsentChoiceInput,
  nowMs: number,
): Promise<ConsentRecord> {
  const db = consentDb(handle);
  const row = {
    id: newId("cns"),
    visitor_id: input.visitorId,
    user_id: input.userId,
    notice_version: input.noticeVersion ?? CONSENT_NOTICE_VERSION,
    analytics: input.analytics ? 1 : 0,
    marketing: input.marketing ? 1 : 0,
    method: input.method,
    recorded_at: nowMs,
    ip_prefix: truncateIp(input.ip),
    replaced_at: null,
  };
  const write = async (trx: typeof db) => {
    await trx
      .updateTable("consent_records")
      .set({ replaced_at: nowMs })
      .where("visitor_id", "=", input.visitorId)
      .where("replaced_at", "is", null)
      .execute();
    await trx.insertInto("consent_records").values(row).execute();
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return toRecord(row);
}

/** Whose consent: a browser (by its visitor id) or a member (by their user id, any browser). */
export type ConsentHolder = { visitorId: string } | { userId: string };

/** The choice in force for a visitor or member, as other modules ask it. */
export interface CurrentConsent extends Choices {
  noticeVersion: number;
  method: ConsentMethod;
  recordedAtMs: number;
}

/**
 * The choice in force: the holder's latest record under the notice in force that has not been
 * replaced and has not lapsed (a choice stands for `CONSENT_LIFETIME_DAYS`); undefined when
 * there is none, which means no to analytics and marketing.
 * @example (await currentConsent(db, { userId: "usr_1" }, now))?.marketing // true
 */
export async function currentConsent(
  handle: AnyHandle,
  holder: ConsentHolder,
  nowMs: number,
): Promise<CurrentConsent | undefined> {
  let query = consentDb(handle)
    .selectFrom("consent_records")
    .selectAll()
    .where("replaced_at", "is", null)
    .where("notice_version", "=", CONSENT_NOTICE_VERSION)
    .where("recorded_at", ">", nowMs - CONSENT_LIFETIME_MS)
    .where("recorded_at", "<=", nowMs);
  query =
    "visitorId" in holder
      ? query.where("visitor_id", "=", holder.visitorId)
      : query.where("user_id", "=", holder.userId);
  const row = await query.orderBy("recorded_at", "desc").orderBy("id").limit(1).executeTakeFirst();
  if (row === undefined) return undefined;
  const record = toRecord(row);
  return {
    analytics: record.analytics,
    marketing: record.marketing,
    noticeVersion: record.noticeVersion,
    method: record.method,
    recordedAtMs: record.recordedAtMs,
  };
}

/** Every record a visitor's choices left, oldest first (the cookie settings page's history). */
export async function consentHistory(
  handle: AnyHandle,
  visitorId: string,
): Promise<ConsentRecord[]> {
  const rows = await consentDb(handle)
    .selectFrom("consent_records")
    .selectAll()
    .where("visitor_id", "=", visitorId)
    .orderBy("recorded_at")
    .orderBy("id")
    .execute();
  return rows.map(toRecord);
}
