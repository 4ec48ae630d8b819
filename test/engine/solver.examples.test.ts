/**
 * Hand-written examples of the feasibility rules that are easiest to get wrong. Each one is
 * checked against both the engine and the brute-force oracle, so they also keep the oracle
 * honest.
 */
import { describe, expect, it } from "vitest";
import { allFeasibleStarts, bestOptions } from "../../src/engine/index.js";
import type { EngineProblem } from "../../src/engine/types.js";
import { at, between, buildParticipant, buildProblem, buildSession, iso } from "./build-problem.js";
import { isFeasibleOption, oracleAllStarts } from "./oracle.js";

/** Instants from `first` to `last` inclusive, every `stepMinutes`, as UTC text. */
function every(stepMinutes: number, first: string, last: string): string[] {
  const result: string[] = [];
  for (let m = at(first); m <= at(last); m += stepMinutes) result.push(iso(m));
  return result;
}

/** Both the oracle and the engine list exactly these block starts. */
function expectStarts(problem: EngineProblem, expected: string[]): void {
  expect(oracleAllStarts(problem).map(iso), "oracle").toEqual(expected);
  expect(allFeasibleStarts(problem).map(iso), "engine").toEqual(expected);
}

/** Every ranked option is feasible, and there is one exactly when some start is. */
function expectSoundOptions(problem: EngineProblem): void {
  const options = bestOptions(problem);
  for (const option of options) expect(isFeasibleOption(problem, option)).toBeNull();
  expect(options.length > 0).toBe(oracleAllStarts(problem).length > 0);
}

const twoPeople = [buildParticipant({ id: "alice" }), buildParticipant({ id: "bob" })];

