/**
 * "Why no time fits": the explanation names the constraints that bind and the single changes
 * that would make a time fit.
 */
import { describe, expect, it } from "vitest";
import { explainProblem } from "../../src/engine/explain.js";
import { at, between, buildParticipant, buildProblem, buildSession } from "./build-problem.js";

describe("explaining a problem", () => {
  it("says how many starts fit when some do, and suggests no changes", () => {
    const explanation = explainProblem(buildProblem());
    // 09:00 … 16:00 UTC on the 15-minute grid
    expect(explanation.feasibleStarts).toBe(29);
    expect(explanation.relaxations).toEqual([]);
    expect(explanation.summary).toBe("29 starts fit every constraint.");
  });

  it("names the interviewer whose working hours miss every start the candidate can do", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({
          id: "carol",
          // Tue 1 Dec 2026 13:00–17:00 UTC
          workingHours: [{ days: ["TU"], start: "13:00", end: "17:00" }],
        }),
      ],
      sessions: [buildSession({ id: "hm", interviewers: ["carol"] })],
      // The candidate can do Tue 1 Dec 2026, 09:00–12:00 UTC only
      candidate: { available: [between("2026-12-01T09:00:00Z", "2026-12-01T12:00:00Z")] },
    });
    const explanation = explainProblem(problem);
    expect(explanation.feasibleStarts).toBe(0);
    expect(explanation.blockers).toContainEqual(
      expect.objectContaining({
        constraint: "workingHours",
        participant: "carol",
        session: "hm",
        // 09:00 … 11:45 are the candidate's 12 starts; none is in carol's hours
        startsRuledOut: 12,
      }),
    );
    const changes = explanation.relaxations.map((r) => [r.constraint, r.participant]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ["candidateWindow", undefined],
        ["workingHours", "carol"],
      ]),
    );
    // Asking the candidate opens carol's 13:00–16:00 starts: 13 of them.
    expect(explanation.relaxations.find((r) => r.constraint === "candidateWindow")).toMatchObject({
      feasibleStarts: 13,
      firstStart: "2026-12-01T13:00:00Z",
    });
  });

  it("points at the busy interviewer and at a bigger gap when back-to-back sessions cannot fit", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({ id: "alice" }),
        buildParticipant({
          id: "bob",
          // Busy whenever alice's session could end: free only 09:00–10:00 and 15:00–17:00
          busy: [between("2026-12-01T10:00:00Z", "2026-12-01T15:00:00Z")],
        }),
      ],
      range: between("2026-12-01T09:00:00Z", "2026-12-01T11:00:00Z"),
      sessions: [
        buildSession({ id: "tech", interviewers: ["alice"] }),
        buildSession({ id: "hm", interviewers: ["bob"] }),
      ],
    });
    const explanation = explainProblem(problem);
    expect(explanation.feasibleStarts).toBe(0);
    expect(explanation.blockers).toContainEqual(
      expect.objectContaining({ constraint: "busy", participant: "bob" }),
    );
    // Running hm first (09:00) then tech (10:00) fits: the order is what to relax.
    expect(explanation.relaxations).toContainEqual(
      expect.objectContaining({
        constraint: "order",
        feasibleStarts: 1,
        firstStart: "2026-12-01T09:00:00Z",
      }),
    );
    expect(explanation.summary).toContain("No time fits");
  });

  it("reports that no single change is enough when two constraints bind at once", () => {
    const problem = buildProblem({
      minNoticeMinutes: 60 * 24 * 30,
      participants: [buildParticipant({ id: "alice", workingHours: [] })],
    });
    const explanation = explainProblem(problem);
    expect(explanation.relaxations).toEqual([]);
    expect(explanation.summary).toMatch(/^No time fits, and no single change is enough/);
  });

  it("says how much less notice would let a time fit, not only that the notice binds", () => {
    const problem = buildProblem({
      now: at("2026-12-01T08:30:00Z"),
      range: between("2026-12-01T09:00:00Z", "2026-12-01T10:30:00Z"),
      minNoticeMinutes: 120,
    });
    const explanation = explainProblem(problem);
    expect(explanation.feasibleStarts).toBe(0);
    // 09:00 is 30 minutes after "now": a 30-minute notice admits 09:00, 09:15 and 09:30.
    expect(explanation.relaxations).toContainEqual(
      expect.objectContaining({
        constraint: "notice",
        noticeMinutes: 30,
        noticeCutMinutes: 90,
        feasibleStarts: 3,
        firstStart: "2026-12-01T09:00:00Z",
      }),
    );
    expect(explanation.relaxations.find((r) => r.constraint === "notice")?.change).toBe(
      "shorten the minimum notice by 90 minutes, to 30",
    );
  });

  it("suggests the nearest later end of the window when the window itself is full", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({
          id: "alice",
          busy: [between("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z")],
        }),
      ],
    });
    const explanation = explainProblem(problem);
    expect(explanation.feasibleStarts).toBe(0);
    // One more day is enough: alice is free from 17:00 on Tuesday.
    expect(explanation.relaxations).toContainEqual(
      expect.objectContaining({
        constraint: "range",
        rangeEnd: "2026-12-02T17:00:00Z",
        firstStart: "2026-12-01T17:00:00Z",
      }),
    );
  });

  it("widens the window only as far as a week, and not at all when nobody is ever free", () => {
    const problem = buildProblem({
      participants: [buildParticipant({ id: "alice", workingHours: [] })],
    });
    const explanation = explainProblem(problem);
    expect(explanation.relaxations.map((r) => r.constraint)).not.toContain("range");
  });

  it("counts each blocker against the starts it was judged on", () => {
    const problem = buildProblem({
      participants: [
        buildParticipant({
          id: "carol",
          workingHours: [{ days: ["TU"], start: "13:00", end: "17:00" }],
        }),
      ],
      sessions: [buildSession({ id: "hm", interviewers: ["carol"] })],
      candidate: { available: [between("2026-12-01T09:00:00Z", "2026-12-01T12:00:00Z")] },
    });
    const explanation = explainProblem(problem);
    const hours = explanation.blockers.find((b) => b.constraint === "workingHours");
    const window = explanation.blockers.find((b) => b.constraint === "candidateWindow");
    expect(hours).toMatchObject({ startsRuledOut: 12, outOf: 12 });
    expect(window?.outOf).toBe(explanation.candidateStarts);
  });
});
