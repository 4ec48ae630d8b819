/**
 * The composition root: builds Ally's services from `config` (what the web app, the workers and
 * the CLI share) and the workers that drain its durable queues. Nothing else wires modules
 * together; `web/` only serves HTTP and `jobs/` only runs queues.
 */

import { resolve } from "node:path";
import { accountsAddresses, accountsErasure } from "../accounts/erasure.js";
import { ERASE_ORGANISATION_JOB } from "../accounts/org-closure.js";
import { memberDirectory } from "../accounts/reads.js";
import { createAccountsService } from "../accounts/service.js";
import { type Assistant, createAssistant, FOLLOW_UP_JOB } from "../assistant/coordinator.js";
import { assistantErasure } from "../assistant/erasure.js";
import { assistantAddresses } from "../assistant/held-addresses.js";
import { eraseAssistantOfOrganisation } from "../assistant/organisation-erasure.js";
import {
  addressOf,
  COMPLETE_JOB,
  completionHandler,
  createBookingEffects,
  REMINDER_JOB,
  reminderHandler,
} from "../booking/effects.js";
import { bookingAddresses, bookingErasure } from "../booking/erasure.js";
import { createBookingLinks } from "../booking/links.js";
import { tellRecruitersOfRemovedInterviewer } from "../booking/member-removal.js";
import { eraseBookingOfOrganisation } from "../booking/organisation-erasure.js";
import { calendarReplyHandler } from "../booking/replies.js";
import { createBookingService, inlineSlotEngine, type SlotEngine } from "../booking/service.js";
import { createCalendarService } from "../calendar/connections.js";
import type { HttpClientOptions } from "../calendar/connectors/http.js";
import { calendarErasure } from "../calendar/erasure.js";
import { startEventWriteWorker } from "../calendar/event-writes.js";
import { removeMemberCalendars } from "../calendar/member-removal.js";
import {
  createOAuthConnections,
  createOAuthSources,
  type OAuthDeps,
  type ProviderEndpoints,
} from "../calendar/oauth-connections.js";
import { calendarOrganisationErasure } from "../calendar/organisation-erasure.js";
import { createPushChannels } from "../calendar/push.js";
import { startSyncWorker } from "../calendar/sync-worker.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { consentErasure, eraseConsentOfOrganisation } from "../consent/erasure.js";
import { hiringAddresses, hiringErasure } from "../hiring/erasure.js";
import { removeMemberFromPools } from "../hiring/member-removal.js";
import { eraseHiringOfOrganisation } from "../hiring/organisation-erasure.js";
import { createHiringService } from "../hiring/service.js";
import { mintOrgId } from "../ids.js";
import { eraseJobsOfOrganisation } from "../jobs/organisation-erasure.js";
import { startJobWorker } from "../jobs/scheduled-jobs.js";
import { mailErasure } from "../mail/erasure.js";
import { startInboundWorker } from "../mail/inbound.js";
import { createMailboxes } from "../mail/mailboxes/connections.js";
import { startMailboxPoller } from "../mail/mailboxes/poller.js";
import { eraseMailOfOrganisation } from "../mail/organisation-erasure.js";
import { enqueueMail } from "../mail/outbox.js";
import {
  folderTransport,
  type MailTransport,
  smtpTransport,
  startOutboxWorker,
} from "../mail/outbox-worker.js";
import {
  createReplyAddresses,
  type ReplyAddresses,
  replyAddressKeys,
} from "../mail/reply-address.js";
import { marketingErasure } from "../marketing/erasure.js";
import { marketingAddresses } from "../marketing/held-addresses.js";
import { createMarketingKeys, type MarketingKeys } from "../marketing/keys.js";
import { eraseMarketingOfOrganisation } from "../marketing/organisation-erasure.js";
import { marketingRecords } from "../marketing/person-records.js";
import { SEND_JOB, sendHandler } from "../marketing/send.js";
import {
  createMarketing,
  DEFAULT_BATCH_INTERVAL_MS,
  DEFAULT_BATCH_SIZE,
  type Marketing,
} from "../marketing/service.js";
import { submitContactMessage } from "../privacy/complaints.js";
import { type ErasureDeps, eraseInTransaction } from "../privacy/erasure.js";
import { auditErasure } from "../privacy/erasure-audit.js";
import { erasePrivacyOfOrganisation } from "../privacy/organisation-erasure.js";
import { createTombstones } from "../privacy/tombstones.js";
import { eraseRetentionOfOrganisation } from "../retention/organisation-erasure.js";
import {
  RETENTION_JOB,
  retentionPurgeHandler,
  scheduleRetentionPurge,
} from "../retention/purge-job.js";
import { type Keyring, singleKeyring } from "../secrets/keyring.js";
import { eraseSecretsOfOrganisation } from "../secrets/organisation-erasure.js";
import { createSecretStore, type SecretStore } from "../secrets/secret-store.js";
import type { Store } from "../store/database.js";
import { surveysErasure } from "../surveys/erasure.js";
import { eraseSurveysOfOrganisation } from "../surveys/organisation-erasure.js";
import { SURVEY_SWEEP_JOB, scheduleSurveySweep, surveySweepHandler } from "../surveys/sweep.js";
import { testimonialsErasure } from "../testimonials/erasure.js";
import { testimonialsAddresses } from "../testimonials/held-addresses.js";
import { eraseTestimonialsOfOrganisation } from "../testimonials/organisation-erasure.js";
import { createTestimonials } from "../testimonials/service.js";
import { candidateBookingFor } from "../web/booking-adapter.js";
import type { WebDeps } from "../web/env.js";
import { calendarMembers } from "./calendar-members.js";
import { createDeadLetters } from "./dead-letters.js";
import { readiness } from "./health.js";
import { type Logger, lineLogger, silentLogger } from "./logger.js";
import { mailboxDepsFor } from "./mailboxes.js";
import { marketingOptOutMailHandler } from "./marketing-opt-out-mail.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { privacyContactMailHandler } from "./privacy-contact-mail.js";
import {
  answerersFor,
  DEADLINE_NOTICE_JOB,
  DEADLINE_SWEEP_JOB,
  deadlineNoticeHandler,
  deadlineSweepHandler,
  scheduleDeadlineSweep,
} from "./privacy-deadlines.js";
import { privacyRequestDeps } from "./privacy-requests.js";

