/**
 * Who answers an organisation's privacy requests: its owners and admins (the roles that hold
 * `members:manage`, which the privacy queue asks for). Their addresses, for deadline notices.
 */
import type { OrgId } from "../ids.js";
import { type AnyHandle, accountsDb } from "./db.js";
import { membersQuery } from "./members.js";
import { can } from "./permissions.js";

export async function privacyAnswerers(db: AnyHandle, orgId: OrgId | string): Promise<string[]> {
  const rows = await membersQuery(accountsDb(db), orgId).orderBy("users.email").execute();
  return rows.filter((row) => can(row.role, "members:manage")).map((row) => row.email);
}
