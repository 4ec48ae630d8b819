/**
 * Step 1: the sender's own new words. Removes HTML leftovers, quoted history (Gmail "On … wrote:",
 * Outlook "-----Original Message-----" and From:/Sent: blocks, forwarded headers, `>` lines) and
 * signatures ("Sent from my iPhone", "--" blocks, sign-offs followed by names, phones, addresses).
 * Never removes the first line that has words of the sender's own.
 */

const ENTITIES: Record<string, string> = {
  nbsp: " ",
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  "#39": "'",
};

/** Control and invisible characters (except tab and line feed), which carry no words. */
const CONTROL = /[^\P{Cc}\t\n]|\p{Cf}/gu;

/** Turns HTML leftovers into plain text: tags become line breaks or spaces, entities are decoded. */
export function plainText(text: string): string {
  return text
    .replace(/<br\s*\/?>|<\/(div|p|li|tr)>/gi, "\n")
    .replace(/<[a-z/!][^<>]{0,500}>/gi, " ")
    .replace(
      /&(nbsp|amp|lt|gt|quot|apos|#39);/gi,
      (_, name: string) => ENTITIES[name.toLowerCase()] ?? " ",
    )
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL, " ");
}

/** A line where quoted history begins; it and everything after it are not the sender's words. */
const HISTORY_START: RegExp[] = [
  /^\s*(on|am|le|el|em)\b.{0,300}\b(wrote|schrieb|a écrit|escribió|escreveu)\s*:?\s*$/i,
  // "Am Mi., 2. Dez. 2026 um 16:12 Uhr schrieb Ally <ally@example.com>:": the name after the verb.
  /^\s*(on|am|le|el|em)\b.{0,300}\b(wrote|schrieb|a écrit|escribió|escreveu)\b.{0,200}:\s*$/i,
  /^\s*-{2,}\s*(original message|forwarded message|mensaje original|message d'origine|ursprüngliche nachricht|mensagem original)\s*-{2,}/i,
  /^\s*_{5,}\s*$/,
  /^\s*(begin forwarded message|forwarded message)\s*:?/i,
  /^\s*(from|von|de)\s*:\s*.+/i,
];

/** A line that starts a signature; it and what follows are dropped. */
const SIGNATURE_START: RegExp[] = [
  /^\s*--\s*$/,
  /^\s*(sent from my|get outlook for|envoyé de mon|enviado desde mi|von meinem|enviado do meu)\b/i,
  /^\s*(best|best regards|kind regards|regards|warm regards|many thanks|thanks|thank you|thanks and regards|cheers|sincerely|yours|all the best|cordialement|bien à vous|saludos|un saludo|atentamente|mit freundlichen grüßen|viele grüße|beste grüße|grüße|atenciosamente|abraços|obrigad[oa])\s*[,.!]?\s*(\/.*)?$/i,
];

const CONTACT_LINE =
  /^\s*((tel|phone|mobile|cell|fax|m|t)\.?\s*:?\s*)?\+?[\d()][\d\s().-]{6,}\d\s*$|^\s*\d{1,5}\s+\w+.*\b(st|street|ave|avenue|road|rd|square|straße|strasse|lane|blvd)\b.*$/i;

/** Where the sender's new words end, as a line index (exclusive). */
function historyCut(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trimStart().startsWith(">")) return i;
    // "On Tue, Nov 24 … Ally <x@y>" may wrap onto the next line before "wrote:".
    const joined = i + 1 < lines.length ? `${line} ${lines[i + 1]}` : line;
    if (HISTORY_START[0]?.test(line) || (/^\s*on\b/i.test(line) && HISTORY_START[0]?.test(joined)))
      return i;
    for (const pattern of HISTORY_START.slice(1)) if (pattern.test(line)) return i;
  }
  return lines.length;
}

function isBlank(line: string): boolean {
  return line.trim() === "";
}

export type Stripped = {
  /** The sender's own new words, as plain text. */
  body: string;
  /** True when quoted history or a signature was removed. */
  removed: boolean;
};

/**
 * The sender's new words of a reply body.
 * @example stripQuoted("Option 2 please.\n\nOn Mon, Nov 24, 2026 Ally wrote:\n> 1. …").body // "Option 2 please."
 */
export function stripQuoted(text: string): Stripped {
  const lines = plainText(text).split("\n");
  const firstOwn = lines.findIndex((l) => !isBlank(l));
  let end = historyCut(lines);
  // The sender's first line is theirs even when it looks like a header ("From: me, Tuesday works").
  if (firstOwn >= 0 && end <= firstOwn && !lines[firstOwn]?.trimStart().startsWith(">"))
    end = firstOwn + 1;
  let own = lines.slice(0, end);
  own = dropSignature(own, firstOwn);
  const body = own.join("\n").trim();
  return { body, removed: end < lines.length || own.length < end };
}

/** "Thanks, Alex": a sign-off and a first name on one line. */
const SIGN_OFF_WITH_NAME =
  /^\s*(thanks|thank you|cheers|best|regards|kind regards|best regards|many thanks|merci|gracias|danke|obrigad[oa]|saludos|grüße)\s*[,!.]?\s+([A-Z][a-z]+)\s*[.!]?\s*$/i;
const NOT_A_NAME =
  /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|yes|no|ok|okay|sure|option|neither|none|both)$/i;

function isSignOff(line: string): boolean {
  if (SIGNATURE_START.some((p) => p.test(line))) return true;
  const m = SIGN_OFF_WITH_NAME.exec(line);
  return m !== null && /^[A-Z]/.test(m[2] as string) && !NOT_A_NAME.test(m[2] as string);
}

function dropSignature(lines: string[], firstOwn: number): string[] {
  for (let i = Math.max(firstOwn + 1, 0); i < lines.length; i++) {
    const line = lines[i] as string;
    if (isSignOff(line)) return lines.slice(0, i);
    if (CONTACT_LINE.test(line)) return trimNameAbove(lines.slice(0, i), firstOwn);
  }
  // A lone "Sent from my iPhone" as the first line is still the sender's text.
  return trimTrailingName(lines, firstOwn);
}

/** Drops a short name line ("Dana", "Maria Lopez") left above contact details. */
function trimNameAbove(lines: string[], firstOwn: number): string[] {
  let end = lines.length;
  while (
    end - 1 > firstOwn &&
    (isBlank(lines[end - 1] as string) || isNameLine(lines[end - 1] as string))
  )
    end--;
  return lines.slice(0, end);
}

/** A trailing paragraph that is only a name, or a name with a title ("Kai\nSenior Engineer | …"). */
function trimTrailingName(lines: string[], firstOwn: number): string[] {
  let end = lines.length;
  while (end - 1 > firstOwn && isBlank(lines[end - 1] as string)) end--;
  let start = end;
  while (start - 1 > firstOwn && !isBlank(lines[start - 1] as string)) start--;
  if (
    start > firstOwn + 0 &&
    start < end &&
    start - 1 >= firstOwn &&
    isBlank(lines[start - 1] as string)
  ) {
    const block = lines.slice(start, end);
    if (block.length <= 4 && isNameLine(block[0] as string)) return lines.slice(0, start);
  }
  return lines;
}

function isNameLine(line: string): boolean {
  return /^\s*[\p{Lu}][\p{L}'.-]*(\s+[\p{Lu}][\p{L}'.-]*){0,3}\s*,?\s*$/u.test(line);
}
