/**
 * What each role may do. One table, checked by services (never only by pages), so the API and
 * the pages agree. Roles from most to least powerful: owner, admin, recruiter, interviewer.
 */
import { forbidden } from "../errors.js";
import type { Role } from "./tables.js";

export type Permission =
  | "members:manage" // invite, change roles, remove members
  | "owners:manage" // make or unmake owners
  | "audit:read"
  | "hiring:read" // jobs, pools, loop templates
  | "hiring:write"
  | "candidates:read"
  | "candidates:write"
  | "profiles:edit-any" // other people's interviewer profiles
  | "api-tokens:own" // create and revoke one's own API tokens
  | "testimonials:manage" // ask people for testimonials, publish or decline them
  | "marketing:manage"; // promotional lists, their subscribers and messages

const grants: Record<Role, readonly Permission[]> = {
  owner: [
    "members:manage",
    "owners:manage",
    "audit:read",
    "hiring:read",
    "hiring:write",
    "candidates:read",
    "candidates:write",
    "profiles:edit-any",
    "api-tokens:own",
    "testimonials:manage",
    "marketing:manage",
  ],
  admin: [
    "members:manage",
    "audit:read",
    "hiring:read",
    "hiring:write",
    "candidates:read",
    "candidates:write",
    "profiles:edit-any",
    "api-tokens:own",
    "testimonials:manage",
    "marketing:manage",
  ],
  recruiter: [
    "hiring:read",
    "hiring:write",
    "candidates:read",
    "candidates:write",
    "profiles:edit-any",
    "api-tokens:own",
  ],
  interviewer: ["hiring:read", "api-tokens:own"],
};

export function can(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission);
}

/** @throws AppError FORBIDDEN when the role lacks the permission. */
export function requirePermission(role: Role, permission: Permission): void {
  if (!can(role, permission)) throw forbidden();
}
