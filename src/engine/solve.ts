/**
 * The loop solver. A block is a sequence of sessions (in the listed order, or any order), each
 * starting on the grid 0..maxGapMinutes after the previous one ends. For each session the
 * solver knows, per grid start, which pool members can take it (see availability.ts); a block is
 * feasible when its sessions can be staffed with distinct people, which is a bipartite matching
 * (session seats × people), solved exactly with augmenting paths.
 *
 * The search is exact: `allFeasibleStarts` tries every order and every gap before it gives up on
 * a start, so it lists every feasible start and nothing else. It is kept small by three cuts
 * that never lose an answer:
 * - a partial block whose placed sessions cannot be staffed is abandoned at once (staffing a
 *   longer block needs staffing every part of it; load limits are part of who is free when);
 * - a block that needs more people than the pools can give at any time is never walked;
 * - a tail that failed once (the same sessions left, the same end so far, the same people free
 *   for each placed session) is not walked again (`failedTails`).
 * In any order, the sessions with the fewest possible starts are tried first.
 *
 * Every search spends steps from a `SearchBudget`; when it runs out the search stops, keeps what
 * it found (all feasible) and says so (see budget.ts).
 */
import { allowedGridRuns, type ParticipantCalendar, prepareParticipant } from "./availability.js";
import { SearchBudget } from "./budget.js";
import { lowerBound, lowerBoundFrom, startGrid } from "./grid.js";
import type { EngineParticipant, EngineProblem, EpochMinutes, MinuteInterval } from "./types.js";
import { zoneRules } from "./zone.js";

export interface PreparedSession {
  index: number;
  id: string;
  durationMinutes: number;
  count: number;
  /** Participant indices of the pool, deduplicated, in pool order. */
  pool: number[];
  /**
   * Per pool member k, the grid indices at which they can start this session, as runs
   * `[from0, to0, from1, to1, …]` (half-open, ascending, disjoint); see `isAvailable`.
   */
  availableRuns: Int32Array[];
  /** Per pool member, the index in its runs that `isAvailable` reached last (a cursor). */
  runCursor: Int32Array;
  /** How many pool members can take it at each grid start. */
  availableCount: Uint16Array;
  /**
   * Per grid index, a number that changes exactly where the set of pool members free to start
   * this session may change; equal numbers mean the same people are free. Undefined when the
   * problem is too large to remember failed tails.
   */
  segmentOf?: Int32Array;
  /** Grid starts at which enough pool members are free. */
  possibleStarts: number;
  /**
   * Fixed order only: 1 at grid indices where this session can start and every later session
   * can follow it with an allowed gap, counting free people only (no staffing, no candidate
   * window). The walk skips the other indices: no placement goes through them.
   */
  chainable?: Uint8Array;
}

export interface PreparedProblem {
  problem: EngineProblem;
  grid: EpochMinutes[];
  /** Earliest allowed first start: now + notice. */
  earliestStart: EpochMinutes;
  sessions: PreparedSession[];
  /** Per participant index; undefined for people in no pool. */
  calendars: Array<ParticipantCalendar | undefined>;
  /** Interviewers a block needs in all (sum of the sessions' counts). */
  totalSeats: number;
  /** Reusable arrays for staffing, indexed by participant. */
  scratch: { seatOf: Int32Array; visited: Int32Array; stamp: number };
  /** Reusable arrays for `matchSeats`, indexed by seat. */
  seatScratch: SeatScratch;
  /** A walk state not in use, for `walkPlacements` to reuse. */
  idleWalk: Walk | undefined;
  /** The work budget every search on this problem spends from. */
  budget: SearchBudget;
  /** False when the pools cannot fill every seat even ignoring time: nothing is feasible. */
  staffable: boolean;
  /** Session indices, those with the fewest possible starts first (for any order). */
  sessionOrder: number[];
  /** Keys of tails known to have no staffable completion; undefined when not remembered. */
  failedTails: Set<string> | undefined;
  /**
   * Candidate windows sorted by start, not merged: the block must lie inside one window as
   * given, so two touching windows do not make one longer window. Undefined for "any time".
   */
  candidateWindows: MinuteInterval[] | undefined;
}

