/**
 * Whose list: a customer's (its talent community, the customer is the controller) or Ally's
 * operator's own (its customers, the operator is the controller). Stored as `organisation_id`,
 * null for the operator, and every query of the module names one scope.
 */
import { type RawBuilder, sql } from "kysely";
import { mintOrgId, type OrgId } from "../ids.js";

export type Scope = { orgId: OrgId } | "operator";

export const OPERATOR: Scope = "operator";

export function organisationOf(scope: Scope): OrgId | null {
  return scope === "operator" ? null : scope.orgId;
}

/** `organisation_id = ?` for a customer, `organisation_id is null` for the operator. */
export function inScope(scope: Scope, table?: string): RawBuilder<boolean> {
  const column = sql.ref(table === undefined ? "organisation_id" : `${table}.organisation_id`);
  return scope === "operator"
    ? sql<boolean>`${column} is null`
    : sql<boolean>`${column} = ${scope.orgId}`;
}

/** The scope of a stored row. Its organisation was proven by the signed link that named it. */
export function scopeOfRow(organisationId: string | null): Scope {
  return organisationId === null ? OPERATOR : { orgId: mintOrgId(organisationId) };
}

/** The scope as one link field: the organisation's id, or `op`. */
export function scopeField(scope: Scope): string {
  return scope === "operator" ? "op" : scope.orgId;
}

export function scopeFromField(field: string): Scope {
  return field === "op" ? OPERATOR : { orgId: mintOrgId(field) };
}
