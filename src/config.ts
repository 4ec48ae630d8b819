/**
 * Configuration: read from the environment once, validated, and passed in. Nothing else in
 * Ally reads `process.env`. Every setting is documented in the README.
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { DEFAULT_MAIL_LIMITS, type MailLimits } from "./mail/send-limits.js";
import { keyringFrom } from "./secrets/keyring.js";

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** `sqlite:PATH` (default `sqlite:./data/ally.db`) or `postgres://…`. */
  DATABASE_URL: z
    .string()
    .min(1)
    .default("sqlite:./data/ally.db")
    .refine((v) => v.startsWith("sqlite:") || /^postgres(ql)?:\/\//.test(v), {
      message: "must start with sqlite: or postgres://",
    }),
  /** The address users reach Ally at; links in emails use it, and https makes cookies Secure. */
  PUBLIC_URL: z.url().optional(),
  /** SMTP relay, e.g. `smtp://user:pass@mail.example.com:587`; unset = write .eml files. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Ally <ally@localhost>"),
  /** Port of Ally's SMTP listener for replies (calendar REPLYs, candidates' answers); unset = off. */
  INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Address the SMTP listener binds to. */
  INBOUND_SMTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** The domain Ally receives mail for; default: MAIL_FROM's domain. Others are refused. */
  INBOUND_MAIL_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, "must be a domain name, e.g. ally.example.com")
    .optional(),
  /**
   * The authserv-id your MX writes in Authentication-Results (e.g. `mx.ally.example.com`). Set,
   * only that header is read, and a calendar reply acts only when it says DMARC passed for the
   * From: domain. Unset: no Authentication-Results header is believed.
   */
  INBOUND_AUTHSERV_ID: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, "must be a host name, e.g. mx.ally.example.com")
    .optional(),
  /** At most this many emails to one address per hour (sign-in links, notices, …). */
  MAIL_LIMIT_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
  /** At most this many emails for one organisation per hour (interview invitations excepted). */
  MAIL_LIMIT_PER_ORGANISATION_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(500),
  /** How often each connected mailbox (IMAP, Gmail, Microsoft 365) is read for new mail. */
  MAILBOX_POLL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  /** Messages larger than this in a connected mailbox or a webhook post are passed over. */
  MAILBOX_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(100 * 1024 * 1024)
    .default(26_214_400),
  /** Let admins connect IMAP servers on loopback and private networks. Off by default. */
  ALLY_ALLOW_PRIVATE_MAIL_HOSTS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  DATA_DIR: z.string().min(1).default("./data"),
  /** How often the outbox worker looks for mail to send. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** How often each background queue (jobs, inbound mail, calendar event writes) looks for work. */
  QUEUE_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(5000),
  /** How often the calendar sync queue looks for connections due to be read again. */
  QUEUE_SYNC_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /**
   * How long a worker's claim on a unit of work lasts: a worker that dies mid-job loses its
   * claim after this, and another takes the job over. Longer than the slowest job.
   */
  QUEUE_LEASE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  /** Attempts before a failing job becomes a dead letter (listed at /api/v1/dead-jobs). */
  QUEUE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** Spread of each retry's wait, as a fraction: 0.2 waits between 80% and 120% of it. */
  QUEUE_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  /** How often each calendar connection's busy time is read again. */
  CALENDAR_SYNC_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /**
   * Let members connect calendar servers on loopback and private networks (a Nextcloud on the
   * office network). Off by default: addresses typed into Ally must not reach its own network.
   */
  ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Google Calendar's OAuth web client; both or neither. */
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Microsoft identity platform app registration; both or neither. */
  MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  /** `common` (work, school and personal accounts), `organizations`, or a tenant id. */
  MICROSOFT_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/, "must be common, organizations, consumers or a tenant id")
    .default("common"),
  /** The email assistant: its messages on one thread per day, at most. */
  ASSISTANT_MESSAGES_PER_THREAD_PER_DAY: z.coerce.number().int().min(1).max(50).default(4),
  /** When interview reminders go out, in minutes before the first session; empty = none. */
  REMINDER_MINUTES_BEFORE: z
    .string()
    .regex(/^(\d{1,5}(,\d{1,5})*)?$/, "must be minutes before, comma-separated, e.g. 1440,60")
    .default("1440,60")
    .transform((v) => (v === "" ? [] : v.split(",").map(Number))),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * 14),
  /**
   * Master keys that wrap the data keys sealing secrets at rest: one base64 key of 32 bytes
   * (version 1), or `v2:BASE64,v1:BASE64`. The newest version wraps; any listed one unwraps.
   * Unset on SQLite: kept in DATA_DIR/master.key.
   */
  ALLY_MASTER_KEY: z
    .string()
    .superRefine((v, ctx) => {
      const result = keyringFrom(v);
      if (!result.ok) ctx.addIssue({ code: "custom", message: result.error });
    })
    .optional(),
  /** Older master keys, still accepted for unwrapping while `ally keys rotate` runs. */
  ALLY_MASTER_KEY_PREVIOUS: z.string().optional(),
  /** Who runs this Ally instance, as the privacy policy names them (the controller). */
  PRIVACY_OPERATOR_NAME: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .default("The operator of this Ally instance"),
  /** Where privacy questions, requests and complaints go; default privacy@ MAIL_FROM's domain. */
  PRIVACY_CONTACT: z.email("must be an email address, e.g. privacy@example.com").optional(),
  /** Where everything else goes; default support@ MAIL_FROM's domain. */
  SUPPORT_CONTACT: z.email("must be an email address, e.g. support@example.com").optional(),
  /** The independent dispute body complaints can be referred to: its name and address. */
  PRIVACY_DISPUTE_BODY: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .default(
      "an independent alternative dispute resolution body (the operator names it on request)",
    ),
  /** The data protection authority a person may complain to. */
  PRIVACY_AUTHORITY: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .default(
      "the data protection authority of the country where you live, work or think your rights were infringed",
    ),
  /** Worker threads that compute options off the event loop; default min(2, CPU cores). */
  ENGINE_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Below this confidence a reply's reading goes to a person instead of being acted on. */
  UNDERSTAND_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  /** An OpenAI-compatible chat completions server (llama.cpp, Ollama) asked for a second reading; unset = off. */
  UNDERSTAND_LLM_URL: z.url().optional(),
  /** Bearer key for UNDERSTAND_LLM_URL, if it needs one. */
  UNDERSTAND_LLM_KEY: z.string().min(1).optional(),
  /** Model name sent to UNDERSTAND_LLM_URL. */
  UNDERSTAND_LLM_MODEL: z.string().min(1).default("local"),
  /** How long to wait for the model before a person is asked instead. */
  UNDERSTAND_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How much the JSON log on stderr says: trace, debug, info, warn, error, fatal or silent. */
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /**
   * Bearer token that reads /metrics from anywhere (`Authorization: Bearer …`); unset, /metrics
   * answers only requests from loopback.
   */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export interface Config {
  http: { port: number; host: string; publicUrl: string; secureCookies: boolean };
  database: { url: string };
  mail: {
    smtpUrl: string | undefined;
    from: string;
    outboxDir: string;
    pollMs: number;
    /** The SMTP listener, when INBOUND_SMTP_PORT is set. */
    inbound: { host: string; port: number; domain: string } | undefined;
    /** Where replies come back: `ally+TOKEN@` this domain (the inbound domain, or MAIL_FROM's). */
    replyDomain: string;
    /** INBOUND_AUTHSERV_ID: the Authentication-Results Ally believes, when set. */
    trustedAuthservId: string | undefined;
    /** Sending limits (mail/send-limits.ts). */
    limits: MailLimits;
    /** Connected mailboxes (mail/mailboxes/): how often they are read, the largest message kept. */
    mailboxes: { pollSeconds: number; maxBytes: number; allowPrivateHosts: boolean };
  };
  dataDir: string;
  /** Master keys from the environment, if given (format in secrets/keyring.ts). */
  masterKey: string | undefined;
  /** Older master keys that still unwrap, if given. */
  masterKeyPrevious: string | undefined;
  sessionTtlHours: number;
  booking: { reminderMinutesBefore: number[] };
  /** The email assistant: Ally's messages on one thread per day, at most. */
  assistant?: { messagesPerThreadPerDay: number };
  /** The durable queue (jobs/lease-queue.ts): polling, leases, attempts, retry spread. */
  queue: QueueConfig;
  /** Threads of the slot engine's worker pool (ENGINE_WORKERS). */
  engine: { workers: number };
  /** Reading replies (src/understand; the optional model in src/assistant/llm-reader.ts). */
  understand: {
    threshold: number;
    llm: { url: string; key: string | undefined; model: string; timeoutMs: number } | undefined;
  };
  /** The operator-editable values of the privacy policy. */
  privacy: PrivacySettings;
  /** What the operator sees: the log's level and who may read /metrics. */
  operations: {
    logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
    metricsToken: string | undefined;
  };
  calendar: {
    syncMinutes: number;
    allowPrivateHosts: boolean;
    /** Set when Google Calendar connections are offered. */
    google: OAuthClient | undefined;
    /** Set when Microsoft 365 connections are offered. */
    microsoft: (OAuthClient & { tenant: string }) | undefined;
  };
}

