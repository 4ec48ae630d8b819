/**
 * Ally's structured log: one pino logger, made in the composition root (app/main.ts) and passed
 * to what writes log lines: the HTTP app (one line per request, with its request id), the queue
 * workers (each job's outcome), the SMTP listener and the database pool. JSON, one object a
 * line, on stderr; stdout stays the CLI's.
 *
 * No secrets: fields that carry them are censored by name (`REDACTED_FIELDS`), and every string
 * logged is scrubbed of what looks like one (credentials in URLs, bearer tokens, cookies,
 * `password=`), so an error message that quotes an SMTP URL or a header does not leak it.
 */
import pino, { type DestinationStream, type Level, type Logger } from "pino";

export type { Logger };

/** Field names whose values are never written, at the top level or one or two levels down. */
const SECRET_KEYS = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "apiToken",
  "secret",
  "clientSecret",
  "client_secret",
  "verificationCode",
  "oneTimeCode",
  "csrfToken",
  "_csrf",
  "authorization",
  "cookie",
  "set-cookie",
  "credentials",
  "masterKey",
  "smtpUrl",
];

export const REDACTED_FIELDS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const child = name.startsWith("[") ? name : `.${name}`;
  return [name, `*${child}`, `*.*${child}`];
});

/** Shapes of secrets inside free text, each with what replaces it. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // scheme://user:password@host → scheme://user:[redacted]@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, "$1:[redacted]@"],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]"],
  [/\b(ally_session|ally_csrf)=[^;\s]+/gi, "$1=[redacted]"],
  [/\b(password|passwd|pass|token|secret|code|key)=[^&\s]+/gi, "$1=[redacted]"],
];

/** `text` with anything shaped like a secret replaced. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function scrubError(error: unknown): Record<string, unknown> {
  const serialised = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(serialised)) {
    out[name] = typeof value === "string" ? scrubSecrets(value) : value;
  }
  return out;
}

export interface LoggerOptions {
  /** `LOG_LEVEL`; `silent` writes nothing. */
  level?: Level | "silent";
  /** Where lines go: stderr unless given (tests pass a stream they read). */
  destination?: DestinationStream;
}

/**
 * The process's logger.
 * @example createLogger({ level: "info" }).info({ route: "/app" }, "request")
 *   // {"level":30,"time":…,"route":"/app","msg":"request"}
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "ally" },
      redact: { paths: [...REDACTED_FIELDS], censor: "[redacted]" },
      serializers: { err: scrubError, error: scrubError },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === "string" ? scrubSecrets(arg) : arg));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that writes nothing: what tests and one-off commands get unless they pass one. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** A `(line) => void` for code that logs plain lines, writing them through `logger`. */
export function lineLogger(
  logger: Logger,
  level: "info" | "warn" | "error" = "info",
): (line: string) => void {
  return (line) => logger[level](line.replace(/^ally: /, ""));
}