/** Reusable arrays for the matching of `matchSeats`. */
interface SeatScratch {
  /** Position (in the placement) of the session each seat belongs to. */
  positionOfSeat: Int32Array;
  /** Participant index holding each seat, -1 when free. */
  occupant: Int32Array;
  /** People who may take a position's seats: candidates[candidatesFrom[p] .. candidatesFrom[p+1]). */
  candidates: Int32Array;
  candidatesFrom: Int32Array;
  /** For `canStaff`: free people and seats per placed session, sorted by free people. */
  freeByPosition: Int32Array;
  seatsByPosition: Int32Array;
}

/** One way to place the sessions of a block: grid indices per session, in chronological order. */
export interface Placement {
  /** Session indices in chronological order. */
  order: number[];
  /** Grid index of each placed session, parallel to `order`. */
  starts: number[];
}

export interface StaffedPlacement extends Placement {
  /** Participant indices per placed session, parallel to `order`. */
  interviewers: number[][];
}

/** What the solver may ignore, for "what if" explanations. */
export interface Relaxation {
  ignoreNotice?: boolean;
  ignoreCandidate?: boolean;
  ignoreBufferMinutes?: boolean;
  /** Participants whose working hours, busy time or limits are ignored. */
  ignoreHoursOf?: ReadonlySet<string>;
  ignoreBusyOf?: ReadonlySet<string>;
  ignoreLimitsOf?: ReadonlySet<string>;
}

/**
 * Derived data per participant object (prepared calendar, allowed-start bits), so that repeated
 * questions about the same materialised people do not redo the interval work. Inputs are
 * treated as immutable: a participant whose busy time changes must be a new object.
 */
const memo = new WeakMap<EngineParticipant, Map<string, unknown>>();
const MEMO_ENTRIES_PER_PARTICIPANT = 64;

function memoEntries(participant: EngineParticipant): Map<string, unknown> {
  let entries = memo.get(participant);
  if (entries === undefined) {
    entries = new Map();
    memo.set(participant, entries);
  }
  return entries;
}

function memoStore(entries: Map<string, unknown>, key: string, value: unknown): void {
  if (entries.size >= MEMO_ENTRIES_PER_PARTICIPANT) entries.clear();
  entries.set(key, value);
}

/**
 * Sets `chainable` of each session, last session first: a session is chainable at g when
 * enough people are free then and the next session is chainable at some grid start from its
 * end to `maxGapMinutes` later.
 */
function markChainable(
  sessions: readonly PreparedSession[],
  grid: readonly number[],
  maxGapMinutes: number,
): void {
  let next: Uint8Array | undefined;
  for (let s = sessions.length - 1; s >= 0; s--) {
    const session = sessions[s] as PreparedSession;
    const chainable = new Uint8Array(grid.length);
    // First grid index at or after the session's end; ends grow with g, so it only moves on.
    let following = 0;
    for (let g = 0; g < grid.length; g++) {
      if ((session.availableCount[g] as number) < session.count) continue;
      if (next === undefined) {
        chainable[g] = 1;
        continue;
      }
      const end = (grid[g] as number) + session.durationMinutes;
      following = lowerBoundFrom(grid, following, end);
      const latest = end + maxGapMinutes;
      for (let k = following; k < grid.length && (grid[k] as number) <= latest; k++) {
        if (next[k] === 1) {
          chainable[g] = 1;
          break;
        }
      }
    }
    session.chainable = chainable;
    next = chainable;
  }
}

/** Whether a relaxation ignores anything of this participant's. */
function relaxes(relaxation: Relaxation, id: string): boolean {
  return (
    relaxation.ignoreHoursOf?.has(id) === true ||
    relaxation.ignoreBusyOf?.has(id) === true ||
    relaxation.ignoreLimitsOf?.has(id) === true
  );
}

/** At most this many failed tails are remembered per prepared problem. */
const MAX_FAILED_TAILS = 200_000;
/** Failed tails are remembered only when the segment arrays stay this small (grid × sessions). */
const MAX_SEGMENT_ENTRIES = 4_000_000;