describe("feasible starts", () => {
  it("lets a session start when a busy event ends (half-open intervals)", () => {
    const problem = buildProblem({
      participants: [
        // Tue 1 Dec 2026, 13:00–14:00 UTC
        buildParticipant({
          id: "alice",
          busy: [between("2026-12-01T13:00Z", "2026-12-01T14:00Z")],
        }),
      ],
    });
    expectStarts(problem, [
      ...every(15, "2026-12-01T09:00Z", "2026-12-01T12:00Z"),
      ...every(15, "2026-12-01T14:00Z", "2026-12-01T16:00Z"),
    ]);
    expectSoundOptions(problem);
  });

  it("treats a zero-length busy event as busy for nothing", () => {
    const problem = buildProblem({
      participants: [
        // Tue 1 Dec 2026, 12:10 UTC, no duration
        buildParticipant({
          id: "alice",
          busy: [between("2026-12-01T12:10Z", "2026-12-01T12:10Z")],
        }),
      ],
    });
    expectStarts(problem, every(15, "2026-12-01T09:00Z", "2026-12-01T16:00Z"));
  });

  it("keeps the buffer clear of busy time on both sides of a session", () => {
    const problem = buildProblem({
      granularityMinutes: 5,
      bufferMinutes: 10,
      participants: [
        // Tue 1 Dec 2026, 13:00–14:00 UTC
        buildParticipant({
          id: "alice",
          busy: [between("2026-12-01T13:00Z", "2026-12-01T14:00Z")],
        }),
      ],
    });
    expectStarts(problem, [
      ...every(5, "2026-12-01T09:00Z", "2026-12-01T11:50Z"),
      ...every(5, "2026-12-01T14:10Z", "2026-12-01T16:00Z"),
    ]);
  });

  it("applies notice to the first start only", () => {
    const problem = buildProblem({
      now: at("2026-12-01T08:00Z"), // Tue 1 Dec 2026, 08:00 UTC
      minNoticeMinutes: 120,
    });
    expectStarts(problem, every(15, "2026-12-01T10:00Z", "2026-12-01T16:00Z"));
  });

  it("aligns the grid to wall-clock time across the spring-forward gap", () => {
    const problem = buildProblem({
      timeZone: "America/New_York",
      granularityMinutes: 45,
      // Sun 8 Mar 2026, 00:00 EST – 05:00 EDT; 02:00 EST jumps to 03:00 EDT at 07:00 UTC
      range: between("2026-03-08T05:00Z", "2026-03-08T09:00Z"),
      now: at("2026-03-01T00:00Z"),
      sessions: [buildSession({ id: "tech", durationMinutes: 15, interviewers: ["alice"] })],
    });
    // 00:00, 00:45, 01:30 EST; 02:15 does not exist; then 03:00, 03:45, 04:30 EDT.
    expectStarts(problem, [
      "2026-03-08T05:00Z",
      "2026-03-08T05:45Z",
      "2026-03-08T06:30Z",
      "2026-03-08T07:00Z",
      "2026-03-08T07:45Z",
      "2026-03-08T08:30Z",
    ]);
  });

  it("offers both occurrences of a repeated wall-clock time when clocks fall back", () => {
    const problem = buildProblem({
      timeZone: "America/New_York",
      granularityMinutes: 45,
      // Sun 1 Nov 2026, 00:00 EDT – 03:45 EST; 02:00 EDT falls back to 01:00 EST at 06:00 UTC
      range: between("2026-11-01T04:00Z", "2026-11-01T09:00Z"),
      now: at("2026-10-25T00:00Z"),
      sessions: [buildSession({ id: "tech", durationMinutes: 15, interviewers: ["alice"] })],
    });
    // 00:00, 00:45, 01:30 EDT; 01:30, 02:15, 03:00, 03:45 EST.
    expectStarts(problem, [
      "2026-11-01T04:00Z",
      "2026-11-01T04:45Z",
      "2026-11-01T05:30Z",
      "2026-11-01T06:30Z",
      "2026-11-01T07:15Z",
      "2026-11-01T08:00Z",
      "2026-11-01T08:45Z",
    ]);
  });

  it("skips the wall-clock hour that Lord Howe's half-hour spring-forward removes", () => {
    const problem = buildProblem({
      timeZone: "Australia/Lord_Howe",
      granularityMinutes: 60,
      // Sun 4 Oct 2026, 00:00–04:30 Lord Howe; 02:00 (+10:30) jumps to 02:30 (+11) at 15:30 UTC
      range: between("2026-10-03T13:30Z", "2026-10-03T17:30Z"),
      now: at("2026-10-01T00:00Z"),
      sessions: [buildSession({ id: "tech", durationMinutes: 15, interviewers: ["alice"] })],
    });
    // 00:00 and 01:00 at +10:30; 02:00 never happens; 03:00 and 04:00 at +11.
    expectStarts(problem, [
      "2026-10-03T13:30Z",
      "2026-10-03T14:30Z",
      "2026-10-03T16:00Z",
      "2026-10-03T17:00Z",
    ]);
  });

  it("restarts a grid that does not divide the day at each local midnight", () => {
    const problem = buildProblem({
      timeZone: "Asia/Kolkata",
      granularityMinutes: 7,
      // Tue 1 Dec 2026, 23:50 – Wed 2 Dec 00:25 IST
      range: between("2026-12-01T18:20Z", "2026-12-01T18:55Z"),
      sessions: [buildSession({ id: "tech", durationMinutes: 15, interviewers: ["alice"] })],
    });
    // 23:55 IST is 1435 = 205 × 7 minutes after midnight; then 00:00, 00:07 IST.
    expectStarts(problem, ["2026-12-01T18:25Z", "2026-12-01T18:30Z", "2026-12-01T18:37Z"]);
  });
});

describe("candidate windows", () => {
  const loop = [
    buildSession({ id: "tech", interviewers: ["alice"] }),
    buildSession({ id: "hm", interviewers: ["bob"] }),
  ];

  it("requires the whole block inside one window, not across adjacent windows", () => {
    const problem = buildProblem({
      participants: twoPeople,
      sessions: loop,
      candidate: {
        // Tue 1 Dec 2026, 14:00–15:00 and 15:00–16:00 UTC
        available: [
          between("2026-12-01T14:00Z", "2026-12-01T15:00Z"),
          between("2026-12-01T15:00Z", "2026-12-01T16:00Z"),
        ],
      },
    });
    expectStarts(problem, []);
    expect(bestOptions(problem)).toEqual([]);
  });

  it("requires the whole block inside one window, not across overlapping windows", () => {
    const problem = buildProblem({
      participants: twoPeople,
      sessions: loop,
      candidate: {
        // Tue 1 Dec 2026, 14:00–15:30 and 15:00–16:00 UTC
        available: [
          between("2026-12-01T14:00Z", "2026-12-01T15:30Z"),
          between("2026-12-01T15:00Z", "2026-12-01T16:00Z"),
        ],
      },
    });
    expectStarts(problem, []);
  });

  it("accepts a block that exactly fills a window", () => {
    const problem = buildProblem({
      participants: twoPeople,
      sessions: loop,
      // Tue 1 Dec 2026, 14:00–16:00 UTC
      candidate: { available: [between("2026-12-01T14:00Z", "2026-12-01T16:00Z")] },
    });
    expectStarts(problem, ["2026-12-01T14:00Z"]);
    expectSoundOptions(problem);
  });

  it("finds nothing when the candidate gives an empty list of windows", () => {
    const problem = buildProblem({ candidate: { available: [] } });
    expectStarts(problem, []);
  });
});

