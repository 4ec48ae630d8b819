/**
 * The port between the erasure (erasure.ts) and the modules that hold personal data: what is
 * known of the person being erased, and what each module reports it removed. Each module
 * implements `ModuleErasure` in its own `erasure.ts`, over its own tables only; the composition
 * root hands them to `erasePerson`.
 */

import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { OrgId } from "../ids.js";
import type { AnyHandle } from "./db.js";

/**
 * The erasure's transaction as each module's step receives it: the shared handle, which the
 * step narrows to its own tables (`accountsDb(trx)`, `hiringDb(trx)`, ...).
 */
export type ErasureTrx = AnyHandle;

/** Everything that identifies the person, gathered before anything is removed. */
export interface ErasureSubject {
  /** Null: the person is erased from all of Ally; else from this organisation only. */
  orgId: OrgId | null;
  /** Normalised (lower-case) addresses. */
  emails: string[];
  names: string[];
  phones: string[];
  /** Their account, when they have one (erasure from all of Ally only). */
  userIds: string[];
  /** Candidate records with their email, in every organisation in scope. */
  candidateIds: string[];
  /** Interview requests of those candidates. */
  requestIds: string[];
  /** iCalendar UIDs of those requests' bookings. */
  bookingUids: string[];
}

/** What a module learnt about the person (merged into the subject, in module order). */
export type SubjectFacts = Partial<Omit<ErasureSubject, "orgId" | "emails">>;

/** Rows per table: removed outright, or kept with the personal data taken out. */
export interface TableErasure {
  deleted: number;
  anonymised: number;
}

export interface ModuleErasureResult {
  tables: Record<string, TableErasure>;
  /** Work to do once the transaction has committed (files, revoking grants). */
  afterCommit?: () => Promise<{ files?: number; grantsRevoked?: number }>;
}

export interface ModuleErasure {
  module: string;
  identify?(trx: ErasureTrx, subject: ErasureSubject): Promise<SubjectFacts>;
  erase(trx: ErasureTrx, subject: ErasureSubject): Promise<ModuleErasureResult>;
}

/**
 * The strings that give the person away in free text: emails, names, phones. A name shorter
 * than five characters or a phone of fewer than seven digits would match unrelated text ("Ada"
 * in "Canada"): such values are removed where they are stored by id, not searched for.
 */
export function needlesOf(subject: ErasureSubject): string[] {
  const digits = (s: string) => s.replace(/\D/g, "").length;
  const all = [
    ...subject.emails,
    ...subject.names.filter((name) => name.trim().length >= 5),
    ...subject.phones.filter((phone) => digits(phone) >= 7),
  ].map((s) => s.trim().toLowerCase());
  return [...new Set(all)].filter((s) => s !== "");
}

/** `%needle%` for LIKE, with `!` escaping the wildcards. */
function likePattern(needle: string): string {
  return `%${needle.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * A condition: one of the text `columns` contains one of `needles`, ignoring case. Used by the
 * modules in their own queries: `.where((eb) => mentions(eb, ["subject", "text_body"], needles))`.
 */
export function mentions<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  columns: readonly string[],
  needles: readonly string[],
): Expression<SqlBool> {
  if (needles.length === 0 || columns.length === 0) return sql<SqlBool>`1 = 0`;
  return eb.or(
    columns.flatMap((column) =>
      needles.map(
        (needle) => sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(needle)} escape '!'`,
      ),
    ),
  );
}

/** Kysely's count of affected rows as a number. */
export function affected(result: { numDeletedRows?: bigint; numUpdatedRows?: bigint }): number {
  return Number(result.numDeletedRows ?? result.numUpdatedRows ?? 0n);
}

/** Replaces every occurrence of every needle in `text`, ignoring case. */
export function redact(text: string, needles: readonly string[], by = "[erased]"): string {
  let out = text;
  for (const needle of needles) {
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(escaped, "gi"), by);
  }
  return out;
}

/**
 * The `columns` of `row` with every needle redacted, only those that changed; undefined when
 * none did. For the rows a module selected with `mentions`.
 */
export function redactedColumns<Column extends string>(
  row: { [C in Column]: unknown },
  columns: readonly Column[],
  needles: readonly string[],
): Partial<Record<Column, string>> | undefined {
  const changes: Partial<Record<Column, string>> = {};
  let changed = false;
  for (const column of columns) {
    const value = row[column];
    if (typeof value !== "string") continue;
    const next = redact(value, needles);
    if (next !== value) {
      changes[column] = next;
      changed = true;
    }
  }
  return changed ? changes : undefined;
}
