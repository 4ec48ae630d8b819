/**
 * A promotional message as one recipient receives it, built from data only (no clock, no
 * database): the text with its unsubscribe link, a simple HTML version with the same link and,
 * for a recipient who consented to marketing, the open beacon; and the RFC 8058 headers:
 *
 *   List-Unsubscribe: <https://ally.example/u/TOKEN>, <mailto:ally@ally.example?subject=unsubscribe>
 *   List-Unsubscribe-Post: List-Unsubscribe=One-Click
 *
 * RFC 8058 section 3.1: the HTTPS URI is the one-click one, POSTed to with the body
 * `List-Unsubscribe=One-Click`; RFC 2369 lets the mailto: URI stand beside it. Both headers
 * must be covered by the message's DKIM signature, which the relay applies to whole messages.
 */
import { escapeHtml } from "../mail/html.js";

export interface PromotionalInput {
  subject: string;
  text: string;
  /** `…/u/TOKEN`: one link for the body, and the header's one-click URI. */
  unsubscribeUrl: string;
  /** The service mailbox that reads "unsubscribe" and "opt out" subjects. */
  unsubscribeMailbox: string;
  /** `…/m/o/TOKEN`, only for a recipient with marketing consent; none otherwise. */
  beaconUrl?: string;
  listName: string;
}

export interface PromotionalMessage {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

/** Paragraphs and line breaks of plain text as HTML, web addresses as links. */
export function simpleHtml(text: string): string {
  return text
    .trim()
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => {
      const parts: string[] = [];
      let last = 0;
      for (const match of paragraph.matchAll(URL_IN_TEXT)) {
        const url = match[0];
        parts.push(escapeHtml(paragraph.slice(last, match.index)));
        parts.push(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`);
        last = (match.index ?? 0) + url.length;
      }
      parts.push(escapeHtml(paragraph.slice(last)));
      return `<p>${parts.join("").replace(/\r?\n/g, "<br>")}</p>`;
    })
    .join("\n");
}

export function composePromotional(input: PromotionalInput): PromotionalMessage {
  const footer = `You receive this because you agreed to emails from "${input.listName}". Unsubscribe: ${input.unsubscribeUrl}`;
  const text = `${input.text.trim()}\n\n--\n${footer}\n`;
  const beacon =
    input.beaconUrl === undefined
      ? ""
      : `<img src="${escapeHtml(input.beaconUrl)}" width="1" height="1" alt="">`;
  const html = [
    "<!doctype html><html><body>",
    simpleHtml(input.text),
    `<p>You receive this because you agreed to emails from &quot;${escapeHtml(input.listName)}&quot;. <a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>`,
    beacon,
    "</body></html>",
  ].join("\n");
  return {
    subject: input.subject,
    text,
    html,
    headers: {
      "List-Unsubscribe": `<${input.unsubscribeUrl}>, <mailto:${input.unsubscribeMailbox}?subject=unsubscribe>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      Precedence: "bulk",
    },
  };
}