/**
 * The start grid, cut to what the budget allows: each grid start costs a step, and a grid with
 * more starts than half the steps left is cut to that (the budget then stops once the search
 * has spent the rest). With a cut grid, people are prepared only over the horizon its sessions
 * can reach.
 */
function budgetedGrid(
  problem: EngineProblem,
  budget: SearchBudget,
): { grid: EpochMinutes[]; horizon: MinuteInterval } {
  const allowance = Math.floor(budget.remaining() / 2);
  const grid = startGrid(
    zoneRules(problem.timeZone),
    problem.range,
    problem.granularityMinutes,
    allowance + 1,
  );
  if (grid.length <= allowance) {
    budget.spend(grid.length);
    return { grid, horizon: problem.range };
  }
  grid.length = allowance;
  budget.spend(allowance);
  budget.stopAfterRemaining();
  let longestMinutes = 0;
  for (const session of problem.sessions) {
    longestMinutes = Math.max(longestMinutes, session.durationMinutes);
  }
  const last = grid[grid.length - 1];
  const end =
    last === undefined ? problem.range.start : Math.min(problem.range.end, last + longestMinutes);
  return { grid, horizon: { start: problem.range.start, end } };
}

/**
 * Each participant's calendar over the horizon, memoised on the participant unless the
 * relaxation ignores some of theirs. Only people in some pool matter; the others are never
 * prepared (undefined).
 */
function participantCalendars(
  problem: EngineProblem,
  relaxation: Relaxation,
  horizon: MinuteInterval,
): (ParticipantCalendar | undefined)[] {
  const inPools = new Set(problem.sessions.flatMap((s) => s.interviewers));
  const calendarKey = `calendar/${horizon.start}/${horizon.end}`;
  return problem.participants.map((participant) => {
    if (!inPools.has(participant.id)) return undefined;
    if (!relaxes(relaxation, participant.id)) {
      const entries = memoEntries(participant);
      let calendar = entries.get(calendarKey) as ParticipantCalendar | undefined;
      if (calendar === undefined) {
        calendar = prepareParticipant(participant, horizon);
        memoStore(entries, calendarKey, calendar);
      }
      return calendar;
    }
    const effective = {
      ...participant,
      workingHours: relaxation.ignoreHoursOf?.has(participant.id)
        ? undefined
        : participant.workingHours,
      busy: relaxation.ignoreBusyOf?.has(participant.id) ? [] : participant.busy,
      interviews: relaxation.ignoreBusyOf?.has(participant.id) ? [] : participant.interviews,
      limits: relaxation.ignoreLimitsOf?.has(participant.id) ? undefined : participant.limits,
    };
    return prepareParticipant(effective, horizon);
  });
}

/**
 * Sums a session's difference array into `availableCount` (how many of its pool can start at
 * each grid index), counts the starts with enough people, and numbers the segments between
 * changes of any member's runs (`segmentOf`, when `changes` is kept). Leaves `difference` and
 * `changes` all zero for the next session.
 */
function sumAvailable(
  difference: Int32Array,
  changes: Uint8Array | undefined,
  availableCount: Uint16Array,
  count: number,
): { possibleStarts: number; segmentOf: Int32Array | undefined } {
  const gridLength = availableCount.length;
  let running = 0;
  let possibleStarts = 0;
  const segmentOf = changes === undefined ? undefined : new Int32Array(gridLength);
  let segment = 0;
  for (let g = 0; g < gridLength; g++) {
    running += difference[g] as number;
    difference[g] = 0;
    availableCount[g] = running;
    if (running >= count) possibleStarts++;
    if (changes !== undefined && segmentOf !== undefined) {
      if (changes[g] === 1) segment++;
      changes[g] = 0;
      segmentOf[g] = segment;
    }
  }
  difference[gridLength] = 0;
  if (changes !== undefined) changes[gridLength] = 0;
  return { possibleStarts, segmentOf };
}

