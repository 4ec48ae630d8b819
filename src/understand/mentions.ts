/**
 * Step 3 (continued): groups of days and times that belong together in a clause.
 * "Thursday 2-4pm or Friday morning" is two groups; "Wednesday 28th or Thursday 29th, 2-5pm" is
 * one group of two days sharing a time; "Monday, Tuesday after 3, or Friday" is three groups.
 */
import type { Clause } from "./clauses.js";
import {
  type DayRef,
  type Element,
  elementsOf,
  FILLER_BETWEEN,
  type ParseContext,
  type TimeRef,
} from "./expressions.js";

export type Mention = {
  days: DayRef[];
  times: TimeRef[];
  /** The sender says they cannot at these times. */
  negative: boolean;
  /** Named after "except" / "apart from": not available, and removed from the clause's days. */
  except: boolean;
  /** A week ("next week") that the clause's weekdays fall in. */
  week?: "this" | "next";
  clauseIndex: number;
  /** A later time-only mention narrowed this day-only mention ("Friday? Anytime after 11."). */
  superseded?: boolean;
};

export type ClauseReading = {
  mentions: Mention[];
  zones: (string | null)[];
  /** Token indices read as part of a time expression. */
  covered: Set<number>;
};

type Draft = Mention & {
  daySeps: ("or" | "and" | "comma" | "slash" | "none")[];
  lastTo: number;
  /** The group's time came before its days ("between 10 and 12 on Monday or Tuesday"). */
  timeFirst?: boolean;
};

const isAnyDay = (t: TimeRef | undefined) => t?.kind === "part" && t.part === "day";

/** "8:30 Tuesday morning", "4 Friday afternoon": a part of the day after a clock time says am or pm. */
function qualified(t: TimeRef, part: string): TimeRef {
  if (t.kind !== "at") return t;
  if ((part === "afternoon" || part === "evening") && t.minutes < 12 * 60)
    return { kind: "at", minutes: t.minutes + 12 * 60 };
  return t;
}

/** Reading one clause's elements left to right: the groups so far and the one being filled. */
interface Grouping {
  clause: Clause;
  clauseIndex: number;
  drafts: Draft[];
  /** The group being filled. */
  cur: Draft | undefined;
  /** The separator seen since the last day or time. */
  sep: Draft["daySeps"][number];
  /** After "except" / "apart from": what follows is excepted. */
  exceptMode: boolean;
  /** After "instead of": the next time is the one being replaced, not one offered. */
  insteadMode: boolean;
}

/** Starts a new group at `el`. */
function openGroup(g: Grouping, el: Element): Draft {
  const d: Draft = {
    days: [],
    times: [],
    negative: g.clause.negative[el.from] ?? false,
    except: g.exceptMode,
    clauseIndex: g.clauseIndex,
    daySeps: [],
    lastTo: el.to,
  };
  g.drafts.push(d);
  g.cur = d;
  return d;
}

/**
 * A day joins the group being filled when it continues its days ("Monday, Tuesday"), gives a
 * time said first its day, shares a time said before ("between 10 and 12 on Monday or
 * Tuesday"), or names the week; otherwise it starts a group.
 * @param gap words (not filler) between the previous element and this one
 * @param following the next element that is not a separator
 */
function placeDay(
  g: Grouping,
  el: Extract<Element, { type: "day" }>,
  gap: number,
  following: Element | undefined,
): void {
  const { cur, sep, exceptMode } = g;
  if (
    cur &&
    cur.except === exceptMode &&
    cur.times.length === 0 &&
    cur.days.length > 0 &&
    gap === 0
  ) {
    cur.days.push(el.ref);
    cur.daySeps.push(sep);
  } else if (cur && cur.except === exceptMode && cur.days.length === 0 && cur.times.length > 0) {
    cur.days.push(el.ref);
    cur.daySeps.push("none");
    cur.timeFirst = true;
  } else if (
    // "between 10 and 12 on Monday or Tuesday": the days after a time share it, unless a
    // time of their own follows ("at 2 on Monday or Tuesday at 4").
    cur?.timeFirst &&
    cur.except === exceptMode &&
    gap === 0 &&
    sep !== "none" &&
    el.ref.kind !== "week" &&
    following?.type !== "time"
  ) {
    cur.days.push(el.ref);
    cur.daySeps.push(sep);
  } else if (cur && el.ref.kind === "week" && gap === 0 && cur.except === exceptMode) {
    cur.days.push(el.ref);
    cur.daySeps.push(sep);
  } else {
    const opened = openGroup(g, el);
    opened.days.push(el.ref);
    opened.daySeps.push("none");
  }
}

/**
 * A time narrows or qualifies the group's times, adds to them ("2pm or 4pm"), gives the
 * group's days their time, or starts a group. False when it was skipped: the time after
 * "instead of" is the one being replaced.
 * @param gap words (not filler) between the previous element and this one
 */
