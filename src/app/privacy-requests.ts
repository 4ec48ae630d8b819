/** Wires the privacy module's request commands to the modules they reach through functions. */

import {
  accountRecords,
  accountUserIds,
  hasAccount,
  organisationNames,
} from "../accounts/person-records.js";
import { assistantConversationsOf } from "../assistant/person-records.js";
import { addressOf } from "../booking/effects.js";
import { candidateInterviews } from "../booking/person-records.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { consentPersonRecords } from "../consent/erasure.js";
import { candidateIdsOf } from "../hiring/person-ids.js";
import { candidateRecords, organisationsWithCandidate } from "../hiring/person-records.js";
import { mintOrgId } from "../ids.js";
import { enqueueMail } from "../mail/outbox.js";
import { personMail } from "../mail/person-records.js";
import type { PrivacyRequestDeps } from "../privacy/requests/deps.js";
import type { Store } from "../store/database.js";
import type { AnyHandle } from "../store/handle.js";
import { candidateSurveyRecords } from "../surveys/person-records.js";
import {
  organisationsWithTestimonial,
  testimonialRecords,
} from "../testimonials/person-records.js";

/** The privacy policy version in force, until policy versions exist (issue 12). */
export const POLICY_VERSION = "1";

export function privacyRequestDeps(
  config: Config,
  store: Store,
  clock: Clock,
  erase?: PrivacyRequestDeps["erase"],
  /** The person's promotional subscriptions and opt-outs (marketing/person-records.ts). */
  marketing?: (
    db: AnyHandle,
    email: string,
    organisationId: string | null,
  ) => Promise<Array<Record<string, unknown>>>,
): PrivacyRequestDeps {
  return {
    db: store.db,
    clock,
    operatorName: "Ally (the operator of this service)",
    policyVersion: () => POLICY_VERSION,
    async sendMail(tx, message) {
      await enqueueMail(
        tx,
        {
          ...message,
          organisationId:
            message.organisationId === null ? null : mintOrgId(message.organisationId),
        },
        clock.now(),
        config.mail.from,
        config.mail.limits,
      );
    },
    async holdersOf(tx, email) {
      // Each organisation that recorded the person as a candidate or asked them for a testimonial.
      const ids = [
        ...new Set([
          ...(await organisationsWithCandidate(tx, email)),
          ...(await organisationsWithTestimonial(tx, email)),
        ]),
      ];
      return {
        organisations: await organisationNames(tx, ids),
        accountHolder: await hasAccount(tx, email),
      };
    },
    async collectRecords(db, email, organisationId) {
      const mail = await personMail(db, email, organisationId);
      const mailSections = [
        { module: "mail-sent", title: "Emails Ally sent you", records: mail.sent },
        { module: "mail-received", title: "Emails you sent to Ally", records: mail.received },
        ...(marketing === undefined
          ? []
          : [
              {
                module: "marketing",
                title: "Promotional email: your subscriptions, consent and opt-outs",
                records: await marketing(db, email, organisationId),
              },
            ]),
      ];
      if (organisationId === null) {
        const usage = await consentPersonRecords(db, await accountUserIds(db, email));
        return {
          sections: [
            {
              module: "accounts",
              title: "Your Ally account",
              records: await accountRecords(db, email),
            },
            ...mailSections,
            { module: "consent", title: "Your cookie choices", records: usage.consents },
            {
              module: "usage",
              title: "Pages you visited (with analytics consent)",
              records: usage.pageViews,
            },
          ],
          interviewsIcs: null,
        };
      }
      const [organisation] = await organisationNames(db, [organisationId]);
      const name = organisation?.name ?? "the organisation";
      const candidateIds = await candidateIdsOf(db, organisationId, email);
      const interviews = await candidateInterviews(db, organisationId, candidateIds, {
        attendee: { email },
        organizer: { email: addressOf(config.mail.from), name: `${name} via Ally` },
        host: new URL(config.http.publicUrl).hostname,
        dtstampEpochMs: clock.now(),
      });
      return {
        sections: [
          {
            module: "hiring",
            title: `Candidate records kept by ${name}`,
            records: await candidateRecords(db, organisationId, email),
          },
          {
            module: "booking",
            title: `Interviews arranged by ${name}`,
            records: interviews.records,
          },
          {
            module: "assistant",
            title: `Emails with Ally about your interviews with ${name}`,
            records: await assistantConversationsOf(db, organisationId, email),
          },
          {
            module: "testimonials",
            title: `Testimonials ${name} asked you for`,
            records: await testimonialRecords(db, organisationId, email),
          },
          {
            module: "surveys",
            title: `Interview surveys from ${name}`,
            records: await candidateSurveyRecords(db, organisationId, candidateIds),
          },
          ...mailSections,
        ],
        interviewsIcs: interviews.ics,
      };
    },
    publicUrl: config.http.publicUrl,
    ...(erase === undefined ? {} : { erase }),
  };
}
