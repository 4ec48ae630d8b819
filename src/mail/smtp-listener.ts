/**
 * Ally's own SMTP listener (the embedded way to receive mail: point an MX record, or a
 * forwarding rule, at it). It accepts mail only for addresses in Ally's inbound domain (never a
 * relay), refuses messages over the size limit while they arrive, and stores each message
 * (inbound.ts) before answering 250, so an accepted message is never lost.
 */
import type { Kysely } from "kysely";
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";
import type { Clock } from "../clock.js";
import type { Database } from "../store/schema.js";
import { storeInbound } from "./inbound.js";

export interface SmtpListenerOptions {
  db: Kysely<Database>;
  clock: Clock;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Mail to any other domain is refused at RCPT TO (lower case, e.g. `ally.example.com`). */
  domain: string;
  maxBytes?: number;
  log?: (line: string) => void;
}

export interface RunningSmtpListener {
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpListener(
  options: SmtpListenerOptions,
): Promise<RunningSmtpListener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const domain = options.domain.toLowerCase();
  const server = new SMTPServer({
    name: domain,
    banner: "Ally",
    size: maxBytes,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf("@");
      const recipientDomain = address.address.slice(at + 1).toLowerCase();
      if (at < 1 || recipientDomain !== domain) {
        callback(smtpError(`relay access denied: Ally only receives mail for @${domain}`, 550));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          if ((stream as SMTPServerDataStream & { sizeExceeded?: boolean }).sizeExceeded) {
            throw smtpError(`message larger than ${maxBytes} bytes`, 552);
          }
          const mailFrom = session.envelope.mailFrom;
          await storeInbound(
            options.db,
            raw,
            {
              mailFrom: mailFrom === false ? "" : mailFrom.address,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
            },
            options.clock.now(),
          );
          callback();
        })
        .catch((error: Error & { responseCode?: number }) => {
          if (error.responseCode === undefined) {
            options.log?.(`ally: inbound SMTP: could not store a message: ${error.message}`);
            callback(smtpError("could not store the message, try again later", 451));
            return;
          }
          callback(error);
        });
    },
  });
  server.on("error", (error) => options.log?.(`ally: inbound SMTP: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
