/**
 * Properties of the reader, with fast-check (fixed seed): readings never name a time the text
 * does not support, stripping never removes the sender's first line, and any text, however
 * long or strange, gives a reading within a bounded amount of work (counted in characters and
 * tokens read, not wall-clock time) and never throws.
 */
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { stripQuoted, understand } from "../../src/understand/index.js";
import { analyse, MAX_TEXT_CHARS, MAX_TOKENS } from "../../src/understand/reader.js";
import type { UnderstandInput } from "../../src/understand/types.js";

const SEED = { seed: 20261203, numRuns: 300 };
// Fri 27 Nov 2026, 10:00 New York
const NOW = "2026-11-27T15:00:00Z";
const ZONES = [
  "America/New_York",
  "Europe/London",
  "Asia/Kolkata",
  "Australia/Sydney",
  "America/Los_Angeles",
];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const TIMES = [
  "",
  " at 3",
  " at 10am",
  " after 2pm",
  " before noon",
  " morning",
  " afternoon",
  " 1-3pm",
  " between 10 and 12",
];
const FILLER = ["", "Hi, ", "Sorry, ", "Thanks! ", "Hmm ", "Well "];
const ENDINGS = ["", " works", " is good for me", " would be ideal", "?", " please", " 🙂"];

const input = (
  text: string,
  timeZone = "America/New_York",
  extra: Partial<UnderstandInput> = {},
): UnderstandInput => ({
  now: NOW,
  timeZone,
  text,
  ...extra,
});

describe("reader properties", () => {
  it("names only times on the weekdays the text names, inside the spec's day, after now", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.array(fc.tuple(fc.constantFrom(...WEEKDAYS), fc.constantFrom(...TIMES)), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom(...FILLER),
        fc.constantFrom(...ENDINGS),
        (zone, parts, lead, end) => {
          const text = `${lead}${parts.map(([d, t]) => `${d}${t}`).join(" or ")}${end}`;
          const r = understand(input(text, zone));
          const named = new Set(parts.map(([d]) => WEEKDAYS.indexOf(d) + 1));
          for (const w of [...r.windows, ...r.unavailable]) {
            const start = Temporal.Instant.from(w.start).toZonedDateTimeISO(zone);
            const endAt = Temporal.Instant.from(w.end).toZonedDateTimeISO(zone);
            expect(named.has(start.dayOfWeek)).toBe(true);
            expect(start.hour).toBeGreaterThanOrEqual(9);
            expect(endAt.hour * 60 + endAt.minute).toBeLessThanOrEqual(20 * 60);
            expect(
              Temporal.Instant.compare(
                Temporal.Instant.from(w.start),
                Temporal.Instant.from(w.end),
              ),
            ).toBe(-1);
            expect(
              Temporal.Instant.compare(Temporal.Instant.from(w.end), Temporal.Instant.from(NOW)),
            ).toBe(1);
          }
        },
      ),
      SEED,
    );
  });

  it("reads no time, option or zone from quoted history or a signature", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("Thanks, will check.", "Got it.", "Noted, thank you!"),
        fc.array(fc.tuple(fc.constantFrom(...WEEKDAYS), fc.constantFrom(...TIMES)), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom("gmail", "outlook", "gt", "signature"),
        (own, quoted, style) => {
          const lines = quoted.map(([d, t]) => `${d}${t} ET, option 2`);
          const tail =
            style === "gmail"
              ? `On Thu, Nov 26, 2026 at 8:00 AM Ally <a@b.example> wrote:\n${lines.map((l) => `> ${l}`).join("\n")}`
              : style === "outlook"
                ? `-----Original Message-----\nFrom: Ally\nSent: Thursday\n${lines.join("\n")}`
                : style === "gt"
                  ? lines.map((l) => `> ${l}`).join("\n")
                  : `--\nDana | ${lines.join(" | ")}\n+1 212 555 0199`;
          const r = understand(input(`${own}\n\n${tail}`, "America/New_York", { proposed: [] }));
          expect(r.windows).toEqual([]);
          expect(r.unavailable).toEqual([]);
          expect(r.timeZone).toBeUndefined();
          expect(r.choice).toBeUndefined();
        },
      ),
      SEED,
    );
  });

  it("never removes the sender's own first line when stripping quoted text", () => {
    const firstLine = fc
      .stringMatching(/^[A-Za-z0-9 ,.!?':-]{1,80}$/)
      .filter((s) => /[A-Za-z0-9]/.test(s) && !s.trimStart().startsWith(">"));
    const rest = fc.array(
      fc.oneof(
        fc.constantFrom(
          "On Mon, Nov 24, 2026 Ally wrote:",
          "> quoted",
          "-----Original Message-----",
          "From: Ally",
          "Sent from my iPhone",
          "--",
          "Best,",
          "Dana",
          "(617) 555-0142",
          "",
        ),
        fc.string({ maxLength: 40 }),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(firstLine, rest, (first, more) => {
        const body = stripQuoted([first, ...more].join("\n")).body;
        expect(body.split("\n")[0]?.trim()).toBe(first.trim());
      }),
      SEED,
    );
  });

  it("reads any text, with control characters, emoji and stray markup, without throwing and within bounded work", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .array(
          fc.constantFrom(
            "<br>",
            "&nbsp;",
            "\u0000",
            "\u0007",
            "\r\n",
            "Tuesday",
            " at ",
            "3",
            "pm",
            "-",
            "or",
            "not",
            "#",
          ),
          {
            maxLength: 200,
          },
        )
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(...ZONES), (t, zone) => {
        const a = analyse(input(t, zone));
        expect(a.tokenCount).toBeLessThanOrEqual(MAX_TOKENS);
        expect(a.mentions.length).toBeLessThanOrEqual(a.tokenCount);
        const r = understand(input(t, zone));
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
      }),
      SEED,
    );
  });

  it("reads a huge body only up to its bounds, and with low confidence", () => {
    for (const unit of [
      "Tuesday at 3 or ",
      "a",
      "\u0000\u0001",
      "<div>",
      "> quoted\n",
      "9-5 ET 12/10 ",
    ]) {
      const huge = unit.repeat(Math.ceil(2_000_000 / unit.length));
      const a = analyse(input(huge));
      expect(a.body.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(a.tokenCount).toBeLessThanOrEqual(MAX_TOKENS);
      const r = understand(input(huge));
      expect(r.confidence).toBeLessThan(0.8);
    }
  });
});
