/** Loop safety (RFC 3834): which messages Ally may answer at all. */
import { describe, expect, it } from "vitest";
import { isOwnAddress, mayAnswer } from "../../src/assistant/loop-safety.js";
import { HUMAN_REPLIES, SILENT_CORPUS } from "./fixtures/auto-replies.js";

const OWN = ["ally@ally.example.com"];

describe("loop safety", () => {
  it("has a corpus of at least a hundred automatic, list and bounce messages", () => {
    expect(SILENT_CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(SILENT_CORPUS.map((f) => f.name)).size).toBe(SILENT_CORPUS.length);
  });

  it("answers none of the corpus", () => {
    const answered = SILENT_CORPUS.filter((f) => mayAnswer(f.facts, OWN).answer).map((f) => f.name);
    expect(answered).toEqual([]);
  });

  it("reads every out-of-office reply as no answer yet", () => {
    for (const fixture of SILENT_CORPUS.filter((f) => f.expected === "out-of-office")) {
      const verdict = mayAnswer(fixture.facts, OWN);
      expect(verdict.answer ? "answered" : verdict.kind, fixture.name).toBe("out-of-office");
    }
  });

  it("answers people's replies, in any language, even when they mention being away", () => {
    for (const reply of HUMAN_REPLIES) {
      expect(mayAnswer(reply.facts, OWN), reply.name).toEqual({ answer: true });
    }
  });

  it("names why it stays silent", () => {
    const base = HUMAN_REPLIES[0]?.facts;
    if (base === undefined) throw new Error("no human reply");
    expect(mayAnswer({ ...base, headers: { "Auto-Submitted": "auto-generated" } })).toMatchObject({
      answer: false,
      kind: "auto-submitted",
    });
    expect(mayAnswer({ ...base, headers: { "List-Id": "<x.example>" } })).toMatchObject({
      kind: "list",
    });
    expect(mayAnswer({ ...base, headers: { Precedence: "bulk" } })).toMatchObject({ kind: "bulk" });
    expect(mayAnswer({ ...base, returnPath: "" })).toMatchObject({ kind: "null-sender" });
    expect(mayAnswer({ ...base, headers: { "X-Auto-Response-Suppress": "All" } })).toMatchObject({
      kind: "suppress",
    });
  });

  it("never answers Ally's own addresses, plus-addressed or on its own domain", () => {
    const base = HUMAN_REPLIES[0]?.facts;
    if (base === undefined) throw new Error("no human reply");
    expect(mayAnswer({ ...base, fromAddress: "ALLY+3f9c@ally.example.com" }, OWN)).toMatchObject({
      kind: "own-address",
    });
    expect(isOwnAddress("x@ally.example.com", ["@ally.example.com"])).toBe(true);
    expect(isOwnAddress("ally@other.example", OWN)).toBe(false);
  });
});
