/**
 * Mail Ally receives: stored once per Message-ID as it arrives (smtp-listener.ts hands it
 * over), then handled by a worker that offers each message to the handlers in order (a calendar
 * client's iMIP REPLY updates an attendee's answer; later, a candidate's reply in plain words).
 * Storing first and handling after means a message is never lost to a handler's failure, and
 * several processes may share the work: claims are leases, as in the outbox.
 */
import { createHash } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { z } from "zod";
import type { Clock } from "../clock.js";
import { type RunningWorker, startPolling } from "../jobs/polling.js";
import type { Database } from "../store/schema.js";
import { parseStoredJson } from "../store/stored-json.js";
import { dmarcVerdict } from "./authentication-results.js";
import type { InboundMailTable } from "./tables.js";

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

export interface InboundMessage {
  id: number;
  messageId: string;
  envelopeFrom: string;
  envelopeTo: string[];
  fromAddress: string;
  subject: string;
  text: string;
  calendar: { method: string | null; ics: string } | null;
  inReplyTo: string | null;
  /** DMARC as Ally's own MX judged it (InboundMailTable.dmarc); null when it did not say. */
  dmarc: string | null;
  receivedAt: number;
}

export interface StoreInboundOptions {
  /**
   * The authserv-id of Ally's own MX: its `Authentication-Results` header is read, any other
   * is ignored. Unset: no header is believed.
   */
  trustedAuthservId?: string;
}

/**
 * Deals with a message, or passes (returns undefined) to the next handler. Returns what it did,
 * for the record. Throwing leaves the message to be tried again later.
 */
export type InboundHandler = (message: InboundMessage) => Promise<string | undefined>;

const MAX_TEXT_CHARS = 200_000;

function firstAddress(value: AddressObject | AddressObject[] | undefined): string {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) return entry.address.toLowerCase();
    }
  }
  return "";
}

/** The message's text/calendar part: mailparser gives it as an attachment (or several). */
function calendarPart(parsed: ParsedMail): { method: string | null; ics: string } | null {
  for (const attachment of parsed.attachments) {
    const type = String(attachment.contentType ?? "").toLowerCase();
    if (type !== "text/calendar" && type !== "application/ics") continue;
    const ics = Buffer.isBuffer(attachment.content) ? attachment.content.toString("utf8") : "";
    const method = /^METHOD:([A-Za-z-]+)\s*$/m.exec(ics)?.[1]?.toUpperCase() ?? null;
    return { method, ics };
  }
  return null;
}

const NUL = String.fromCharCode(0);

/** Text as stored: without NUL characters (PostgreSQL's text cannot hold them), cut to `max`. */
function bounded(text: string, max: number): string {
  return String(text).replaceAll(NUL, "").slice(0, max);
}

/** The message's Authentication-Results header values, topmost first. */
function authenticationResults(parsed: ParsedMail): string[] {
  return parsed.headerLines
    .filter((header) => header.key === "authentication-results")
    .map((header) => header.line.replace(/^[^:]*:/, "").replace(/\r?\n[ \t]+/g, " "));
}

/**
 * The row a received message is stored as: every field cut to its bound, whatever the message
 * holds. No database; the clock is an argument.
 */
export async function parseInbound(
  raw: Buffer,
  envelope: Envelope,
  now: number,
  options: StoreInboundOptions = {},
): Promise<Omit<InboundMailTable, "id">> {
  const hashId = `<${createHash("sha256").update(raw).digest("hex")}@ally.invalid>`;
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  } catch (error) {
    // Kept, not refused: the sender would only try again. No handler acts on it.
    parsed = {
      attachments: [],
      headers: new Map(),
      headerLines: [],
      html: false,
      text: `(Ally could not read this message: ${(error as Error).message})`,
    };
  }
  const fromAddress = bounded(firstAddress(parsed.from), 320);
  const messageId = bounded(parsed.messageId ?? "", 995).trim() || hashId;
  const calendar = calendarPart(parsed);
  const row: Omit<InboundMailTable, "id"> = {
    message_id: messageId,
    envelope_from: bounded(envelope.mailFrom.toLowerCase(), 320),
    envelope_to: JSON.stringify(envelope.rcptTo.map((r) => bounded(r.toLowerCase(), 320))),
    from_address: fromAddress,
    subject: bounded(parsed.subject ?? "", 1000),
    text_body: bounded(parsed.text ?? "", MAX_TEXT_CHARS),
    calendar_ics: calendar === null ? null : bounded(calendar.ics, MAX_TEXT_CHARS),
    calendar_method: calendar?.method ?? null,
    in_reply_to: parsed.inReplyTo === undefined ? null : bounded(parsed.inReplyTo, 995),
    dmarc:
      options.trustedAuthservId === undefined
        ? null
        : dmarcVerdict(authenticationResults(parsed), options.trustedAuthservId, fromAddress),
    received_at: now,
    claimed_until: null,
    handled_at: null,
    outcome: null,
    attempts: 0,
  };
  return row;
}

