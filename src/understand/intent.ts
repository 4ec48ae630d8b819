/**
 * Step 6: the intent. Cues that settle the matter come first (auto-replies, privacy requests,
 * opting out, withdrawing); then a wish to move a booked interview; then the offered options
 * (matched in options.ts) before any new times; then declines and questions.
 */
import { Temporal } from "temporal-polyfill";
import { type Clause, NEGATIVE_CUE } from "./clauses.js";
import type { DayRef } from "./expressions.js";
import {
  AFFIRMATIVE,
  ANY_OPTION,
  AUTO_REPLY,
  AUTO_REPLY_SUBJECT,
  CANCEL,
  CONFIRMATION,
  DECLINE,
  INFO_QUESTION,
  OPT_OUT,
  OPT_OUT_SUBJECT,
  PRIVACY,
  PRIVACY_TOPIC,
  QUESTION_START,
  RESCHEDULE,
  THANKS_ONLY,
} from "./intent-cues.js";
import type { Mention } from "./mentions.js";
import { fold } from "./normalise.js";
import { localOptions, optionsMatching } from "./options.js";
import type { Analysis } from "./reader.js";
import { intervalsOf } from "./reader.js";
import { dateOf, daysOf, type ResolveContext } from "./resolve.js";
import type { Intent, Interval, PrivacyRequest, UnderstandInput } from "./types.js";

export const INTENT_CUES: RegExp[] = [
  AUTO_REPLY,
  OPT_OUT,
  ...PRIVACY.map((p) => p.pattern),
  CANCEL,
  RESCHEDULE,
  DECLINE,
  INFO_QUESTION,
  CONFIRMATION,
  AFFIRMATIVE,
];

export type Decision = {
  intent: Intent;
  choice?: number;
  windows: Interval[];
  unavailable: Interval[];
  privacyRequest?: PrivacyRequest;
  /** How sure the path that decided is, before coverage is counted. */
  base: number;
  /** Why a person should look, when something was unclear. */
  doubts: string[];
  /** The whole text was read as one thing (an auto-reply, a bare option number): no word is left over. */
  whole?: boolean;
};

/** A clause's folded words, without a leading greeting ("Hi, is it remote?" → "is it remote?"). */
function clauseText(c: Clause): string {
  return clauseWords(c).replace(GREETING, "");
}

const GREETING =
  /^((hi|hello|hey|dear|sorry|thanks|thank you|ok|okay|also|oh|and|one more thing|quick question)( [a-z]+)? ?,? )+/;

