/**
 * Steps 5–7 through `understand`: options first, then intent, then confidence. Each case is a
 * reply as people write it; the fixed instants are commented.
 */
import { describe, expect, it } from "vitest";
import { understand } from "../../src/understand/index.js";
import type { UnderstandInput } from "../../src/understand/types.js";

// Fri 27 Nov 2026, 10:00 New York; options Tue 1 Dec 14:00, Wed 2 Dec 10:00, Thu 3 Dec 15:30 (ET)
const base: UnderstandInput = {
  now: "2026-11-27T15:00:00Z",
  timeZone: "America/New_York",
  text: "",
  proposed: [
    { start: "2026-12-01T19:00:00Z", end: "2026-12-01T20:00:00Z" },
    { start: "2026-12-02T15:00:00Z", end: "2026-12-02T16:00:00Z" },
    { start: "2026-12-03T20:30:00Z", end: "2026-12-03T21:30:00Z" },
  ],
};
const read = (text: string, extra: Partial<UnderstandInput> = {}) =>
  understand({ ...base, ...extra, text });

describe("matching the offered options", () => {
  it.each([
    ["#2 please", 2],
    ["The second one works for me. Thanks!", 2],
    ["I'll take the last one", 3],
    ["Not the first one, the second.", 2],
    ["Tuesday at 2 works great", 1],
    ["Wednesday works", 2],
    ["I'll take the 3:30 slot.", 3],
    ["Wednesday 7am PT", 2],
    ["Le deuxième créneau me convient.", 2],
    ["Der zweite Termin passt mir gut.", 2],
  ])("reads %j as option %i", (text, choice) => {
    const r = read(text);
    expect(r.intent).toBe("accept");
    expect(r.choice).toBe(choice);
    expect(r.windows).toEqual([]);
  });

  it("does not take an option the sender says does not work", () => {
    expect(read("Option 1 doesn't work, but option 2 does")).toMatchObject({
      intent: "accept",
      choice: 2,
    });
  });

  it("reads 'Option 2 works' with high confidence and a yes to several options as unknown, below threshold", () => {
    expect(read("Option 2 works").confidence).toBeGreaterThanOrEqual(0.8);
    const yes = read("yes");
    expect(yes.intent).toBe("unknown");
    expect(yes.confidence).toBeLessThan(0.8);
  });

  it("takes a yes when exactly one option was offered", () => {
    const proposed = base.proposed?.slice(0, 1) ?? [];
    expect(read("Sounds good!", { proposed })).toMatchObject({ intent: "accept", choice: 1 });
  });

  it("never reads a confirmation of the booked time as a reschedule", () => {
    const booked = { start: "2026-12-03T21:00:00Z", end: "2026-12-03T22:00:00Z" };
    const r = read("I can attend at 4 as scheduled.", { proposed: [], booked });
    expect(r.intent).toBe("unknown");
  });
});

describe("reading new times", () => {
  it("proposes what the sender can do and lists what they cannot", () => {
    const r = read("None of those work. I can't do Monday, but I'm free Friday after 3pm.");
    expect(r.intent).toBe("propose");
    // Fri 4 Dec 15:00–18:00 ET; Mon 30 Nov 09:00–18:00 ET
    expect(r.windows).toEqual([{ start: "2026-12-04T20:00:00Z", end: "2026-12-04T23:00:00Z" }]);
    expect(r.unavailable).toEqual([{ start: "2026-11-30T14:00:00Z", end: "2026-11-30T23:00:00Z" }]);
  });

  it("reads a named zone and reports it", () => {
    const r = read("Could we do Monday at 11am PT?");
    expect(r.timeZone).toBe("America/Los_Angeles");
    expect(r.windows).toEqual([{ start: "2026-11-30T19:00:00Z", end: "2026-11-30T20:00:00Z" }]);
  });

  it("reads a zone in parentheses or a city after a time, and reports it", () => {
    expect(read("Wednesday 7am (PT) works")).toMatchObject({
      intent: "accept",
      choice: 2,
      timeZone: "America/Los_Angeles",
    });
    expect(read("Tuesday 7pm London works")).toMatchObject({
      intent: "accept",
      choice: 1,
      timeZone: "Europe/London",
    });
  });

  it("does not read the French 'et' after a time as Eastern time", () => {
    expect(read("lundi 10h et mardi 11h").timeZone).toBeUndefined();
  });

  it("reads a wish to move a booked interview as a reschedule, without the booked day as a window", () => {
    const booked = { start: "2026-12-03T21:00:00Z", end: "2026-12-03T22:00:00Z" };
    const r = read("Could we move Thursday's interview to Friday morning?", {
      proposed: [],
      booked,
    });
    expect(r.intent).toBe("reschedule");
    expect(r.windows).toEqual([{ start: "2026-12-04T14:00:00Z", end: "2026-12-04T17:00:00Z" }]);
  });
});

describe("intents beyond times", () => {
  it.each([
    ["None of these work for me.", "decline"],
    ["Please cancel my interview, I've accepted another offer.", "cancel"],
    ["unsubscribe", "opt_out"],
    ["Is it remote?", "question"],
    ["I am out of the office until December 2 with limited access to email.", "unknown"],
  ])("reads %j as %s", (text, intent) => {
    expect(read(text).intent).toBe(intent);
  });

  it.each([
    ["What personal data do you hold about me?", "access"],
    ["please delete everything you have on me", "erasure"],
    ["Please correct my surname in your records, it's Nguyen.", "rectification"],
    ["Could you export all my data in a machine-readable format?", "portability"],
    ["Please stop processing my data but don't delete it.", "restriction"],
    ["I object to you processing my personal data for profiling.", "objection"],
  ])("reads %j as a privacy request (%s)", (text, kind) => {
    expect(read(text)).toMatchObject({ intent: "privacy_request", privacyRequest: kind });
  });
});

describe("confidence", () => {
  it("drops below the threshold when a word is not understood", () => {
    expect(read("Option 2, unless the zebra objects").confidence).toBeLessThan(0.8);
  });

  it("drops below the threshold when a reply says yes and no to the same time", () => {
    const r = read("I could do Thursday but not at 3:30, maybe 5?");
    expect(r.intent).toBe("propose");
    expect(r.confidence).toBeLessThan(0.8);
  });

  it("reads 'not before 11' after a day as times the sender cannot do", () => {
    const r = read("Tuesday works, not before 11 though");
    expect(r).toMatchObject({ intent: "accept", choice: 1 });
    // Tue 1 Dec 09:00–11:00 ET
    expect(r.unavailable).toEqual([{ start: "2026-12-01T14:00:00Z", end: "2026-12-01T16:00:00Z" }]);
  });

  it("drops below the threshold when an accept also asks a question", () => {
    const r = read("Tuesday works. Is it remote though?");
    expect(r.intent).toBe("accept");
    expect(r.confidence).toBeLessThan(0.8);
  });

  it("drops below the threshold when a day fits two options", () => {
    const proposed = [
      { start: "2026-12-02T15:00:00Z", end: "2026-12-02T16:00:00Z" },
      { start: "2026-12-02T19:00:00Z", end: "2026-12-02T20:00:00Z" },
    ];
    const r = read("Wednesday works!", { proposed });
    expect(r).toMatchObject({ intent: "accept", choice: 1 });
    expect(r.confidence).toBeLessThan(0.8);
  });

  it("ignores the process zone", () => {
    const before = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      expect(read("Could we do Monday at 11am?").windows[0]?.start).toBe("2026-11-30T16:00:00Z");
    } finally {
      process.env.TZ = before;
    }
  });
});
