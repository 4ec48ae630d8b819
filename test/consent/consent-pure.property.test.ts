/**
 * The pure parts of consent: IP truncation against a brute-force oracle (bit masking), the
 * consent cookie's round trip and versioning, GPC winning over a stored yes, and what a choice
 * form means. Fixed seed, so a failure is reproducible.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipv6Groups, truncateIp } from "../../src/consent/ip.js";
import {
  CONSENT_NOTICE_VERSION,
  choicesFromForm,
  consentCookieValue,
  consentState,
  gpcRequested,
  parseConsentCookie,
} from "../../src/consent/notice.js";

const SEED = { seed: 20261203, numRuns: 300 };

/** The oracle: keep the first `bits` bits of the address as a bit string, zero the rest. */
function maskBits(bytes: number[], bits: number): number[] {
  return bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return keep === 0 ? 0 : byte & ((0xff << (8 - keep)) & 0xff);
  });
}

const bytesOfV6 = (groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);

const ipv4 = fc.tuple(...Array.from({ length: 4 }, () => fc.integer({ min: 0, max: 255 })));
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

/** An IPv6 address written with its longest zero run compressed, as people and Node write it. */
function writeV6(groups: number[], compress: boolean): string {
  const hex = groups.map((g) => g.toString(16));
  if (!compress) return hex.join(":");
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
  }
  if (bestLength < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

describe("IP truncation", () => {
  it("keeps exactly the first 24 bits of an IPv4 address", () => {
    fc.assert(
      fc.property(ipv4, (bytes) => {
        const kept = maskBits(bytes, 24);
        expect(truncateIp(bytes.join("."))).toBe(`${kept.join(".")}/24`);
        // Node reports IPv4 clients on a dual-stack socket as IPv4-mapped IPv6.
        expect(truncateIp(`::ffff:${bytes.join(".")}`)).toBe(`${kept.join(".")}/24`);
      }),
      SEED,
    );
  });

  it("keeps exactly the first 48 bits of an IPv6 address, however it is written", () => {
    fc.assert(
      fc.property(ipv6, fc.boolean(), (groups, compress) => {
        const prefix = truncateIp(writeV6(groups, compress));
        expect(prefix).not.toBeNull();
        expect(prefix?.endsWith("::/48")).toBe(true);
        const network = (prefix as string).slice(0, -3);
        expect(bytesOfV6(ipv6Groups(network))).toEqual(maskBits(bytesOfV6(groups), 48));
      }),
      SEED,
    );
  });

  it("gives the same network for every address in it, with the host part zeroed", () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 255 }), (bytes, last) => {
        const other = [...bytes.slice(0, 3), last];
        expect(truncateIp(bytes.join("."))).toBe(truncateIp(other.join(".")));
        expect(truncateIp(bytes.join("."))).toMatch(/^\d+\.\d+\.\d+\.0\/24$/);
      }),
      SEED,
    );
  });

  it("writes well-known examples as a person would", () => {
    expect(truncateIp("203.0.113.77")).toBe("203.0.113.0/24");
    expect(truncateIp("2001:db8:1234:5678::1")).toBe("2001:db8:1234::/48");
    expect(truncateIp("2001:db8::1")).toBe("2001:db8::/48");
    expect(truncateIp("::1")).toBe("::/48");
    expect(truncateIp("fe80::1%eth0")).toBe("fe80::/48");
    expect(truncateIp("not an address")).toBeNull();
    expect(truncateIp("")).toBeNull();
  });
});

const visitorId = fc.stringMatching(/^[A-Za-z0-9_-]{16,24}$/).map((tail) => `v_${tail}`);
const stored = fc.record({
  noticeVersion: fc.integer({ min: 1, max: 99 }),
  analytics: fc.boolean(),
  marketing: fc.boolean(),
  visitorId,
});

describe("the consent cookie and its notice version", () => {
  it("reads back every choice it writes", () => {
    fc.assert(
      fc.property(stored, (choice) => {
        expect(parseConsentCookie(consentCookieValue(choice))).toEqual(choice);
      }),
      SEED,
    );
  });

  it("asks again when the choice was made under another notice version, and then nothing is on", () => {
    fc.assert(
      fc.property(stored, fc.boolean(), (choice, gpc) => {
        const state = consentState(consentCookieValue(choice), gpc, CONSENT_NOTICE_VERSION);
        const current = choice.noticeVersion === CONSENT_NOTICE_VERSION;
        expect(state.askNeeded).toBe(!current);
        expect(state.visitorId).toBe(choice.visitorId);
        if (!current) expect(state.effective).toEqual({ analytics: false, marketing: false });
      }),
      SEED,
    );
  });

  it("lets GPC turn analytics and marketing off whatever the cookie says, and nothing else turn them on", () => {
    fc.assert(
      fc.property(stored, fc.boolean(), (choice, gpc) => {
        const state = consentState(consentCookieValue(choice), gpc, choice.noticeVersion);
        expect(state.effective).toEqual(
          gpc
            ? { analytics: false, marketing: false }
            : { analytics: choice.analytics, marketing: choice.marketing },
        );
      }),
      SEED,
    );
  });

  it("treats a missing or tampered cookie as no choice", () => {
    fc.assert(
      fc.property(fc.string(), (junk) => {
        const parsed = parseConsentCookie(junk);
        if (parsed === undefined) {
          const state = consentState(junk, false);
          expect(state.askNeeded).toBe(true);
          expect(state.effective).toEqual({ analytics: false, marketing: false });
        } else {
          expect(consentCookieValue(parsed)).toBe(junk);
        }
      }),
      SEED,
    );
    expect(consentState(undefined, false).askNeeded).toBe(true);
    expect(parseConsentCookie("1.11.v_<script>alert(1)</script>")).toBeUndefined();
  });

  it("reads Sec-GPC: 1 as the signal and nothing else", () => {
    expect(gpcRequested("1")).toBe(true);
    expect(gpcRequested(" 1 ")).toBe(true);
    for (const other of [undefined, "", "0", "true", "yes"])
      expect(gpcRequested(other)).toBe(false);
  });
});

describe("what a choice form means", () => {
  it("accept all is everything, reject all nothing, save the ticked boxes; GPC makes it nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("accept-all" as const, "reject-all" as const, "save" as const),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (choice, analytics, marketing, gpc) => {
          const result = choicesFromForm({ choice, analytics, marketing }, gpc);
          const expected =
            gpc || choice === "reject-all"
              ? { analytics: false, marketing: false }
              : choice === "accept-all"
                ? { analytics: true, marketing: true }
                : { analytics, marketing };
          expect(result).toEqual(expected);
        },
      ),
      SEED,
    );
  });
});
