/**
 * The database handle modules pass to one another. It is a union of the whole schema's handle
 * and every module's narrowed one, so any of them can be passed on, but none can be queried as
 * it is: Kysely's query methods are not callable on the union. A module queries only through its
 * own narrowing function (`hiringDb(handle)`, `bookingDb(handle)`, ...), typed to its own tables.
 *
 * @example
 *   export async function candidateName(handle: AnyHandle, id: string) {
 *     const db = hiringDb(handle); // Kysely<HiringTables>
 *     return db.selectFrom("candidates").select("name").where("id", "=", id).executeTakeFirst();
 *   }
 */
import type { Kysely, Transaction } from "kysely";
import type { AccountsTables } from "../accounts/tables.js";
import type { AssistantTables } from "../assistant/tables.js";
import type { BookingLinkTables } from "../booking/link-tables.js";
import type { BookingTables } from "../booking/tables.js";
import type { CalendarTables } from "../calendar/tables.js";
import type { ConsentTables } from "../consent/tables.js";
import type { HiringTables } from "../hiring/tables.js";
import type { JobsTables } from "../jobs/tables.js";
import type { MailTables } from "../mail/tables.js";
import type { MarketingTables } from "../marketing/tables.js";
import type { PrivacyTables } from "../privacy/tables.js";
import type { RetentionTables } from "../retention/tables.js";
import type { SecretsTables } from "../secrets/tables.js";
import type { SurveysTables } from "../surveys/tables.js";
import type { TestimonialsTables } from "../testimonials/tables.js";
import type { Database } from "./schema.js";

/** The shared connection, a transaction, or any module's narrowed view of either. */
export type AnyHandle =
  | Kysely<Database>
  | Transaction<Database>
  | Kysely<AccountsTables>
  | Kysely<AssistantTables>
  | Kysely<BookingTables & BookingLinkTables>
  | Kysely<CalendarTables>
  | Kysely<ConsentTables>
  | Kysely<HiringTables>
  | Kysely<JobsTables>
  | Kysely<MailTables>
  | Kysely<MarketingTables>
  | Kysely<PrivacyTables>
  | Kysely<RetentionTables>
  | Kysely<SecretsTables>
  | Kysely<SurveysTables>
  | Kysely<TestimonialsTables>;
