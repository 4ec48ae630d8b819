/**
 * Whether Ally may answer a message at all (RFC 3834, "Recommendations for Automatic Responses
 * to Electronic Mail"), before anything reads what it says. Pure: headers and text in, a verdict
 * out.
 *
 * Ally never answers mail that announces itself as automatic (`Auto-Submitted` other than `no`,
 * `X-Autoreply`, `X-Autorespond`), list or bulk mail (`List-*`, `Precedence: bulk/list/junk`),
 * mail with an empty return path (RFC 3834 §2: bounces), mail whose sender asked for no
 * automatic answers (`X-Auto-Response-Suppress`), delivery status notifications (from
 * MAILER-DAEMON or postmaster, `multipart/report`), nor mail from one of its own addresses.
 * An out-of-office reply is told apart from the rest: it means "no answer yet", so follow-ups
 * go on as if nothing had arrived.
 */
import type { InboundMessage } from "../mail/inbound.js";

/** What the check reads of a message. Header names in any case; values as received. */
export type MailFacts = {
  headers: Readonly<Record<string, string>>;
  fromAddress: string;
  /** The envelope sender (Return-Path / MAIL FROM); "" for the null sender `<>`. */
  returnPath: string;
  subject: string;
  text: string;
};

export type SilenceKind =
  | "out-of-office"
  | "auto-submitted"
  | "list"
  | "bulk"
  | "null-sender"
  | "suppress"
  | "bounce"
  | "own-address";

export type Answerability =
  | { answer: true }
  | {
      answer: false;
      kind: SilenceKind;
      /** In words, for the message's record. */
      reason: string;
    };

/** Subjects automatic answers start with, in the languages Ally meets most. */
const OUT_OF_OFFICE_SUBJECTS: readonly RegExp[] = [
  /^\s*(automatic|auto(matic)?[- ]?reply|autoreply|auto[- ]?response)\s*:/i,
  /^\s*auto\s*:/i,
  /^\s*out of (the )?office\b/i,
  /^\s*(on )?(vacation|holiday|annual leave|away)( reply| notice| message)?\s*(:|$|-)/i,
  /\bout of (the )?office\b.*\b(until|till|returning|back on)\b/i,
  /^\s*(abwesenheitsnotiz|automatische antwort|abwesend|nicht im b(ü|ue)ro|urlaub)\b/i,
  /^\s*(r(é|e)ponse automatique|absence|absent\b|message d'absence|en cong(é|e))/i,
  /^\s*(respuesta autom(á|a)tica|fuera de la oficina|ausente|fuera de oficina|de vacaciones)/i,
  /^\s*(risposta automatica|fuori sede|fuori ufficio)/i,
  /^\s*(automatisch antwoord|afwezig|niet aanwezig)/i,
  /^\s*(resposta autom(á|a)tica|ausente do escrit(ó|o)rio)/i,
  /^\s*(autosvar|frånvaro|fravær)/i,
];

/** Subjects of delivery status notifications (bounces). */
const BOUNCE_SUBJECTS: readonly RegExp[] = [
  /^\s*(undeliver(able|ed)|undelivered mail|delivery (status notification|failure|has failed)|mail delivery (failed|failure|subsystem)|returned mail|failure notice|delivery notification)/i,
  /^\s*(unzustellbar|nicht zustellbar|non remis|non distribuable|no se puede entregar|no entregado)/i,
];

const BOUNCE_SENDERS =
  /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?|no-?reply-dsn)@/i;

/** Header names compared in lower case; a value trimmed and lower-cased. */
function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return String(value).trim();
  }
  return undefined;
}

function hasHeaderStartingWith(headers: Readonly<Record<string, string>>, prefix: string): string {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase().startsWith(prefix)) return key;
  }
  return "";
}

