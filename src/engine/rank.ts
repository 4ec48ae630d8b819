/**
 * Ranking. Every feasible block start gets its best placement (smallest gaps first) staffed
 * with the least-loaded people, and a score in [0, 1] (higher is better):
 *
 *   score = 0.40 × earliness   — 1 at the earliest allowed start, 0 at the end of the range
 *         + 0.25 × candidate   — share of the block inside 09:00–18:00 in the candidate's zone
 *                                (the organiser's zone when the candidate has none)
 *         + 0.20 × compactness — 1 with no gaps between sessions, 0 with every gap at its maximum
 *         + 0.15 × spread      — mean over chosen interviewers of 1 / (1 + interviews they already
 *                                have that local day + that ISO week)
 *
 * Options are then picked for variety, not ten starts 15 minutes apart on one morning: first at
 * most one per half-day (before and after 12:00 in the organiser's zone), then at least an hour
 * apart, then any remaining start; the picked options are listed best first.
 */
import { SearchBudget } from "./budget.js";
import { MINUTES_PER_DAY } from "./civil.js";
import { lowerBound } from "./grid.js";
import { isoWeekKey, localDayOf, localMinuteOf } from "./local-time.js";
import {
  type Placement,
  type PreparedProblem,
  type PreparedSession,
  prepare,
  type StaffedPlacement,
  staff,
  walkPlacements,
} from "./solve.js";
import type { EngineProblem, EpochMinutes, SlotOption } from "./types.js";
import { type ZoneRules, zoneRules } from "./zone.js";

const WEIGHTS = { earliness: 0.4, candidate: 0.25, compactness: 0.2, spread: 0.15 } as const;
/** Placements tried per start when looking for the best one. */
const PLACEMENTS_PER_START = 16;
const CANDIDATE_DAY_START = 9 * 60;
const CANDIDATE_DAY_END = 18 * 60;

interface Candidate {
  placement: Placement;
  start: EpochMinutes;
  end: EpochMinutes;
  /** Score without the spread part; the full score is at most `partial + WEIGHTS.spread`. */
  partial: number;
}

interface Scored {
  /** Staffed when scoring needed the staffing; otherwise staffed when rendered. */
  placement: Placement | StaffedPlacement;
  start: EpochMinutes;
  end: EpochMinutes;
  score: number;
}

/**
 * The best options, at most `problem.limit`, best first, each feasible.
 *
 * Staffing with the least-loaded people is the costly part, so it is done lazily: candidates
 * are ordered by an upper bound of their score, and one is staffed only when its bound could
 * still beat the best exactly scored one. The result is the same as scoring every start.
 *
 * The search spends steps from `budget`; when it runs out, the options are the best of the
 * starts examined until then (`budget.outcome()` says whether that happened).
 * @example bestOptions(problem)[0] // { start, end, score: 0.91, sessions: [...] }
 */
export function bestOptions(
  problem: EngineProblem,
  budget: SearchBudget = new SearchBudget(),
): SlotOption[] {
  const prepared = prepare(problem, {}, budget);
  const candidateRules = zoneRules(problem.candidate?.timeZone ?? problem.timeZone);
  const organiserRules = zoneRules(problem.timeZone);
  const candidates: Candidate[] = [];
  // The best placement found so far for the current start, and how many were tried; one
  // visitor serves every start.
  let best: Candidate | undefined;
  let tried = 0;
  let stepsBefore = 0;
  // Steps a start's walk may take once it has found a placement (a placement is about one
  // step per session).
  const stepsPerStart = PLACEMENTS_PER_START * Math.max(1, problem.sessions.length);
  // The walk visits staffable placements only.
  const consider = (placement: Placement): boolean => {
    tried++;
    const partial = partialScore(prepared, placement, candidateRules);
    if (best === undefined || partial > best.partial) {
      // The walk reuses `placement`: keep a copy.
      const kept = { order: [...placement.order], starts: [...placement.starts] };
      best = { placement: kept, ...blockSpan(prepared, kept), partial };
    }
    return tried >= PLACEMENTS_PER_START || budget.steps - stepsBefore >= stepsPerStart;
  };
  for (
    let g = lowerBound(prepared.grid, prepared.earliestStart);
    g < prepared.grid.length && !budget.stopped;
    g++
  ) {
    best = undefined;
    tried = 0;
    stepsBefore = budget.steps;
    walkPlacements(prepared, g, consider);
    // A start whose walk the budget cut short still has a feasible best, if it found one.
    if (best !== undefined) candidates.push(best);
  }
  const ordered = new ExactOrder(prepared, candidates);
  return pickVaried(ordered, problem.limit, organiserRules).map((s) => toOption(prepared, s));
}

