/**
 * IP addresses as usage data keeps them: truncated, so that one address stands for a whole
 * network. IPv4 keeps its first 24 bits (`203.0.113.0/24`), IPv6 its first 48
 * (`2001:db8:1234::/48`); an IPv4 address mapped into IPv6 (`::ffff:203.0.113.9`, as Node reports
 * IPv4 clients on a dual-stack socket) is truncated as IPv4. Pure.
 */
import { isIPv4, isIPv6 } from "node:net";

/**
 * The network prefix of `ip`, or null when `ip` is not an IP address.
 * @example truncateIp("203.0.113.77") // "203.0.113.0/24"
 * @example truncateIp("2001:db8:1234:5678::1") // "2001:db8:1234::/48"
 */
export function truncateIp(ip: string): string | null {
  const address = ip.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const v4 = mapped?.[1] ?? address;
  if (isIPv4(v4)) {
    const [a, b, c] = v4.split(".").map(Number);
    return `${a}.${b}.${c}.0/24`;
  }
  const zoneless = address.replace(/%.*$/, "");
  if (!isIPv6(zoneless)) return null;
  const groups = ipv6Groups(zoneless);
  const kept = groups.slice(0, 3).map((g) => g.toString(16));
  // RFC 5952: a trailing run of zero groups is written `::`.
  while (kept.length > 0 && kept[kept.length - 1] === "0") kept.pop();
  return `${kept.join(":")}::/48`;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes two groups). */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const v4Tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4Tail?.[1] !== undefined) {
    const [a, b, c, d] = v4Tail[1].split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4Tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) =>
    part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
