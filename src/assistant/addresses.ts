/** Reading addresses and thread references out of an inbound message's headers. */
import type { InboundMessage } from "../mail/inbound.js";

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/** One RFC 2047 encoded word's text, or the word itself when its charset is unknown. */
function decodeWord(word: string, charset: string, encoding: string, text: string): string {
  const bytes =
    encoding.toUpperCase() === "B"
      ? Buffer.from(text, "base64")
      : Buffer.from(
          text
            .replaceAll("_", " ")
            .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
              String.fromCharCode(Number.parseInt(hex, 16)),
            ),
          "latin1",
        );
  try {
    return new TextDecoder(charset.split("*")[0]).decode(bytes);
  } catch {
    return word;
  }
}

/**
 * A display name as people wrote it: RFC 2047 encoded words decoded, the space between two
 * adjacent encoded words dropped (RFC 2047 section 6.2).
 * @example decodeEncodedWords("=?UTF-8?B?Sm/Do28=?= Silva") // "João Silva"
 */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, "$1")
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) =>
      decodeWord(word, charset, encoding, text),
    );
}

/** Addresses in a header value (To, Cc): `Name <a@b>, c@d`; encoded names decoded. */
export function addressesIn(value: string | undefined): { address: string; name: string }[] {
  if (value === undefined) return [];
  const found: { address: string; name: string }[] = [];
  for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const match = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(part);
    if (match !== null) {
      found.push({
        name: decodeEncodedWords((match[1] ?? "").trim()),
        address: (match[2] ?? "").toLowerCase(),
      });
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
