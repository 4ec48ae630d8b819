/**
 * Reading `Authentication-Results` (RFC 8601) as stamped by Ally's own MX: only a header whose
 * authserv-id is the configured one is believed (anyone can write the header; the MX is trusted
 * to remove or override copies bearing its own id, RFC 8601 5). From it Ally keeps the DMARC
 * verdict, counted as a pass only when the DMARC-checked `header.from` domain is the `From:`
 * address's domain. Pure: headers in, verdict out.
 */

/**
 * - `pass`: DMARC passed for the `From:` domain;
 * - `unaligned`: DMARC passed, but for another domain than the `From:` address's;
 * - `none`: the trusted header holds no DMARC result;
 * - any other DMARC result as written (`fail`, `temperror`, `permerror`, …), lower case.
 */
export type DmarcVerdict = string;

/** RFC 5322 comments, `(…)`, possibly nested, removed (quoted strings are left as they are). */
function withoutComments(value: string): string {
  let depth = 0;
  let out = "";
  let quoted = false;
  for (const char of value) {
    if (char === '"' && depth === 0) quoted = !quoted;
    if (!quoted && char === "(") {
      depth++;
      continue;
    }
    if (!quoted && char === ")" && depth > 0) {
      depth--;
      continue;
    }
    if (depth === 0) out += char;
  }
  return out;
}

/**
 * The DMARC verdict of the first `Authentication-Results` header (topmost: the last added)
 * whose authserv-id is `trustedAuthservId`, or null when no such header is present.
 * @example dmarcVerdict(["mx.ally.example; dmarc=pass header.from=acme.example"], "mx.ally.example", "dana@acme.example") // "pass"
 */
export function dmarcVerdict(
  headerValues: readonly string[],
  trustedAuthservId: string,
  fromAddress: string,
): DmarcVerdict | null {
  const trusted = trustedAuthservId.trim().toLowerCase();
  const fromDomain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1).toLowerCase();
  for (const raw of headerValues.slice(0, 50)) {
    const value = withoutComments(raw.slice(0, 10_000)).replace(/\s+/g, " ").trim();
    const [head = "", ...results] = value.split(";");
    const authservId = head.trim().split(" ")[0]?.toLowerCase() ?? "";
    if (authservId !== trusted) continue;
    for (const result of results) {
      const match = /^\s*dmarc\s*=\s*([A-Za-z]+)/.exec(result);
      if (match === null) continue;
      const outcome = (match[1] as string).toLowerCase().slice(0, 20);
      if (outcome !== "pass") return outcome;
      const checked = /\bheader\.from\s*=\s*"?([^\s";]+)"?/i.exec(result)?.[1]?.toLowerCase();
      return checked !== undefined && checked === fromDomain && fromDomain !== ""
        ? "pass"
        : "unaligned";
    }
    return "none";
  }
  return null;
}
