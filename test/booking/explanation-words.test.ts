/**
 * "Why no time fits" as a recruiter reads it: names, not ids; sessions counted from one; days
 * and times in the request's zone; and a headline ending with the change that helps most.
 */
import { describe, expect, it } from "vitest";
import { type ExplanationData, explanationInWords } from "../../src/booking/explanation-words.js";
import { explainProblem } from "../../src/engine/explain.js";
import {
  at,
  between,
  buildParticipant,
  buildProblem,
  buildSession,
} from "../engine/build-problem.js";

const names = new Map([
  ["user_CUtbYTLosyHr9fzE", "Dana Lee"],
  ["user_q8Wm2Zk1", "Sam Okafor"],
]);

function noTimeFits(overrides: Partial<ExplanationData> = {}): ExplanationData {
  return {
    candidateStarts: 190,
    feasibleStarts: 0,
    summary: "No time fits.",
    blockers: [],
    relaxations: [],
    ...overrides,
  };
}

describe("an explanation in the recruiter's words", () => {
  it("names the person and the session, counted from one, never their ids", () => {
    const words = explanationInWords(
      noTimeFits({
        blockers: [
          {
            constraint: "workingHours",
            session: "1",
            participant: "user_CUtbYTLosyHr9fzE",
            startsRuledOut: 190,
            outOf: 190,
            message:
              'user_CUtbYTLosyHr9fzE (session "1") is outside working hours at 190 of 190 starts.',
          },
        ],
      }),
      { names, sessions: [{ name: "Technical" }, { name: "Hiring manager" }], timeZone: "UTC" },
    );
    expect(words.reasons).toEqual([
      'Dana Lee (session 2 ("Hiring manager")) is outside their working hours at 190 of 190 possible starts.',
    ]);
    expect(words.reasons.join(" ")).not.toMatch(/user_|session "1"/);
  });

  it("calls a one-session interview by its title alone", () => {
    const words = explanationInWords(
      noTimeFits({
        blockers: [
          {
            constraint: "busy",
            session: "0",
            participant: "user_q8Wm2Zk1",
            startsRuledOut: 3,
            outOf: 8,
            message: "",
          },
        ],
      }),
      { names, sessions: [{ name: "Screen" }], timeZone: "UTC" },
    );
    expect(words.reasons).toEqual(['Sam Okafor ("Screen") is busy at 3 of 8 possible starts.']);
  });

  it("ends the headline with the change that helps most, its times in the request's zone", () => {
    const words = explanationInWords(
      noTimeFits({
        relaxations: [
          {
            constraint: "range",
            change: "widen the window by 2 days, to 2026-12-05T00:00:00Z",
            feasibleStarts: 12,
            firstStart: "2026-12-04T14:00:00Z",
            rangeEnd: "2026-12-05T00:00:00Z",
          },
          {
            constraint: "busy",
            participant: "user_q8Wm2Zk1",
            change: "ask user_q8Wm2Zk1 to move other meetings",
            feasibleStarts: 4,
            firstStart: "2026-12-02T10:00:00Z",
          },
          {
            constraint: "notice",
            change: "shorten the minimum notice by 30 minutes, to 30",
            feasibleStarts: 1,
            firstStart: "2026-12-01T10:00:00Z",
            noticeMinutes: 30,
            noticeCutMinutes: 30,
          },
        ],
      }),
      { names, sessions: [{ name: "Screen" }], timeZone: "America/New_York" },
    );
    // The first new time is 09:00 on Friday in New York: the window must reach Friday.
    expect(words.headline).toBe(
      "No time fits. The change that would help most: widen the window to Friday 4 December 2026 (12 times, the first Fri 4 Dec, 09:00).",
    );
    expect(words.changes.slice(1)).toEqual([
      "ask Sam Okafor to move other meetings (4 times, the first Wed 2 Dec, 05:00)",
      "allow 30 minutes less notice (1 time, the first Tue 1 Dec, 05:00)",
    ]);
  });

  it("reads someone no longer in the organisation as a former member", () => {
    const words = explanationInWords(
      noTimeFits({
        relaxations: [
          {
            constraint: "workingHours",
            participant: "user_gone",
            change: "",
            feasibleStarts: 2,
            firstStart: "2026-12-01T09:00:00Z",
          },
        ],
      }),
      { names, sessions: [{ name: "Screen" }], timeZone: "UTC" },
    );
    expect(words.changes[0]).toMatch(/^ask a former member to work outside their hours/);
  });

  it("says no single change is enough when the engine found none", () => {
    const words = explanationInWords(noTimeFits(), { names, sessions: [], timeZone: "UTC" });
    expect(words.headline).toMatch(/^No time fits, and no single change is enough/);
  });

  it("renders every explanation the engine gives without an id or a zero-based session", () => {
    const problem = buildProblem({
      now: at("2026-12-01T08:30:00Z"),
      minNoticeMinutes: 120,
      participants: [
        buildParticipant({
          id: "user_CUtbYTLosyHr9fzE",
          workingHours: [{ days: ["TU"], start: "13:00", end: "17:00" }],
        }),
        buildParticipant({
          id: "user_q8Wm2Zk1",
          busy: [between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z")],
        }),
      ],
      sessions: [
        buildSession({ id: "0", interviewers: ["user_CUtbYTLosyHr9fzE"] }),
        buildSession({ id: "1", interviewers: ["user_q8Wm2Zk1"] }),
      ],
    });
    const words = explanationInWords(explainProblem(problem), {
      names,
      sessions: [{ name: "Technical" }, { name: "Hiring manager" }],
      timeZone: "Europe/London",
    });
    const text = [words.headline, ...words.reasons, ...words.changes].join("\n");
    expect(text).not.toMatch(/user_|session "?0|Z\b/);
    expect(text).toContain("Sam Okafor");
    expect(words.headline).toMatch(/^No time fits\. The change that would help most: /);
  });
});
