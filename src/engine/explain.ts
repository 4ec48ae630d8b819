/**
 * "Why no time fits": which constraints bind, and what to relax.
 *
 * Two views, both computed by the same solver:
 * - blockers: for every session and pool member, at how many of the candidate starts they are
 *   outside working hours, busy (with buffers), or over a load limit; plus how many starts the
 *   minimum notice and the candidate's windows rule out;
 * - relaxations: the solver run again with one constraint dropped (the notice, the candidate's
 *   windows, the buffer, the order, the gap, one person's hours, calendar or limits); those
 *   that yield times are the coordinator's choices, most starts first.
 */
import {
  type ParticipantCalendar,
  startsBlockedByBusy,
  startsWithinHours,
} from "./availability.js";
import { SearchBudget, type SearchOutcome } from "./budget.js";
import { MINUTES_PER_DAY } from "./civil.js";
import { lowerBound } from "./grid.js";
import { overlapsAny } from "./intervals.js";
import { instantText } from "./local-time.js";
import {
  allFeasibleStarts,
  feasibleStartIndices,
  latestWindowEnd,
  type PreparedSession,
  prepare,
  type Relaxation,
} from "./solve.js";
import type { EngineProblem } from "./types.js";

export type ConstraintKind =
  | "notice"
  | "candidateWindow"
  | "workingHours"
  | "busy"
  | "limits"
  | "buffer"
  | "order"
  | "maxGap"
  | "pool"
  | "range";

export interface Blocker {
  constraint: ConstraintKind;
  session?: string;
  participant?: string;
  /** Candidate starts this constraint rules out (out of `candidateStarts`). */
  startsRuledOut: number;
  /** The starts it was judged on (those the rules before it left open). */
  outOf: number;
  message: string;
}

export interface RelaxationOutcome {
  constraint: ConstraintKind;
  participant?: string;
  change: string;
  feasibleStarts: number;
  firstStart?: string;
  /** For `notice`: the largest minimum notice, in minutes, that lets a time fit. */
  noticeMinutes?: number;
  /** For `notice`: how many minutes less than the minimum notice that is. */
  noticeCutMinutes?: number;
  /** For `range`: the nearest later end of the range (RFC 3339) that lets a time fit. */
  rangeEnd?: string;
}

/**
 * Which changes are suggested first: the recruiter's own settings, then asking the candidate,
 * then asking interviewers to give up their hours, meetings or limits; most times first within
 * a tier.
 */
const RELAXATION_TIER: Record<ConstraintKind, number> = {
  range: 0,
  notice: 0,
  buffer: 0,
  order: 0,
  maxGap: 0,
  pool: 0,
  candidateWindow: 1,
  busy: 2,
  workingHours: 2,
  limits: 2,
};

/** How many days further the range is tried, one day at a time, when nothing fits. */
export const RANGE_WIDENING_DAYS = 7;

export interface Explanation {
  /** Grid starts inside the range, before any other rule. */
  candidateStarts: number;
  feasibleStarts: number;
  summary: string;
  blockers: Blocker[];
  relaxations: RelaxationOutcome[];
  /** Present only when the step budget ran out: the counts above may then be too low. */
  search?: SearchOutcome;
}

/**
 * Explains a problem's answer, whether or not any time fits. Every search it runs (the problem
 * and each relaxation) spends from the one `budget`.
 */
export function explainProblem(
  problem: EngineProblem,
  budget: SearchBudget = new SearchBudget(),
): Explanation {
  const prepared = prepare(problem, {}, budget);
  const { grid } = prepared;
  const candidateStarts = grid.length;
  const feasible = feasibleStartIndices(prepared).length;
  const blockers: Blocker[] = [];

  const beforeNotice = lowerBound(grid, prepared.earliestStart);
  if (beforeNotice > 0) {
    blockers.push({
      constraint: "notice",
      startsRuledOut: beforeNotice,
      outOf: candidateStarts,
      message: `The minimum notice (${problem.minNoticeMinutes} minutes) rules out ${beforeNotice} of ${candidateStarts} starts, everything before ${instantText(prepared.earliestStart)}.`,
    });
  }
  if (prepared.candidateWindows !== undefined) {
    const windows = prepared.candidateWindows;
    const outside = grid.filter((t) => latestWindowEnd(windows, t) <= t).length;
    if (outside > 0) {
      blockers.push({
        constraint: "candidateWindow",
        startsRuledOut: outside,
        outOf: candidateStarts,
        message: `The candidate's available times rule out ${outside} of ${candidateStarts} starts.`,
      });
    }
  }

  // People are judged on the starts the global rules leave open (notice, the candidate's
  // windows), so that their counts say what binds there; on every start when none are left.
  const windows = prepared.candidateWindows;
  const open = grid.filter(
    (t) =>
      t >= prepared.earliestStart && (windows === undefined || latestWindowEnd(windows, t) > t),
  );
  const scope = open.length > 0 ? open : grid;
  const scopeLabel =
    open.length === grid.length || open.length === 0
      ? "starts"
      : windows === undefined
        ? "starts after the notice"
        : "starts the candidate can do";
  for (const session of prepared.sessions) {
    blockers.push(...sessionBlockers(problem, session, prepared.calendars, scope, scopeLabel));
  }

  const relaxations = feasible === 0 ? relax(problem, budget) : [];
  const explanation: Explanation = {
    candidateStarts,
    feasibleStarts: feasible,
    summary: summarise(feasible, relaxations, blockers),
    blockers: blockers.sort((a, b) => b.startsRuledOut - a.startsRuledOut),
    relaxations,
  };
  const outcome = budget.outcome();
  if (!outcome.complete) {
    explanation.search = outcome;
    explanation.summary = `${explanation.summary} (The ${outcome.message}.)`;
  }
  return explanation;
}

