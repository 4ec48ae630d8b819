/**
 * Per-booking reply addresses: each attendee's invitation names as ORGANIZER an address of
 * Ally's own, `ally+TOKEN@<inbound domain>`, where TOKEN is an HMAC, under a key derived from
 * the master keys, of the organisation, the booking's UID and that attendee's address. A
 * calendar client sends its iMIP REPLY to the ORGANIZER (RFC 6047 2.2), so a reply that arrives
 * on the right address for the attendee it speaks for has been sent by someone who received
 * that attendee's invitation; the `From:` line, which anyone can write, proves nothing.
 *
 * Tokens are checked under every configured master key, newest first, so invitations sent
 * before a key rotation still verify while the older key is listed.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Keyring } from "../secrets/keyring.js";

/** What one reply address stands for. */
export interface ReplyBinding {
  organisationId: string;
  /** The booking's iCalendar UID (`bookings.ical_uid`). */
  bookingUid: string;
  /** The attendee the invitation was sent to (any case). */
  attendeeEmail: string;
}

export interface ReplyAddresses {
  /** `ally+TOKEN@domain`: the ORGANIZER of the invitation sent to this attendee. */
  addressFor(binding: ReplyBinding): string;
  /** True when one of `recipients` is the reply address of exactly this binding. */
  verifies(recipients: readonly string[], binding: ReplyBinding): boolean;
}

/** Hex characters of the token: 96 bits. Lower case, as some mail systems fold local parts. */
const TOKEN_HEX_CHARS = 24;

/** One reply-address key per master key, newest first (HKDF-SHA256, RFC 5869). */
export function replyAddressKeys(keyring: Keyring): Buffer[] {
  return keyring.versions.flatMap((version) => {
    const master = keyring.get(version);
    if (master === undefined) return [];
    return [Buffer.from(hkdfSync("sha256", master, "ally", "ally reply address v1", 32))];
  });
}

function tokenOf(key: Buffer, binding: ReplyBinding): string {
  return createHmac("sha256", key)
    .update(
      [binding.organisationId, binding.bookingUid, binding.attendeeEmail.trim().toLowerCase()].join(
        "\u0000",
      ),
    )
    .digest("hex")
    .slice(0, TOKEN_HEX_CHARS);
}

/**
 * Reply addresses under `mailbox` (e.g. `ally@ally.example.com`: local part and inbound domain).
 * @example createReplyAddresses({ keys, mailbox: "ally@ally.example.com" }).addressFor(binding)
 *   // "ally+3f9c0a…@ally.example.com"
 */
export function createReplyAddresses(options: {
  keys: readonly Buffer[];
  mailbox: string;
}): ReplyAddresses {
  const [newest] = options.keys;
  if (newest === undefined) throw new RangeError("reply addresses need at least one key");
  const at = options.mailbox.lastIndexOf("@");
  const local = options.mailbox.slice(0, at).replace(/\+.*$/, "").toLowerCase();
  const domain = options.mailbox.slice(at + 1).toLowerCase();
  if (at < 1 || local === "" || domain === "") {
    throw new RangeError(`not a mailbox address: ${options.mailbox}`);
  }
  const prefix = `${local}+`;
  return {
    addressFor: (binding) => `${prefix}${tokenOf(newest, binding)}@${domain}`,
    verifies(recipients, binding) {
      for (const recipient of recipients) {
        const address = recipient.trim().toLowerCase();
        const split = address.lastIndexOf("@");
        if (split < 0 || address.slice(split + 1) !== domain) continue;
        const localPart = address.slice(0, split);
        if (!localPart.startsWith(prefix)) continue;
        const given = Buffer.from(localPart.slice(prefix.length));
        if (given.length !== TOKEN_HEX_CHARS) continue;
        for (const key of options.keys) {
          if (timingSafeEqual(given, Buffer.from(tokenOf(key, binding)))) return true;
        }
      }
      return false;
    },
  };
}