/** Working arrays of the search, allocated once per prepared problem. */
function searchScratch(
  problem: EngineProblem,
  sessions: readonly PreparedSession[],
): { scratch: PreparedProblem["scratch"]; totalSeats: number; seatScratch: SeatScratch } {
  const scratch = {
    seatOf: new Int32Array(problem.participants.length).fill(-1),
    visited: new Int32Array(problem.participants.length),
    stamp: 0,
  };
  const totalSeats = problem.sessions.reduce((sum, session) => sum + session.count, 0);
  const seatScratch: SeatScratch = {
    positionOfSeat: new Int32Array(totalSeats),
    occupant: new Int32Array(totalSeats),
    candidates: new Int32Array(sessions.reduce((sum, session) => sum + session.pool.length, 0)),
    candidatesFrom: new Int32Array(sessions.length + 1),
    freeByPosition: new Int32Array(sessions.length),
    seatsByPosition: new Int32Array(sessions.length),
  };
  return { scratch, totalSeats, seatScratch };
}

export function prepare(
  problem: EngineProblem,
  relaxation: Relaxation = {},
  budget: SearchBudget = new SearchBudget(),
): PreparedProblem {
  const { grid, horizon } = budgetedGrid(problem, budget);
  const indexById = new Map(problem.participants.map((p, i) => [p.id, i]));
  const horizonKey = `${horizon.start}/${horizon.end}`;
  const calendars = participantCalendars(problem, relaxation, horizon);
  const bufferMinutes = relaxation.ignoreBufferMinutes ? 0 : problem.bufferMinutes;
  const gridKey = `${problem.timeZone}/${problem.granularityMinutes}/${horizonKey}`;
  // Difference array of the counts, shared by the sessions: +1 where a run of allowed starts
  // begins, -1 after it ends; the running sum is the count. Left all zero after each session.
  const difference = new Int32Array(grid.length + 1);
  const rememberTails = grid.length * problem.sessions.length <= MAX_SEGMENT_ENTRIES;
  // Where some pool member's runs begin or end, per session (reset after each).
  const changes = rememberTails ? new Uint8Array(grid.length + 1) : undefined;
  const sessions = problem.sessions.map((session, index): PreparedSession => {
    const pool = [...new Set(session.interviewers)].map((id) => {
      const participantIndex = indexById.get(id);
      if (participantIndex === undefined) throw new RangeError(`unknown interviewer: ${id}`);
      return participantIndex;
    });
    const startsKey = `starts/${gridKey}/${session.durationMinutes}/${bufferMinutes}`;
    const availableCount = new Uint16Array(grid.length);
    const availableRuns = pool.map((participantIndex) => {
      const participant = problem.participants[participantIndex] as EngineParticipant;
      const entries = relaxes(relaxation, participant.id) ? undefined : memoEntries(participant);
      // Runs of grid indices where this person can start: [from0, to0, from1, to1, …].
      let runs = entries?.get(startsKey) as Int32Array | undefined;
      if (runs === undefined) {
        runs = allowedGridRuns(
          calendars[participantIndex] as ParticipantCalendar,
          session.durationMinutes,
          bufferMinutes,
          horizon,
          grid,
        );
        if (entries !== undefined) memoStore(entries, startsKey, runs);
      }
      for (let r = 0; r < runs.length; r += 2) {
        const from = runs[r] as number;
        const to = runs[r + 1] as number;
        difference[from] = (difference[from] as number) + 1;
        difference[to] = (difference[to] as number) - 1;
        if (changes !== undefined) {
          changes[from] = 1;
          changes[to] = 1;
        }
      }
      return runs;
    });
    const { possibleStarts, segmentOf } = sumAvailable(
      difference,
      changes,
      availableCount,
      session.count,
    );
    const prepared: PreparedSession = {
      index,
      id: session.id,
      durationMinutes: session.durationMinutes,
      count: session.count,
      pool,
      availableRuns,
      runCursor: new Int32Array(pool.length),
      availableCount,
      possibleStarts,
    };
    if (segmentOf !== undefined) prepared.segmentOf = segmentOf;
    return prepared;
  });
  if (problem.order === "fixed") markChainable(sessions, grid, problem.maxGapMinutes);
  const candidateWindows =
    relaxation.ignoreCandidate || problem.candidate?.available === undefined
      ? undefined
      : problem.candidate.available
          .filter((w) => w.end > w.start)
          .sort((a, b) => a.start - b.start);
  const earliestStart = relaxation.ignoreNotice
    ? Math.max(problem.range.start, problem.now)
    : problem.now + problem.minNoticeMinutes;
  const { scratch, totalSeats, seatScratch } = searchScratch(problem, sessions);
  return {
    problem,
    grid,
    earliestStart,
    sessions,
    calendars,
    candidateWindows,
    totalSeats,
    scratch,
    seatScratch,
    idleWalk: undefined,
    budget,
    staffable: staffableIgnoringTime(sessions, problem.participants.length),
    sessionOrder: sessions
      .map((session) => session.index)
      .sort(
        (a, b) =>
          (sessions[a] as PreparedSession).possibleStarts -
            (sessions[b] as PreparedSession).possibleStarts || a - b,
      ),
    failedTails: rememberTails ? new Set() : undefined,
  };
}