export interface QueueConfig {
  pollMs: number;
  syncPollMs: number;
  leaseMs: number;
  maxAttempts: number;
  /** 0..1: each retry waits its backoff times a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export interface PrivacySettings {
  operatorName: string;
  privacyContact: string;
  supportContact: string;
  disputeBody: string;
  authority: string;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/**
 * Validates environment variables into a typed `Config`.
 * @example loadConfig({ PORT: "8080" }) // { ok: true, config: { http: { port: 8080, … } } }
 */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
    };
  }
  const e = parsed.data;
  if (e.ALLY_MASTER_KEY_PREVIOUS !== undefined) {
    if (e.ALLY_MASTER_KEY === undefined) {
      return { ok: false, errors: ["ALLY_MASTER_KEY_PREVIOUS: needs ALLY_MASTER_KEY"] };
    }
    const keys = keyringFrom(e.ALLY_MASTER_KEY, e.ALLY_MASTER_KEY_PREVIOUS);
    if (!keys.ok) return { ok: false, errors: [`ALLY_MASTER_KEY_PREVIOUS: ${keys.error}`] };
  }
  const google = oauthClient("GOOGLE", e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET);
  const microsoft = oauthClient("MICROSOFT", e.MICROSOFT_CLIENT_ID, e.MICROSOFT_CLIENT_SECRET);
  const halfSet = [google, microsoft].find((client) => typeof client === "string");
  if (typeof halfSet === "string") return { ok: false, errors: [halfSet] };
  const replyDomain = (
    e.INBOUND_MAIL_DOMAIN ??
    /@([^>\s]+)/.exec(e.MAIL_FROM)?.[1] ??
    "localhost"
  ).toLowerCase();
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return {
    ok: true,
    config: {
      http: {
        port: e.PORT,
        host: e.HOST,
        publicUrl,
        secureCookies: publicUrl.startsWith("https://"),
      },
      database: { url: e.DATABASE_URL },
      mail: {
        smtpUrl: e.SMTP_URL,
        from: e.MAIL_FROM,
        outboxDir: `${e.DATA_DIR.replace(/\/+$/, "")}/outbox`,
        pollMs: e.OUTBOX_POLL_MS,
        inbound:
          e.INBOUND_SMTP_PORT === undefined
            ? undefined
            : {
                host: e.INBOUND_SMTP_HOST,
                port: e.INBOUND_SMTP_PORT,
                domain: replyDomain,
              },
        replyDomain,
        trustedAuthservId: e.INBOUND_AUTHSERV_ID?.toLowerCase(),
        limits: {
          ...DEFAULT_MAIL_LIMITS,
          perRecipientPerHour: e.MAIL_LIMIT_PER_ADDRESS_PER_HOUR,
          perOrganisationPerHour: e.MAIL_LIMIT_PER_ORGANISATION_PER_HOUR,
        },
        mailboxes: {
          pollSeconds: e.MAILBOX_POLL_SECONDS,
          maxBytes: e.MAILBOX_MAX_BYTES,
          allowPrivateHosts: e.ALLY_ALLOW_PRIVATE_MAIL_HOSTS,
        },
      },
      dataDir: e.DATA_DIR,
      masterKey: e.ALLY_MASTER_KEY,
      masterKeyPrevious: e.ALLY_MASTER_KEY_PREVIOUS,
      sessionTtlHours: e.SESSION_TTL_HOURS,
      booking: { reminderMinutesBefore: e.REMINDER_MINUTES_BEFORE },
      assistant: { messagesPerThreadPerDay: e.ASSISTANT_MESSAGES_PER_THREAD_PER_DAY },
      queue: {
        pollMs: e.QUEUE_POLL_MS,
        syncPollMs: e.QUEUE_SYNC_POLL_MS,
        leaseMs: e.QUEUE_LEASE_MS,
        maxAttempts: e.QUEUE_MAX_ATTEMPTS,
        jitter: e.QUEUE_JITTER,
      },
      engine: { workers: e.ENGINE_WORKERS ?? Math.min(2, availableParallelism()) },
      understand: {
        threshold: e.UNDERSTAND_THRESHOLD,
        llm:
          e.UNDERSTAND_LLM_URL === undefined
            ? undefined
            : {
                url: e.UNDERSTAND_LLM_URL,
                key: e.UNDERSTAND_LLM_KEY,
                model: e.UNDERSTAND_LLM_MODEL,
                timeoutMs: e.UNDERSTAND_LLM_TIMEOUT_MS,
              },
      },
      privacy: {
        operatorName: e.PRIVACY_OPERATOR_NAME,
        privacyContact: e.PRIVACY_CONTACT ?? `privacy@${replyDomain}`,
        supportContact: e.SUPPORT_CONTACT ?? `support@${replyDomain}`,
        disputeBody: e.PRIVACY_DISPUTE_BODY,
        authority: e.PRIVACY_AUTHORITY,
      },
      operations: { logLevel: e.LOG_LEVEL, metricsToken: e.METRICS_TOKEN },
      calendar: {
        syncMinutes: e.CALENDAR_SYNC_MINUTES,
        allowPrivateHosts: e.ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS,
        google: google as OAuthClient | undefined,
        microsoft:
          microsoft === undefined
            ? undefined
            : { ...(microsoft as OAuthClient), tenant: e.MICROSOFT_TENANT },
      },
    },
  };
}

/** Both halves of a client, neither, or the message naming the missing half. */
function oauthClient(
  prefix: string,
  clientId: string | undefined,
  clientSecret: string | undefined,
): OAuthClient | undefined | string {
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined) return `${prefix}_CLIENT_ID: needed with ${prefix}_CLIENT_SECRET`;
  if (clientSecret === undefined) return `${prefix}_CLIENT_SECRET: needed with ${prefix}_CLIENT_ID`;
  return { clientId, clientSecret };
}
