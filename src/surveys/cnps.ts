/**
 * Candidate NPS and the survey results, pure: answers in, numbers out (no clock, no database).
 *
 * cNPS follows the Net Promoter convention: an answer of 9 or 10 is a promoter, 7 or 8 passive,
 * 0 to 6 a detractor; cNPS is the percentage of promoters minus the percentage of detractors,
 * from -100 (all detractors) to 100 (all promoters), undefined (null) without answers.
 *
 * Results are grouped per job, per interviewer (an interview with several interviewers counts
 * for each) and per calendar month of the answer (UTC). A group with fewer than `minGroup`
 * answers is withheld per interviewer: only its counts are shown, so an interviewer cannot tell
 * which candidate said what (`MIN_GROUP_ANSWERS`).
 */
import { Temporal } from "temporal-polyfill";

export type NpsClass = "promoter" | "passive" | "detractor";

/** Fewer answers than this about one interviewer are not broken down for them. */
export const MIN_GROUP_ANSWERS = 3;

/** The class of one 0–10 answer. @example npsClass(9) // "promoter" */
export function npsClass(score: number): NpsClass {
  if (!Number.isInteger(score) || score < 0 || score > 10) {
    throw new RangeError(`an NPS answer is a whole number from 0 to 10, not ${score}`);
  }
  if (score >= 9) return "promoter";
  if (score >= 7) return "passive";
  return "detractor";
}

export interface NpsSummary {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** % promoters − % detractors, unrounded; null without answers. */
  cnps: number | null;
}

/** @example npsSummary([10, 9, 7, 3]) // { answers: 4, promoters: 2, passives: 1, detractors: 1, cnps: 25 } */
export function npsSummary(scores: readonly number[]): NpsSummary {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const score of scores) {
    const kind = npsClass(score);
    if (kind === "promoter") promoters += 1;
    else if (kind === "passive") passives += 1;
    else detractors += 1;
  }
  const answers = scores.length;
  return {
    answers,
    promoters,
    passives,
    detractors,
    cnps: answers === 0 ? null : (100 * (promoters - detractors)) / answers,
  };
}

/** A cNPS as people read it: a whole number with its sign, e.g. "+25", "-8", "0", "–". */
export function formatCnps(cnps: number | null): string {
  if (cnps === null) return "–";
  const whole = Math.round(cnps);
  return whole > 0 ? `+${whole}` : whole === 0 ? "0" : `${whole}`;
}

export const QUESTIONS = ["scheduling", "preparation", "clarity"] as const;
export type Question = (typeof QUESTIONS)[number];

export interface Answer {
  nps: number;
  /** 1–5 each, or null when left out. */
  scheduling: number | null;
  preparation: number | null;
  clarity: number | null;
  answeredAt: number;
}

/** One survey that was sent, and its answer when there is one. */
export interface SurveyFact {
  jobId: string;
  interviewerIds: readonly string[];
  answer: Answer | null;
}

export interface GroupResult {
  key: string;
  sent: number;
  answered: number;
  /** answered / sent; null when nothing was sent. */
  responseRate: number | null;
  /** Null when withheld (a small group, per interviewer). */
  nps: NpsSummary | null;
  /** Mean of each 1–5 question over the answers that gave it; null when none did or withheld. */
  averages: Record<Question, number | null> | null;
  withheld: boolean;
}

export interface MonthResult {
  /** `YYYY-MM`, UTC. */
  month: string;
  nps: NpsSummary;
}

export interface SurveyResults {
  overall: GroupResult;
  byJob: GroupResult[];
  byInterviewer: GroupResult[];
  /** Every month from the first answer's to the last's, empty ones included. */
  byMonth: MonthResult[];
}

function averagesOf(answers: readonly Answer[]): Record<Question, number | null> {
  const out = {} as Record<Question, number | null>;
  for (const question of QUESTIONS) {
    const given = answers.map((a) => a[question]).filter((v): v is number => v !== null);
    out[question] = given.length === 0 ? null : given.reduce((a, b) => a + b, 0) / given.length;
  }
  return out;
}

function group(key: string, facts: readonly SurveyFact[], withheldBelow: number): GroupResult {
  const answers = facts.flatMap((f) => (f.answer === null ? [] : [f.answer]));
  const withheld = answers.length < withheldBelow;
  return {
    key,
    sent: facts.length,
    answered: answers.length,
    responseRate: facts.length === 0 ? null : answers.length / facts.length,
    nps: withheld ? null : npsSummary(answers.map((a) => a.nps)),
    averages: withheld ? null : averagesOf(answers),
    withheld,
  };
}

function groupBy(
  facts: readonly SurveyFact[],
  keysOf: (fact: SurveyFact) => readonly string[],
): Map<string, SurveyFact[]> {
  const groups = new Map<string, SurveyFact[]>();
  for (const fact of facts) {
    for (const key of new Set(keysOf(fact))) {
      const list = groups.get(key) ?? [];
      list.push(fact);
      groups.set(key, list);
    }
  }
  return groups;
}

/** `YYYY-MM` of an instant, in UTC. */
export function monthOf(epochMs: number): string {
  const date = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO("UTC");
  return `${String(date.year).padStart(4, "0")}-${String(date.month).padStart(2, "0")}`;
}

function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let at = Temporal.PlainYearMonth.from(first);
  const end = Temporal.PlainYearMonth.from(last);
  while (Temporal.PlainYearMonth.compare(at, end) <= 0) {
    months.push(at.toString());
    at = at.add({ months: 1 });
  }
  return months;
}

/**
 * The results of an organisation's surveys: overall, per job, per interviewer (withheld below
 * `minGroup` answers), and cNPS per month.
 * @example surveyResults([{ jobId: "j1", interviewerIds: ["u1"], answer: null }]).overall.sent // 1
 */
export function surveyResults(
  facts: readonly SurveyFact[],
  minGroup: number = MIN_GROUP_ANSWERS,
): SurveyResults {
  const byKey = (a: GroupResult, b: GroupResult) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const byJob = [...groupBy(facts, (f) => [f.jobId])].map(([key, list]) => group(key, list, 0));
  const byInterviewer = [...groupBy(facts, (f) => f.interviewerIds)].map(([key, list]) =>
    group(key, list, minGroup),
  );
  const answered = facts.flatMap((f) => (f.answer === null ? [] : [f.answer]));
  const scoresByMonth = new Map<string, number[]>();
  for (const answer of answered) {
    const month = monthOf(answer.answeredAt);
    scoresByMonth.set(month, [...(scoresByMonth.get(month) ?? []), answer.nps]);
  }
  const months = [...scoresByMonth.keys()].sort();
  const first = months[0];
  const last = months[months.length - 1];
  const byMonth =
    first === undefined || last === undefined
      ? []
      : monthsBetween(first, last).map((month) => ({
          month,
          nps: npsSummary(scoresByMonth.get(month) ?? []),
        }));
  return {
    overall: group("all", facts, 0),
    byJob: byJob.sort(byKey),
    byInterviewer: byInterviewer.sort(byKey),
    byMonth,
  };
}