/**
 * Whether every seat of every session can get a distinct person from its pool, counting only
 * people free at some start: a block needs at least that, wherever it is placed.
 */
function staffableIgnoringTime(
  sessions: readonly PreparedSession[],
  participantCount: number,
): boolean {
  const seats: number[][] = [];
  const people = new Set<number>();
  for (const session of sessions) {
    const free = session.pool.filter((_, k) => (session.availableRuns[k] as Int32Array).length > 0);
    if (free.length < session.count) return false;
    for (const person of free) people.add(person);
    for (let c = 0; c < session.count; c++) seats.push(free);
  }
  if (seats.length > people.size) return false;
  const seatOf = new Int32Array(participantCount).fill(-1);
  const visited = new Int32Array(participantCount).fill(-1);
  const augment = (seat: number, stamp: number): boolean => {
    for (const person of seats[seat] as number[]) {
      if (visited[person] === stamp) continue;
      visited[person] = stamp;
      const held = seatOf[person] as number;
      if (held === -1 || augment(held, stamp)) {
        seatOf[person] = seat;
        return true;
      }
    }
    return false;
  };
  for (let seat = 0; seat < seats.length; seat++) {
    if (!augment(seat, seat)) return false;
  }
  return true;
}

/**
 * Whether pool member `k` of a session can start it at grid index `g`. Questions mostly come
 * in ascending `g`, so a cursor per member remembers the run reached last time and moves
 * forwards from it; an earlier `g` restarts it with a binary search.
 */
export function isAvailable(session: PreparedSession, k: number, g: number): boolean {
  const runs = session.availableRuns[k] as Int32Array;
  let r = session.runCursor[k] as number;
  if (r > 0 && (runs[r - 1] as number) > g) {
    // g is before the end of the run behind the cursor: first run that ends after g.
    let lo = 0;
    let hi = runs.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((runs[2 * mid + 1] as number) <= g) lo = mid + 1;
      else hi = mid;
    }
    r = 2 * lo;
  }
  while (r < runs.length && (runs[r + 1] as number) <= g) r += 2;
  session.runCursor[k] = r;
  return r < runs.length && (runs[r] as number) <= g;
}

/**
 * Staffs a placement: `count` distinct people per session, nobody twice, by augmenting paths
 * (Kuhn's algorithm on session seats × people), so a staffing is found whenever one exists.
 * With `preference`, people are tried lowest value first, so the staffing leans towards them.
 * Returns participant indices per placed session, or undefined when no staffing exists.
 */
export function staff(
  prepared: PreparedProblem,
  placement: Placement,
  preference?: (participantIndex: number, sessionIndex: number, gridIndex: number) => number,
): number[][] | undefined {
  const seatCount = matchSeats(prepared, placement, preference);
  if (seatCount === -1) return undefined;
  const seats = prepared.seatScratch;
  const interviewers: number[][] = placement.order.map(() => []);
  for (let seat = 0; seat < seatCount; seat++) {
    (interviewers[seats.positionOfSeat[seat] as number] as number[]).push(
      seats.occupant[seat] as number,
    );
  }
  return interviewers;
}