/** What tests replace: where Google and Microsoft answer, and how their HTTP clients wait. */
export interface DepsOverrides {
  /** Where options are computed; in-process unless given (`startServer` gives a worker pool). */
  engine?: SlotEngine;
  providerEndpoints?: ProviderEndpoints;
  providerHttp?: Partial<HttpClientOptions>;
  log?: (line: string) => void;
  /** The process's structured log (app/logger.ts); silent unless given. */
  logger?: Logger;
  /** The process's metrics (app/metrics.ts); a fresh registry unless given. */
  metrics?: Metrics;
}

/** What the Google and Microsoft connections need; shared by the web app and the workers. */
export function oauthDepsFor(
  config: Config,
  store: Store,
  clock: Clock,
  box: SecretStore,
  overrides: DepsOverrides = {},
): OAuthDeps {
  return {
    db: store.db,
    clock,
    box,
    push: createPushChannels({ db: store.db, clock }),
    clients: config.calendar,
    allowPrivateHosts: config.calendar.allowPrivateHosts,
    publicUrl: config.http.publicUrl,
    ...(overrides.providerEndpoints === undefined
      ? {}
      : { endpoints: overrides.providerEndpoints }),
    ...(overrides.providerHttp === undefined ? {} : { http: overrides.providerHttp }),
    ...(overrides.log === undefined ? {} : { log: overrides.log }),
  };
}

