/**
 * The small Markdown subset the privacy policy is written in, parsed into blocks that a page
 * renders as elements (so every piece of text is escaped by the renderer, never pasted as HTML).
 * Headings (`#`, `##`, `###`), paragraphs, `- ` lists, `**strong**` and `[text](link)` where the
 * link is a site path, an https address or a mailto address; anything else stays plain text.
 */

export type Inline =
  | { kind: "text"; text: string }
  | { kind: "strong"; text: string }
  | { kind: "link"; text: string; href: string };

export type Block =
  | { kind: "heading"; level: 1 | 2 | 3; id: string; inlines: Inline[] }
  | { kind: "paragraph"; inlines: Inline[] }
  | { kind: "list"; items: Inline[][] };

const SAFE_HREF = /^(\/(?!\/)[A-Za-z0-9/_\-?=&.#%]*|https:\/\/[^\s"'<>]+|mailto:[^\s"'<>]+)$/;

/** `**strong**` and `[text](href)` spans; a link whose address is not safe stays text. */
export function parseInlines(line: string): Inline[] {
  const out: Inline[] = [];
  const pattern = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ kind: "text", text: line.slice(last, at) });
    if (match[1] !== undefined) out.push({ kind: "strong", text: match[1] });
    else if (SAFE_HREF.test(match[3] as string))
      out.push({ kind: "link", text: match[2] as string, href: match[3] as string });
    else out.push({ kind: "text", text: match[0] });
    last = at + match[0].length;
  }
  if (last < line.length) out.push({ kind: "text", text: line.slice(last) });
  return out;
}

/** A heading's anchor: its words in lower case, joined by hyphens. */
export function anchorOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: Inline[][] | undefined;
  const flush = () => {
    if (paragraph.length > 0)
      blocks.push({ kind: "paragraph", inlines: parseInlines(paragraph.join(" ")) });
    paragraph = [];
    if (list !== undefined) blocks.push({ kind: "list", items: list });
    list = undefined;
  };
  for (const raw of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    const heading = /^(#{1,3})\s+(.+)$/.exec(line);
    if (line === "") flush();
    else if (heading) {
      flush();
      const text = heading[2] as string;
      const level = (heading[1] as string).length as 1 | 2 | 3;
      blocks.push({ kind: "heading", level, id: anchorOf(text), inlines: parseInlines(text) });
    } else if (line.startsWith("- ")) {
      if (paragraph.length > 0) flush();
      list ??= [];
      list.push(parseInlines(line.slice(2)));
    } else if (list !== undefined) {
      // A continuation line of the last list item.
      const items = list;
      const lastItem = items[items.length - 1] as Inline[];
      items[items.length - 1] = [...lastItem, ...parseInlines(` ${line}`)];
    } else paragraph.push(line);
  }
  flush();
  return blocks;
}