/**
 * Parses and stores a received message; false when a message with its Message-ID is already
 * stored (a duplicate delivery), which is not an error.
 */
export async function storeInbound(
  db: Kysely<Database>,
  raw: Buffer,
  envelope: Envelope,
  now: number,
  options: StoreInboundOptions = {},
): Promise<{ stored: boolean; messageId: string }> {
  const row = await parseInbound(raw, envelope, now, options);
  const messageId = row.message_id;
  const result = await db
    .insertInto("inbound_mail")
    .values(row)
    .onConflict((oc) => oc.column("message_id").doNothing())
    .executeTakeFirst();
  return { stored: Number(result.numInsertedOrUpdatedRows ?? 0n) === 1, messageId };
}

function toMessage(row: Selectable<InboundMailTable>): InboundMessage {
  return {
    id: Number(row.id),
    messageId: row.message_id,
    envelopeFrom: row.envelope_from,
    envelopeTo: parseStoredJson(
      z.array(z.string()),
      row.envelope_to,
      `inbound_mail.envelope_to of ${row.id}`,
    ),
    fromAddress: row.from_address,
    subject: row.subject,
    text: row.text_body,
    calendar:
      row.calendar_ics === null ? null : { method: row.calendar_method, ics: row.calendar_ics },
    inReplyTo: row.in_reply_to,
    dmarc: row.dmarc,
    receivedAt: Number(row.received_at),
  };
}

export interface InboundWorkerDeps {
  db: Kysely<Database>;
  clock: Clock;
  handlers: InboundHandler[];
  leaseMs?: number;
  /** After this many failed attempts a message is set aside with its last error as outcome. */
  maxAttempts?: number;
  log?: (line: string) => void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;

/** Claims one unhandled message and offers it to the handlers; false when none was waiting. */
export async function handleNextInbound(deps: InboundWorkerDeps): Promise<boolean> {
  const { db, clock } = deps;
  const now = clock.now();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const candidate = await db
    .selectFrom("inbound_mail")
    .selectAll()
    .where("handled_at", "is", null)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (candidate === undefined) return false;
  const claimed = await db
    .updateTable("inbound_mail")
    .set({ claimed_until: now + leaseMs, attempts: candidate.attempts + 1 })
    .where("id", "=", candidate.id)
    .where("attempts", "=", candidate.attempts)
    .where("handled_at", "is", null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return true; // another worker took it; look again
  const message = toMessage(candidate);
  let outcome: string | undefined;
  try {
    for (const handler of deps.handlers) {
      outcome = await handler(message);
      if (outcome !== undefined) break;
    }
    outcome ??= "no handler took it";
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    deps.log?.(`ally: inbound mail ${candidate.id}: ${reason}`);
    const giveUp = candidate.attempts + 1 >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    await db
      .updateTable("inbound_mail")
      .set(
        giveUp
          ? { handled_at: clock.now(), outcome: `failed: ${reason}`, claimed_until: null }
          : { outcome: `failed, will retry: ${reason}`, claimed_until: now + leaseMs },
      )
      .where("id", "=", candidate.id)
      .execute();
    return true;
  }
  await db
    .updateTable("inbound_mail")
    .set({ handled_at: clock.now(), outcome: outcome.slice(0, 500), claimed_until: null })
    .where("id", "=", candidate.id)
    .execute();
  return true;
}

export function startInboundWorker(deps: InboundWorkerDeps & { pollMs: number }): RunningWorker {
  return startPolling(() => handleNextInbound(deps), {
    pollMs: deps.pollMs,
    name: "inbound mail worker",
    ...(deps.log === undefined ? {} : { log: deps.log }),
  });
}
