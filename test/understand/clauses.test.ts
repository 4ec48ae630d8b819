/** Step 2: clauses and their polarity. */
import { describe, expect, it } from "vitest";
import { splitClauses } from "../../src/understand/clauses.js";

const words = (text: string) =>
  splitClauses(text).map((c) => c.tokens.map((t) => t.text).join(" "));

describe("splitting a reply into clauses", () => {
  it("splits at sentence ends, semicolons, line breaks and 'but'", () => {
    expect(words("I can't do Tuesday at all but Wednesday at 10 is fine.")).toEqual([
      "i can't do tuesday at all",
      "wednesday at 10 is fine",
    ]);
    expect(words("Out Monday; Tuesday works\nThanks")).toEqual([
      "out monday",
      "tuesday works",
      "thanks",
    ]);
  });

  it("keeps 'but' that only introduces an exception", () => {
    expect(words("Any day this week but Wednesday.")).toEqual(["any day this week but wednesday"]);
  });

  it("marks the part of a clause that says the sender cannot as negative, and what follows a positive word as positive", () => {
    const [clause] = splitClauses("I'm out Tuesday and Wednesday, back Thursday");
    const flags = clause?.tokens.map((t, i) => [t.text, clause.negative[i]]);
    expect(flags).toContainEqual(["tuesday", true]);
    expect(flags).toContainEqual(["thursday", false]);
  });

  it("lets a part that says neither inherit the polarity before it", () => {
    const [clause] = splitClauses("I can't do Tuesday, Wednesday or Friday");
    const friday = clause?.tokens.findIndex((t) => t.text === "friday") ?? -1;
    expect(clause?.negative[friday]).toBe(true);
  });

  it("flags questions", () => {
    expect(splitClauses("Is it remote? Tuesday works.").map((c) => c.question)).toEqual([
      true,
      false,
    ]);
  });
});
