/**
 * `ally serve`: opens the database, applies pending migrations, starts the HTTP server, the
 * outbox worker, the calendar sync worker and the calendar event writer, and shuts down gracefully (stops accepting,
 * finishes requests in flight, stops the workers, closes the database) on SIGINT or SIGTERM. Nothing is kept only in memory, so any
 * number of processes can share one PostgreSQL database.
 */
import { resolve } from "node:path";
import { serve } from "@hono/node-server";
import { mintOrgId } from "../accounts/ids.js";
import { createAccountsService } from "../accounts/service.js";
import { calendarMembers } from "../app/calendar-members.js";
import {
  COMPLETE_JOB,
  completionHandler,
  createBookingEffects,
  REMINDER_JOB,
  reminderHandler,
} from "../booking/effects.js";
import { createBookingLinks } from "../booking/links.js";
import { calendarReplyHandler } from "../booking/replies.js";
import { createBookingService, type SlotEngine } from "../booking/service.js";
import { createCalendarService } from "../calendar/connections.js";
import type { HttpClientOptions } from "../calendar/connectors/http.js";
import { startEventWriteWorker } from "../calendar/event-writes.js";
import {
  createOAuthConnections,
  createOAuthSources,
  type OAuthDeps,
  type ProviderEndpoints,
} from "../calendar/oauth-connections.js";
import { createPushChannels } from "../calendar/push.js";
import { startSyncWorker } from "../calendar/sync-worker.js";
import { type Clock, systemClock } from "../clock.js";
import type { Config } from "../config.js";
import { createEnginePool } from "../engine-pool/pool.js";
import { createHiringService } from "../hiring/service.js";
import { startJobWorker } from "../jobs/scheduled-jobs.js";
import { startInboundWorker } from "../mail/inbound.js";
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
import { mailRetentionHandler, PURGE_JOB, scheduleMailRetention } from "../mail/retention.js";
import { startSmtpListener } from "../mail/smtp-listener.js";
import { type Keyring, singleKeyring } from "../secrets/keyring.js";
import { loadKeyring } from "../secrets/load-keyring.js";
import { checkDataKeys } from "../secrets/rotate.js";
import { createSecretStore, type SecretStore } from "../secrets/secret-store.js";
import { openStore, type Store } from "../store/database.js";
import { migrateToLatest } from "../store/migrations.js";
import { createApp } from "./app.js";
import { candidateBookingFor } from "./booking-adapter.js";
import type { WebDeps } from "./env.js";
import { isLoopbackHost } from "./pages/dev-pages.js";