/**
 * The matching behind `staff`, on reusable typed arrays: seats are filled in order, each by
 * an augmenting path over the people free at its session's start (in pool order, or by
 * `preference`). Returns the number of seats, all held as `seatScratch.occupant` says, or -1
 * when no staffing exists.
 *
 * With `scarceOnly`, sessions with at least as many free people as the block has seats get no
 * seats: whatever the others take, enough of their people stay free, so the answer (staffing
 * or not) is the same; only the seats held differ.
 */
function matchSeats(
  prepared: PreparedProblem,
  placement: Placement,
  preference?: (participantIndex: number, sessionIndex: number, gridIndex: number) => number,
  scarceOnly = false,
): number {
  const { order, starts } = placement;
  const seats = prepared.seatScratch;
  let seatCount = 0;
  let candidateCount = 0;
  for (let position = 0; position < order.length; position++) {
    const sessionIndex = order[position] as number;
    const session = prepared.sessions[sessionIndex] as PreparedSession;
    const g = starts[position] as number;
    const first = candidateCount;
    seats.candidatesFrom[position] = first;
    if (scarceOnly && (session.availableCount[g] as number) >= prepared.totalSeats) continue;
    for (let k = 0; k < session.pool.length; k++) {
      if (isAvailable(session, k, g)) {
        seats.candidates[candidateCount++] = session.pool[k] as number;
      }
    }
    if (preference !== undefined) {
      const list = Array.from(seats.candidates.subarray(first, candidateCount));
      const keys = new Map(list.map((p) => [p, preference(p, sessionIndex, g)]));
      list.sort((a, b) => (keys.get(a) as number) - (keys.get(b) as number));
      seats.candidates.set(list, first);
    }
    for (let c = 0; c < session.count; c++) {
      seats.positionOfSeat[seatCount] = position;
      seats.occupant[seatCount] = -1;
      seatCount++;
    }
  }
  seats.candidatesFrom[order.length] = candidateCount;
  const scratch = prepared.scratch;
  let complete = true;
  for (let seat = 0; seat < seatCount && complete; seat++) {
    scratch.stamp++;
    complete = augmentSeat(prepared, seat);
  }
  for (let seat = 0; seat < seatCount; seat++) {
    const person = seats.occupant[seat] as number;
    if (person !== -1) scratch.seatOf[person] = -1;
  }
  return complete ? seatCount : -1;
}

/**
 * Whether a placement can be staffed. Cheap sufficient test first: take the placed sessions
 * from the fewest free people to the most; if each has at least as many free people as the
 * seats of itself and of every session before it, filling seats greedily in that order always
 * leaves someone free, so no matching is needed. Otherwise the exact matching decides.
 */
export function canStaff(prepared: PreparedProblem, placement: Placement): boolean {
  const { order, starts } = placement;
  const seats = prepared.seatScratch;
  // Insertion sort of (free people, seats) pairs by free people, ascending.
  const free = seats.freeByPosition;
  const needed = seats.seatsByPosition;
  for (let position = 0; position < order.length; position++) {
    const session = prepared.sessions[order[position] as number] as PreparedSession;
    const available = session.availableCount[starts[position] as number] as number;
    let i = position;
    while (i > 0 && (free[i - 1] as number) > available) {
      free[i] = free[i - 1] as number;
      needed[i] = needed[i - 1] as number;
      i--;
    }
    free[i] = available;
    needed[i] = session.count;
  }
  let seatsSoFar = 0;
  let greedyWorks = true;
  for (let i = 0; i < order.length && greedyWorks; i++) {
    seatsSoFar += needed[i] as number;
    greedyWorks = (free[i] as number) >= seatsSoFar;
  }
  return greedyWorks || matchSeats(prepared, placement, undefined, true) !== -1;
}

/** One augmenting-path step of `matchSeats`: finds `seat` a person, moving others if needed. */
function augmentSeat(prepared: PreparedProblem, seat: number): boolean {
  const seats = prepared.seatScratch;
  const scratch = prepared.scratch;
  const position = seats.positionOfSeat[seat] as number;
  const end = seats.candidatesFrom[position + 1] as number;
  for (let i = seats.candidatesFrom[position] as number; i < end; i++) {
    const person = seats.candidates[i] as number;
    if (scratch.visited[person] === scratch.stamp) continue;
    scratch.visited[person] = scratch.stamp;
    const held = scratch.seatOf[person] as number;
    if (held === -1 || augmentSeat(prepared, held)) {
      scratch.seatOf[person] = seat;
      seats.occupant[seat] = person;
      return true;
    }
  }
  return false;
}