/** `keys`: the keyring, or one key as master key version 1 (as tests pass it). */
export function buildDeps(
  config: Config,
  store: Store,
  clock: Clock,
  keys: Keyring | Buffer,
  overrides: DepsOverrides = {},
): WebDeps {
  const keyring = Buffer.isBuffer(keys) ? singleKeyring(keys) : keys;
  const log = overrides.logger ?? silentLogger();
  const metrics =
    overrides.metrics ??
    createMetrics({ store, clock, syncIntervalMs: config.calendar.syncMinutes * 60_000 });
  const box = createSecretStore({ db: store.db, keyring, clock });
  const oauthDeps = oauthDepsFor(config, store, clock, box, {
    ...overrides,
    log: overrides.log ?? lineLogger(log, "warn"),
  });
  const calendars = createCalendarService({
    db: store.db,
    clock,
    box,
    members: calendarMembers(store.db),
    syncIntervalMs: config.calendar.syncMinutes * 60_000,
    allowPrivateHosts: config.calendar.allowPrivateHosts,
    mailFrom: config.mail.from,
    publicUrl: config.http.publicUrl,
    oauth: createOAuthSources(oauthDeps),
  });
  const bookingLinks = createBookingLinks({ db: store.db, clock });
  const tombstones = createTombstones(keyring);
  const outboxDirectory =
    config.mail.smtpUrl === undefined ? resolve(config.mail.outboxDir) : undefined;
  const replyAddresses = replyAddressesFor(config, keyring);
  const booking = bookingFor(config, store, clock, {
    calendars,
    bookingLinks,
    replyAddresses,
    engine: metrics.countBudgetStops(overrides.engine ?? inlineSlotEngine),
  });
  const hiring = createHiringService({ db: store.db, clock, tombstones });
  const marketingKeys = createMarketingKeys(keyring);
  const marketing = marketingFor(config, store, clock, marketingKeys);
  const assistant = assistantFor(config, store, clock, {
    booking,
    hiring,
    bookingLinks,
    replyAddresses,
    marketing,
  });
  const erasure: ErasureDeps = {
    db: store.db,
    clock,
    tombstones,
    // Identified in this order, erased in the reverse (privacy/erasure.ts).
    modules: [
      accountsErasure,
      hiringErasure,
      bookingErasure,
      calendarErasure({ revoke: (row) => createOAuthSources(oauthDeps).revoke(row) }),
      mailErasure(outboxDirectory === undefined ? {} : { outboxDirectory }),
      assistantErasure,
      consentErasure,
      surveysErasure,
      marketingErasure({ keys: marketingKeys, now: () => clock.now() }),
      auditErasure,
      testimonialsErasure,
    ],
    heldAddresses: [
      accountsAddresses,
      assistantAddresses,
      bookingAddresses,
      hiringAddresses,
      testimonialsAddresses,
      marketingAddresses,
    ],
  };
  return {
    config,
    store,
    clock,
    accounts: accountsFor(config, store, clock, box, oauthDeps),
    hiring,
    assistant,
    calendars,
    calendarAccounts: createOAuthConnections({
      ...oauthDeps,
      syncConnection: (id) => calendars.syncConnection(id),
    }),
    push: oauthDeps.push ?? createPushChannels({ db: store.db, clock }),
    booking,
    bookingLinks,
    candidateBooking: candidateBookingFor({
      store,
      clock,
      booking,
      box,
      allowPrivateHosts: config.calendar.allowPrivateHosts,
      calendarIdentity: {
        organizerAddress: addressOf(config.mail.from),
        host: new URL(config.http.publicUrl).hostname,
      },
    }),
    outboxDirectory,
    mailboxes: createMailboxes(mailboxDepsFor(config, store, clock, box, tombstones)),
    deadLetters: createDeadLetters({ store, clock }),
    testimonials: createTestimonials({
      db: store.db,
      clock,
      mailFrom: config.mail.from,
      publicUrl: config.http.publicUrl,
      mailLimits: config.mail.limits,
      tombstones,
    }),
    tombstones,
    erasure,
    privacy: privacyRequestDeps(
      config,
      store,
      clock,
      async (tx, email, organisationId) =>
        eraseInTransaction(erasure, tx, {
          email,
          ...(organisationId === null ? {} : { orgId: mintOrgId(organisationId) }),
        }),
      (db, email, organisationId) => marketingRecords(db, marketingKeys, email, organisationId),
    ),
    marketing,
    inboundHandlers: inboundHandlersFor(config, store, clock, {
      booking,
      replyAddresses,
      marketing,
      assistant,
    }),
    log,
    operations: {
      recordRequest: (request) => metrics.recordRequest(request),
      metrics: () => metrics.exposition(),
      readiness: () => readiness(store),
      metricsToken: config.operations.metricsToken,
    },
  };
}

/** Inbound mail, in the order its handlers are asked: the first to take a message keeps it. */
function inboundHandlersFor(
  config: Config,
  store: Store,
  clock: Clock,
  deps: {
    booking: WebDeps["booking"];
    replyAddresses: ReplyAddresses;
    marketing: Marketing;
    assistant: Assistant;
  },
): WebDeps["inboundHandlers"] {
  const { booking, replyAddresses, marketing, assistant } = deps;
  return [
    calendarReplyHandler({
      db: store.db,
      clock,
      booking,
      replyAddresses,
      requireDmarcPass: config.mail.trustedAuthservId !== undefined,
    }),
    // "Opt out" (and its other phrasings) in the subject of mail to a service address.
    marketingOptOutMailHandler({
      db: store.db,
      marketing,
      domain: config.mail.replyDomain,
      privacyContact: config.privacy.privacyContact,
      mailFrom: config.mail.from,
      now: () => clock.now(),
    }),
    // Mail to the privacy contact address joins the privacy queue, before the assistant.
    privacyContactMailHandler({
      address: config.privacy.privacyContact,
      ownDomain: config.mail.replyDomain,
      now: () => clock.now(),
      contact: (now) => ({
        db: store.db,
        now,
        settings: config.privacy,
        mail: (trx, message, at) => enqueueMail(trx, message, at, config.mail.from),
      }),
    }),
    assistant.handler,
  ];
}

