/**
 * Reading an IMAP mailbox with imapflow: one connection per poll (so a dropped connection is
 * simply the next poll's fresh one), the INBOX selected, only messages above the last UID Ally
 * stored read (RFC 3501 2.3.1.1: UIDs only grow while UIDVALIDITY stays; a new UIDVALIDITY means
 * every UID may have changed, so the whole INBOX is read again and Message-IDs already stored are
 * skipped by the store). Each message is stored before the cursor moves past it, and then moved
 * to the handled folder, so a crash between the two re-reads it and the store drops the copy.
 * No database here: the caller stores, and keeps the cursor.
 */
import { ImapFlow } from "imapflow";
import type { ImapSecret } from "./secret.js";

/** Where reading stands: the INBOX's UIDVALIDITY and the highest UID stored under it. */
export interface ImapCursor {
  uidvalidity: number | null;
  lastUid: number | null;
}

export interface ImapReadOptions {
  /** Resolves the host to the address to connect to, refusing private networks when asked. */
  resolveHost: (host: string) => Promise<string>;
  /** Stores one message (inbound.ts storeInbound); throwing stops the poll before the cursor moves. */
  store: (raw: Buffer) => Promise<void>;
  /** Records the cursor after each stored message. */
  saveCursor: (cursor: ImapCursor) => Promise<void>;
  /** The folder handled mail is moved to, `/`-separated (`Ally/Handled`); null leaves it. */
  handledFolder: string | null;
  /** Messages larger than this are skipped (passed over, never fetched). */
  maxBytes: number;
  /** At most this many messages per poll; the next poll goes on. */
  batchSize: number;
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface ImapReadResult {
  cursor: ImapCursor;
  stored: number;
  skippedTooLarge: number;
  /** The UIDVALIDITY changed since the last poll, and the INBOX was read again from the start. */
  resynced: boolean;
}

async function connect(secret: ImapSecret, options: ImapReadOptions): Promise<ImapFlow> {
  const address = await options.resolveHost(secret.host);
  const client = new ImapFlow({
    host: address,
    port: secret.port,
    secure: secret.tls,
    ...(address === secret.host ? {} : { servername: secret.host }),
    auth: { user: secret.username, pass: secret.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs * 3,
  });
  // A socket error after connecting is an event; unheard, it would end the process.
  client.on("error", (error: Error) => options.log?.(`ally: mailbox: ${error.message}`));
  await client.connect();
  return client;
}

/** Checks that the mailbox opens, and returns the cursor from which only new mail is read. */
export async function imapBaseline(
  secret: ImapSecret,
  options: Pick<ImapReadOptions, "resolveHost" | "timeoutMs" | "log">,
): Promise<ImapCursor> {
  const client = await connect(secret, {
    ...options,
    store: async () => {},
    saveCursor: async () => {},
    handledFolder: null,
    maxBytes: 0,
    batchSize: 0,
  });
  try {
    const status = await client.status("INBOX", { uidNext: true, uidValidity: true });
    return {
      uidvalidity:
        status === false || status.uidValidity === undefined ? null : Number(status.uidValidity),
      lastUid: status === false || status.uidNext === undefined ? null : status.uidNext - 1,
    };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Reads what is new in the INBOX since `cursor`, storing each message in UID order. */
export async function readImapInbox(
  secret: ImapSecret,
  cursor: ImapCursor,
  options: ImapReadOptions,
): Promise<ImapReadResult> {
  const client = await connect(secret, options);
  try {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const mailbox = client.mailbox;
      if (mailbox === false) throw new Error("the INBOX did not open");
      const uidvalidity = Number(mailbox.uidValidity);
      const resynced = cursor.uidvalidity !== null && cursor.uidvalidity !== uidvalidity;
      let lastUid = resynced || cursor.uidvalidity === null ? 0 : (cursor.lastUid ?? 0);
      const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
      // `n:*` always includes the highest UID, even when it is below n (RFC 3501 6.4.8).
      const uids = found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
      const batch = uids.slice(0, options.batchSize);
      const handled: number[] = [];
      let stored = 0;
      let skippedTooLarge = 0;
      for (const uid of batch) {
        const meta = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
        if (meta !== false && (meta.size ?? 0) > options.maxBytes) {
          skippedTooLarge += 1;
          options.log?.(
            `ally: mailbox: passed over message UID ${uid} of ${meta.size} bytes (limit ${options.maxBytes})`,
          );
        } else if (meta !== false) {
          const message = await client.fetchOne(
            String(uid),
            { uid: true, source: true },
            { uid: true },
          );
          if (message !== false && message.source !== undefined) {
            await options.store(message.source);
            stored += 1;
            handled.push(uid);
          }
        }
        lastUid = uid;
        await options.saveCursor({ uidvalidity, lastUid });
      }
      if (options.handledFolder !== null && handled.length > 0) {
        await moveHandled(client, handled, options.handledFolder, options.log);
      }
      return { cursor: { uidvalidity, lastUid }, stored, skippedTooLarge, resynced };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Moves stored messages to the handled folder, creating it (with the server's separator) first. */
async function moveHandled(
  client: ImapFlow,
  uids: number[],
  folder: string,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  try {
    const created = await client.mailboxCreate(folder.split("/").filter((part) => part !== ""));
    await client.messageMove(uids.join(","), created.path, { uid: true });
  } catch (error) {
    // The mail is stored and the cursor is past it: a failed move only leaves it in the INBOX.
    log?.(`ally: mailbox: could not move handled mail to ${folder}: ${(error as Error).message}`);
  }
}
