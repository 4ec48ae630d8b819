/**
 * The data map: every column of every table says, in code, whether it holds personal data and,
 * if so, its category, why Ally keeps it, and for how long. A test checks the live schema
 * against this map, so a new column cannot arrive without an answer. Privacy features
 * (exports, erasure, retention purges) are built on it.
 */

export type DataCategory =
  | "identity" // names
  | "contact" // email, telephone
  | "address" // postal address
  | "credential" // password hashes, token hashes, second-factor secrets
  | "usage" // IP addresses, user agents, access times
  | "recruiting" // what a customer records about candidates and interviewers
  | "employment" // job titles, roles, working hours
  | "published"; // what a person chose to have published under their name (testimonials)

export type Retention =
  // until the account is closed; an account left with no organisation (its last membership
  // removed) cannot be signed in to or closed by its holder, so it is closed then, as its
  // holder would (accounts/former-members.ts)
  | "account"
  | "membership" // until the person leaves the organisation
  | "session" // until the session ends or expires
  | "token" // until the token is used or expires
  | "customer" // decided by the customer (controller); deleted with the organisation
  | "audit-2y" // two years, for security and accountability
  | "rate-limit-1d" // one day
  | "mail-90d" // sent mail, ninety days after sending
  | "request-3y" // a data-subject request's record, three years after it was answered
  | "usage-13m" // usage analytics (page views): thirteen months after the visit
  // a consent record: while it is the person's current choice, and three years after it is
  // replaced, withdrawn or lapses (consent/retention.ts)
  | "consent-proof"
  // a testimonial: its text until the person removes it, it is declined or the organisation
  // closes; then only the record of the consent steps (who, when, which version), three years
  // as proof when consent was given, thirty days when it never was; an unanswered request,
  // sixty days after its last step (testimonials/retention.ts)
  | "testimonial"
  | "survey-2y" // a candidate-experience survey and its answer, two years after the interview
  | "marketing" // a promotional-list subscription: until the person unsubscribes (or the list goes)
  | "suppression"; // an opt-out's keyed hash: as long as the opt-out must be honoured (kept)

/**
 * Every `Retention`, at run time (the retention registry and its tests enumerate it). The type
 * below fails to compile when a value of the union is missing here.
 */
export const RETENTIONS = [
  "account",
  "membership",
  "session",
  "token",
  "customer",
  "audit-2y",
  "rate-limit-1d",
  "mail-90d",
  "request-3y",
  "usage-13m",
  "consent-proof",
  "testimonial",
  "survey-2y",
  "marketing",
  "suppression",
] as const satisfies readonly Retention[];

/** `true` only when `RETENTIONS` lists every value of `Retention`. */
export type RetentionsListed =
  Exclude<Retention, (typeof RETENTIONS)[number]> extends never ? true : false;
const retentionsListed: RetentionsListed = true;
void retentionsListed;

export interface PersonalColumn {
  personal: true;
  category: DataCategory;
  purpose: string;
  retention: Retention;
}

export interface OtherColumn {
  personal: false;
}

export type ColumnNote = PersonalColumn | OtherColumn;

/** A column that holds no personal data (ids, flags, counters, timestamps of records). */
export const notPersonal: OtherColumn = { personal: false };

export function personal(
  category: DataCategory,
  purpose: string,
  retention: Retention,
): PersonalColumn {
  return { personal: true, category, purpose, retention };
}

/** Notes for every column of a module's tables, checked against the table types. */
export type TableNotes<Tables> = {
  [Table in keyof Tables]: { [Column in keyof Tables[Table]]-?: ColumnNote };
};