/**
 * The booking commands, with their effects (calendar events, invitations, reminders) and the
 * candidate's links.
 */
function bookingFor(
  config: Config,
  store: Store,
  clock: Clock,
  deps: {
    calendars: WebDeps["calendars"];
    bookingLinks: WebDeps["bookingLinks"];
    replyAddresses: ReplyAddresses;
    engine: Parameters<typeof createBookingService>[0]["engine"];
  },
): WebDeps["booking"] {
  return createBookingService({
    db: store.db,
    dialect: store.dialect,
    clock,
    links: deps.bookingLinks,
    calendars: deps.calendars,
    effects: createBookingEffects({
      clock,
      mailFrom: config.mail.from,
      replyAddress: (binding) => deps.replyAddresses.addressFor(binding),
      publicUrl: config.http.publicUrl,
      reminderMinutesBefore: config.booking.reminderMinutesBefore,
      // The candidate's confirmation carries a link of its own to reschedule or cancel; the
      // link they booked with keeps working too.
      candidateLink: async (trx, orgId, requestId) => {
        const { token } = await deps.bookingLinks.issue(
          trx,
          mintOrgId(orgId),
          requestId,
          undefined,
          { revokeEarlier: false },
        );
        return `${config.http.publicUrl}/book/${token}`;
      },
      revokeLinks: (trx, orgId, requestId) =>
        deps.bookingLinks.revokeForRequest(trx, mintOrgId(orgId), requestId),
    }),
    mailFrom: config.mail.from,
    publicUrl: config.http.publicUrl,
    engine: deps.engine,
  });
}

/**
 * Accounts, with what removing a member and erasing a closed organisation ask of the other
 * modules.
 */
function accountsFor(
  config: Config,
  store: Store,
  clock: Clock,
  box: SecretStore,
  oauthDeps: OAuthDeps,
): WebDeps["accounts"] {
  return createAccountsService({
    db: store.db,
    clock,
    box,
    publicUrl: config.http.publicUrl,
    mailFrom: config.mail.from,
    sessionTtlMs: config.sessionTtlHours * 3_600_000,
    mailLimits: config.mail.limits,
    // Booked interviews first (their recruiters are told), then calendars, then pools.
    memberRemovalSteps: [
      (trx, orgId, member) =>
        tellRecruitersOfRemovedInterviewer(
          { clock, mailFrom: config.mail.from, publicUrl: config.http.publicUrl },
          trx,
          orgId,
          member,
        ),
      (trx, orgId, member) => removeMemberCalendars(trx, orgId, member.userId),
      (trx, orgId, member) => removeMemberFromPools(trx, orgId, member.userId),
    ],
    // A closed organisation's erasure: dependents first, each module over its own tables.
    organisationErasureSteps: [
      { module: "assistant", erase: eraseAssistantOfOrganisation },
      { module: "testimonials", erase: eraseTestimonialsOfOrganisation },
      { module: "surveys", erase: eraseSurveysOfOrganisation },
      { module: "booking", erase: eraseBookingOfOrganisation },
      {
        module: "calendar",
        ...calendarOrganisationErasure({
          revoke: (row) => createOAuthSources(oauthDeps).revoke(row),
        }),
      },
      { module: "mail", erase: eraseMailOfOrganisation },
      { module: "marketing", erase: eraseMarketingOfOrganisation },
      { module: "consent", erase: eraseConsentOfOrganisation },
      { module: "hiring", erase: eraseHiringOfOrganisation },
      { module: "jobs", erase: eraseJobsOfOrganisation },
      { module: "retention", erase: eraseRetentionOfOrganisation },
      { module: "privacy", erase: erasePrivacyOfOrganisation },
      { module: "secrets", erase: eraseSecretsOfOrganisation },
    ],
  });
}

