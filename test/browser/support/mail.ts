/**
 * Reads the .eml files Ally writes to its outbox folder when no SMTP relay is set: enough MIME
 * (multipart, quoted-printable, base64) to show a test the message a person would open.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface OutboxMail {
  file: string;
  headers: Map<string, string>;
  to: string;
  subject: string;
  text: string;
  html: string | undefined;
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf("\n\n");
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? "" : raw.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const source = text.replace(/=\n/g, "");
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    const hex = source.slice(i + 1, i + 3);
    if (ch === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "quoted-printable":
      return decodeQuotedPrintable(body);
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return body;
  }
}

/** Decodes an RFC 2047 encoded-word header value (=?UTF-8?Q?…?= / =?UTF-8?B?…?=). */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_m, _charset, kind, data) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(data, "base64").toString("utf8")
      : decodeQuotedPrintable(data.replace(/_/g, " ")),
  );
}

function parts(
  headers: Map<string, string>,
  body: string,
): Array<{ type: string; content: string }> {
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary !== undefined) {
    const found: Array<{ type: string; content: string }> = [];
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith("--")) break;
      const inner = splitHeaders(chunk.replace(/^\n/, ""));
      found.push(...parts(inner.headers, inner.body));
    }
    return found;
  }
  return [
    {
      type: type.split(";")[0]?.trim().toLowerCase() ?? "text/plain",
      content: decodeBody(body, headers.get("content-transfer-encoding")),
    },
  ];
}

export async function readMail(file: string): Promise<OutboxMail> {
  const raw = (await readFile(file, "utf8")).replace(/\r\n/g, "\n");
  const { headers, body } = splitHeaders(raw);
  const found = parts(headers, body);
  return {
    file,
    headers,
    to: headers.get("to") ?? "",
    subject: decodeHeader(headers.get("subject") ?? ""),
    text: found.find((p) => p.type === "text/plain")?.content ?? "",
    html: found.find((p) => p.type === "text/html")?.content,
  };
}

/** Waits (polling) for a message to `to` whose subject matches, written to the outbox folder. */
export async function waitForMail(
  directory: string,
  to: string,
  subject: RegExp,
  timeoutMs = 30_000,
): Promise<OutboxMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let names: string[] = [];
    try {
      names = (await readdir(directory)).filter((n) => n.endsWith(".eml"));
    } catch {
      // the folder appears with the first message
    }
    for (const name of names) {
      const mail = await readMail(join(directory, name));
      if (mail.to.toLowerCase().includes(to.toLowerCase()) && subject.test(mail.subject)) {
        return mail;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no email to ${to} matching ${subject} in ${directory} after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
