/**
 * "Who may act on a calendar connection", decided once. Its owner may view and change it
 * (choose calendars, disconnect). A member with `members:manage` may view anyone's in the
 * organisation (to help them), but not change it: that is refused as FORBIDDEN, since they
 * may know it exists. Anyone else is told it does not exist (NOT_FOUND), so connection ids
 * reveal nothing. Every read is already scoped to the actor's organisation.
 */
import { can } from "../accounts/permissions.js";
import type { Actor } from "../accounts/service.js";
import { forbidden, notFound } from "../errors.js";

export type ConnectionAction = "view" | "change";

/** What the actor may do with a connection (or the list of connections) owned by `ownerId`. */
export function connectionAccess(
  actor: Pick<Actor, "userId" | "role">,
  ownerId: string,
): "owner" | "viewer" | "none" {
  if (ownerId === actor.userId) return "owner";
  return can(actor.role, "members:manage") ? "viewer" : "none";
}

export function mayActOnConnection(
  actor: Pick<Actor, "userId" | "role">,
  ownerId: string,
  action: ConnectionAction,
): boolean {
  const access = connectionAccess(actor, ownerId);
  return access === "owner" || (access === "viewer" && action === "view");
}

/**
 * @throws AppError NOT_FOUND when the actor may not even view it, FORBIDDEN when they may view
 *   but not change it.
 */
export function requireConnectionAccess(
  actor: Pick<Actor, "userId" | "role">,
  ownerId: string,
  action: ConnectionAction,
): void {
  if (mayActOnConnection(actor, ownerId, action)) return;
  if (connectionAccess(actor, ownerId) === "none") throw notFound("calendar connection");
  throw forbidden("only its owner may change it");
}
