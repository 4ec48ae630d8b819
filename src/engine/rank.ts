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
import { MINUTES_PER_DAY } from "./civil.js";
import { isoWeekKey, localDayOf, localMinuteOf } from "./local-time.js";
import {
  feasibleStartIndices,
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

interface Scored {
  placement: StaffedPlacement;
  start: EpochMinutes;
  end: EpochMinutes;
  score: number;
}

/**
 * The best options, at most `problem.limit`, best first, each feasible.
 * @example bestOptions(problem)[0] // { start, end, score: 0.91, sessions: [...] }
 */
export function bestOptions(problem: EngineProblem): SlotOption[] {
  const prepared = prepare(problem);
  const candidateRules = zoneRules(problem.candidate?.timeZone ?? problem.timeZone);
  const organiserRules = zoneRules(problem.timeZone);
  const load = (participantIndex: number, _session: number, g: number): number =>
    loadAt(prepared, participantIndex, prepared.grid[g] as number);
  const scored: Scored[] = [];
  for (const g of feasibleStartIndices(prepared)) {
    let best: Scored | undefined;
    let tried = 0;
    walkPlacements(prepared, g, (placement) => {
      tried++;
      const interviewers = staff(prepared, placement, load);
      if (interviewers !== undefined) {
        const candidate = score(prepared, { ...placement, interviewers }, candidateRules);
        if (best === undefined || candidate.score > best.score) best = candidate;
      }
      return tried >= PLACEMENTS_PER_START && best !== undefined;
    });
    if (best !== undefined) scored.push(best);
  }
  return pickVaried(scored, problem.limit, organiserRules).map((s) => toOption(prepared, s));
}

function loadAt(prepared: PreparedProblem, participantIndex: number, instant: number): number {
  const calendar = prepared.calendars[participantIndex];
  if (calendar === undefined) return 0;
  const day = localDayOf(calendar.rules, instant);
  return (
    (calendar.interviewsPerDay.get(day) ?? 0) +
    (calendar.interviewsPerWeek.get(isoWeekKey(day)) ?? 0)
  );
}

function score(
  prepared: PreparedProblem,
  placement: StaffedPlacement,
  candidateRules: ZoneRules,
): Scored {
  const { problem, grid } = prepared;
  const sessions = placement.order.map((s) => prepared.sessions[s] as PreparedSession);
  const starts = placement.starts.map((g) => grid[g] as number);
  const start = starts[0] as number;
  const lastIndex = starts.length - 1;
  const end =
    (starts[lastIndex] as number) + (sessions[lastIndex] as PreparedSession).durationMinutes;

  const horizon = Math.max(
    1,
    problem.range.end - Math.max(prepared.earliestStart, problem.range.start),
  );
  const earliness = clamp01(
    1 - (start - Math.max(prepared.earliestStart, problem.range.start)) / horizon,
  );

  let gapMinutes = 0;
  for (let i = 1; i < starts.length; i++) {
    gapMinutes +=
      (starts[i] as number) -
      (starts[i - 1] as number) -
      (sessions[i - 1] as PreparedSession).durationMinutes;
  }
  const worstGap = problem.maxGapMinutes * (starts.length - 1);
  const compactness = worstGap === 0 ? 1 : clamp01(1 - gapMinutes / worstGap);

  let spreadTotal = 0;
  let people = 0;
  placement.interviewers.forEach((ids, position) => {
    for (const id of ids) {
      spreadTotal += 1 / (1 + loadAt(prepared, id, starts[position] as number));
      people++;
    }
  });
  const spread = people === 0 ? 1 : spreadTotal / people;

  const candidate = shareInsideDaytime(candidateRules, start, end);

  const total =
    WEIGHTS.earliness * earliness +
    WEIGHTS.candidate * candidate +
    WEIGHTS.compactness * compactness +
    WEIGHTS.spread * spread;
  return { placement, start, end, score: Math.round(total * 10_000) / 10_000 };
}

/** Share of `[start, end)` that falls between 09:00 and 18:00 local time. */
function shareInsideDaytime(rules: ZoneRules, start: number, end: number): number {
  if (end <= start) return 1;
  let inside = 0;
  // Walk minute blocks by local day; blocks are short, so a per-minute offset read is not needed.
  for (let t = start; t < end; ) {
    const local = localMinuteOf(rules, t);
    const ofDay = ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const step = Math.min(end - t, 15 - (ofDay % 15) || 15);
    if (ofDay >= CANDIDATE_DAY_START && ofDay < CANDIDATE_DAY_END) inside += step;
    t += step;
  }
  return inside / (end - start);
}

function pickVaried(scored: Scored[], limit: number, organiserRules: ZoneRules): Scored[] {
  const byScore = [...scored].sort((a, b) => b.score - a.score || a.start - b.start);
  const picked: Scored[] = [];
  const taken = new Set<Scored>();
  const halfDay = (s: Scored): number => {
    const local = localMinuteOf(organiserRules, s.start);
    return Math.floor(local / (MINUTES_PER_DAY / 2));
  };
  const passes: Array<(s: Scored) => boolean> = [
    (s) => picked.every((p) => halfDay(p) !== halfDay(s)),
    (s) => picked.every((p) => Math.abs(p.start - s.start) >= 60),
    () => true,
  ];
  for (const accept of passes) {
    for (const s of byScore) {
      if (picked.length >= limit) break;
      if (taken.has(s) || !accept(s)) continue;
      picked.push(s);
      taken.add(s);
    }
  }
  return picked.sort((a, b) => b.score - a.score || a.start - b.start);
}

function toOption(prepared: PreparedProblem, scored: Scored): SlotOption {
  const { placement } = scored;
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
        interviewers: (placement.interviewers[position] as number[]).map(
          (p) => prepared.problem.participants[p]?.id as string,
        ),
      };
    }),
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