/** True when the subject or automatic-answer headers say "I am away". */
function looksOutOfOffice(facts: MailFacts): boolean {
  const subject = facts.subject;
  if (OUT_OF_OFFICE_SUBJECTS.some((pattern) => pattern.test(subject))) return true;
  const autoreply =
    headerOf(facts.headers, "x-autoreply") ?? headerOf(facts.headers, "x-autorespond");
  if (autoreply !== undefined && autoreply.toLowerCase() !== "no") return true;
  const autoSubmitted = headerOf(facts.headers, "auto-submitted")?.toLowerCase() ?? "";
  if (autoSubmitted.startsWith("auto-replied")) return true;
  return false;
}

function silence(kind: SilenceKind, reason: string): Answerability {
  return { answer: false, kind, reason };
}

/** What loop safety reads of a received message. */
export function mailFactsOf(message: InboundMessage): MailFacts {
  return {
    headers: message.headers ?? {},
    fromAddress: message.fromAddress,
    returnPath: message.envelopeFrom,
    subject: message.subject,
    text: message.text,
  };
}

/**
 * Whether Ally may answer this message, and when not, why. `ownAddresses` are Ally's own
 * (its address and reply-address domain): mail from them is never answered, so two Allys
 * copied on each other cannot ping-pong.
 * @example mayAnswer({ headers: { "Auto-Submitted": "auto-replied" }, ... }).answer // false
 */
export function mayAnswer(facts: MailFacts, ownAddresses: readonly string[] = []): Answerability {
  const from = facts.fromAddress.trim().toLowerCase();
  const returnPath = facts.returnPath.trim().replace(/^<|>$/g, "").toLowerCase();
  if (isOwnAddress(from, ownAddresses)) {
    return silence("own-address", `it comes from Ally's own address ${from}`);
  }
  const contentType = headerOf(facts.headers, "content-type")?.toLowerCase() ?? "";
  if (
    BOUNCE_SENDERS.test(from) ||
    BOUNCE_SENDERS.test(returnPath) ||
    contentType.startsWith("multipart/report") ||
    BOUNCE_SUBJECTS.some((pattern) => pattern.test(facts.subject))
  ) {
    return silence("bounce", "it is a delivery status notification (a bounce)");
  }
  if (looksOutOfOffice(facts)) {
    return silence("out-of-office", "it is an automatic out-of-office reply: no answer yet");
  }
  const autoSubmitted = headerOf(facts.headers, "auto-submitted");
  if (autoSubmitted !== undefined && autoSubmitted.toLowerCase().split(";")[0]?.trim() !== "no") {
    return silence("auto-submitted", `it is marked Auto-Submitted: ${autoSubmitted}`);
  }
  const listHeader = hasHeaderStartingWith(facts.headers, "list-");
  if (listHeader !== "") {
    return silence("list", `it is list mail (${listHeader})`);
  }
  const precedence = headerOf(facts.headers, "precedence")?.toLowerCase();
  if (precedence === "bulk" || precedence === "list" || precedence === "junk") {
    return silence("bulk", `it is marked Precedence: ${precedence}`);
  }
  if (returnPath === "") {
    return silence("null-sender", "its return path is empty");
  }
  const suppress = headerOf(facts.headers, "x-auto-response-suppress");
  if (suppress !== undefined) {
    return silence("suppress", `its sender asked for no automatic answers (${suppress})`);
  }
  return { answer: true };
}

/** True when `address` is one of Ally's own, or on an own domain given as `@domain`. */
export function isOwnAddress(address: string, ownAddresses: readonly string[]): boolean {
  const lower = address.trim().toLowerCase();
  if (lower === "") return false;
  const [local, domain] = splitAddress(lower);
  for (const own of ownAddresses) {
    const ownLower = own.trim().toLowerCase();
    if (ownLower.startsWith("@")) {
      if (`@${domain}` === ownLower) return true;
      continue;
    }
    const [ownLocal, ownDomain] = splitAddress(ownLower);
    // ally+TOKEN@domain is the same mailbox as ally@domain.
    if (ownDomain === domain && local.replace(/\+.*$/, "") === ownLocal.replace(/\+.*$/, "")) {
      return true;
    }
  }
  return false;
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf("@");
  return at < 0 ? [address, ""] : [address.slice(0, at), address.slice(at + 1)];
}
