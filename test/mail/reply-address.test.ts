/**
 * Per-booking reply addresses: a token bound to organisation, booking and attendee, checked
 * under every configured master key, that nobody can derive for another attendee or booking.
 */
import { describe, expect, it } from "vitest";
import { createReplyAddresses, replyAddressKeys } from "../../src/mail/reply-address.js";
import { keyringOf, singleKeyring } from "../../src/secrets/keyring.js";

const OLD_KEY = Buffer.alloc(32, 1);
const NEW_KEY = Buffer.alloc(32, 2);
const DANA = {
  organisationId: "org_1",
  bookingUid: "bkg_1@ally",
  attendeeEmail: "dana@acme.example",
};

const addressesWith = (keys: Buffer[]) =>
  createReplyAddresses({ keys, mailbox: "Ally@Ally.Example.com" });

describe("reply addresses", () => {
  it("are the mailbox's local part plus a 24-hex token, at the inbound domain", () => {
    const addresses = addressesWith(replyAddressKeys(singleKeyring(NEW_KEY)));
    expect(addresses.addressFor(DANA)).toMatch(/^ally\+[0-9a-f]{24}@ally\.example\.com$/);
    // The attendee's address is compared without regard to case.
    expect(addresses.addressFor({ ...DANA, attendeeEmail: "DANA@acme.example" })).toBe(
      addresses.addressFor(DANA),
    );
  });

  it("verify only for the organisation, booking and attendee they were made for", () => {
    const addresses = addressesWith(replyAddressKeys(singleKeyring(NEW_KEY)));
    const address = addresses.addressFor(DANA);
    expect(addresses.verifies([address], DANA)).toBe(true);
    expect(addresses.verifies(["someone@elsewhere.example", address.toUpperCase()], DANA)).toBe(
      true,
    );
    for (const other of [
      { ...DANA, organisationId: "org_2" },
      { ...DANA, bookingUid: "bkg_2@ally" },
      { ...DANA, attendeeEmail: "eli@acme.example" },
    ]) {
      expect(addresses.verifies([address], other)).toBe(false);
    }
    const token = address.slice(5, 29);
    expect(addresses.verifies(["ally@ally.example.com"], DANA)).toBe(false);
    expect(addresses.verifies([`ally+${token}@attacker.example`], DANA)).toBe(false);
    expect(addresses.verifies([`other+${token}@ally.example.com`], DANA)).toBe(false);
    expect(addresses.verifies([`ally+${token.slice(0, 23)}@ally.example.com`], DANA)).toBe(false);
  });

  it("keep verifying under a previous master key after a new one is added, and not under a key never configured", () => {
    const before = addressesWith(replyAddressKeys(singleKeyring(OLD_KEY)));
    const issued = before.addressFor(DANA);
    const rotated = addressesWith(
      replyAddressKeys(
        keyringOf([
          { version: 2, key: NEW_KEY },
          { version: 1, key: OLD_KEY },
        ]),
      ),
    );
    expect(rotated.verifies([issued], DANA)).toBe(true);
    expect(rotated.addressFor(DANA)).not.toBe(issued);
    const stranger = addressesWith(replyAddressKeys(singleKeyring(NEW_KEY)));
    expect(stranger.verifies([issued], DANA)).toBe(false);
  });
});