/**
 * Walks every staffable placement of a block that starts at grid index `first`, depth first,
 * trying smaller gaps first. `visit` returns true to stop the walk; `walkPlacements` returns
 * whether it was stopped, by `visit` or because the budget ran out (then `prepared.budget` says
 * so). The placement passed to `visit` is reused by the walk: it is valid only during the call,
 * so a visitor that keeps it must copy it.
 */
export function walkPlacements(
  prepared: PreparedProblem,
  first: number,
  visit: (placement: Placement) => boolean,
): boolean {
  const { problem, grid, sessions, budget } = prepared;
  if (!budget.spend()) return true;
  const t = grid[first];
  if (t === undefined || t < prepared.earliestStart) return false;
  const n = sessions.length;
  if (n === 0 || !prepared.staffable) return false;
  const fixed = problem.order === "fixed";
  // Most starts fail here: in fixed order, the sessions cannot follow each other from `first`
  // on; in any order, no session has enough people at `first`.
  if (fixed) {
    if ((sessions[0] as PreparedSession).chainable?.[first] !== 1) return false;
  } else {
    let someFirst = false;
    for (let s = 0; s < n && !someFirst; s++) {
      const session = sessions[s] as PreparedSession;
      someFirst = (session.availableCount[first] as number) >= session.count;
    }
    if (!someFirst) return false;
  }
  let windowEnd = Number.MAX_SAFE_INTEGER;
  if (prepared.candidateWindows !== undefined) {
    windowEnd = latestWindowEnd(prepared.candidateWindows, t);
    if (windowEnd <= t) return false;
  }
  windowEnd = Math.min(windowEnd, problem.range.end);
  // One walk state per prepared problem, reused by walk after walk (a visitor that starts
  // another walk on the same problem gets a fresh one).
  let walk = prepared.idleWalk;
  if (walk === undefined) {
    walk = {
      prepared,
      fixed,
      windowEnd,
      used: new Uint8Array(n),
      startOf: new Int32Array(n),
      placement: { order: [], starts: [] },
      visit,
      visits: 0,
    };
  } else {
    prepared.idleWalk = undefined;
    walk.windowEnd = windowEnd;
    walk.visit = visit;
  }
  const stopped = placeNext(walk, first);
  // Every placed session was taken back out, so the state is clean for the next walk.
  prepared.idleWalk = walk;
  return stopped;
}

/** The state of one `walkPlacements`. */
interface Walk {
  prepared: PreparedProblem;
  fixed: boolean;
  /** Every session must end by then (candidate window, range). */
  windowEnd: number;
  /** 1 for sessions already placed. */
  used: Uint8Array;
  /** Grid index of each placed session, by session index. */
  startOf: Int32Array;
  /** The sessions placed so far; passed to `visit` when complete. */
  placement: Placement;
  visit: (placement: Placement) => boolean;
  /** Calls of `visit` so far (a tail with none has no staffable completion). */
  visits: number;
}

/**
 * The key of a tail in `failedTails`: what the rest of a walk depends on. That is the sessions
 * left, where the last placed one ends (the next starts 0..maxGap later), the latest end allowed
 * and, for staffing, who was free for each placed session.
 */
function tailKey(walk: Walk, end: number): string | undefined {
  const { used, startOf } = walk;
  const sessions = walk.prepared.sessions;
  let key = `${walk.windowEnd}:${end}`;
  for (let s = 0; s < sessions.length; s++) {
    if (used[s] === 0) {
      key += ",-";
      continue;
    }
    const segmentOf = (sessions[s] as PreparedSession).segmentOf;
    if (segmentOf === undefined) return undefined;
    key += `,${segmentOf[startOf[s] as number]}`;
  }
  return key;
}

