/**
 * A `fetch` for addresses that members type in (ICS feeds, CalDAV servers), which must not turn
 * Ally into a way to reach its own network (server-side request forgery): the host must resolve
 * only to public addresses — not loopback, private (RFC 1918, unique-local), link-local (where
 * cloud metadata services live), carrier-grade NAT, multicast or reserved ones. Redirects are
 * followed here, one hop at a time, and every hop is checked the same way; credentials are not
 * carried to another origin.
 *
 * Operators who run a calendar server on their own network allow it with
 * ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS=true (the tests, which talk to servers on loopback, do too).
 *
 * What is left: the address is checked when resolved here and the request resolves the name
 * again, so a name whose answer changes between the two (DNS rebinding with a zero TTL) is not
 * caught. Pinning the connection to the checked address needs a custom dispatcher.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { ConnectorError } from "./types.js";

export type Lookup = (hostname: string) => Promise<string[]>;

export interface GuardOptions {
  /** Let addresses on loopback and private networks through (a self-hosted calendar server). */
  allowPrivateHosts: boolean;
  /** Resolves a name to every address it has; the system resolver by default. */
  lookup?: Lookup;
  fetch?: typeof fetch;
  maxRedirects?: number;
}

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) one. */
function embeddedIpv4(address: string): string | undefined {
  const match =
    /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(
      address,
    );
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1];
  const high = Number.parseInt(match[2] ?? "0", 16);
  const low = Number.parseInt(match[3] ?? "0", 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * Whether an IP address is on the public internet.
 * @example isPublicAddress("93.184.216.34") // true
 * @example isPublicAddress("169.254.169.254") // false (cloud metadata)
 * @example isPublicAddress("::ffff:127.0.0.1") // false
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !blocked.check(address, "ipv4");
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return isPublicAddress(inner);
  return !blocked.check(address, "ipv6");
}

const systemLookup: Lookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const refused = (host: string) =>
  new ConnectorError(
    "CALENDAR_INVALID",
    `${host} is on a private or local network, which Ally does not connect to; use the calendar's public address`,
  );

/** Checks that `url`'s host resolves only to public addresses. */
export async function checkPublicHost(url: URL, lookup: Lookup = systemLookup): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0) {
    if (!isPublicAddress(host)) throw refused(url.host);
    return;
  }
  if (host === "localhost" || host.endsWith(".localhost")) throw refused(url.host);
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConnectorError(
      "CALENDAR_UNREACHABLE",
      `${url.host} cannot be reached${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: error },
    );
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw refused(url.host);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A `fetch` that refuses non-public hosts, on the first request and on every redirect. */
export function guardedFetch(options: GuardOptions): typeof fetch {
  const inner = options.fetch ?? fetch;
  if (options.allowPrivateHosts) return inner;
  const lookup = options.lookup ?? systemLookup;
  const maxRedirects = options.maxRedirects ?? 5;
  return async (input, init) => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    let request: RequestInit = { ...init, redirect: "manual" };
    for (let hop = 0; ; hop++) {
      await checkPublicHost(url, lookup);
      const response = await inner(url, request);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || location === null) return response;
      if (hop >= maxRedirects) {
        await response.body?.cancel();
        throw new ConnectorError("CALENDAR_UNREACHABLE", `${url.host}: too many redirects`);
      }
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new ConnectorError("CALENDAR_INVALID", `${url.host} redirected to a non-web address`);
      }
      if (next.origin !== url.origin) {
        // Credentials were given for the first server, not for wherever it points.
        const headers = new Headers(request.headers);
        headers.delete("authorization");
        headers.delete("cookie");
        request = { ...request, headers };
      }
      if (response.status === 303) request = { ...request, method: "GET", body: null };
      url = next;
    }
  };
}
