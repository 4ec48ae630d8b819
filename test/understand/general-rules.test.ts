/**
 * General rules of reading, each stated once: how a time before its days, "any day", a part of
 * the day after a clock time, excepted hours and date ranges are read, and which readings are
 * left to a person (confidence below the default threshold).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLD, understand } from "../../src/understand/index.js";
import type { UnderstandInput } from "../../src/understand/types.js";

// Fri 27 Nov 2026, 10:00 New York (EST, UTC-5); options Tue 1 Dec 14:00, Wed 2 Dec 10:00, Thu 3 Dec 15:30
const offered: UnderstandInput = {
  now: "2026-11-27T15:00:00Z",
  timeZone: "America/New_York",
  text: "",
  proposed: [
    { start: "2026-12-01T19:00:00Z", end: "2026-12-01T20:00:00Z" },
    { start: "2026-12-02T15:00:00Z", end: "2026-12-02T16:00:00Z" },
    { start: "2026-12-03T20:30:00Z", end: "2026-12-03T21:30:00Z" },
  ],
};
const none: UnderstandInput = { ...offered, proposed: [] };
const read = (text: string, input: UnderstandInput = none) => understand({ ...input, text });
const utc = (day: string, from: string, to: string) => ({
  start: `2026-${day}T${from}:00Z`,
  end: `2026-${day}T${to}:00Z`,
});

describe("reading times said together", () => {
  it("shares a time said before several days with all of them", () => {
    expect(read("between 10 and 12 on Monday or Friday").windows).toEqual([
      utc("11-30", "15:00", "17:00"),
      utc("12-04", "15:00", "17:00"),
    ]);
  });

  it("narrows 'any day' by a time that follows it", () => {
    expect(read("Any day next week after 2pm").windows).toEqual(
      ["11-30", "12-01", "12-02", "12-03", "12-04"].map((d) => utc(d, "19:00", "23:00")),
    );
  });

  it("reads a part of the day after a clock time as its am or pm", () => {
    expect(read("8:30 Monday evening?").windows).toEqual([utc("12-01", "01:30", "02:30")]);
  });

  it("cuts excepted hours out of the day they are excepted from", () => {
    const r = read("Anytime Monday except 12-1");
    expect(r.windows).toEqual([utc("11-30", "14:00", "17:00"), utc("11-30", "18:00", "23:00")]);
    expect(r.unavailable).toEqual([utc("11-30", "17:00", "18:00")]);
  });

  it("places an excepted weekday among the days just named", () => {
    const r = read("Any afternoon the week of Dec 7 except Wednesday.");
    expect(r.windows).toEqual(
      ["12-07", "12-08", "12-10", "12-11"].map((d) => utc(d, "17:00", "22:00")),
    );
    expect(r.unavailable).toEqual([utc("12-09", "14:00", "23:00")]);
  });

  it.each(["I'm available 12/7-12/9", "available Dec 7 to Dec 9"])(
    "reads %j as every day from the first date to the last",
    (text) => {
      expect(read(text).windows).toEqual(
        ["12-07", "12-08", "12-09"].map((d) => utc(d, "14:00", "23:00")),
      );
    },
  );
});

describe("options named by position", () => {
  it.each([
    ["opt 2 is good w/ me", 2],
    ["Let's go with the middle one.", 2],
    ["Either of the first two would work, but I'd prefer the second.", 2],
  ])("reads %j as option %i", (text, choice) => {
    expect(read(text, offered)).toMatchObject({ intent: "accept", choice });
  });

  it("does not read an adverbial 'first' as the first option", () => {
    expect(read("Could you tell me the salary range first?", offered).intent).toBe("question");
  });
});

describe("leaving doubtful readings to a person", () => {
  const booked = { start: "2026-12-04T20:00:00Z", end: "2026-12-04T21:00:00Z" };
  it.each([
    ["a weekday that is not its date's", "Tuesday the 3rd at 10 works", none],
    ["a time that would have suited", "Wednesday would have worked but I'm now busy", offered],
    ["any of the options", "Any of them really, whatever's easiest.", offered],
    ["a habit rather than a choice", "I'm only free in the mornings", offered],
    ["one time said in two zones", "Monday 2pm EST / 11am PST", none],
    ["a time in the reader's zone", "Monday 10am your time", none],
    [
      "the booked time moved to another day",
      "Can we do the same time on Monday instead?",
      { ...none, booked },
    ],
  ])("keeps %s below the threshold", (_why, text, input) => {
    expect(read(text, input).confidence).toBeLessThan(DEFAULT_THRESHOLD);
  });
});

describe("cues in other words", () => {
  it.each([
    "Please don't contact me again",
    "I no longer want to hear from you",
    "I'd rather not get these emails",
    "Cease all communication",
    "Unsub",
  ])("reads %j as an opt-out", (text) => {
    expect(read(text).intent).toBe("opt_out");
  });

  it("reads 'Can I see my data?' as an access request", () => {
    expect(read("Can I see my data?")).toMatchObject({
      intent: "privacy_request",
      privacyRequest: "access",
    });
  });

  it("reads withdrawing consent as an objection, not a withdrawn application", () => {
    expect(read("I want to withdraw my consent")).toMatchObject({
      intent: "privacy_request",
      privacyRequest: "objection",
    });
  });

  it("does not read German quoted history whose header names the sender after 'schrieb'", () => {
    const text =
      "Dienstag\n\nAm Mi., 25. Nov. 2026 um 16:12 Uhr schrieb Ally <ally@acme.example>:\n> 3. Do 15:30";
    expect(read(text, offered)).toMatchObject({ intent: "accept", choice: 1 });
  });

  it("leaves a reply that borrows out-of-office words but answers to a person", () => {
    const r = read("I'm out of office Monday, but Wednesday at 10 works", offered);
    expect(r.confidence).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it.each([
    ["What do you know about me?", "access"],
    ["Please erase me from your database", "erasure"],
    ["Do not sell or share my data", "objection"],
    ["Please limit what you do with my data", "restriction"],
  ])("reads %j as the %s right", (text, privacyRequest) => {
    expect(read(text)).toMatchObject({ intent: "privacy_request", privacyRequest });
  });

  it.each(["I'm no longer looking", "Sorry, I have to back out of the interview"])(
    "reads %j as withdrawing",
    (text) => {
      expect(read(text).intent).toBe("cancel");
    },
  );

  it.each([
    "I'd rather not get these at 8am, after 10 is better",
    "Stop emailing me, I'm away until Monday",
  ])("leaves %j, where an opt-out meets times or absence, to a person", (text) => {
    expect(read(text).confidence).toBeLessThan(DEFAULT_THRESHOLD);
  });
});

describe("opting out, privacy rights, withdrawing and declining, as people say them", () => {
  const booked = { start: "2026-12-04T20:00:00Z", end: "2026-12-04T21:00:00Z" };
  const bookedOnly: UnderstandInput = { ...none, booked };

  it.each([
    "I want out of this list",
    "Please cease contact.",
    "How do I stop these?",
    "Please do not send further emails.",
    "Please stop reaching out.",
    "I'd appreciate it if you stopped messaging me.",
    "unsubcribe",
    "I DO NOT WANT THESE EMAILS. REMOVE ME.",
    "Ne m'écrivez plus, merci.",
    "Bitte streichen Sie mich aus Ihrer Liste.",
    "Não me contactem mais, por favor.",
  ])("reads %j as an opt-out", (text) => {
    expect(read(text).intent).toBe("opt_out");
  });

  it.each([
    ["I'd like to exercise my right of access.", "access"],
    ["Welche Informationen haben Sie über mich?", "access"],
    [
      "I'm not asking you to delete anything, I just want to know what you hold about me.",
      "access",
    ],
    ["I'd like to exercise my right to rectification.", "rectification"],
    ["I'd like to exercise my right to erasure.", "erasure"],
    [
      "I'd like you to hold my data but not process it while the dispute is ongoing.",
      "restriction",
    ],
    ["Please stop sharing my information with third parties.", "objection"],
    ["I'd like to exercise my right to object.", "objection"],
    ["Please send all my data to my new agency, in a format they can import.", "portability"],
  ])("reads %j as the %s right", (text, privacyRequest) => {
    expect(read(text)).toMatchObject({ intent: "privacy_request", privacyRequest });
  });

  it.each([
    ["Please consider this my withdrawal from the process.", offered],
    ["I'd like to decline this opportunity.", offered],
    ["I will not be continuing with my application.", offered],
    ["Ich habe eine andere Stelle angenommen und ziehe meine Bewerbung zurück.", offered],
    ["Can you call off Friday's interview?", bookedOnly],
  ])("reads %j as withdrawing or cancelling", (text, input) => {
    expect(read(text, input).intent).toBe("cancel");
  });

  it.each([
    "I'm unavailable on those days.",
    "Sorry, I'm busy all of those times.",
    "Sorry I can't.",
    "Lo siento, no puedo en esas fechas.",
  ])("reads %j as declining the options", (text) => {
    expect(read(text, offered).intent).toBe("decline");
  });

  it.each([
    ["'not interested' with nothing offered", "Not interested.", none, "opt_out"],
    ["'not interested' with options pending", "Not interested.", offered, "cancel"],
    [
      "an opt-out that may also withdraw",
      "i'm not interested, stop messaging me",
      offered,
      "opt_out",
    ],
    [
      "a booked interview that cannot be attended",
      "I won't be able to attend the interview, sorry.",
      bookedOnly,
      "cancel",
    ],
    ["a download of one's data", "Can I get a download of all my data?", none, "privacy_request"],
    [
      "a new time without a day for a booked interview",
      "Is it possible to change the time to 4pm?",
      bookedOnly,
      "reschedule",
    ],
    ["a shift by an amount", "Could we push it back an hour?", bookedOnly, "reschedule"],
  ])("reads %s as its likeliest intent, below the threshold", (_why, text, input, intent) => {
    const r = read(text, input);
    expect(r.intent).toBe(intent);
    expect(r.confidence).toBeLessThan(DEFAULT_THRESHOLD);
  });
});