/** Places a next session at grid index `g` and walks on from it; true when `visit` stopped. */
function placeNext(walk: Walk, g: number): boolean {
  const { prepared, used, placement } = walk;
  const { grid, sessions, budget } = prepared;
  const { order, starts } = placement;
  const n = sessions.length;
  // Fixed order: only the next session in the list; any order: every session not yet placed,
  // the most constrained first.
  const from = walk.fixed ? order.length : 0;
  const to = walk.fixed ? order.length + 1 : n;
  for (let i = from; i < to; i++) {
    const s = walk.fixed ? i : (prepared.sessionOrder[i] as number);
    if (used[s] === 1) continue;
    const session = sessions[s] as PreparedSession;
    if (
      walk.fixed
        ? session.chainable?.[g] !== 1
        : (session.availableCount[g] as number) < session.count
    )
      continue;
    const end = (grid[g] as number) + session.durationMinutes;
    if (end > walk.windowEnd) continue;
    if (!budget.spend()) return true;
    used[s] = 1;
    walk.startOf[s] = g;
    order.push(s);
    starts.push(g);
    const stop = order.length > 1 && !canStaff(prepared, placement) ? false : walkOn(walk, end);
    used[s] = 0;
    order.pop();
    starts.pop();
    if (stop) return true;
  }
  return false;
}

/**
 * Continues a walk whose placed sessions can be staffed and the last of which ends at `end`:
 * visits the block when complete, else places the next session 0..maxGap later. Returns true
 * when the walk is to stop.
 */
function walkOn(walk: Walk, end: number): boolean {
  const { prepared, placement } = walk;
  const { problem, grid, sessions, failedTails } = prepared;
  if (placement.order.length === sessions.length) {
    walk.visits++;
    return walk.visit(placement);
  }
  const key = failedTails === undefined ? undefined : tailKey(walk, end);
  if (key !== undefined && failedTails?.has(key) === true) return false;
  const visitsBefore = walk.visits;
  const latest = end + problem.maxGapMinutes;
  const g = placement.starts[placement.starts.length - 1] as number;
  for (let next = lowerBoundFrom(grid, g, end); next < grid.length; next++) {
    if ((grid[next] as number) > latest) break;
    if (placeNext(walk, next)) return true;
  }
  if (
    key !== undefined &&
    failedTails !== undefined &&
    walk.visits === visitsBefore &&
    failedTails.size < MAX_FAILED_TAILS
  ) {
    failedTails.add(key);
  }
  return false;
}

/**
 * The latest end among the windows that contain instant `t` (`t` itself when none does): a
 * block starting at `t` fits some window exactly when it ends by then.
 */
export function latestWindowEnd(windows: readonly MinuteInterval[], t: number): number {
  let latest = t;
  for (const window of windows) {
    if (window.start > t) break;
    if (window.end > latest) latest = window.end;
  }
  return latest;
}

/** Every placement the walk visits is staffable: the first one settles a start. */
const settles = (): boolean => true;

/**
 * Whether some placement of a block starting at grid index `first` can be staffed; false too
 * when the budget ran out before that was known (`prepared.budget.stopped`).
 */
export function isFeasibleStart(prepared: PreparedProblem, first: number): boolean {
  return walkPlacements(prepared, first, settles) && !prepared.budget.stopped;
}

/**
 * Every feasible block start, ascending, each once (the answer of `ally slots --all`), as far
 * as the budget reached: complete unless `budget.stopped`.
 * @example allFeasibleStarts(problem) // [29_420_640, 29_420_655]
 */
export function allFeasibleStarts(
  problem: EngineProblem,
  relaxation?: Relaxation,
  budget?: SearchBudget,
): EpochMinutes[] {
  const prepared = prepare(problem, relaxation, budget);
  return feasibleStartIndices(prepared).map((g) => prepared.grid[g] as number);
}

/** Grid indices of the feasible starts, ascending, up to where the budget ran out. */
export function feasibleStartIndices(prepared: PreparedProblem): number[] {
  const result: number[] = [];
  const from = lowerBound(prepared.grid, prepared.earliestStart);
  for (let g = from; g < prepared.grid.length && !prepared.budget.stopped; g++) {
    if (isFeasibleStart(prepared, g)) result.push(g);
  }
  return result;
}
