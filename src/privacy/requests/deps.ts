/**
 * What the request commands need from outside the privacy module, passed in by the
 * composition root (src/app/compose.ts): privacy cannot import the modules that import it.
 */
import type { Transaction } from "kysely";
import type { Clock } from "../../clock.js";
import type { AnyHandle } from "../db.js";
import type { RecordSection } from "../export.js";
import type { PrivacyTables } from "../tables.js";

/**
 * A request command's transaction, opened on the privacy tables; passed as it is to the other
 * modules' functions (mail, holders, erasure), which narrow it to theirs.
 */
export type Tx = Transaction<PrivacyTables>;

export interface PrivacyMail {
  organisationId: string | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
}

/** Who holds data about an email address. */
export interface Holders {
  /** Customer organisations with candidate records for it (each the controller of its own). */
  organisations: Array<{ id: string; name: string }>;
  /** Whether an Ally account uses it (the operator is the controller). */
  accountHolder: boolean;
}

/** What one controller holds about a person, for the access package (export.ts). */
export interface CollectedRecords {
  sections: RecordSection[];
  interviewsIcs: string | null;
}

export interface PrivacyRequestDeps {
  db: AnyHandle;
  clock: Clock;
  /** The name people are told the operator goes by (the instance's operator). */
  operatorName: string;
  /** The policy version in force now; "1" until policy versions exist. */
  policyVersion(): string;
  /** Queues mail in the caller's transaction (mail/outbox.ts). */
  sendMail(tx: AnyHandle, message: PrivacyMail): Promise<void>;
  holdersOf(tx: AnyHandle, email: string): Promise<Holders>;
  /** Every record a controller (null: the operator) holds about the person, module by module. */
  collectRecords(
    db: AnyHandle,
    email: string,
    organisationId: string | null,
  ): Promise<CollectedRecords>;
  /** Where links in mail point, e.g. `https://ally.example.com`. */
  publicUrl: string;
  /**
   * Erases every record of the person held for a controller (null: the operator's), in the
   * caller's transaction (privacy/erasure). Until it is wired, erasure requests can be filed and
   * extended or refused, but not completed.
   */
  erase?: (
    tx: AnyHandle,
    email: string,
    organisationId: string | null,
  ) => Promise<{ finish(): Promise<unknown> }>;
}
