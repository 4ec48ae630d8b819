/**
 * Reading an interviewer's email about an interview they are booked on: plain statements that
 * they cannot make it are read surely; hedges and questions unsure, so a person decides; other
 * notes are not a decline.
 */
import { describe, expect, it } from "vitest";
import { readInterviewerReply } from "../../src/understand/index.js";

// Mon 7 Dec 2026, 09:00–09:45 UTC
const BOOKED = { start: "2026-12-07T09:00:00Z", end: "2026-12-07T09:45:00Z" };

describe("an interviewer's reply", () => {
  it.each([
    "Sorry, I can't make it on Monday after all.",
    "I can't make it, something came up.",
    "Unfortunately I'm no longer available for this interview.",
    "I have a conflict and won't be able to attend.",
    "Sorry, I need to drop out of this one.",
    "I'm out sick on Monday, can't do the interview",
    "Something came up, I can no longer do Monday 9am.",
    "Hi Ally,\n\nSorry, I can't make it on Monday anymore.\n\nDana\n\nOn Tue, Ally wrote:\n> You're booked for Monday",
  ])("reads %j as surely cannot attend", (text) => {
    expect(readInterviewerReply({ text })).toEqual({ cannotAttend: true, confidence: 0.9 });
  });

  it.each([
    "I might not be able to make it, not sure yet",
    "Can I skip this one?",
    "I can't make it at 9, but I can still make it at 9:15.",
  ])("reads %j as unsure", (text) => {
    expect(readInterviewerReply({ text })).toEqual({ cannotAttend: true, confidence: 0.5 });
  });

  it.each([
    "Looking forward to it!",
    "Can you send me the candidate's CV?",
    "No conflict, I can make it.",
    "> Sorry, I can't make it\n",
  ])("does not read %j as a decline", (text) => {
    expect(readInterviewerReply({ text }).cannotAttend).toBe(false);
  });

  it("takes the general reading's decline, or a 'can't do' window over the booked time, as a weak sign", () => {
    const weak = { cannotAttend: true, confidence: 0.6 };
    expect(
      readInterviewerReply({
        text: "Monday is out.",
        reading: { intent: "decline", unavailable: [] },
      }),
    ).toEqual(weak);
    expect(
      readInterviewerReply({
        text: "Busy Monday morning.",
        reading: {
          intent: "unknown",
          unavailable: [{ start: "2026-12-07T08:00:00Z", end: "2026-12-07T12:00:00Z" }],
        },
        booked: BOOKED,
      }),
    ).toEqual(weak);
    expect(
      readInterviewerReply({
        text: "Busy Tuesday morning.",
        reading: {
          intent: "unknown",
          unavailable: [{ start: "2026-12-08T08:00:00Z", end: "2026-12-08T12:00:00Z" }],
        },
        booked: BOOKED,
      }).cannotAttend,
    ).toBe(false);
  });
});