function sessionBlockers(
  problem: EngineProblem,
  session: PreparedSession,
  calendars: ReadonlyArray<ParticipantCalendar | undefined>,
  scope: readonly number[],
  scopeLabel: string,
): Blocker[] {
  const blockers: Blocker[] = [];
  const lastStart = problem.range.end - session.durationMinutes;
  const starts = scope.filter((t) => t <= lastStart);
  if (session.pool.length < session.count) {
    blockers.push({
      constraint: "pool",
      session: session.id,
      startsRuledOut: starts.length,
      outOf: starts.length,
      message: `Session "${session.id}" needs ${session.count} interviewers but its pool has ${session.pool.length}.`,
    });
  }
  for (const participantIndex of session.pool) {
    const calendar = calendars[participantIndex] as ParticipantCalendar;
    const id = calendar.participant.id;
    const hours = startsWithinHours(calendar, session.durationMinutes);
    const busy = startsBlockedByBusy(calendar, session.durationMinutes, problem.bufferMinutes);
    let offHours = 0;
    let busyCount = 0;
    let overLimit = 0;
    for (const t of starts) {
      if (!overlapsAny(hours, t, t + 1)) offHours++;
      else if (overlapsAny(busy, t, t + 1)) busyCount++;
      else if (overlapsAny(calendar.overLimit, t, t + 1)) overLimit++;
    }
    const total = starts.length;
    const label = `${id} (session "${session.id}")`;
    if (offHours > 0) {
      blockers.push({
        constraint: "workingHours",
        session: session.id,
        participant: id,
        startsRuledOut: offHours,
        outOf: total,
        message: `${label} is outside working hours at ${offHours} of ${total} ${scopeLabel}.`,
      });
    }
    if (busyCount > 0) {
      blockers.push({
        constraint: "busy",
        session: session.id,
        participant: id,
        startsRuledOut: busyCount,
        outOf: total - offHours,
        message: `${label} is busy${problem.bufferMinutes > 0 ? ` (with the ${problem.bufferMinutes}-minute buffer)` : ""} at ${busyCount} of the other ${total - offHours} ${scopeLabel}.`,
      });
    }
    if (overLimit > 0) {
      blockers.push({
        constraint: "limits",
        session: session.id,
        participant: id,
        startsRuledOut: overLimit,
        outOf: total - offHours - busyCount,
        message: `${label} has reached their interview limit on the days of ${overLimit} of the remaining ${scopeLabel}.`,
      });
    }
  }
  return blockers;
}

