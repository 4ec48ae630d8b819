/**
 * The reply-understanding corpus is well formed: every line validates, the parts are large
 * enough, cover every category, and every label is consistent with its own input. No reader is
 * involved: this guards the data that the reader is scored on.
 */
import { describe, expect, it } from "vitest";
import {
  CATEGORIES,
  CORPUS_PARTS,
  type CorpusCase,
  INTENTS,
  loadCorpus,
  PRIVACY_REQUESTS,
  readCorpusPart,
} from "./corpus/corpus.js";

const { tune, dev, dev2, dev3, heldOut } = loadCorpus();
const all: CorpusCase[] = [...tune, ...dev, ...dev2, ...dev3, ...heldOut];
const isBefore = (a: string, b: string) => Date.parse(a) < Date.parse(b);

describe("the understanding corpus", () => {
  it.each(CORPUS_PARTS)("parses every line of the %s part", (part) => {
    const errors = readCorpusPart(part).flatMap((r) => (r.ok ? [] : [r.error]));
    expect(errors).toEqual([]);
  });

  it("gives every case an id used nowhere else in any part", () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const c of all) {
      const where = `${c.part}:${c.line}`;
      if (seen.has(c.id)) duplicates.push(`${c.id} at ${seen.get(c.id)} and ${where}`);
      seen.set(c.id, where);
    }
    expect(duplicates).toEqual([]);
  });

  it("holds at least 330 tuning cases, 120 held-out cases and 450 in all", () => {
    expect(tune.length).toBeGreaterThanOrEqual(330);
    expect(heldOut.length).toBeGreaterThanOrEqual(120);
    expect(all.length).toBeGreaterThanOrEqual(450);
  });

  it.each(Object.keys(CATEGORIES))("covers '%s' in both parts", (category) => {
    const matches = CATEGORIES[category]!;
    expect(tune.filter(matches).length, "tune").toBeGreaterThan(0);
    expect(heldOut.filter(matches).length, "held-out").toBeGreaterThan(0);
  });

  it("holds at least 150 development cases, weighted towards privacy, opt-out and other languages", () => {
    expect(dev.length).toBeGreaterThanOrEqual(150);
    expect(dev.filter((c) => c.expect.intent === "privacy_request").length).toBeGreaterThanOrEqual(
      30,
    );
    expect(dev.filter((c) => c.expect.intent === "opt_out").length).toBeGreaterThanOrEqual(15);
    expect(dev.filter((c) => c.lang !== "en").length).toBeGreaterThanOrEqual(30);
    for (const kind of PRIVACY_REQUESTS) {
      expect(
        dev.filter((c) => c.expect.privacyRequest === kind).length,
        kind,
      ).toBeGreaterThanOrEqual(5);
    }
  });

  it("has at least 12 cases in each of Spanish, French, German and Portuguese", () => {
    for (const lang of ["es", "fr", "de", "pt"]) {
      expect(all.filter((c) => c.lang === lang).length, lang).toBeGreaterThanOrEqual(12);
    }
  });

  it("expects windows and unavailable times that start before they end", () => {
    const bad = all.flatMap((c) =>
      [...c.expect.windows, ...c.expect.unavailable]
        .filter((w) => !isBefore(w.start, w.end))
        .map((w) => `${c.id}: ${w.start}..${w.end}`),
    );
    expect(bad).toEqual([]);
  });

  it("gives offered and booked intervals that start before they end", () => {
    const bad = all.flatMap((c) =>
      [...(c.input.proposed ?? []), ...(c.input.booked ? [c.input.booked] : [])]
        .filter((w) => !isBefore(w.start, w.end))
        .map(() => c.id),
    );
    expect(bad).toEqual([]);
  });

  it("only accepts an option that was offered", () => {
    const bad = all
      .filter((c) => c.expect.intent === "accept")
      .filter((c) => {
        const count = c.input.proposed?.length ?? 0;
        return c.expect.choice === undefined || c.expect.choice < 1 || c.expect.choice > count;
      })
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it("names a choice only for accept and a privacy right only for privacy requests", () => {
    const bad = all
      .filter(
        (c) =>
          (c.expect.choice !== undefined) !== (c.expect.intent === "accept") ||
          (c.expect.privacyRequest !== undefined) !== (c.expect.intent === "privacy_request"),
      )
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it("uses only the spec's intents and its six privacy requests", () => {
    for (const c of all) {
      expect(INTENTS).toContain(c.expect.intent);
      if (c.expect.privacyRequest) expect(PRIVACY_REQUESTS).toContain(c.expect.privacyRequest);
    }
    expect(new Set(all.map((c) => c.expect.privacyRequest).filter(Boolean))).toEqual(
      new Set(PRIVACY_REQUESTS),
    );
  });

  it("tags every case first with its expected intent, and ambiguous cases as ambiguous", () => {
    const bad = all
      .filter(
        (c) => c.tags[0] !== c.expect.intent || c.tags.includes("ambiguous") !== c.expect.ambiguous,
      )
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it("labels auto-replies and out-of-office notices as unknown", () => {
    const bad = all
      .filter((c) => c.tags.includes("auto-reply") || c.tags.includes("out-of-office"))
      .filter((c) => c.expect.intent !== "unknown")
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it("keeps windows to the intents that carry them", () => {
    const bad = all
      .filter((c) => c.expect.windows.length > 0)
      .filter((c) => c.expect.intent !== "propose" && c.expect.intent !== "reschedule")
      .map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it("gives every proposal at least one window", () => {
    const bad = all.filter((c) => c.expect.intent === "propose" && c.expect.windows.length === 0);
    expect(bad.map((c) => c.id)).toEqual([]);
  });

  it("has a booked interview for every reschedule", () => {
    const bad = all.filter((c) => c.expect.intent === "reschedule" && !c.input.booked);
    expect(bad.map((c) => c.id)).toEqual([]);
  });

  it("keeps at most three 'this week' cases whose today starts at now", () => {
    expect(all.filter((c) => c.tags.includes("this-week-today")).length).toBeLessThanOrEqual(3);
  });

  it("expects times after the message arrived", () => {
    const bad = all.flatMap((c) =>
      [...c.expect.windows, ...c.expect.unavailable]
        .filter((w) => isBefore(w.start, c.input.now))
        .map((w) => `${c.id}: ${w.start}`),
    );
    expect(bad).toEqual([]);
  });

  it("writes the held-out replies independently of the tuning replies", () => {
    // Case, spacing and punctuation aside; emoji count, so "👍" and "🙂🙂" differ.
    const normalise = (text: string) =>
      text
        .toLowerCase()
        .replace(/[\s\p{P}]+/gu, " ")
        .trim();
    const tuneTexts = new Set(tune.map((c) => normalise(c.input.text)));
    const copies = heldOut.filter((c) => tuneTexts.has(normalise(c.input.text))).map((c) => c.id);
    expect(copies).toEqual([]);
  });

  it("writes the development replies independently of the tuning replies", () => {
    const normalise = (text: string) =>
      text
        .toLowerCase()
        .replace(/[\s\p{P}]+/gu, " ")
        .trim();
    const tuneTexts = new Set(tune.map((c) => normalise(c.input.text)));
    const copies = dev.filter((c) => tuneTexts.has(normalise(c.input.text))).map((c) => c.id);
    expect(copies).toEqual([]);
  });

  it("holds at least 150 second-development cases, written apart from the tuning and development replies", () => {
    expect(dev2.length).toBeGreaterThanOrEqual(150);
    const normalise = (text: string) =>
      text
        .toLowerCase()
        .replace(/[\s\p{P}]+/gu, " ")
        .trim();
    const earlier = new Set([...tune, ...dev].map((c) => normalise(c.input.text)));
    // Stock phrasings ("unsubscribe", "Yes", "Wednesday works.") are what anyone writes; a
    // longer reply said word for word before would be a copy.
    const copies = dev2.filter((c) => earlier.has(normalise(c.input.text)));
    const longCopies = copies.filter((c) => normalise(c.input.text).split(" ").length > 8);
    expect(longCopies.map((c) => c.id)).toEqual([]);
    expect(copies.length).toBeLessThanOrEqual(dev2.length * 0.1);
  });

  it("holds at least 150 third-development cases on opting out, privacy rights, cancelling, declining and moving, written apart from the earlier replies", () => {
    expect(dev3.length).toBeGreaterThanOrEqual(150);
    const count = (intent: string) => dev3.filter((c) => c.expect.intent === intent).length;
    expect(count("opt_out")).toBeGreaterThanOrEqual(30);
    expect(count("privacy_request")).toBeGreaterThanOrEqual(30);
    expect(count("cancel") + count("decline") + count("reschedule")).toBeGreaterThanOrEqual(40);
    for (const kind of PRIVACY_REQUESTS)
      expect(
        dev3.filter((c) => c.expect.privacyRequest === kind).length,
        kind,
      ).toBeGreaterThanOrEqual(4);
    for (const lang of ["es", "fr", "de", "pt"])
      expect(dev3.filter((c) => c.lang === lang).length, lang).toBeGreaterThanOrEqual(4);
    const normalise = (text: string) =>
      text
        .toLowerCase()
        .replace(/[\s\p{P}]+/gu, " ")
        .trim();
    const earlier = new Set([...tune, ...dev, ...dev2].map((c) => normalise(c.input.text)));
    const copies = dev3.filter((c) => earlier.has(normalise(c.input.text)));
    const longCopies = copies.filter((c) => normalise(c.input.text).split(" ").length > 8);
    expect(longCopies.map((c) => c.id)).toEqual([]);
    expect(copies.length).toBeLessThanOrEqual(dev3.length * 0.1);
  });
});
