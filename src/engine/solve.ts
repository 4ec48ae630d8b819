/**
 * The loop solver. A block is a sequence of sessions (in the listed order, or any order), each
 * starting on the grid 0..maxGapMinutes after the previous one ends. For each session the
 * solver knows, per grid start, which pool members can take it (see availability.ts); a block is
 * feasible when its sessions can be staffed with distinct people, which is a bipartite matching
 * (session seats × people), solved exactly with augmenting paths.
 *
 * The search is exact: `allFeasibleStarts` tries every order and every gap before it gives up on
 * a start, so it lists every feasible start and nothing else.
 */
import { allowedStarts, type ParticipantCalendar, prepareParticipant } from "./availability.js";
import { lowerBound, startGrid } from "./grid.js";
import type { EngineParticipant, EngineProblem, EpochMinutes, MinuteInterval } from "./types.js";
import { zoneRules } from "./zone.js";

export interface PreparedSession {
  index: number;
  id: string;
  durationMinutes: number;
  count: number;
  /** Participant indices of the pool, deduplicated, in pool order. */
  pool: number[];
  /** `available[k][g]` is 1 when pool member k can take this session starting at grid[g]. */
  available: Uint8Array[];
  /** How many pool members can take it at each grid start. */
  availableCount: Uint16Array;
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
  /**
   * Candidate windows sorted by start, not merged: the block must lie inside one window as
   * given, so two touching windows do not make one longer window. Undefined for "any time".
   */
  candidateWindows: MinuteInterval[] | undefined;
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

function memoised<T>(participant: EngineParticipant, key: string, compute: () => T): T {
  let entries = memo.get(participant);
  if (entries === undefined) {
    entries = new Map();
    memo.set(participant, entries);
  }
  if (entries.has(key)) return entries.get(key) as T;
  if (entries.size >= MEMO_ENTRIES_PER_PARTICIPANT) entries.clear();
  const value = compute();
  entries.set(key, value);
  return value;
}

export function prepare(problem: EngineProblem, relaxation: Relaxation = {}): PreparedProblem {
  const rules = zoneRules(problem.timeZone);
  const grid = startGrid(rules, problem.range, problem.granularityMinutes);
  const indexById = new Map(problem.participants.map((p, i) => [p.id, i]));
  const inPools = new Set(problem.sessions.flatMap((s) => s.interviewers));
  // Only people in some pool matter; the others are never prepared.
  const relaxes = (id: string): boolean =>
    relaxation.ignoreHoursOf?.has(id) === true ||
    relaxation.ignoreBusyOf?.has(id) === true ||
    relaxation.ignoreLimitsOf?.has(id) === true;
  const horizonKey = `${problem.range.start}/${problem.range.end}`;
  // Only people in some pool matter; the others are never prepared.
  const calendars = problem.participants.map((participant) => {
    if (!inPools.has(participant.id)) return undefined;
    if (!relaxes(participant.id)) {
      return memoised(participant, `calendar/${horizonKey}`, () =>
        prepareParticipant(participant, problem.range),
      );
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
    return prepareParticipant(effective, problem.range);
  });
  const bufferMinutes = relaxation.ignoreBufferMinutes ? 0 : problem.bufferMinutes;
  const gridKey = `${problem.timeZone}/${problem.granularityMinutes}/${horizonKey}`;
  const sessions = problem.sessions.map((session, index): PreparedSession => {
    const pool = [...new Set(session.interviewers)].map((id) => {
      const participantIndex = indexById.get(id);
      if (participantIndex === undefined) throw new RangeError(`unknown interviewer: ${id}`);
      return participantIndex;
    });
    const startsKey = `starts/${gridKey}/${session.durationMinutes}/${bufferMinutes}`;
    const availableCount = new Uint16Array(grid.length);
    const difference = new Int32Array(grid.length + 1);
    const available = pool.map((participantIndex) => {
      const participant = problem.participants[participantIndex] as EngineParticipant;
      const compute = (): GridStarts => {
        const inRange = [
          { start: problem.range.start, end: problem.range.end - session.durationMinutes + 1 },
        ];
        const starts = allowedStarts(
          calendars[participantIndex] as ParticipantCalendar,
          session.durationMinutes,
          bufferMinutes,
          inRange,
        );
        return toGridBits(grid, starts);
      };
      const starts = relaxes(participant.id)
        ? compute()
        : memoised(participant, startsKey, compute);
      // Difference array: +1 where a run of allowed starts begins, -1 after it ends.
      const runs = starts.runs;
      for (let r = 0; r < runs.length; r += 2) {
        const from = runs[r] as number;
        const to = runs[r + 1] as number;
        difference[from] = (difference[from] as number) + 1;
        difference[to] = (difference[to] as number) - 1;
      }
      return starts.bits;
    });
    let running = 0;
    for (let g = 0; g < grid.length; g++) {
      running += difference[g] as number;
      availableCount[g] = running;
    }
    return {
      index,
      id: session.id,
      durationMinutes: session.durationMinutes,
      count: session.count,
      pool,
      available,
      availableCount,
    };
  });
  const candidateWindows =
    relaxation.ignoreCandidate || problem.candidate?.available === undefined
      ? undefined
      : problem.candidate.available
          .filter((w) => w.end > w.start)
          .sort((a, b) => a.start - b.start);
  const earliestStart = relaxation.ignoreNotice
    ? Math.max(problem.range.start, problem.now)
    : problem.now + problem.minNoticeMinutes;
  const scratch = {
    seatOf: new Int32Array(problem.participants.length).fill(-1),
    visited: new Int32Array(problem.participants.length),
    stamp: 0,
  };
  const totalSeats = problem.sessions.reduce((sum, session) => sum + session.count, 0);
  return {
    problem,
    grid,
    earliestStart,
    sessions,
    calendars,
    candidateWindows,
    totalSeats,
    scratch,
  };
}

/** Allowed starts of one person for one session, on the grid. */
interface GridStarts {
  /** 1 at grid indices where the person can start the session. */
  bits: Uint8Array;
  /** The same as runs of grid indices: [from0, to0, from1, to1, …], half-open. */
  runs: Int32Array;
}

function toGridBits(grid: readonly number[], starts: readonly MinuteInterval[]): GridStarts {
  const bits = new Uint8Array(grid.length);
  const runs: number[] = [];
  for (const interval of starts) {
    const from = lowerBound(grid, interval.start);
    let g = from;
    for (; g < grid.length; g++) {
      if ((grid[g] as number) >= interval.end) break;
      bits[g] = 1;
    }
    if (g > from) runs.push(from, g);
  }
  return { bits, runs: Int32Array.from(runs) };
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
  const { order, starts } = placement;
  const scratch = prepared.scratch;
  // Seat s belongs to the session placed at position seatPosition[s].
  const seatPosition: number[] = [];
  for (let position = 0; position < order.length; position++) {
    const session = prepared.sessions[order[position] as number] as PreparedSession;
    for (let c = 0; c < session.count; c++) seatPosition.push(position);
  }
  // People who may take each position's seats, in the order to try them.
  const people: number[][] = order.map((s, position) => {
    const session = prepared.sessions[s] as PreparedSession;
    const g = starts[position] as number;
    const list: number[] = [];
    for (let k = 0; k < session.pool.length; k++) {
      if ((session.available[k] as Uint8Array)[g] === 1) list.push(session.pool[k] as number);
    }
    if (preference !== undefined) {
      const keys = new Map(list.map((p) => [p, preference(p, s, g)]));
      list.sort((a, b) => (keys.get(a) as number) - (keys.get(b) as number));
    }
    return list;
  });
  const occupant: number[] = new Array(seatPosition.length).fill(-1);
  const augment = (seat: number): boolean => {
    for (const person of people[seatPosition[seat] as number] as number[]) {
      if (scratch.visited[person] === scratch.stamp) continue;
      scratch.visited[person] = scratch.stamp;
      const held = scratch.seatOf[person] as number;
      if (held === -1 || augment(held)) {
        scratch.seatOf[person] = seat;
        occupant[seat] = person;
        return true;
      }
    }
    return false;
  };
  let complete = true;
  for (let seat = 0; seat < seatPosition.length && complete; seat++) {
    scratch.stamp++;
    complete = augment(seat);
  }
  for (const person of occupant) if (person !== -1) scratch.seatOf[person] = -1;
  if (!complete) return undefined;
  const interviewers: number[][] = order.map(() => []);
  for (let seat = 0; seat < seatPosition.length; seat++) {
    (interviewers[seatPosition[seat] as number] as number[]).push(occupant[seat] as number);
  }
  return interviewers;
}

/**
 * Whether a placement can be staffed. When every placed session has at least as many free
 * people as the block has seats in all, seats can be filled one by one and someone is always
 * left, so no matching is needed.
 */
export function canStaff(prepared: PreparedProblem, placement: Placement): boolean {
  let plenty = true;
  for (let position = 0; position < placement.order.length && plenty; position++) {
    const session = prepared.sessions[placement.order[position] as number] as PreparedSession;
    plenty =
      (session.availableCount[placement.starts[position] as number] as number) >=
      prepared.totalSeats;
  }
  return plenty || staff(prepared, placement) !== undefined;
}

/**
 * Walks every placement of a block that starts at grid index `first`, depth first, trying
 * smaller gaps first. `visit` returns true to stop the walk; `walkPlacements` returns whether it
 * was stopped.
 */
export function walkPlacements(
  prepared: PreparedProblem,
  first: number,
  visit: (placement: Placement) => boolean,
): boolean {
  const { problem, grid, sessions } = prepared;
  const t = grid[first];
  if (t === undefined || t < prepared.earliestStart) return false;
  let windowEnd = Number.MAX_SAFE_INTEGER;
  if (prepared.candidateWindows !== undefined) {
    windowEnd = latestWindowEnd(prepared.candidateWindows, t);
    if (windowEnd <= t) return false;
  }
  windowEnd = Math.min(windowEnd, problem.range.end);
  const n = sessions.length;
  const used = new Uint8Array(n);
  const order: number[] = [];
  const starts: number[] = [];
  const step = (g: number): boolean => {
    // Fixed order: only the next session in the list; any order: every session not yet placed.
    const from = problem.order === "fixed" ? order.length : 0;
    const to = problem.order === "fixed" ? order.length + 1 : n;
    for (let s = from; s < to; s++) {
      if (used[s] === 1) continue;
      const session = sessions[s] as PreparedSession;
      if ((session.availableCount[g] as number) < session.count) continue;
      const end = (grid[g] as number) + session.durationMinutes;
      if (end > windowEnd) continue;
      used[s] = 1;
      order.push(s);
      starts.push(g);
      let stop: boolean;
      if (order.length === n) {
        stop = visit({ order: [...order], starts: [...starts] });
      } else {
        stop = false;
        const latest = end + problem.maxGapMinutes;
        for (let next = lowerBound(grid, end); next < grid.length; next++) {
          if ((grid[next] as number) > latest) break;
          if (step(next)) {
            stop = true;
            break;
          }
        }
      }
      used[s] = 0;
      order.pop();
      starts.pop();
      if (stop) return true;
    }
    return false;
  };
  if (n === 0) return false;
  return step(first);
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

/** Whether some placement of a block starting at grid index `first` can be staffed. */
export function isFeasibleStart(prepared: PreparedProblem, first: number): boolean {
  return walkPlacements(prepared, first, (placement) => canStaff(prepared, placement));
}

/**
 * Every feasible block start, ascending, each once (the answer of `ally slots --all`).
 * @example allFeasibleStarts(problem) // [29_420_640, 29_420_655]
 */
export function allFeasibleStarts(problem: EngineProblem, relaxation?: Relaxation): EpochMinutes[] {
  const prepared = prepare(problem, relaxation);
  return feasibleStartIndices(prepared).map((g) => prepared.grid[g] as number);
}

export function feasibleStartIndices(prepared: PreparedProblem): number[] {
  const result: number[] = [];
  const from = lowerBound(prepared.grid, prepared.earliestStart);
  for (let g = from; g < prepared.grid.length; g++) {
    if (isFeasibleStart(prepared, g)) result.push(g);
  }
  return result;
}
