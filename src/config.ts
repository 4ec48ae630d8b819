/**
 * Configuration: read from the environment once, validated, and passed in. Nothing else in
 * Ally reads `process.env`. Every setting is documented in the README.
 */
import { z } from "zod";

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
  DATA_DIR: z.string().min(1).default("./data"),
  /** How often the outbox worker looks for mail to send. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * 14),
  /** 32 random bytes, base64: seals secrets at rest. Unset on SQLite: kept in DATA_DIR/master.key. */
  ALLY_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
});

export interface Config {
  http: { port: number; host: string; publicUrl: string; secureCookies: boolean };
  database: { url: string };
  mail: { smtpUrl: string | undefined; from: string; outboxDir: string; pollMs: number };
  dataDir: string;
  /** Base64 master key from the environment, if given. */
  masterKey: string | undefined;
  sessionTtlHours: number;
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
      },
      dataDir: e.DATA_DIR,
      masterKey: e.ALLY_MASTER_KEY,
      sessionTtlHours: e.SESSION_TTL_HOURS,
    },
  };
}
