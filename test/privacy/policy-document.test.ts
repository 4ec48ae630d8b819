/**
 * The privacy policy document: the Markdown subset it is written in renders nothing as HTML,
 * the operator's values and the sections generated from the data map are filled in, and every
 * version the site lists has its text.
 */
import { describe, expect, it } from "vitest";
import {
  type DataMapView,
  legalBasesSection,
  policyDocument,
  policyMarkdown,
  retentionSection,
} from "../../src/privacy/policy/document.js";
import { parseInlines, parseMarkdown } from "../../src/privacy/policy/markdown.js";
import { POLICY_VERSIONS } from "../../src/privacy/policy/versions.js";
import { dataMap } from "../../src/store/schema.js";
import { testConfig } from "../support/web-world.js";

const map = dataMap as unknown as DataMapView;
const settings = testConfig({
  PRIVACY_OPERATOR_NAME: "Acme Hosting Ltd",
  PRIVACY_CONTACT: "dpo@acme.example",
  SUPPORT_CONTACT: "help@acme.example",
  PRIVACY_DISPUTE_BODY: "The Fair Disputes Office, 1 Main Street",
  PRIVACY_AUTHORITY: "the Information Commissioner",
}).privacy;

describe("the policy's Markdown", () => {
  it("reads headings, paragraphs, lists, strong text and links", () => {
    const blocks = parseMarkdown(
      "# Title\n\nSome **bold** text\nwrapped.\n\n- one [link](/privacy/contact)\n- two",
    );
    expect(blocks).toEqual([
      { kind: "heading", level: 1, id: "title", inlines: [{ kind: "text", text: "Title" }] },
      {
        kind: "paragraph",
        inlines: [
          { kind: "text", text: "Some " },
          { kind: "strong", text: "bold" },
          { kind: "text", text: " text wrapped." },
        ],
      },
      {
        kind: "list",
        items: [
          [
            { kind: "text", text: "one " },
            { kind: "link", text: "link", href: "/privacy/contact" },
          ],
          [{ kind: "text", text: "two" }],
        ],
      },
    ]);
  });

  it("keeps a link to a script, another scheme or a protocol-relative address as plain text", () => {
    for (const href of [
      "javascript:alert(1)",
      "//evil.example",
      "http://plain.example",
      "data:x",
    ]) {
      const inlines = parseInlines(`[go](${href})`);
      expect(inlines.every((inline) => inline.kind === "text")).toBe(true);
      expect(inlines.map((inline) => inline.text).join("")).toBe(`[go](${href})`);
    }
  });

  it("leaves HTML in the text as text, for the page to escape", () => {
    expect(parseMarkdown("<script>alert(1)</script>")).toEqual([
      { kind: "paragraph", inlines: [{ kind: "text", text: "<script>alert(1)</script>" }] },
    ]);
  });
});

describe("the policy document", () => {
  it("names the operator, both contact addresses, the dispute body and the authority from config", () => {
    const text = policyMarkdown(1, settings, map);
    for (const value of [
      "Acme Hosting Ltd",
      "dpo@acme.example",
      "help@acme.example",
      "The Fair Disputes Office, 1 Main Street",
      "the Information Commissioner",
      "45 days",
    ]) {
      expect(text).toContain(value);
    }
    expect(text).not.toMatch(/\{\{\w+\}\}/);
  });

  it("has every section the policy promises", () => {
    const headings = policyDocument(1, settings, map)
      .filter((b) => b.kind === "heading" && b.level === 2)
      .map((b) => (b.kind === "heading" ? b.id : ""));
    expect(headings).toEqual(
      expect.arrayContaining([
        "what-we-collect-and-why",
        "legal-basis-for-each-purpose",
        "cookies-and-how-to-refuse-them",
        "third-parties-and-their-own-policies",
        "international-transfer",
        "how-long-we-keep-each-kind-of-data",
        "your-rights-and-how-to-use-them",
        "complaints",
        "contact",
      ]),
    );
  });

  it("gives a legal basis for every purpose the data map names", () => {
    const purposes = new Set(
      Object.values(map)
        .flatMap((columns) => Object.values(columns))
        .flatMap((note) => (note.personal ? [note.purpose] : [])),
    );
    const section = legalBasesSection(map).toLowerCase();
    expect(purposes.size).toBeGreaterThan(0);
    for (const purpose of purposes) expect(section).toContain(purpose.toLowerCase());
  });

  it("says how long each kind of data is kept, from the data map", () => {
    const section = retentionSection({
      users: {
        email: { personal: true, category: "contact", purpose: "signing in", retention: "account" },
      },
      sent: { to: { personal: true, category: "contact", purpose: "mail", retention: "mail-90d" } },
    });
    expect(section).toBe(
      "- **Email addresses and telephone numbers**, for mail: ninety days after sending.\n" +
        "- **Email addresses and telephone numbers**, for signing in: until you close your account.",
    );
  });

  it("has the text of every listed version, each with a summary of changes", () => {
    for (const version of POLICY_VERSIONS) {
      expect(version.summary.length).toBeGreaterThan(10);
      expect(policyDocument(version.version, settings, map).length).toBeGreaterThan(5);
    }
  });
});
