/**
 * The envelope of a message read from a mailbox rather than received over SMTP: the recipient is
 * the mailbox's address, and the sender is what the delivering server wrote in `Return-Path`
 * (RFC 5321 4.4; `<>` for bounces and auto-replies, which Ally must never answer). Without that
 * header the From address stands in. Pure: reads only the header block.
 */
import type { Envelope } from "../inbound.js";

const HEADER_LIMIT_BYTES = 256 * 1024;

/** The header block's fields, unfolded (RFC 5322 2.2.3), names in lower case. */
function headerFields(raw: Buffer): Array<{ name: string; value: string }> {
  const head = raw.subarray(0, HEADER_LIMIT_BYTES).toString("latin1");
  const end = head.search(/\r?\n\r?\n/);
  const block = (end === -1 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 1) continue;
    fields.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      value: line.slice(colon + 1).trim(),
    });
  }
  return fields;
}

function addressIn(value: string): string {
  const angle = /<([^<>]*)>/.exec(value);
  const text = (angle === null ? value : (angle[1] ?? "")).trim();
  return /^[^\s@]+@[^\s@]+$/.test(text) ? text.toLowerCase() : "";
}

/**
 * @example envelopeFromMailbox(raw, "ally@example.com")
 *   // { mailFrom: "dana@example.org", rcptTo: ["ally@example.com"] }
 */
export function envelopeFromMailbox(raw: Buffer, mailboxAddress: string): Envelope {
  const fields = headerFields(raw);
  const returnPath = fields.find((field) => field.name === "return-path");
  const from = fields.find((field) => field.name === "from");
  const mailFrom =
    returnPath !== undefined ? addressIn(returnPath.value) : addressIn(from?.value ?? "");
  return { mailFrom, rcptTo: [mailboxAddress] };
}
