/**
 * Mail Ally receives: stored once per Message-ID as it arrives (smtp-listener.ts hands it
 * over), then handled by a worker that offers each message to the handlers in order (a calendar
 * client's iMIP REPLY updates an attendee's answer; later, a candidate's reply in plain words).
 * Storing first and handling after means a message is never lost to a handler's failure, and
 * several processes may share the work: it is a lease queue (jobs/lease-queue.ts).
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { z } from "zod";
import type { Clock } from "../clock.js";
import { type QueueSpec, runNext, startQueueWorker } from "../jobs/lease-queue.js";
import type { RunningWorker } from "../jobs/polling.js";
import type { Tombstones } from "../privacy/tombstones.js";
import { parseStoredJson } from "../store/stored-json.js";
import { dmarcVerdict } from "./authentication-results.js";
import { type AnyHandle, mailDb } from "./db.js";
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
  /** The headers of KEPT_HEADERS that the message had, by lower-case name (unfolded). */
  headers?: Record<string, string>;
}

/**
 * Headers kept with a message: what loop safety (RFC 3834) and threading read. `list-*` stands
 * for every List- header.
 */
export const KEPT_HEADERS = [
  "auto-submitted",
  "precedence",
  "x-auto-response-suppress",
  "x-autoreply",
  "x-autorespond",
  "content-type",
  "references",
  "in-reply-to",
  "to",
  "cc",
  "reply-to",
  "return-path",
  "list-*",
] as const;

/** The kept headers' values, by lower-case name, each cut to 2,000 characters. */
function keptHeaders(parsed: ParsedMail): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const header of parsed.headerLines) {
    const name = header.key.toLowerCase();
    const wanted = KEPT_HEADERS.some((k) =>
      k.endsWith("*") ? name.startsWith(k.slice(0, -1)) : k === name,
    );
    if (!wanted || name in kept) continue;
    kept[name] = bounded(
      header.line
        .replace(/^[^:]*:/, "")
        .replace(/\r?\n[ \t]+/g, " ")
        .trim(),
      2000,
    );
  }
  return kept;
}

export interface StoreInboundOptions {
  /**
   * The authserv-id of Ally's own MX: its `Authentication-Results` header is read, any other
   * is ignored. Unset: no header is believed.
   */
  trustedAuthservId?: string;
  /** Erased people (privacy/tombstones.ts): their mail is refused, not stored, and logged. */
  tombstones?: Tombstones;
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
    headers: JSON.stringify(keptHeaders(parsed)),
    received_at: now,
    claimed_until: null,
    handled_at: null,
    outcome: null,
    attempts: 0,
    last_error: null,
    dead_at: null,
  };
  return row;
}

/**
 * Parses and stores a received message; false when a message with its Message-ID is already
 * stored (a duplicate delivery), which is not an error, or when its sender was erased
 * (`refused`: the message is dropped, and the refusal logged without the address).
 */
export async function storeInbound(
  handle: AnyHandle,
  raw: Buffer,
  envelope: Envelope,
  now: number,
  options: StoreInboundOptions = {},
): Promise<{ stored: boolean; messageId: string; refused?: true }> {
  const db = mailDb(handle);
  const row = await parseInbound(raw, envelope, now, options);
  const messageId = row.message_id;
  for (const sender of new Set([row.from_address, row.envelope_from])) {
    const where = { orgId: null, channel: "inbound-mail" };
    if (await options.tombstones?.refuseRecontact(db, sender, where, now)) {
      return { stored: false, messageId, refused: true };
    }
  }
  const result = await db
    .insertInto("inbound_mail")
    .values(row)
    .onConflict((oc) => oc.column("message_id").doNothing())
    .executeTakeFirst();
  return { stored: Number(result.numInsertedOrUpdatedRows ?? 0n) === 1, messageId };
}

const storedInbound = z.object({
  id: z.coerce.number(),
  message_id: z.string(),
  envelope_from: z.string(),
  envelope_to: z.string(),
  from_address: z.string(),
  subject: z.string(),
  text_body: z.string(),
  calendar_ics: z.string().nullable(),
  calendar_method: z.string().nullable(),
  in_reply_to: z.string().nullable(),
  dmarc: z.string().nullable(),
  received_at: z.coerce.number(),
  headers: z.string().nullable().optional(),
});
const keptHeadersSchema = z.record(z.string(), z.string());
const envelopeTo = z.array(z.string());

function toMessage(stored: Record<string, unknown>): InboundMessage {
  const row = storedInbound.parse(stored);
  return {
    id: row.id,
    messageId: row.message_id,
    envelopeFrom: row.envelope_from,
    envelopeTo: parseStoredJson(
      envelopeTo,
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
    receivedAt: row.received_at,
    headers:
      row.headers === null || row.headers === undefined
        ? {}
        : parseStoredJson(keptHeadersSchema, row.headers, `inbound_mail.headers of ${row.id}`),
  };
}

export interface InboundWorkerDeps {
  db: AnyHandle;
  clock: Clock;
  handlers: InboundHandler[];
  leaseMs?: number;
  /** After this many failed attempts a message is set aside with its last error as outcome. */
  maxAttempts?: number;
  /** Spread of retry waits (config.queue.jitter); none unless given. */
  jitter?: number;
  log?: (line: string) => void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Received mail as a lease queue (jobs/lease-queue.ts): unhandled messages in order of arrival,
 * a failed one offered again after one lease; after the last attempt it is set aside, handled
 * with its error as outcome (and a dead letter). Inbound mail belongs to no organisation until
 * a handler has read it, so its dead letters are for the operator, not listed to admins.
 */
export function inboundQueue(leaseMs = DEFAULT_LEASE_MS): QueueSpec<InboundMessage, string> {
  return {
    name: "inbound-mail",
    table: "inbound_mail",
    due: () => sql`handled_at is null`,
    order: sql`id`,
    parse: toMessage,
    backoffMs: () => leaseMs,
    onDone: (outcome, now) => ({ handled_at: now, outcome: outcome.slice(0, 500) }),
    onFailure: (reason, _now, willRetry) =>
      willRetry ? { outcome: `failed, will retry: ${reason}` } : {},
    onDead: (reason, now) => ({ handled_at: now, outcome: `failed: ${reason}` }),
    onRetry: () => ({ handled_at: null, outcome: null, last_error: null }),
    describe: () => "inbound mail",
  };
}

/** Offers a message to the handlers in order; what the first that took it did. */
function offer(handlers: InboundHandler[]) {
  return async (message: InboundMessage): Promise<string> => {
    for (const handler of handlers) {
      const outcome = await handler(message);
      if (outcome !== undefined) return outcome;
    }
    return "no handler took it";
  };
}

function queueOptions(deps: InboundWorkerDeps) {
  return {
    db: deps.db,
    clock: deps.clock,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(deps.jitter === undefined ? {} : { jitter: deps.jitter }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
}

/** Claims one unhandled message and offers it to the handlers; false when none was waiting. */
export async function handleNextInbound(deps: InboundWorkerDeps): Promise<boolean> {
  const options = queueOptions(deps);
  const outcome = await runNext(inboundQueue(options.leaseMs), offer(deps.handlers), options);
  return outcome !== "idle";
}

export function startInboundWorker(deps: InboundWorkerDeps & { pollMs: number }): RunningWorker {
  const options = queueOptions(deps);
  return startQueueWorker(inboundQueue(options.leaseMs), offer(deps.handlers), {
    ...options,
    pollMs: deps.pollMs,
  });
}