function relax(problem: EngineProblem, budget: SearchBudget): RelaxationOutcome[] {
  const outcomes: RelaxationOutcome[] = [];
  const attempt = (
    constraint: ConstraintKind,
    change: string,
    variant: EngineProblem,
    relaxation: Relaxation,
    participant?: string,
  ): void => {
    if (budget.stopped) return;
    const starts = allFeasibleStarts(variant, relaxation, budget);
    if (starts.length === 0) return;
    const outcome: RelaxationOutcome = { constraint, change, feasibleStarts: starts.length };
    if (participant !== undefined) outcome.participant = participant;
    outcome.firstStart = instantText(starts[0] as number);
    outcomes.push(outcome);
  };
  if (problem.minNoticeMinutes > 0) relaxNotice(problem, budget, outcomes);
  widenRange(problem, budget, outcomes);
  if (problem.candidate?.available !== undefined) {
    attempt("candidateWindow", "ask the candidate for other times", problem, {
      ignoreCandidate: true,
    });
  }
  if (problem.bufferMinutes > 0) {
    attempt("buffer", "drop the buffer between meetings", problem, { ignoreBufferMinutes: true });
  }
  if (problem.sessions.length > 1) {
    if (problem.order === "fixed") {
      attempt("order", "let the sessions run in any order", { ...problem, order: "any" }, {});
    }
    attempt(
      "maxGap",
      `allow gaps of up to ${problem.maxGapMinutes + 60} minutes between sessions`,
      { ...problem, maxGapMinutes: problem.maxGapMinutes + 60 },
      {},
    );
  }
  const inPools = new Set(problem.sessions.flatMap((s) => s.interviewers));
  for (const participant of problem.participants) {
    if (!inPools.has(participant.id)) continue;
    const only = new Set([participant.id]);
    if (participant.workingHours !== undefined) {
      attempt(
        "workingHours",
        `ask ${participant.id} to work outside their hours`,
        problem,
        { ignoreHoursOf: only },
        participant.id,
      );
    }
    if (participant.busy.length > 0 || participant.interviews.length > 0) {
      attempt(
        "busy",
        `ask ${participant.id} to move other meetings`,
        problem,
        { ignoreBusyOf: only },
        participant.id,
      );
    }
    if (participant.limits !== undefined) {
      attempt(
        "limits",
        `raise ${participant.id}'s interview limits`,
        problem,
        { ignoreLimitsOf: only },
        participant.id,
      );
    }
  }
  return outcomes.sort(
    (a, b) =>
      RELAXATION_TIER[a.constraint] - RELAXATION_TIER[b.constraint] ||
      b.feasibleStarts - a.feasibleStarts,
  );
}

/**
 * Less notice: the smallest cut that lets the first start after "now" fit. With the notice
 * ignored the earliest feasible start is `first`; a notice of `first - now` minutes admits it.
 */
function relaxNotice(
  problem: EngineProblem,
  budget: SearchBudget,
  outcomes: RelaxationOutcome[],
): void {
  if (budget.stopped) return;
  const starts = allFeasibleStarts(problem, { ignoreNotice: true }, budget);
  const first = starts[0];
  if (first === undefined) return;
  const noticeMinutes = Math.max(0, first - problem.now);
  const cut = problem.minNoticeMinutes - noticeMinutes;
  const admitted = starts.filter((t) => t - problem.now >= noticeMinutes).length;
  outcomes.push({
    constraint: "notice",
    change:
      noticeMinutes === 0
        ? "drop the minimum notice"
        : `shorten the minimum notice by ${cut} minutes, to ${noticeMinutes}`,
    feasibleStarts: admitted,
    firstStart: instantText(first),
    noticeMinutes,
    noticeCutMinutes: cut,
  });
}

/** A later end: the range is widened one day at a time, up to `RANGE_WIDENING_DAYS`. */
function widenRange(
  problem: EngineProblem,
  budget: SearchBudget,
  outcomes: RelaxationOutcome[],
): void {
  for (let days = 1; days <= RANGE_WIDENING_DAYS && !budget.stopped; days++) {
    const end = problem.range.end + days * MINUTES_PER_DAY;
    const starts = allFeasibleStarts({ ...problem, range: { ...problem.range, end } }, {}, budget);
    const first = starts[0];
    if (first === undefined) continue;
    outcomes.push({
      constraint: "range",
      change: `widen the window by ${days} day${days === 1 ? "" : "s"}, to ${instantText(end)}`,
      feasibleStarts: starts.length,
      firstStart: instantText(first),
      rangeEnd: instantText(end),
    });
    return;
  }
}

function summarise(
  feasible: number,
  relaxations: RelaxationOutcome[],
  blockers: Blocker[],
): string {
  if (feasible > 0) return `${feasible} start${feasible === 1 ? "" : "s"} fit every constraint.`;
  const best = relaxations[0];
  if (best !== undefined) {
    const others = relaxations.length - 1;
    return `No time fits. To find one, ${best.change} (${best.feasibleStarts} starts, the first at ${best.firstStart})${others > 0 ? `, or see ${others} other change${others === 1 ? "" : "s"}` : ""}.`;
  }
  const top = blockers
    .slice()
    .sort((a, b) => b.startsRuledOut - a.startsRuledOut)
    .slice(0, 3)
    .map((b) => b.message)
    .join(" ");
  return `No time fits, and no single change is enough. The tightest constraints: ${top}`;
}