function clauseWords(c: Clause): string {
  return c.tokens
    .map((t) => t.text)
    .join(" ")
    .replace(/ ' ?/g, "'");
}

const AVAILABILITY =
  /\b(free|works?|available|good|fine|open|suits?|possible|could do|can do|ok|okay|how about|what about|prefer|better|instead|disponible|disponivel|passt|geht)\b/;
const LATER_ACTION =
  /\b(confirm|let you know|get back|revert|check|reply|respond|once i know|(i'?ll|i will|will) (send|email|suggest|propose|share|come back))\b/;

function isInfoQuestion(c: Clause, hasTimes: boolean): boolean {
  const text = clauseText(c);
  return (
    c.question &&
    (INFO_QUESTION.test(text) ||
      (QUESTION_START.test(text) && !hasTimes && !AVAILABILITY.test(text)))
  );
}

function overlaps(a: Interval, b: Interval): boolean {
  const t = (s: string) => Temporal.Instant.from(s);
  return (
    Temporal.Instant.compare(t(a.start), t(b.end)) < 0 &&
    Temporal.Instant.compare(t(b.start), t(a.end)) < 0
  );
}

function containsInstant(w: Interval, at: string): boolean {
  const t = Temporal.Instant.from(at);
  return (
    Temporal.Instant.compare(Temporal.Instant.from(w.start), t) <= 0 &&
    Temporal.Instant.compare(t, Temporal.Instant.from(w.end)) < 0
  );
}

/** `windows` with the parts inside any of `cuts` removed (half-open intervals). */
function subtract(windows: Interval[], cuts: Interval[]): Interval[] {
  if (cuts.length === 0) return windows;
  const ms = (s: string) => Temporal.Instant.from(s).epochMilliseconds;
  let pieces = windows.map((w) => [ms(w.start), ms(w.end)] as [number, number]);
  for (const cut of cuts) {
    const [a, b] = [ms(cut.start), ms(cut.end)];
    pieces = pieces.flatMap(([s, e]): [number, number][] => {
      if (b <= s || e <= a) return [[s, e]];
      const kept: [number, number][] = [];
      if (s < a) kept.push([s, a]);
      if (b < e) kept.push([b, e]);
      return kept;
    });
  }
  const iso = (n: number) => Temporal.Instant.fromEpochMilliseconds(n).toString();
  return pieces.map(([s, e]) => ({ start: iso(s), end: iso(e) }));
}

const COUNTERFACTUAL =
  /\b(would have|could have|would'?ve|could'?ve|should have|was going to|had planned|hatte|habria|aurait|teria)\b/;

/**
 * "Any afternoon the week of the 14th except Wednesday": an excepted weekday is the one among
 * the days just named, not the next such day from today.
 */
function anchorExceptions(mentions: Mention[], ctx: ResolveContext): Mention[] {
  let named: Temporal.PlainDate[] = [];
  return mentions.map((m) => {
    if (!m.except) {
      if (m.days.length > 0 && !m.negative) named = daysOf(m, ctx).map((d) => d.date);
      return m;
    }
    const days = m.days.map((d): DayRef => {
      if (d.kind !== "weekday") return d;
      const within = named.find((date) => date.dayOfWeek === d.dow);
      return within ? { kind: "date", day: within.day, month: within.month, year: within.year } : d;
    });
    return { ...m, days };
  });
}

/** True when a date said with its weekday falls on another weekday. */
function weekdayDisagrees(d: DayRef, ctx: ResolveContext): boolean {
  if (d.kind !== "date" || d.dow === undefined) return false;
  const date = dateOf(d, ctx);
  return date !== null && date.dayOfWeek !== d.dow;
}

/** "a week later, same time": the booked interview a week on. */
function weekLater(input: UnderstandInput, folded: string): Interval[] {
  if (!input.booked || !/\b(a|one) week later\b|\bsame time next week\b/.test(folded)) return [];
  const start = Temporal.Instant.from(input.booked.start)
    .toZonedDateTimeISO(input.timeZone)
    .add({ weeks: 1 });
  const end = Temporal.Instant.from(input.booked.end)
    .toZonedDateTimeISO(input.timeZone)
    .add({ weeks: 1 });
  return [{ start: start.toInstant().toString(), end: end.toInstant().toString() }];
}

/** Words of withdrawing that fall short of a cue of their own: "not interested", "never applied". */
const WITHDRAW_HINT = /\b(not interested|no longer interested|not looking)\b/;
/** A form meant for another system, not only a copy to read. */
const PORTABLE_FORM =
  /\b(machine[- ]?readable|maschinenlesbar\w*|portab\w*|csv|json|xml|structured|structure|estructurado|estruturado|transfer\w*|transmit\w*|import|another|elsewhere|other (platform|provider|service|company|recruiter))\b/;
/** The wording of a privacy right ("I do not consent", "under GDPR"). */
const PRIVACY_WORDING = /\b(consent|gdpr|rgpd|dsgvo|lgpd|data protection|personal data)\b/;
const SHIFT_BY =
  /\b((back|forward|later|earlier|out) (by )?(an?|one|two|half an|\d+|a few|a couple( of)?)( \w+)? (hours?|minutes|mins|days|weeks)|(an?|one|two|half an|\d+|a few|a couple( of)?) (hours?|minutes|mins|days|weeks) (later|earlier|back|forward))\b/;
const PART_OF_MONTH =
  /\b(early|mid|late|end of|beginning of|start of|middle of)[ -](january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b/;
/** Saying the booked interview cannot happen, without cancelling it in words. */
const CANNOT_ATTEND =
  /\b((won'?t|will not|wo n'?t|can'?t|cannot|can not|can no longer|unable to|not able to|no longer able to) (be able to )?(attend|make|do) (it|the interview|the call|our interview|our call|my interview|the meeting)|(can'?t|cannot|won'?t be able to) make it)\b/;

/** Words that turn the cue after them around: "please don't unsubscribe me", "I'm not withdrawing". */
const NEGATOR =
  /\b(not|never|don'?t|do not|doesn'?t|won'?t|wouldn'?t|no need to|nicht|nie|no|nao|ne|pas|jamais|nunca)\b/;

/** True when `pattern` matches `folded` at least once without a negator in the four words before it. */
function affirmed(pattern: RegExp, folded: string): boolean {
  const g = new RegExp(
    pattern.source,
    pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`,
  );
  let guard = 0;
  for (let m = g.exec(folded); m !== null && guard++ < 50; m = g.exec(folded)) {
    if (m[0].length === 0) {
      g.lastIndex++;
      continue;
    }
    const before =
      folded
        .slice(0, m.index)
        .split(/[.!?;,\n]/)
        .pop() ?? "";
    // "I'm not asking you to delete anything": the negator may sit four words back.
    const words = before.trim().split(/\s+/).slice(-4).join(" ");
    if (!NEGATOR.test(words)) return true;
  }
  return false;
}

/** What every path of `decideIntent` reads from an analysed reply. */
interface Reading {
  folded: string;
  subject: string;
  proposed: NonNullable<UnderstandInput["proposed"]>;
  doubts: string[];
  /** Clauses that name a time. */
  withTimes: Set<number>;
  /** The reply asks something beside the times it names. */
  hasQuestion: boolean;
  positive: Mention[];
  negative: Mention[];
  unavailable: Interval[];
  /** The windows offered, worked out only when a path needs them: an accept by option never does. */
  windowsNow: () => Interval[];
}

const EMPTY = (): { windows: Interval[]; unavailable: Interval[] } => ({
  windows: [],
  unavailable: [],
});

/**
 * What a reply says, before deciding: the mentions that count (not inside a question, not
 * superseded, not a day of a later action), split into times that suit and times ruled out.
 */
function readingOf(input: UnderstandInput, a: Analysis): Reading {
  const doubts: string[] = [];
  const withTimes = new Set(a.mentions.map((m) => m.clauseIndex));
  const infoClauses = new Set(
    a.clauses.map((c, i) => (isInfoQuestion(c, withTimes.has(i)) ? i : -1)).filter((i) => i >= 0),
  );
  // "I'll confirm tomorrow": a day when the sender will act, not a time that suits.
  const laterAction = new Set(
    a.clauses
      .map((c, i) =>
        LATER_ACTION.test(clauseText(c)) && !AVAILABILITY.test(clauseText(c)) ? i : -1,
      )
      .filter((i) => i >= 0),
  );
  const live = anchorExceptions(
    a.mentions.filter(
      (m) => !infoClauses.has(m.clauseIndex) && !m.superseded && !laterAction.has(m.clauseIndex),
    ),
    a.ctx,
  );
  const positive = live.filter((m) => !m.negative && !m.except);
  const negative = live.filter((m) => m.negative || m.except);
  // Days excepted whole ("except Wednesday"); excepted hours ("except 12-1") are cut out below.
  const exceptDays = live
    .filter((m) => m.except && m.times.length === 0)
    .flatMap((m) => daysOf(m, a.ctx).map((d) => d.date));
  const exceptHours = intervalsOf(
    live.filter((m) => m.except && m.times.length > 0),
    a.ctx,
  );
  // "the week of the 14th except Wednesday": an excepted day that is none of the days named
  // was resolved on its own, not inside the days it excepts from; a person checks it.
  const positiveDays = new Set(positive.flatMap((m) => daysOf(m, a.ctx).map((d) => `${d.date}`)));
  if (positiveDays.size > 0 && exceptDays.some((d) => !positiveDays.has(`${d}`)))
    doubts.push("an exception outside the days named");
  let cached: Interval[] | undefined;
  const windowsNow = () => {
    cached ??= subtract(intervalsOf(positive, a.ctx, exceptDays), exceptHours);
    return cached;
  };
  const folded = fold(a.body);
  pushReadingDoubts(a, folded, live, doubts);
  return {
    folded,
    subject: fold(input.subject ?? ""),
    proposed: input.proposed ?? [],
    doubts,
    withTimes,
    hasQuestion: infoClauses.size > 0,
    positive,
    negative,
    unavailable: intervalsOf(negative, a.ctx),
    windowsNow,
  };
}

/** Doubts about the text itself, whatever it turns out to mean. */
function pushReadingDoubts(a: Analysis, folded: string, live: Mention[], doubts: string[]): void {
  if (a.truncated) doubts.push("long text");
  // "Tuesday the 9th" when the 9th is a Wednesday: one of the two is wrong.
  if (live.some((m) => m.days.some((d) => weekdayDisagrees(d, a.ctx))))
    doubts.push("a weekday that is not its date's");
  // "Wednesday would have worked": a time that no longer suits.
  if (COUNTERFACTUAL.test(folded)) doubts.push("a time that would have suited");
  // "early January": part of a month, which the spec gives no window for.
  if (PART_OF_MONTH.test(folded)) doubts.push("part of a month");
  // "2pm EST / 11am PST": every time is read in the first zone named, so a second one is doubt.
  if (a.zonesNamed.length > 1) doubts.push("several zones named");
  // "10am your time": whose zone that is, the reader cannot tell.
  if (a.mentions.length > 0 && /\byour (local )?(time|timezone|time zone)\b/.test(folded))
    doubts.push("a time in the reader's zone");
}

/** An out-of-office or other automatic reply: nobody answered. */
function autoReplyDecision(a: Analysis, r: Reading): Decision | undefined {
  const { folded, subject, doubts } = r;
  if (!AUTO_REPLY_SUBJECT.test(subject) && !AUTO_REPLY.test(folded)) return undefined;
  // A person's reply may borrow an auto-reply's words ("for anything urgent, call me").
  // "I'm out of office Monday, but Tuesday at 10 works": a person answering, in part.
  const answers =
    a.ordinals.chosen.length > 0 ||
    AFFIRMATIVE.test(folded) ||
    OPT_OUT.test(folded) ||
    CANCEL.test(folded) ||
    a.clauses.some(
      (c, i) => r.withTimes.has(i) && !c.negative.some(Boolean) && AVAILABILITY.test(clauseText(c)),
    );
  if (!AUTO_REPLY_SUBJECT.test(subject) && answers)
    doubts.push("auto-reply words in a reply that also answers");
  return { intent: "unknown", ...EMPTY(), base: 0.9, doubts, whole: true };
}

/** A privacy request, or no more mail: both settle the reply whatever else it says. */
function privacyOrOptOutDecision(
  input: UnderstandInput,
  a: Analysis,
  r: Reading,
): Decision | undefined {
  const { folded, subject, doubts } = r;
  const privacy = PRIVACY.find((p) => affirmed(p.pattern, folded));
  const optOut = affirmed(OPT_OUT, folded) || (OPT_OUT_SUBJECT.test(subject) && a.tokenCount <= 8);
  // "Don't delete it, just stop using it" is what a restriction says: not a cue turned around.
  const erasure = PRIVACY.find((p) => p.kind === "erasure")?.pattern;
  const negatedCue = [OPT_OUT, CANCEL, ...PRIVACY.map((p) => p.pattern)]
    .filter((p) => !(privacy?.kind === "restriction" && p === erasure))
    .some((p) => p.test(folded) && !affirmed(p, folded));
  if (negatedCue) doubts.push("a cue said with a negation");
  if (
    privacy &&
    PRIVACY_TOPIC.test(folded) &&
    !(optOut && privacy.kind === "erasure" && !/\bdata|information|personal/.test(folded))
  ) {
    if (optOut) doubts.push("privacy and opt-out");
    // "delete my email address from your list": erasure, or only no more mail?
    if (privacy.kind === "erasure" && /\b(list|mailing|emails from)\b/.test(folded))
      doubts.push("erasure or opt-out");
    if (a.mentions.length > 0 || a.ordinals.chosen.length > 0) doubts.push("privacy beside times");
    // "Can I get a download of my data?": a copy to read (access) or to take elsewhere?
    if (privacy.kind === "portability" && !PORTABLE_FORM.test(folded))
      doubts.push("a download: access or portability");
    return {
      intent: "privacy_request",
      privacyRequest: privacy.kind,
      ...EMPTY(),
      base: 0.9,
      doubts,
    };
  }
  if (!optOut) return undefined;
  // "not these at 8am, after 10 is better": times beside an opt-out are a doubt.
  if (a.mentions.length > 0 || a.ordinals.chosen.length > 0) doubts.push("opt-out beside times");
  // "I'm not interested, stop messaging me" in an interview thread: withdrawing, or only no mail?
  if (
    (r.proposed.length > 0 || input.booked) &&
    (WITHDRAW_HINT.test(folded) || CANCEL.test(folded))
  )
    doubts.push("opt-out or withdrawal");
  // "Please delete me from your list": no more mail, or erasure of what is held?
  if (erasure && affirmed(erasure, folded)) doubts.push("erasure or opt-out");
  // "Under GDPR I do not consent to …": an opt-out worded as a privacy right.
  if (PRIVACY_WORDING.test(folded)) doubts.push("opt-out in privacy words");
  return { intent: "opt_out", ...EMPTY(), base: 0.92, doubts };
}

/** Withdrawing: cancelling in words, "not interested", or "I can't attend" the booked interview. */
function withdrawalDecision(input: UnderstandInput, a: Analysis, r: Reading): Decision | undefined {
  const { folded, doubts } = r;
  const booked = input.booked;
  if (affirmed(CANCEL, folded)) {
    if (RESCHEDULE.test(folded) && r.windowsNow().length > 0) doubts.push("cancel and new times");
    // "Is the role still open? I want to withdraw if it's been filled": only on a condition.
    if (r.hasQuestion || /\b(if|unless|in case|whether|depending)\b/.test(folded))
      doubts.push("withdrawing on a condition or beside a question");
    return { intent: "cancel", ...EMPTY(), base: 0.9, doubts };
  }

  // "Not interested.": withdrawing from an interview thread, or no more of a mailing.
  if (
    affirmed(WITHDRAW_HINT, folded) &&
    a.mentions.length === 0 &&
    a.ordinals.chosen.length === 0 &&
    a.ordinals.excluded.length === 0
  ) {
    const intent = r.proposed.length > 0 || booked ? "cancel" : "opt_out";
    return { intent, ...EMPTY(), base: 0.7, doubts: [...doubts, "not interested: in what?"] };
  }

  // "I won't be able to attend the interview": the booked one is off, but a move may be meant.
  if (
    booked &&
    !RESCHEDULE.test(folded) &&
    r.windowsNow().length === 0 &&
    CANNOT_ATTEND.test(folded)
  )
    return {
      intent: "cancel",
      ...EMPTY(),
      base: 0.6,
      doubts: [...doubts, "cannot attend, may want to move"],
    };
  return undefined;
}

/** Windows that do not hold the booked interview's start (it is the time being moved from). */
const notBookedBy = (booked: UnderstandInput["booked"]) => (w: Interval) =>
  !booked || !containsInstant(w, booked.start);

/** Asking to move the booked interview, with the new times named (or a week later). */
function rescheduleDecision(input: UnderstandInput, r: Reading): Decision | undefined {
  const { folded, doubts } = r;
  if (!input.booked || !RESCHEDULE.test(folded)) return undefined;
  const later = weekLater(input, folded);
  // "the same time on Monday": a time taken from the booked interview, not read here.
  if (later.length === 0 && /\bsame time\b/.test(folded)) doubts.push("the same time as booked");
  // "push it back an hour", "a few days later": a shift of the booked time the reader does not work out.
  if (later.length === 0 && SHIFT_BY.test(folded)) doubts.push("a shift by an amount");
  // "change the time to 4pm": on the booked day, presumably; a person checks.
  if (r.positive.some((m) => m.days.length === 0 && m.times.length > 0))
    doubts.push("a time without a day");
  const windows = [...r.windowsNow().filter(notBookedBy(input.booked)), ...later];
  return {
    intent: "reschedule",
    windows,
    unavailable: r.unavailable,
    base: windows.length > 0 ? 0.88 : 0.86,
    doubts,
  };
}

/** New times that suit, beside the options offered (or instead of the booked time). */
function proposeDecision(input: UnderstandInput, r: Reading): Decision | undefined {
  const { doubts, unavailable } = r;
  const booked = input.booked;
  const windows = r.windowsNow();
  const newWindows = booked ? windows.filter(notBookedBy(booked)) : windows;
  if (newWindows.length === 0) return undefined;
  if (r.positive.some((m) => m.days.length === 0)) doubts.push("a time without a day");
  if (booked && r.proposed.length === 0) {
    doubts.push("new times for a booked interview without asking to move it");
    return { intent: "reschedule", windows: newWindows, unavailable, base: 0.6, doubts };
  }
  if (r.hasQuestion) doubts.push("also asks a question");
  if (r.negative.some((m) => m.days.length === 0 && m.times.length > 0))
    doubts.push("a time ruled out without a day");
  if (newWindows.some((w) => unavailable.some((u) => overlaps(w, u))))
    doubts.push("says yes and no to the same time");
  // Two readings of one time ("Tuesday" and "Tuesday 2-4") overlap: something was misread.
  if (newWindows.some((w, k) => newWindows.slice(k + 1).some((v) => overlaps(w, v))))
    doubts.push("overlapping windows");
  return { intent: "propose", windows: newWindows, unavailable, base: 0.88, doubts };
}

/** No time that suits: a decline, a question, a bare yes or thanks, or nothing understood. */
function remainingDecision(input: UnderstandInput, a: Analysis, r: Reading): Decision {
  const { folded, doubts, proposed, positive, negative, unavailable, hasQuestion } = r;
  const booked = input.booked;
  const confirming = booked && CONFIRMATION.test(folded);
  if (positive.some((m) => m.days.length === 0 && m.times.length > 0))
    doubts.push("a time without a day");

  if (
    proposed.length > 0 &&
    (DECLINE.test(folded) || (negative.length > 0 && positive.length === 0))
  ) {
    return {
      intent: "decline",
      windows: [],
      unavailable,
      base: DECLINE.test(folded) ? 0.88 : 0.7,
      doubts,
    };
  }
  if (hasQuestion || a.clauses.some((c) => c.question && QUESTION_START.test(clauseText(c)))) {
    return { intent: "question", ...EMPTY(), unavailable, base: hasQuestion ? 0.85 : 0.6, doubts };
  }
  if (confirming || (booked && positive.length > 0))
    return { intent: "unknown", ...EMPTY(), base: 0.85, doubts };
  const short = a.tokenCount <= 6;
  if (short && (AFFIRMATIVE.test(folded) || /^[\p{Extended_Pictographic}\s!.]+$/u.test(a.body))) {
    if (proposed.length === 1)
      return { intent: "accept", choice: 1, windows: [], unavailable: [], base: 0.85, doubts };
    doubts.push("a yes to several options");
    return { intent: "unknown", ...EMPTY(), base: 0.3, doubts };
  }
  if (THANKS_ONLY.test(folded) && short)
    return { intent: "unknown", ...EMPTY(), base: 0.8, doubts };
  return { intent: "unknown", ...EMPTY(), base: 0.5, doubts: [...doubts, "nothing understood"] };
}

/**
 * The intent of an analysed reply and the fields that go with it.
 * @example decideIntent(input, analyse(input)).intent // "accept"
 */
export function decideIntent(input: UnderstandInput, a: Analysis): Decision {
  const r = readingOf(input, a);
  const settled =
    autoReplyDecision(a, r) ??
    privacyOrOptOutDecision(input, a, r) ??
    withdrawalDecision(input, a, r) ??
    rescheduleDecision(input, r);
  if (settled) return settled;

  const accept = acceptOf(input, a, r.positive, r.doubts);
  if (accept !== undefined) {
    if (r.hasQuestion) r.doubts.push("also asks a question");
    return {
      intent: "accept",
      choice: accept.choice,
      windows: [],
      unavailable: r.unavailable,
      base: accept.base,
      doubts: r.doubts,
      ...(accept.whole ? { whole: true } : {}),
    };
  }
  return proposeDecision(input, r) ?? remainingDecision(input, a, r);
}

function acceptOf(
  input: UnderstandInput,
  a: Analysis,
  positive: Mention[],
  doubts: string[],
): { choice: number; base: number; whole?: boolean } | undefined {
  const proposed = input.proposed ?? [];
  if (proposed.length === 0) return undefined;
  const chosen = [...new Set(a.ordinals.chosen)].filter((n) => !a.ordinals.excluded.includes(n));
  if (chosen.length > 0) {
    if (chosen.length > 1) doubts.push("several options named");
    return { choice: Math.min(...chosen), base: 0.95 };
  }
  // A bare number answering a numbered list: "2".
  const bare = /^\s*#?(\d)\s*[.!]*\s*$/.exec(a.body);
  if (bare) {
    const n = Number(bare[1]);
    if (n >= 1 && n <= proposed.length) return { choice: n, base: 0.85, whole: true };
  }
  const folded = fold(a.body);
  // "Any of them, whatever's easiest": every option suits; the earliest, for a person to confirm.
  if (
    positive.length === 0 &&
    ANY_OPTION.test(folded) &&
    !DECLINE.test(folded) &&
    !NEGATIVE_CUE.test(folded)
  ) {
    doubts.push("any of the options");
    return { choice: 1, base: 0.5 };
  }
  // "Can't do those, I'm only around this week": the offered times were turned down.
  if (positive.length === 0 || DECLINE.test(folded)) return undefined;
  const matched = new Set<number>();
  let unmatched = 0;
  const options = localOptions(proposed, a.zone);
  // "Thursday, but not at 3:30": an option the sender rules out is not taken.
  const ruledOut = new Set(
    a.mentions
      .filter((m) => m.negative && m.times.length > 0)
      .flatMap((m) => optionsMatching(m, options, a.ctx)),
  );
  for (const m of positive) {
    const fits = optionsMatching(m, options, a.ctx).filter(
      (n) => !a.ordinals.excluded.includes(n) && !ruledOut.has(n),
    );
    if (fits.length === 0) unmatched++;
    for (const n of fits) matched.add(n);
  }
  if (matched.size === 0) return undefined;
  if (unmatched > 0) {
    // Some times are options and some are not: a proposal of all of them, for a person to check.
    doubts.push("names options and other times");
    return undefined;
  }
  if (matched.size > 1) doubts.push("fits several options");
  // "I'm only free in the mornings": a habit, not a choice of the one morning option.
  if (
    positive.every((m) => m.days.length === 0 && m.times.every((t) => t.kind === "part")) &&
    /\b(mornings|afternoons|evenings)\b/.test(fold(a.body))
  )
    doubts.push("a part of every day, not one option");
  return { choice: Math.min(...matched), base: 0.9 };
}