describe("working hours", () => {
  it("lets a session run past midnight inside an overnight span, but not start the next day", () => {
    const problem = buildProblem({
      // Tue 1 Dec 2026, 20:00 UTC – Wed 2 Dec, 04:00 UTC
      range: between("2026-12-01T20:00Z", "2026-12-02T04:00Z"),
      participants: [
        buildParticipant({
          id: "alice",
          timeZone: "Europe/Berlin",
          // Tuesday 22:00 to Wednesday 02:00 Berlin (21:00–01:00 UTC)
          workingHours: [{ days: ["TU"], start: "22:00", end: "02:00" }],
        }),
      ],
    });
    // Starts on Tuesday (Berlin), 22:00–23:45; a Wednesday start has no span of its own.
    expectStarts(problem, every(15, "2026-12-01T21:00Z", "2026-12-01T22:45Z"));
  });

  it('ends a "24:00" span at the next local midnight', () => {
    const problem = buildProblem({
      range: between("2026-12-01T20:00Z", "2026-12-02T04:00Z"),
      participants: [
        buildParticipant({
          id: "alice",
          timeZone: "Europe/Berlin",
          // Tuesday 21:00–24:00 Berlin (20:00–23:00 UTC)
          workingHours: [{ days: ["TU"], start: "21:00", end: "24:00" }],
        }),
      ],
    });
    expectStarts(problem, every(15, "2026-12-01T20:00Z", "2026-12-01T22:00Z"));
  });

  it("does not join two adjacent spans into one", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({
          id: "alice",
          workingHours: [
            { days: ["TU"], start: "09:00", end: "12:00" },
            { days: ["TU"], start: "12:00", end: "17:00" },
          ],
        }),
      ],
    });
    expectStarts(problem, [
      ...every(15, "2026-12-01T09:00Z", "2026-12-01T11:00Z"),
      ...every(15, "2026-12-01T12:00Z", "2026-12-01T16:00Z"),
    ]);
  });

  it("never schedules someone whose working hours are an empty list", () => {
    const problem = buildProblem({
      participants: [buildParticipant({ id: "alice", workingHours: [] })],
    });
    expectStarts(problem, []);
  });
});

describe("load limits", () => {
  it("counts a per-week limit by the participant's local ISO week", () => {
    // Sun 3 Jan 2027, 22:30–23:00 UTC = 23:30–24:00 Berlin, the last slot of ISO week 2026-W53
    const interview = between("2027-01-03T22:30Z", "2027-01-03T23:00Z");
    const problem = buildProblem({
      granularityMinutes: 30,
      now: at("2026-12-20T00:00Z"),
      // Sun 3 Jan 2027, 20:00 UTC – Mon 4 Jan, 02:00 UTC
      range: between("2027-01-03T20:00Z", "2027-01-04T02:00Z"),
      participants: [
        buildParticipant({
          id: "alice",
          timeZone: "Europe/Berlin",
          busy: [interview],
          interviews: [interview],
          limits: { perWeek: 1 },
        }),
      ],
      sessions: [buildSession({ id: "tech", durationMinutes: 30, interviewers: ["alice"] })],
    });
    // Monday 00:00 Berlin (23:00 UTC, still Sunday in UTC) opens ISO week 2027-W01.
    expectStarts(problem, every(30, "2027-01-03T23:00Z", "2027-01-04T01:30Z"));
  });

  it("treats a per-day limit of 0 as no interviews at all", () => {
    const problem = buildProblem({
      participants: [buildParticipant({ id: "alice", limits: { perDay: 0 } })],
    });
    expectStarts(problem, []);
  });

  it("counts a per-day limit by the local day the session starts in", () => {
    // Tue 1 Dec 2026, 15:00–16:00 UTC = 10:00–11:00 New York
    const interview = between("2026-12-01T15:00Z", "2026-12-01T16:00Z");
    const problem = buildProblem({
      // Tue 1 Dec 2026, 20:00 UTC – Wed 2 Dec, 08:00 UTC (15:00 Tue – 03:00 Wed New York)
      range: between("2026-12-01T20:00Z", "2026-12-02T08:00Z"),
      granularityMinutes: 60,
      participants: [
        buildParticipant({
          id: "alice",
          timeZone: "America/New_York",
          busy: [interview],
          interviews: [interview],
          limits: { perDay: 1 },
        }),
      ],
    });
    // Wednesday in New York starts at 05:00 UTC.
    expectStarts(problem, every(60, "2026-12-02T05:00Z", "2026-12-02T07:00Z"));
  });
});

