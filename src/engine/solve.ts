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
import type { EngineProblem, EpochMinutes, MinuteInterval } from "./types.js";
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
  calendars: ParticipantCalendar[];
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

export function prepare(problem: EngineProblem, relaxation: Relaxation = {}): PreparedProblem {
  const rules = zoneRules(problem.timeZone);
  const grid = startGrid(rules, problem.range, problem.granularityMinutes);
  const indexById = new Map(problem.participants.map((p, i) => [p.id, i]));
  const calendars = problem.participants.map((participant) => {
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
  const startsCache = new Map<string, Uint8Array>();
  const sessions = problem.sessions.map((session, index): PreparedSession => {
    const pool = [...new Set(session.interviewers)].map((id) => {
      const participantIndex = indexById.get(id);
      if (participantIndex === undefined) throw new RangeError(`unknown interviewer: ${id}`);
      return participantIndex;
    });
    const availableCount = new Uint16Array(grid.length);
    const available = pool.map((participantIndex) => {
      const key = `${participantIndex}/${session.durationMinutes}`;
      let bits = startsCache.get(key);
      if (bits === undefined) {
        const inRange = [
          { start: problem.range.start, end: problem.range.end - session.durationMinutes + 1 },
        ];
        const starts = allowedStarts(
          calendars[participantIndex] as ParticipantCalendar,
          session.durationMinutes,
          bufferMinutes,
          inRange,
        );
        bits = toGridBits(grid, starts);
        startsCache.set(key, bits);
      }
      for (let g = 0; g < grid.length; g++) {
        availableCount[g] = (availableCount[g] as number) + (bits[g] as number);
      }
      return bits;
    });
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
  return { problem, grid, earliestStart, sessions, calendars, candidateWindows };
}

function toGridBits(grid: readonly number[], starts: readonly MinuteInterval[]): Uint8Array {
  const bits = new Uint8Array(grid.length);
  for (const interval of starts) {
    for (let g = lowerBound(grid, interval.start); g < grid.length; g++) {
      if ((grid[g] as number) >= interval.end) break;
      bits[g] = 1;
    }
  }
  return bits;
}

/**
 * Staffs a placement: `count` distinct people per session, nobody twice. Tries people in the
 * order `preference` gives (lower first), so that a staffing exists whenever one exists, and
 * it leans towards preferred people. Returns undefined when no staffing exists.
 */
export function staff(
  prepared: PreparedProblem,
  placement: Placement,
  preference?: (participantIndex: number, sessionIndex: number, gridIndex: number) => number,
): number[][] | undefined {
  const { order, starts } = placement;
  // Seats: one per required interviewer, holding the position in `order`.
  const seats: number[] = [];
  const candidates: number[][] = [];
  for (let position = 0; position < order.length; position++) {
    const session = prepared.sessions[order[position] as number] as PreparedSession;
    const g = starts[position] as number;
    const people: number[] = [];
    for (let k = 0; k < session.pool.length; k++) {
      if ((session.available[k] as Uint8Array)[g] === 1) people.push(session.pool[k] as number);
    }
    if (preference !== undefined) {
      people.sort((a, b) => preference(a, session.index, g) - preference(b, session.index, g));
    }
    candidates.push(people);
    for (let c = 0; c < session.count; c++) seats.push(position);
  }
  const seatOf = new Map<number, number>();
  const occupant: number[] = new Array(seats.length).fill(-1);
  for (let seat = 0; seat < seats.length; seat++) {
    const visited = new Set<number>();
    if (!augment(seat, seats, candidates, seatOf, occupant, visited)) return undefined;
  }
  const interviewers: number[][] = order.map(() => []);
  for (let seat = 0; seat < seats.length; seat++) {
    (interviewers[seats[seat] as number] as number[]).push(occupant[seat] as number);
  }
  return interviewers;
}

function augment(
  seat: number,
  seats: readonly number[],
  candidates: readonly number[][],
  seatOf: Map<number, number>,
  occupant: number[],
  visited: Set<number>,
): boolean {
  for (const person of candidates[seats[seat] as number] as number[]) {
    if (visited.has(person)) continue;
    visited.add(person);
    const held = seatOf.get(person);
    if (held === undefined || augment(held, seats, candidates, seatOf, occupant, visited)) {
      seatOf.set(person, seat);
      occupant[seat] = person;
      return true;
    }
  }
  return false;
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
    const choices = problem.order === "fixed" ? [order.length] : sessions.map((s) => s.index);
    for (const s of choices) {
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

/** The first staffed placement of a block starting at grid index `first`, if any. */
export function firstStaffedPlacement(
  prepared: PreparedProblem,
  first: number,
): StaffedPlacement | undefined {
  let found: StaffedPlacement | undefined;
  walkPlacements(prepared, first, (placement) => {
    const interviewers = staff(prepared, placement);
    if (interviewers === undefined) return false;
    found = { ...placement, interviewers };
    return true;
  });
  return found;
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
    if (firstStaffedPlacement(prepared, g) !== undefined) result.push(g);
  }
  return result;
}