/** The email assistant (assistant/coordinator.ts), driving the booking commands. */
function assistantFor(
  config: Config,
  store: Store,
  clock: Clock,
  deps: {
    booking: WebDeps["booking"];
    hiring: WebDeps["hiring"];
    bookingLinks: WebDeps["bookingLinks"];
    replyAddresses: ReplyAddresses;
    marketing: Marketing;
  },
): Assistant {
  return createAssistant({
    db: store.db,
    clock,
    booking: deps.booking,
    domain: config.mail.replyDomain,
    mailFrom: config.mail.from,
    publicUrl: config.http.publicUrl,
    replyAddresses: deps.replyAddresses,
    threshold: config.understand.threshold,
    dailyLimit: config.assistant?.messagesPerThreadPerDay ?? 4,
    requireDmarcPass: config.mail.trustedAuthservId !== undefined,
    defaults: { durationMinutes: 60, windowDays: 10 },
    directory: {
      members: (orgId) => memberDirectory(store.db, orgId),
      jobs: async (actor) =>
        (await deps.hiring.listJobs(actor)).map((job) => ({ id: job.id, title: job.title })),
      async candidateFor(actor, person) {
        const existing = (await deps.hiring.listCandidates(actor)).find(
          (c) => c.email.toLowerCase() === person.email,
        );
        if (existing !== undefined) return existing.id;
        const name = person.name || person.email.split("@")[0] || person.email;
        return (await deps.hiring.createCandidate(actor, { name, email: person.email })).id;
      },
      async bookingLink(orgId, requestId) {
        const { token } = await store.db
          .transaction()
          .execute((trx) =>
            deps.bookingLinks.issue(trx, orgId, requestId, undefined, { revokeEarlier: false }),
          );
        return `${config.http.publicUrl}/book/${token}`;
      },
    },
    async privacy(input) {
      await submitContactMessage(
        {
          db: store.db,
          now: clock.now(),
          settings: config.privacy,
          mail: (trx, message, now) => enqueueMail(trx, message, now, config.mail.from),
        },
        { ...input, topic: "request" },
      );
    },
    optOut: (orgId, email) => deps.marketing.optOutOfOrganisation(orgId, email),
  });
}

/** The service mailbox `LOCAL@replyDomain`, LOCAL being MAIL_FROM's local part. */
function serviceMailbox(config: Config): string {
  const local = /([^<\s@]+)@[^>\s]+/.exec(config.mail.from)?.[1] ?? "ally";
  return `${local}@${config.mail.replyDomain}`;
}

/** Promotional lists and their sends (marketing/). */
function marketingFor(config: Config, store: Store, clock: Clock, keys: MarketingKeys): Marketing {
  return createMarketing({
    db: store.db,
    clock,
    keys,
    publicUrl: config.http.publicUrl,
    mailFrom: config.mail.from,
    unsubscribeMailbox: serviceMailbox(config),
    mailLimits: config.mail.limits,
    batchSize: DEFAULT_BATCH_SIZE,
    batchIntervalMs: DEFAULT_BATCH_INTERVAL_MS,
  });
}

/** Reply addresses `LOCAL+TOKEN@replyDomain`, LOCAL being MAIL_FROM's local part. */
export function replyAddressesFor(config: Config, keyring: Keyring): ReplyAddresses {
  const local = /([^<\s@]+)@[^>\s]+/.exec(config.mail.from)?.[1] ?? "ally";
  return createReplyAddresses({
    keys: replyAddressKeys(keyring),
    mailbox: `${local}@${config.mail.replyDomain}`,
  });
}

export function mailTransport(config: Config): MailTransport {
  return config.mail.smtpUrl !== undefined
    ? smtpTransport(config.mail.smtpUrl)
    : folderTransport(resolve(config.mail.outboxDir));
}

export interface RunningWorkers {
  /** Lets each worker finish the unit in hand, then stops them all. */
  stop(): Promise<void>;
}

/**
 * Starts the workers that drain Ally's durable queues (jobs/lease-queue.ts): the outbox,
 * inbound mail, calendar event writes, calendar sync and scheduled jobs, with the intervals,
 * leases, attempts and jitter of `config.queue`. Any number of processes may run them at once.
 */
