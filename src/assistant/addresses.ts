/** Reading addresses and thread references out of an inbound message's headers. */
import type { InboundMessage } from "../mail/inbound.js";

/** Addresses in a header value (To, Cc): `Name <a@b>, c@d`. */
export function addressesIn(value: string | undefined): { address: string; name: string }[] {
  if (value === undefined) return [];
  const found: { address: string; name: string }[] = [];
  for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const match = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(part);
    if (match !== null) {
      found.push({ name: (match[1] ?? "").trim(), address: (match[2] ?? "").toLowerCase() });
      continue;
    }
    const bare = /([^\s<>,;]+@[^\s<>,;]+)/.exec(part);
    if (bare !== null) found.push({ name: "", address: (bare[1] ?? "").toLowerCase() });
  }
  return found;
}

/** Message-IDs in In-Reply-To and References. */
export function threadIds(message: InboundMessage): string[] {
  const text = `${message.inReplyTo ?? ""} ${message.headers?.references ?? ""} ${message.headers?.["in-reply-to"] ?? ""}`;
  return [...new Set(text.match(/<[^<>\s]+>/g) ?? [])];
}