/**
 * Candidates in exact score order (score descending, then start ascending), staffed on demand.
 * `at(i)` staffs only as many candidates as needed to know the i-th.
 */
class ExactOrder {
  readonly #prepared: PreparedProblem;
  /** By upper bound, best first. */
  readonly #pending: Candidate[];
  #next = 0;
  /** Exactly scored, not yet released; kept sorted best first. */
  readonly #scored: Scored[] = [];
  readonly #released: Scored[] = [];
  /** Nobody in any pool has other interviews: every staffing spreads load perfectly. */
  readonly #loadFree: boolean;

  constructor(prepared: PreparedProblem, candidates: Candidate[]) {
    this.#prepared = prepared;
    this.#loadFree = prepared.calendars.every(
      (calendar) => calendar === undefined || calendar.participant.interviews.length === 0,
    );
    this.#pending = candidates.sort((a, b) => b.partial - a.partial || a.start - b.start);
  }

  at(index: number): Scored | undefined {
    while (this.#released.length <= index) {
      const released = this.#release();
      if (released === undefined) return undefined;
      this.#released.push(released);
    }
    return this.#released[index];
  }

  #release(): Scored | undefined {
    for (;;) {
      const top = this.#scored[0];
      const pending = this.#pending[this.#next];
      if (pending === undefined) return this.#scored.shift();
      const bound = round(pending.partial + WEIGHTS.spread);
      if (
        top !== undefined &&
        (top.score > bound || (top.score === bound && top.start < pending.start))
      ) {
        return this.#scored.shift();
      }
      this.#next++;
      const scored = this.#loadFree
        ? { placement: pending.placement, start: pending.start, end: pending.end, score: bound }
        : staffAndScore(this.#prepared, pending);
      if (scored === undefined) continue;
      let i = this.#scored.length;
      while (i > 0 && isBetter(scored, this.#scored[i - 1] as Scored)) i--;
      this.#scored.splice(i, 0, scored);
    }
  }
}

function isBetter(a: Scored, b: Scored): boolean {
  return a.score > b.score || (a.score === b.score && a.start < b.start);
}

function loadAt(prepared: PreparedProblem, participantIndex: number, instant: number): number {
  const calendar = prepared.calendars[participantIndex];
  if (calendar === undefined || calendar.participant.interviews.length === 0) return 0;
  const day = localDayOf(calendar.rules, instant);
  return (
    (calendar.interviewsPerDay.get(day) ?? 0) +
    (calendar.interviewsPerWeek.get(isoWeekKey(day)) ?? 0)
  );
}

/** First start and last end of a placed block, in epoch minutes. */
function blockSpan(
  prepared: PreparedProblem,
  placement: Placement,
): { start: EpochMinutes; end: EpochMinutes } {
  const { grid } = prepared;
  const lastIndex = placement.order.length - 1;
  const lastSession = prepared.sessions[placement.order[lastIndex] as number] as PreparedSession;
  return {
    start: grid[placement.starts[0] as number] as number,
    end: (grid[placement.starts[lastIndex] as number] as number) + lastSession.durationMinutes,
  };
}

/** The score of a placement without its spread part (which needs the staffing). */
function partialScore(
  prepared: PreparedProblem,
  placement: Placement,
  candidateRules: ZoneRules,
): number {
  const { problem, grid } = prepared;
  const { start, end } = blockSpan(prepared, placement);

  const earliest = Math.max(prepared.earliestStart, problem.range.start);
  const horizon = Math.max(1, problem.range.end - earliest);
  const earliness = clamp01(1 - (start - earliest) / horizon);

  let gapMinutes = 0;
  for (let i = 1; i < placement.starts.length; i++) {
    const previous = prepared.sessions[placement.order[i - 1] as number] as PreparedSession;
    gapMinutes +=
      (grid[placement.starts[i] as number] as number) -
      (grid[placement.starts[i - 1] as number] as number) -
      previous.durationMinutes;
  }
  const worstGap = problem.maxGapMinutes * (placement.starts.length - 1);
  const compactness = worstGap === 0 ? 1 : clamp01(1 - gapMinutes / worstGap);
  const candidate = shareInsideDaytime(candidateRules, start, end);
  return (
    WEIGHTS.earliness * earliness +
    WEIGHTS.candidate * candidate +
    WEIGHTS.compactness * compactness
  );
}

function staffAndScore(prepared: PreparedProblem, candidate: Candidate): Scored | undefined {
  const { placement } = candidate;
  const startOf = (position: number): number =>
    prepared.grid[placement.starts[position] as number] as number;
  const interviewers = staff(prepared, placement, (participantIndex, _session, g) =>
    loadAt(prepared, participantIndex, prepared.grid[g] as number),
  );
  if (interviewers === undefined) return undefined;
  let spreadTotal = 0;
  let people = 0;
  interviewers.forEach((ids, position) => {
    for (const id of ids) {
      spreadTotal += 1 / (1 + loadAt(prepared, id, startOf(position)));
      people++;
    }
  });
  const spread = people === 0 ? 1 : spreadTotal / people;
  return {
    placement: { ...placement, interviewers },
    start: candidate.start,
    end: candidate.end,
    score: round(candidate.partial + WEIGHTS.spread * spread),
  };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

/** Share of `[start, end)` that falls between 09:00 and 18:00 local time. */
function shareInsideDaytime(rules: ZoneRules, start: number, end: number): number {
  if (end <= start) return 1;
  const offset = localMinuteOf(rules, start) - start;
  if (localMinuteOf(rules, end - 1) - (end - 1) !== offset) {
    // The offset changes inside the block (a DST night): count minute by minute.
    let inside = 0;
    for (let t = start; t < end; t++) {
      const ofDay = mod(localMinuteOf(rules, t), MINUTES_PER_DAY);
      if (ofDay >= CANDIDATE_DAY_START && ofDay < CANDIDATE_DAY_END) inside++;
    }
    return inside / (end - start);
  }
  const localStart = start + offset;
  const localEnd = end + offset;
  let inside = 0;
  for (
    let day = Math.floor(localStart / MINUTES_PER_DAY);
    day * MINUTES_PER_DAY < localEnd;
    day++
  ) {
    const from = Math.max(localStart, day * MINUTES_PER_DAY + CANDIDATE_DAY_START);
    const to = Math.min(localEnd, day * MINUTES_PER_DAY + CANDIDATE_DAY_END);
    if (to > from) inside += to - from;
  }
  return inside / (end - start);
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

function pickVaried(ordered: ExactOrder, limit: number, organiserRules: ZoneRules): Scored[] {
  const picked: Scored[] = [];
  const taken = new Set<Scored>();
  // Half-day number of each option, worked out once per option.
  const halfDays = new Map<Scored, number>();
  const halfDay = (s: Scored): number => {
    let half = halfDays.get(s);
    if (half === undefined) {
      half = Math.floor(localMinuteOf(organiserRules, s.start) / (MINUTES_PER_DAY / 2));
      halfDays.set(s, half);
    }
    return half;
  };
  // Half-days and starts of the picked options, so that each test costs a lookup, not a scan
  // of everything picked (limits can be large).
  const pickedHalfDays = new Set<number>();
  const pickedStarts: number[] = [];
  const farFromPicked = (start: number): boolean => {
    const i = lowerBound(pickedStarts, start - 59);
    return i >= pickedStarts.length || (pickedStarts[i] as number) > start + 59;
  };
  const passes: Array<(s: Scored) => boolean> = [
    (s) => !pickedHalfDays.has(halfDay(s)),
    (s) => farFromPicked(s.start),
    () => true,
  ];
  for (const accept of passes) {
    for (let i = 0; picked.length < limit; i++) {
      const s = ordered.at(i);
      if (s === undefined) break;
      if (taken.has(s) || !accept(s)) continue;
      picked.push(s);
      taken.add(s);
      pickedHalfDays.add(halfDay(s));
      pickedStarts.splice(lowerBound(pickedStarts, s.start), 0, s.start);
    }
  }
  return picked.sort((a, b) => b.score - a.score || a.start - b.start);
}

function toOption(prepared: PreparedProblem, scored: Scored): SlotOption {
  const { placement } = scored;
  const interviewers =
    "interviewers" in placement ? placement.interviewers : staff(prepared, placement);
  if (interviewers === undefined) throw new Error("a feasible placement could not be staffed");
  return {
    start: scored.start,
    end: scored.end,
    score: scored.score,
    sessions: placement.order.map((s, position) => {
      const session = prepared.sessions[s] as PreparedSession;
      const start = prepared.grid[placement.starts[position] as number] as number;
      return {
        id: session.id,
        start,
        end: start + session.durationMinutes,
        interviewers: (interviewers[position] as number[]).map(
          (p) => prepared.problem.participants[p]?.id as string,
        ),
      };
    }),
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
