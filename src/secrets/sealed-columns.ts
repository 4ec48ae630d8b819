/**
 * Every column that holds sealed secrets, so that `ally keys rotate` can find and re-encrypt
 * them. A module that seals a new column adds it here .
 */
import { SYSTEM_SCOPE } from "./data-keys.js";

export interface SealedColumn {
  table: string;
  column: string;
  /** The row id bound into each ciphertext; text, unique. */
  idColumn: string;
  /** Whose data key seals it: `system`, or the organisation named in a column of the row. */
  owner: { system: true } | { organisationColumn: string };
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "users", column: "totp_secret", idColumn: "id", owner: { system: true } },
  {
    table: "calendar_connections",
    column: "credentials",
    idColumn: "id",
    owner: { organisationColumn: "organisation_id" },
  },
  {
    table: "candidate_calendars",
    column: "url",
    idColumn: "id",
    owner: { organisationColumn: "organisation_id" },
  },
  {
    table: "mailbox_connections",
    column: "secret",
    idColumn: "id",
    owner: { organisationColumn: "organisation_id" },
  },
  {
    table: "oauth_states",
    column: "code_verifier",
    idColumn: "id",
    owner: { organisationColumn: "organisation_id" },
  },
];

export function ownerOf(column: SealedColumn, row: Record<string, unknown>): string {
  if ("system" in column.owner) return SYSTEM_SCOPE;
  const owner = row[column.owner.organisationColumn];
  if (typeof owner !== "string") {
    throw new Error(`${column.table}.${column.owner.organisationColumn} is not an organisation id`);
  }
  return owner;
}
