/**
 * The one HTTP client for every outbound calendar request (CalDAV reads and event writes, ICS
 * feeds, OAuth token and API calls, a candidate's calendar feed), which must not turn Ally into
 * a way to reach its own network (server-side request forgery): a host must resolve only to
 * public addresses — not loopback, private (RFC 1918, unique-local, deprecated site-local),
 * link-local (where cloud metadata services live), carrier-grade NAT, multicast or reserved
 * ones, nor an IPv6 form that embeds one of those IPv4 addresses (mapped, compatible,
 * translated, NAT64, 6to4).
 *
 * - The name is resolved when the connection is opened, every address is checked, and the
 *   socket connects to the addresses that were checked (a pinned lookup): a name whose answer
 *   changes between a check and the connection (DNS rebinding) cannot reach a private address.
 * - Redirects are followed here, one hop at a time; every hop is checked the same way and
 *   credentials (Authorization, Cookie) are not carried to another origin.
 *
 * Operators who run a calendar server on their own network allow it with
 * ALLY_ALLOW_PRIVATE_CALENDAR_HOSTS=true (the tests, which talk to servers on loopback, do too);
 * requests then use the platform `fetch`.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import { ConnectorError } from "./types.js";

export type Lookup = (hostname: string) => Promise<string[]>;

export interface GuardOptions {
  /** Let addresses on loopback and private networks through (a self-hosted calendar server). */
  allowPrivateHosts: boolean;
  /** Resolves a name to every address it has; the system resolver by default. */
  lookup?: Lookup;
  /**
   * What sends one hop; by default an HTTP client whose sockets connect only to addresses
   * checked by `lookup` at connection time. Tests replace it to stand in for a public server.
   */
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
  // IPv4-compatible (deprecated, RFC 4291 2.5.5.1), with :: and ::1 in it.
  ["::", 96],
  // IPv4-translated (RFC 2765 SIIT): ::ffff:0:a.b.c.d.
  ["::ffff:0:0:0", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  // Site-local (deprecated, RFC 3879), still routed inside some networks.
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16));
  const head = parse(halves[0] ?? "");
  const tail = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The IPv4 address inside an IPv6 one that carries it to an IPv4 host: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (g === undefined) return undefined;
  const quad = (high: number, low: number) =>
    [high >> 8, high & 255, low >> 8, low & 255].join(".");
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return quad(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return quad(g[1] ?? 0, g[2] ?? 0);
  return undefined;
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

/**
 * A `lookup` for sockets (node:net) that resolves the name once, refuses it unless every
 * address is public, and hands the socket exactly the addresses it checked.
 */
export function pinnedLookup(resolve: Lookup): LookupFunction {
  return (hostname, options, callback) => {
    const literal = hostname.replace(/^\[|\]$/g, "");
    const answer =
      isIP(literal) !== 0
        ? Promise.resolve([literal])
        : Promise.resolve().then(() => resolve(literal));
    answer.then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((a) => a.family !== 0 && (wanted === 0 || a.family === wanted));
        if (usable.length === 0 || !usable.every((a) => isPublicAddress(a.address))) {
          callback(refused(hostname), "", 0);
          return;
        }
        if (options.all === true) {
          (callback as unknown as (e: null, all: typeof usable) => void)(null, usable);
          return;
        }
        const first = usable[0] as { address: string; family: number };
        callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 0),
    );
  };
}

/** An HTTP client whose every socket connects only to addresses `pinnedLookup` checked. */
function pinnedTransport(resolve: Lookup): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: pinnedLookup(resolve) } });
  return ((input: URL | string, init?: RequestInit) =>
    undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}

/** The refusal inside a rejected request (undici wraps socket errors in `cause`). */
function refusalIn(error: unknown): ConnectorError | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === "object" && depth < 4; depth++) {
    if (e instanceof ConnectorError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The guarded client: refuses non-public hosts on the first request and on every redirect, and
 * connects only to checked addresses. With `allowPrivateHosts` it is `options.fetch` or the
 * platform `fetch`, unchanged.
 * @example guardedFetch({ allowPrivateHosts: config.calendar.allowPrivateHosts })
 */
export function guardedFetch(options: GuardOptions): typeof fetch {
  if (options.allowPrivateHosts) return options.fetch ?? fetch;
  const lookup = options.lookup ?? systemLookup;
  const inner = options.fetch ?? pinnedTransport(lookup);
  const maxRedirects = options.maxRedirects ?? 5;
  const send = async (url: URL, request: RequestInit): Promise<Response> => {
    try {
      return await inner(url, request);
    } catch (error) {
      throw refusalIn(error) ?? error;
    }
  };
  return async (input, init) => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    let request: RequestInit = { ...init, redirect: "manual" };
    for (let hop = 0; ; hop++) {
      await checkPublicHost(url, lookup);
      const response = await send(url, request);
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
