/** What the web layer keeps per request, and what it is built from. */

import type { Logger } from "pino";
import type { AccountsService, Actor, RequestMeta, SessionContext } from "../accounts/service.js";
import type { Assistant } from "../assistant/coordinator.js";
import type { BookingLinks } from "../booking/links.js";
import type { BookingService } from "../booking/service.js";
import type { CalendarService } from "../calendar/connections.js";
import type { OAuthConnections } from "../calendar/oauth-connections.js";
import type { PushChannels } from "../calendar/push.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { ConsentState } from "../consent/notice.js";
import type { HiringService } from "../hiring/service.js";
import type { DeadLetter } from "../jobs/lease-queue.js";
import type { InboundHandler } from "../mail/inbound.js";
import type { Mailboxes } from "../mail/mailboxes/connections.js";
import type { Marketing } from "../marketing/service.js";
import type { ErasureDeps } from "../privacy/erasure.js";
import type { PrivacyRequestDeps } from "../privacy/requests/deps.js";
import type { Tombstones } from "../privacy/tombstones.js";
import type { Store } from "../store/database.js";
import type { Testimonials } from "../testimonials/service.js";
import type { CandidateBooking } from "./booking-view.js";

export interface WebDeps {
  config: Config;
  store: Store;
  clock: Clock;
  accounts: AccountsService;
  hiring: HiringService;
  calendars: CalendarService;
  /** Provider push channels that make a connection's sync due now. */
  push: PushChannels;
  /** Candidates' signed links to their booking pages. */
  bookingLinks: BookingLinks;
  /** The booking service as the candidate's pages see it, through a live link. */
  candidateBooking: CandidateBooking;
  /** Connecting Google and Microsoft calendars, and choosing among an account's calendars. */
  calendarAccounts: OAuthConnections;
  booking: BookingService;
  /** The email assistant: escalations and settings (assistant/coordinator.ts). */
  assistant?: Assistant;
  /** Development mail: lists what the outbox wrote when no relay is set. */
  outboxDirectory: string | undefined;
  /** Mailboxes Ally reads (IMAP, provider webhooks), managed by admins (mail/mailboxes/). */
  mailboxes: Mailboxes;
  /** Promotional lists, sends, opt-outs and beacons (marketing/service.ts). */
  marketing: Marketing;
  /** What received mail is offered to, in order (mail/inbound.ts). */
  inboundHandlers: InboundHandler[];
  /** Data-subject requests: the public form, members' own, and controllers' queues. */
  privacy: PrivacyRequestDeps;
  /** Testimonials: asked by admins, consented to and removed by the person on a signed link. */
  testimonials: Testimonials;
  /** Work the queues gave up on, for admins (app/dead-letters.ts). */
  deadLetters: {
    list(actor: Actor): Promise<DeadLetter[]>;
    retry(actor: Actor, queue: string, id: number): Promise<void>;
  };
  /** What `erasePerson` (privacy/erasure.ts) needs: every module's erasure step. */
  erasure: ErasureDeps;
  /** Erased people, refused when sync, mail or imports would bring them back. */
  tombstones: Tombstones;
  /** The process's structured log (app/logger.ts): one line per request, errors. */
  log: Logger;
  /** What the operator reads: request timings, /metrics and /ready (app/metrics.ts, app/health.ts). */
  operations: Operations;
}

/** The operator's view, as the web layer needs it. */
export interface Operations {
  /** Counts one answered request by its route pattern (never its path). */
  recordRequest(request: {
    method: string;
    route: string;
    status: number;
    durationSeconds: number;
  }): void;
  /** The Prometheus text for /metrics. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Whether the database answers and every migration is applied. */
  readiness(): Promise<{ ready: true } | { ready: false; reason: string }>;
  /** METRICS_TOKEN: the bearer token that reads /metrics from anywhere; unset = loopback only. */
  metricsToken: string | undefined;
}

export interface AppEnv {
  Variables: {
    deps: WebDeps;
    meta: RequestMeta;
    /** Set when a session cookie or API token proved who is calling. */
    actor: Actor | undefined;
    session: SessionContext | undefined;
    /** The token forms must echo (session's, or the anonymous double-submit cookie's). */
    csrfToken: string;
    /** This request's id: the caller's valid X-Request-Id, or a new one; sent back and logged. */
    requestId: string;
    /** The visitor's cookie choice and GPC signal (web/consent-edge.ts). */
    consent: ConsentState;
  };
}
