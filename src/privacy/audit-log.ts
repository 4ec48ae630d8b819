/**
 * The audit trail of sensitive actions (sign-in, role change, export, deletion): who, what,
 * when, from where. IP addresses are truncated (IPv4 /24, IPv6 /48) before they are stored.
 * The privacy module owns the `audit_log` table (tables.ts); other modules write it through
 * `recordAudit`, inside their own transaction, and read it through `listAudit`.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, privacyDb } from "./db.js";

export type AuditAction =
  | "sign-up"
  | "sign-in"
  | "sign-in-failed"
  | "sign-out"
  | "email-verified"
  | "password-reset"
  | "second-factor-enabled"
  | "second-factor-disabled"
  | "member-invited"
  | "invitation-accepted"
  | "role-changed"
  | "member-removed"
  /** A member changed their own details or the organisation's; `target` says which. */
  | "account-updated"
  | "api-token-created"
  | "api-token-revoked"
  | "export"
  | "deletion"
  | "erasure"
  /** A closed request's candidate erased when the organisation's retention limit passed. */
  | "retention-erasure"
  /** An organisation's retention limits changed; `target` says which. */
  | "retention-changed"
  | "recontact-refused"
  /** A person's marketing consent was recorded (double opt-in confirmed, or an admin's addition). */
  | "marketing-consent"
  /** A person opted out of promotional email; `target` says how (one-click, link, email, ...). */
  | "marketing-opt-out";

export interface AuditEntry {
  organisationId: OrgId | null;
  actorUserId: string | null;
  action: AuditAction;
  target?: string;
  ip?: string;
}

/** Keeps the network part of an address: 203.0.113.77 → 203.0.113.0; 2001:db8:1:2::5 → 2001:db8:1::. */
export function truncateIp(ip: string | undefined): string | null {
  if (ip === undefined || ip === "") return null;
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (ip.includes(":")) {
    const [head] = ip.split("::");
    const groups = (head ?? "").split(":").filter((g) => g !== "");
    return `${groups.slice(0, 3).join(":")}::`;
  }
  return null;
}

export async function recordAudit(handle: AnyHandle, entry: AuditEntry, at: number): Promise<void> {
  const db = privacyDb(handle);
  await db
    .insertInto("audit_log")
    .values({
      organisation_id: entry.organisationId,
      actor_user_id: entry.actorUserId,
      action: entry.action,
      target: entry.target ?? null,
      ip: truncateIp(entry.ip),
      at,
    })
    .execute();
}

export interface AuditRecord {
  action: string;
  actorUserId: string | null;
  target: string | null;
  ip: string | null;
  at: number;
}

export async function listAudit(
  handle: AnyHandle,
  organisationId: OrgId,
  limit = 200,
): Promise<AuditRecord[]> {
  const db = privacyDb(handle);
  const rows = await db
    .selectFrom("audit_log")
    .select(["action", "actor_user_id", "target", "ip", "at"])
    .where("organisation_id", "=", organisationId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    action: r.action,
    actorUserId: r.actor_user_id,
    target: r.target,
    ip: r.ip,
    at: r.at,
  }));
}
