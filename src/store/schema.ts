/** The whole schema: each module owns its tables; this only puts them together. */
import { type AccountsTables, accountsDataMap } from "../accounts/tables.js";
import { type AssistantTables, assistantDataMap } from "../assistant/tables.js";
import { type BookingLinkTables, bookingLinkDataMap } from "../booking/link-tables.js";
import { type BookingTables, bookingDataMap } from "../booking/tables.js";
import { type CalendarTables, calendarDataMap } from "../calendar/tables.js";
import { type ConsentTables, consentDataMap } from "../consent/tables.js";
import { type HiringTables, hiringDataMap } from "../hiring/tables.js";
import { type JobsTables, jobsDataMap } from "../jobs/tables.js";
import { type MailTables, mailDataMap } from "../mail/tables.js";
import { type MarketingTables, marketingDataMap } from "../marketing/tables.js";
import { type PrivacyTables, privacyDataMap } from "../privacy/tables.js";
import { type RetentionTables, retentionDataMap } from "../retention/tables.js";
import { type SecretsTables, secretsDataMap } from "../secrets/tables.js";
import { type SurveysTables, surveysDataMap } from "../surveys/tables.js";
import { type TestimonialsTables, testimonialsDataMap } from "../testimonials/tables.js";

export type Database = AccountsTables &
  AssistantTables &
  BookingLinkTables &
  BookingTables &
  CalendarTables &
  ConsentTables &
  HiringTables &
  JobsTables &
  MailTables &
  MarketingTables &
  PrivacyTables &
  RetentionTables &
  SecretsTables &
  SurveysTables &
  TestimonialsTables;

/** Every table's column notes (personal data category, purpose, retention). */
export const dataMap = {
  ...accountsDataMap,
  ...assistantDataMap,
  ...bookingLinkDataMap,
  ...bookingDataMap,
  ...calendarDataMap,
  ...consentDataMap,
  ...hiringDataMap,
  ...jobsDataMap,
  ...mailDataMap,
  ...marketingDataMap,
  ...privacyDataMap,
  ...retentionDataMap,
  ...secretsDataMap,
  ...testimonialsDataMap,
  ...surveysDataMap,
};