export async function startWorkers(
  config: Config,
  store: Store,
  clock: Clock,
  keyring: Keyring,
  deps: Pick<
    WebDeps,
    | "calendars"
    | "inboundHandlers"
    | "accounts"
    | "log"
    | "tombstones"
    | "privacy"
    | "assistant"
    | "erasure"
    | "marketing"
  >,
  metrics?: Metrics,
): Promise<RunningWorkers> {
  // Queue workers log plain lines (each job's outcome, failures): into the structured log.
  const log = lineLogger(deps.log.child({ component: "worker" }));
  const queue = config.queue;
  const shared = { db: store.db, clock, jitter: queue.jitter, maxAttempts: queue.maxAttempts, log };
  // Sending one message or handling one reply takes seconds, and their retries wait in
  // multiples of the lease: at most a minute's lease for mail.
  const mailLeaseMs = Math.min(queue.leaseMs, 60_000);
  // The recurring jobs are set up before any worker starts, so none of these writes waits on a
  // worker's transaction.
  await scheduleRetentionPurge(store.db, clock.now(), clock.now());
  await scheduleDeadlineSweep(store.db, clock.now(), clock.now());
  await scheduleSurveySweep(store.db, clock.now(), clock.now());
  const outbox = startOutboxWorker({
    ...shared,
    transport:
      metrics === undefined ? mailTransport(config) : metrics.countMail(mailTransport(config)),
    from: config.mail.from,
    pollMs: config.mail.pollMs,
    footer: `Privacy policy: ${config.http.publicUrl}/privacy`,
    leaseMs: mailLeaseMs,
  });
  const sync = startSyncWorker({
    calendars: deps.calendars,
    pollMs: queue.syncPollMs,
    leaseMs: queue.leaseMs,
    queue: { db: store.db, clock, syncIntervalMs: config.calendar.syncMinutes * 60_000 },
    log,
  });
  const inbound = startInboundWorker({
    ...shared,
    handlers: deps.inboundHandlers,
    pollMs: config.mail.pollMs,
    leaseMs: mailLeaseMs,
  });
  const box = createSecretStore({ db: store.db, keyring, clock });
  const eventWriter = startEventWriteWorker({
    ...shared,
    box,
    oauth: createOAuthSources(oauthDepsFor(config, store, clock, box, { log })),
    allowPrivateHosts: config.calendar.allowPrivateHosts,
    pollMs: queue.pollMs,
    leaseMs: queue.leaseMs,
  });
  const mailboxes = startMailboxPoller({
    ...mailboxDepsFor(config, store, clock, box, deps.tombstones),
    intervalMs: config.mail.mailboxes.pollSeconds * 1000,
    pollMs: queue.pollMs,
    log,
  });
  const jobs = startJobWorker({
    ...shared,
    handlers: {
      [REMINDER_JOB]: reminderHandler({
        db: store.db,
        mailFrom: config.mail.from,
        now: () => clock.now(),
      }),
      [COMPLETE_JOB]: completionHandler({ db: store.db, now: () => clock.now() }),
      [RETENTION_JOB]: retentionPurgeHandler({ db: store.db, clock, erasure: deps.erasure, log }),
      [DEADLINE_SWEEP_JOB]: deadlineSweepHandler({ db: store.db, clock }),
      [SURVEY_SWEEP_JOB]: surveySweepHandler({
        db: store.db,
        clock,
        mailFrom: config.mail.from,
        publicUrl: config.http.publicUrl,
        log,
      }),
      [DEADLINE_NOTICE_JOB]: deadlineNoticeHandler(
        deps.privacy,
        answerersFor(config.privacy.privacyContact),
      ),
      [SEND_JOB]: sendHandler({
        db: store.db,
        now: () => clock.now(),
        keys: createMarketingKeys(keyring),
        publicUrl: config.http.publicUrl,
        mailFrom: config.mail.from,
        unsubscribeMailbox: serviceMailbox(config),
        mailLimits: config.mail.limits,
        batchSize: DEFAULT_BATCH_SIZE,
        batchIntervalMs: DEFAULT_BATCH_INTERVAL_MS,
      }),
      [FOLLOW_UP_JOB]: async (job) => {
        await deps.assistant?.followUp(job);
      },
      [ERASE_ORGANISATION_JOB]: async (job) => {
        const organisationId = job.payload.organisationId;
        if (typeof organisationId === "string") {
          await deps.accounts.eraseClosedOrganisation(organisationId);
        }
      },
    },
    pollMs: queue.pollMs,
    leaseMs: queue.leaseMs,
  });
  return {
    async stop() {
      await jobs.stop();
      await mailboxes.stop();
      await inbound.stop();
      await eventWriter.stop();
      await sync.stop();
      await outbox.stop();
    },
  };
}