/** What tests replace: where Google and Microsoft answer, and how their HTTP clients wait. */
export interface DepsOverrides {
  /** Where options are computed; in-process unless given (`startServer` gives a worker pool). */
  engine?: SlotEngine;
  providerEndpoints?: ProviderEndpoints;
  providerHttp?: Partial<HttpClientOptions>;
  log?: (line: string) => void;
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
  const box = createSecretStore({ db: store.db, keyring, clock });
  const oauthDeps = oauthDepsFor(config, store, clock, box, overrides);
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
  const replyAddresses = replyAddressesFor(config, keyring);
  const booking = createBookingService({
    db: store.db,
    dialect: store.dialect,
    clock,
    calendars,
    effects: createBookingEffects({
      clock,
      mailFrom: config.mail.from,
      replyAddress: (binding) => replyAddresses.addressFor(binding),
      publicUrl: config.http.publicUrl,
      reminderMinutesBefore: config.booking.reminderMinutesBefore,
      // The candidate's confirmation carries a link of its own to reschedule or cancel; the
      // link they booked with keeps working too.
      candidateLink: async (trx, orgId, requestId) => {
        const { token } = await bookingLinks.issue(trx, mintOrgId(orgId), requestId, undefined, {
          revokeEarlier: false,
        });
        return `${config.http.publicUrl}/book/${token}`;
      },
      revokeLinks: (trx, orgId, requestId) =>
        bookingLinks.revokeForRequest(trx, mintOrgId(orgId), requestId),
    }),
    mailFrom: config.mail.from,
    publicUrl: config.http.publicUrl,
    ...(overrides.engine === undefined ? {} : { engine: overrides.engine }),
  });
  return {
    config,
    store,
    clock,
    accounts: createAccountsService({
      db: store.db,
      clock,
      box,
      publicUrl: config.http.publicUrl,
      mailFrom: config.mail.from,
      sessionTtlMs: config.sessionTtlHours * 3_600_000,
      mailLimits: config.mail.limits,
    }),
    hiring: createHiringService({ db: store.db, clock }),
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
      bookingLinks,
      box,
      allowPrivateHosts: config.calendar.allowPrivateHosts,
    }),
    outboxDirectory: config.mail.smtpUrl === undefined ? resolve(config.mail.outboxDir) : undefined,
    inboundHandlers: [
      calendarReplyHandler({
        db: store.db,
        clock,
        booking,
        replyAddresses,
        requireDmarcPass: config.mail.trustedAuthservId !== undefined,
      }),
    ],
  };
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

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  // The key first: refusing to start must not leave a migrated database or open connections.
  const keyring = loadKeyring(
    config,
    config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
  );
  const store = openStore(config.database.url);
  const { applied } = await migrateToLatest(store.db, store.dialect).catch(async (error) => {
    await store.close();
    throw error;
  });
  if (applied.length > 0) log(`ally: applied migrations: ${applied.join(", ")}`);
  // Fail closed, loudly: secrets whose data key does not unwrap stay sealed, and their
  // features refuse to work, while everything else serves.
  for (const problem of await checkDataKeys(store.db, keyring)) log(`ally: warning: ${problem}`);
  const clock = systemClock;
  // Options are computed on worker threads: one costly request must not stall the others.
  const enginePool = createEnginePool({ size: config.engine.workers });
  const deps = buildDeps(config, store, clock, keyring, { engine: enginePool });
  const { app } = createApp(deps);
  const worker = startOutboxWorker({
    db: store.db,
    clock,
    transport: mailTransport(config),
    from: config.mail.from,
    pollMs: config.mail.pollMs,
    log: (line) => console.error(line),
  });
  const syncWorker = startSyncWorker({
    calendars: deps.calendars,
    pollMs: 60_000,
    log: (line) => console.error(line),
  });
  const inbound = config.mail.inbound;
  const smtpListener =
    inbound === undefined
      ? undefined
      : await startSmtpListener({
          db: store.db,
          clock,
          host: inbound.host,
          port: inbound.port,
          domain: inbound.domain,
          ...(config.mail.trustedAuthservId === undefined
            ? {}
            : { trustedAuthservId: config.mail.trustedAuthservId }),
          log: (line) => console.error(line),
        });
  const inboundWorker = startInboundWorker({
    db: store.db,
    clock,
    handlers: deps.inboundHandlers,
    pollMs: config.mail.pollMs,
    log: (line) => console.error(line),
  });
  const workerBox = createSecretStore({ db: store.db, keyring, clock });
  const eventWriter = startEventWriteWorker({
    db: store.db,
    clock,
    box: workerBox,
    oauth: createOAuthSources(oauthDepsFor(config, store, clock, workerBox)),
    allowPrivateHosts: config.calendar.allowPrivateHosts,
    pollMs: 5_000,
    log: (line) => console.error(line),
  });
  await scheduleMailRetention(store.db, clock.now(), clock.now());
  const jobs = startJobWorker({
    db: store.db,
    clock,
    handlers: {
      [REMINDER_JOB]: reminderHandler({
        db: store.db,
        mailFrom: config.mail.from,
        now: () => clock.now(),
      }),
      [COMPLETE_JOB]: completionHandler({ db: store.db, now: () => clock.now() }),
      [PURGE_JOB]: mailRetentionHandler({
        db: store.db,
        now: () => clock.now(),
        log: (line) => console.error(line),
      }),
    },
    pollMs: 30_000,
    log: (line) => console.error(line),
  });
  const server = await new Promise<ReturnType<typeof serve>>((ready) => {
    const s = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host }, () =>
      ready(s),
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  const outboxNote =
    deps.outboxDirectory === undefined
      ? ""
      : `; emails are written to ${deps.outboxDirectory}${isLoopbackHost(new URL(config.http.publicUrl).hostname) ? `, listed at ${config.http.publicUrl}/dev/outbox` : ""}`;
  log(`ally: serving on ${url} (${store.dialect}${outboxNote})`);
  if (smtpListener !== undefined && inbound !== undefined) {
    log(`ally: receiving mail for @${inbound.domain} on ${inbound.host}:${smtpListener.port}`);
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        // Stop accepting; finish requests in flight; drop idle keep-alive connections now
        // rather than waiting for their timeout.
        const closed = new Promise<void>((done) => server.close(() => done()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
        await closed;
        await smtpListener?.close();
        await jobs.stop();
        await inboundWorker.stop();
        await eventWriter.stop();
        await syncWorker.stop();
        await worker.stop();
        await enginePool.close();
        await store.close();
      })();
      return closing;
    },
  };
}
