/**
 * Just enough MIME (RFC 2045, 2046) to read what the outbox wrote: headers, nested multipart
 * bodies, and base64 or quoted-printable content decoded to UTF-8 text.
 */

export interface MimePart {
  headers: Map<string, string>;
  /** The media type, lower case (`text/calendar`). */
  type: string;
  /** Parameters of Content-Type, names lower case (`method`, `charset`, `boundary`). */
  params: Map<string, string>;
  /** Decoded content; empty for multiparts. */
  text: string;
  parts: MimePart[];
}

export function parseMime(message: string): MimePart {
  const normalised = message.replace(/\r\n/g, "\n");
  const split = normalised.indexOf("\n\n");
  const head = split < 0 ? normalised : normalised.slice(0, split);
  const body = split < 0 ? "" : normalised.slice(split + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const [typeText = "text/plain", ...paramTexts] = (
    headers.get("content-type") ?? "text/plain"
  ).split(";");
  const params = new Map<string, string>();
  for (const p of paramTexts) {
    const eq = p.indexOf("=");
    if (eq > 0)
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ""),
      );
  }
  const type = typeText.trim().toLowerCase();
  const boundary = params.get("boundary");
  if (type.startsWith("multipart/") && boundary !== undefined) {
    const sections = body.split(`--${boundary}`);
    const parts = sections
      .slice(1)
      .filter((s) => !s.startsWith("--"))
      .map((s) => parseMime(s.replace(/^\n/, "").replace(/\n$/, "")));
    return { headers, type, params, text: "", parts };
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  let text: string;
  if (encoding === "base64")
    text = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  else if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\n/g, "")
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    text = Buffer.from(bytes, "latin1").toString("utf8");
  } else text = body;
  return { headers, type, params, text, parts: [] };
}

/** Every leaf part, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}
