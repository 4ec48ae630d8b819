/**
 * The retention registry: one rule per retention category, in words for the admin page and the
 * operator's `ally retention`, and the module purges that enforce them.
 *
 * A category is a `Retention` of the data map (privacy/data-map.ts), or one of the kinds of
 * non-personal work records that are not kept for ever either (finished jobs, event writes,
 * dead letters). `RETENTION_RULES` is a `Record` over all of them, so a new `Retention` value
 * does not compile until it has a rule here; `test/retention/registry.test.ts` checks at run
 * time that every category the data map uses has a rule, and that every purged one is
 * reported by some module's purge.
 *
 * Each module removes its own rows (`src/<module>/retention.ts`, `purgeExpired`); this list only
 * calls them. Adding a module's purge is one line in `MODULE_PURGES`.
 */
import { purgeExpired as accountsPurge } from "../accounts/retention.js";
import { purgeExpired as assistantPurge } from "../assistant/retention.js";
import { purgeExpired as bookingPurge } from "../booking/retention.js";
import { purgeExpired as calendarPurge } from "../calendar/retention.js";
import { purgeExpired as consentPurge } from "../consent/retention.js";
import { purgeExpired as jobsPurge } from "../jobs/retention.js";
import { purgeExpired as mailPurge } from "../mail/retention.js";
import { purgeExpired as marketingPurge } from "../marketing/retention.js";
import type { Retention } from "../privacy/data-map.js";
import { purgeExpired as privacyPurge } from "../privacy/retention.js";
import type { ModulePurge } from "../privacy/retention-limits.js";
import { purgeExpired as surveysPurge } from "../surveys/retention.js";
import { purgeExpired as testimonialsPurge } from "../testimonials/retention.js";

/** Work records with a limit of their own, beside the data map's retentions. */
export const WORK_CATEGORIES = ["finished-jobs", "event-writes", "dead-letters"] as const;
export type WorkCategory = (typeof WORK_CATEGORIES)[number];
export type RetentionCategory = Retention | WorkCategory;

export interface RetentionRule {
  /** What is kept, for a heading: "Sessions". */
  name: string;
  /** The rule in words: "removed when the session expires". */
  rule: string;
  /** The limit in words: "two years", "at expiry". */
  limit: string;
  /**
   * `purge`: the daily purge removes it (some module's purge reports the category).
   * `event`: removed when something happens (an account closed, a member removed), not by time.
   */
  enforcedBy: "purge" | "event";
  /** Who decides the limit: Ally's operator, or each organisation (its own setting). */
  controller: "operator" | "organisation";
}

export const RETENTION_RULES: Record<RetentionCategory, RetentionRule> = {
  account: {
    name: "Accounts",
    rule: "removed when the account is closed by its holder, or when its last membership ends",
    limit: "account closure",
    enforcedBy: "event",
    controller: "operator",
  },
  membership: {
    name: "Memberships, calendars and interviewer settings",
    rule: "removed when the person leaves the organisation",
    limit: "leaving the organisation",
    enforcedBy: "event",
    controller: "operator",
  },
  session: {
    name: "Sessions",
    rule: "removed when expired",
    limit: "at expiry",
    enforcedBy: "purge",
    controller: "operator",
  },
  token: {
    name: "Links and one-time tokens",
    rule: "removed when used or expired",
    limit: "at use or expiry",
    enforcedBy: "purge",
    controller: "operator",
  },
  customer: {
    name: "Closed interview requests and their candidates",
    rule: "erased (as by an erasure request, without blocking the person from applying again) once every request of the candidate has been closed for the organisation's limit",
    limit: "months after closing, set by the organisation",
    enforcedBy: "purge",
    controller: "organisation",
  },
  "audit-2y": {
    name: "Audit log and answered privacy messages",
    rule: "removed two years after the entry, or after the answer",
    limit: "two years",
    enforcedBy: "purge",
    controller: "operator",
  },
  "rate-limit-1d": {
    name: "Rate limits, failed sign-ins and request codes",
    rule: "removed a day after",
    limit: "one day",
    enforcedBy: "purge",
    controller: "operator",
  },
  "mail-90d": {
    name: "Mail",
    rule: "removed ninety days after it was sent or handled (or set aside); waiting mail is kept until done",
    limit: "ninety days",
    enforcedBy: "purge",
    controller: "operator",
  },
  "request-3y": {
    name: "Privacy requests",
    rule: "removed three years after the request was completed or refused; open ones are kept",
    limit: "three years",
    enforcedBy: "purge",
    controller: "operator",
  },
  "usage-13m": {
    name: "Usage analytics",
    rule: "page views removed thirteen months after the visit",
    limit: "thirteen months",
    enforcedBy: "purge",
    controller: "operator",
  },
  "consent-proof": {
    name: "Cookie consent records",
    rule: "kept while it is the person's choice; removed three years after it is replaced, withdrawn or lapses",
    limit: "three years after it ends",
    enforcedBy: "purge",
    controller: "operator",
  },
  testimonial: {
    name: "Testimonials",
    rule: "the text is deleted when the person removes it or it is declined; the record of a given consent three years after, one never given thirty days after, an unanswered request sixty days after its last step",
    limit: "until removed; proof three years",
    enforcedBy: "purge",
    controller: "operator",
  },
  "survey-2y": {
    name: "Interview surveys",
    rule: "a survey and its answer removed two years after the interview it asks about",
    limit: "two years",
    enforcedBy: "purge",
    controller: "operator",
  },
  marketing: {
    name: "Promotional email subscriptions",
    rule: "a subscription kept until the person unsubscribes; an unconfirmed sign-up removed after seven days; deliveries and opens removed thirteen months after",
    limit: "until unsubscribed",
    enforcedBy: "purge",
    controller: "operator",
  },
  suppression: {
    name: "Promotional opt-outs",
    rule: "kept as a keyed hash of the address for as long as the opt-out must be honoured; never purged",
    limit: "while the opt-out must be honoured",
    enforcedBy: "event",
    controller: "operator",
  },
  "finished-jobs": {
    name: "Finished background jobs",
    rule: "removed thirty days after they finished",
    limit: "thirty days",
    enforcedBy: "purge",
    controller: "operator",
  },
  "event-writes": {
    name: "Calendar event writes",
    rule: "removed thirty days after the event was written",
    limit: "thirty days",
    enforcedBy: "purge",
    controller: "operator",
  },
  "dead-letters": {
    name: "Dead letters",
    rule: "removed ninety days after the queue gave up on them",
    limit: "ninety days",
    enforcedBy: "purge",
    controller: "operator",
  },
};

/** Every category, in the order the pages show them. */
export const RETENTION_CATEGORIES = Object.keys(RETENTION_RULES) as RetentionCategory[];

/**
 * Every module's purge, run in this order by the daily purge, each in its own transaction.
 * A module adds its own: `{ module: "surveys", purge: surveysPurge },`.
 */
export const MODULE_PURGES: readonly { module: string; purge: ModulePurge }[] = [
  { module: "accounts", purge: accountsPurge },
  { module: "assistant", purge: assistantPurge },
  { module: "booking", purge: bookingPurge },
  { module: "calendar", purge: calendarPurge },
  { module: "consent", purge: consentPurge },
  { module: "jobs", purge: jobsPurge },
  { module: "mail", purge: mailPurge },
  { module: "marketing", purge: marketingPurge },
  { module: "privacy", purge: privacyPurge },
  { module: "surveys", purge: surveysPurge },
  { module: "testimonials", purge: testimonialsPurge },
];
