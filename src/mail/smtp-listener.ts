/**
 * Ally's own SMTP listener (the embedded way to receive mail: point an MX record, or a
 * forwarding rule, at it). It accepts mail only for addresses in Ally's inbound domain (never a
 * relay), refuses messages over the size limit while they arrive, and stores each message
 * (inbound.ts) before answering 250, so an accepted message is never lost.
 *
 * The size limit is advertised (EHLO SIZE, RFC 1870) and enforced on the stream: bytes are
 * counted as they arrive, and once a message passes the limit what was held of it is dropped
 * and the rest is read and discarded, so a client that ignores SIZE cannot make Ally hold more
 * than the limit per connection. Such a message is answered 552 and nothing is stored.
 */
import { SMTPServer, type SMTPServerDataStream } from "smtp-server";
import type { Clock } from "../clock.js";
import type { Tombstones } from "../privacy/tombstones.js";
import type { AnyHandle } from "./db.js";
import { storeInbound } from "./inbound.js";

export interface SmtpListenerOptions {
  db: AnyHandle;
  clock: Clock;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Mail to any other domain is refused at RCPT TO (lower case, e.g. `ally.example.com`). */
  domain: string;
  maxBytes?: number;
  /** The authserv-id of Ally's own MX, whose Authentication-Results are recorded. */
  trustedAuthservId?: string;
  /** Erased people, whose mail is refused (StoreInboundOptions.tombstones). */
  tombstones?: Tombstones;
  log?: (line: string) => void;
}

export interface RunningSmtpListener {
  port: number;
  /**
   * Bytes of message data the listener holds now, across connections, and the most it has
   * held at once since it started.
   */
  heldBytes(): { now: number; peak: number };
  close(): Promise<void>;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Counts the bytes of message data held in memory, now and at most. */
class HeldBytes {
  now = 0;
  peak = 0;
  add(bytes: number): void {
    this.now += bytes;
    if (this.now > this.peak) this.peak = this.now;
  }
  release(bytes: number): void {
    this.now -= bytes;
  }
}

/**
 * Reads a message, keeping at most `maxBytes` of it: past the limit, what was kept is let go
 * and the rest is drained unread (the client is answered once it has sent the final dot).
 */
async function readLimited(
  stream: SMTPServerDataStream,
  maxBytes: number,
  held: HeldBytes,
): Promise<{ raw: Buffer; tooLarge: false } | { tooLarge: true }> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  let kept = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      total += bytes.length;
      if (tooLarge) continue;
      if (total > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        held.release(kept);
        kept = 0;
        continue;
      }
      chunks.push(bytes);
      kept += bytes.length;
      held.add(bytes.length);
    }
    if (tooLarge || (stream as { sizeExceeded?: boolean }).sizeExceeded === true) {
      return { tooLarge: true };
    }
    return { raw: Buffer.concat(chunks), tooLarge: false };
  } finally {
    held.release(kept);
  }
}

export async function startSmtpListener(
  options: SmtpListenerOptions,
): Promise<RunningSmtpListener> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const domain = options.domain.toLowerCase();
  const held = new HeldBytes();
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
      readLimited(stream, maxBytes, held)
        .then(async (read) => {
          if (read.tooLarge) throw smtpError(`message larger than ${maxBytes} bytes`, 552);
          const raw = read.raw;
          const mailFrom = session.envelope.mailFrom;
          await storeInbound(
            options.db,
            raw,
            {
              mailFrom: mailFrom === false ? "" : mailFrom.address,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
            },
            options.clock.now(),
            {
              ...(options.trustedAuthservId === undefined
                ? {}
                : { trustedAuthservId: options.trustedAuthservId }),
              ...(options.tombstones === undefined ? {} : { tombstones: options.tombstones }),
            },
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
    heldBytes: () => ({ now: held.now, peak: held.peak }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