function placeTime(g: Grouping, el: Extract<Element, { type: "time" }>, gap: number): boolean {
  if (g.insteadMode) {
    g.insteadMode = false;
    return false;
  }
  const { cur, sep, exceptMode } = g;
  const adjacent = gap === 0 && sep === "none" && cur !== undefined && cur.lastTo === el.from;
  const ref = el.ref;
  if (
    cur &&
    cur.days.length > 0 &&
    cur.times.length === 1 &&
    isAnyDay(cur.times[0]) &&
    gap === 0 &&
    (sep === "none" || sep === "comma") &&
    !isAnyDay(ref)
  ) {
    // "Any day next week after 2pm": the later time narrows "any day".
    cur.times = [ref];
  } else if (
    cur &&
    cur.days.length > 0 &&
    cur.times.length > 0 &&
    adjacent &&
    ref.kind === "part" &&
    ref.part !== "day" &&
    cur.times.every((t) => t.kind === "at")
  ) {
    cur.times = cur.times.map((t) => qualified(t, ref.part));
  } else if (cur && cur.days.length > 0 && cur.times.length > 0) {
    if (sep === "or" || sep === "and" || sep === "slash" || (sep === "comma" && gap === 0))
      cur.times.push(el.ref);
    else openGroup(g, el).times.push(el.ref);
  } else if (cur && cur.days.length > 0) {
    let group = cur;
    if (adjacent && cur.days.length > 1 && cur.daySeps[cur.daySeps.length - 1] === "comma") {
      // "Monday, Tuesday 2pm": the time belongs to the last day only.
      const day = cur.days.pop() as DayRef;
      cur.daySeps.pop();
      group = openGroup(g, el);
      group.days.push(day);
      group.daySeps.push("none");
    }
    group.times.push(el.ref);
  } else if (cur && cur.days.length === 0 && cur.except === exceptMode) cur.times.push(el.ref);
  else openGroup(g, el).times.push(el.ref);
  return true;
}

/**
 * The mentions of one clause.
 * @example mentionsOf(splitClauses("Thursday 2-4pm or Friday morning")[0], ctx, 0).mentions.length // 2
 */
export function mentionsOf(clause: Clause, ctx: ParseContext, clauseIndex: number): ClauseReading {
  const tokens = clause.tokens;
  const elements = elementsOf(tokens, ctx);
  const covered = new Set<number>();
  const zones: (string | null)[] = [];
  const g: Grouping = {
    clause,
    clauseIndex,
    drafts: [],
    cur: undefined,
    sep: "none",
    exceptMode: false,
    insteadMode: false,
  };
  let lastEnd = 0;
  let week: "this" | "next" | undefined;
  let weekNegative = false;
  const gapWords = (from: number) =>
    tokens.slice(lastEnd, from).filter((t) => t.kind !== "punct" && !FILLER_BETWEEN.has(t.text))
      .length;
  elements.forEach((el, index) => {
    for (let k = el.from; k < el.to; k++) covered.add(k);
    if (el.type === "sep") {
      if (g.sep === "none" || el.value !== "comma") g.sep = el.value;
      lastEnd = el.to;
      return;
    }
    if (el.type === "zone") {
      zones.push(el.zone);
      lastEnd = el.to;
      return;
    }
    if (el.type === "except") {
      g.exceptMode = true;
      g.cur = undefined;
      lastEnd = el.to;
      return;
    }
    if (el.type === "instead-of") {
      g.insteadMode = true;
      lastEnd = el.to;
      return;
    }
    // The next element that is not a separator: does a time follow this day?
    const following = elements.slice(index + 1).find((e) => e.type !== "sep");
    const gap = gapWords(el.from);
    // A change of polarity starts a new group: "Tuesday works, not before 11".
    if (g.cur && (clause.negative[el.from] ?? false) !== g.cur.negative) g.cur = undefined;
    let placed = true;
    if (el.type === "day") {
      if (el.ref.kind === "week" && el.ref.which !== "of") {
        week = el.ref.which;
        weekNegative = clause.negative[el.from] ?? false;
      }
      placeDay(g, el, gap, following);
    } else {
      placed = placeTime(g, el, gap);
    }
    if (placed && g.cur) g.cur.lastTo = el.to;
    lastEnd = el.to;
    g.sep = "none";
  });
  // "this week is bad, next Tuesday any time": a week said as impossible does not place the
  // days said as possible.
  const mentions: Mention[] = g.drafts.map(({ daySeps: _s, lastTo: _l, timeFirst: _f, ...m }) =>
    week && m.negative === weekNegative ? { ...m, week } : m,
  );
  return { mentions, zones, covered };
}