describe("interviewers", () => {
  it("never puts one person in two sessions of a loop", () => {
    const problem = buildProblem({
      participants: twoPeople,
      sessions: [
        buildSession({ id: "tech", interviewers: ["alice"] }),
        buildSession({ id: "hm", interviewers: ["alice"] }),
      ],
    });
    expectStarts(problem, []);
    expect(bestOptions(problem)).toEqual([]);
  });

  it("gives the shared interviewer to the session that has no one else", () => {
    const problem = buildProblem({
      participants: twoPeople,
      sessions: [
        buildSession({ id: "tech", interviewers: ["alice", "bob"] }),
        buildSession({ id: "hm", interviewers: ["alice"] }),
      ],
    });
    expectStarts(problem, every(15, "2026-12-01T09:00Z", "2026-12-01T15:00Z"));
    const options = bestOptions(problem);
    expect(options.length).toBeGreaterThan(0);
    for (const option of options) {
      expect(option.sessions.map((s) => s.interviewers)).toEqual([["bob"], ["alice"]]);
    }
  });

  it("needs `count` distinct interviewers who are all free", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({ id: "alice" }),
        // Tue 1 Dec 2026, 09:00–12:00 UTC
        buildParticipant({ id: "bob", busy: [between("2026-12-01T09:00Z", "2026-12-01T12:00Z")] }),
      ],
      sessions: [buildSession({ id: "panel", interviewers: ["alice", "bob"], count: 2 })],
    });
    expectStarts(problem, every(15, "2026-12-01T12:00Z", "2026-12-01T16:00Z"));
    expectSoundOptions(problem);
  });
});

describe("session order", () => {
  const shifts = [
    // Tue 1 Dec 2026: alice works 10:00–11:00 UTC, bob 09:00–10:00 UTC
    buildParticipant({
      id: "alice",
      workingHours: [{ days: ["TU"], start: "10:00", end: "11:00" }],
    }),
    buildParticipant({ id: "bob", workingHours: [{ days: ["TU"], start: "09:00", end: "10:00" }] }),
  ];
  const sessions = [
    buildSession({ id: "tech", interviewers: ["alice"] }),
    buildSession({ id: "hm", interviewers: ["bob"] }),
  ];

  it("keeps the listed order when the order is fixed", () => {
    expectStarts(buildProblem({ participants: shifts, sessions }), []);
  });

  it("finds a permutation the fixed order cannot when any order is allowed", () => {
    const problem = buildProblem({ participants: shifts, sessions, order: "any" });
    expectStarts(problem, ["2026-12-01T09:00Z"]);
    const [best] = bestOptions(problem);
    expect(best?.sessions.map((s) => s.id)).toEqual(["hm", "tech"]);
    expectSoundOptions(problem);
  });

  it("allows a gap of up to maxGapMinutes between sessions, on the grid", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({ id: "alice" }),
        // Tue 1 Dec 2026, 10:00–10:30 UTC
        buildParticipant({ id: "bob", busy: [between("2026-12-01T10:00Z", "2026-12-01T10:30Z")] }),
      ],
      sessions,
      maxGapMinutes: 30,
      range: between("2026-12-01T09:00Z", "2026-12-01T11:30Z"),
    });
    // tech 09:00–10:00 then hm from 10:30 (gap 30); tech 09:15 then hm 10:30 (gap 15), …
    expectStarts(problem, every(15, "2026-12-01T09:00Z", "2026-12-01T09:30Z"));
  });
});
