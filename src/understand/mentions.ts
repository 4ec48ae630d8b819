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

/**
 * The mentions of one clause.
 * @example mentionsOf(splitClauses("Thursday 2-4pm or Friday morning")[0], ctx, 0).mentions.length // 2
 */
export function mentionsOf(clause: Clause, ctx: ParseContext, clauseIndex: number): ClauseReading {
  const tokens = clause.tokens;
  const elements = elementsOf(tokens, ctx);
  const covered = new Set<number>();
  const zones: (string | null)[] = [];
  const drafts: Draft[] = [];
  let cur: Draft | undefined;
  let sep: Draft["daySeps"][number] = "none";
  let lastEnd = 0;
  let exceptMode = false;
  let insteadMode = false;
  let week: "this" | "next" | undefined;
  let weekNegative = false;
  const gapWords = (from: number) =>
    tokens.slice(lastEnd, from).filter((t) => t.kind !== "punct" && !FILLER_BETWEEN.has(t.text))
      .length;
  const open = (el: Element): Draft => {
    const d: Draft = {
      days: [],
      times: [],
      negative: clause.negative[el.from] ?? false,
      except: exceptMode,
      clauseIndex,
      daySeps: [],
      lastTo: el.to,
    };
    drafts.push(d);
    return d;
  };
  elements.forEach((el, index) => {
    for (let k = el.from; k < el.to; k++) covered.add(k);
    if (el.type === "sep") {
      if (sep === "none" || el.value !== "comma") sep = el.value;
      lastEnd = el.to;
      return;
    }
    if (el.type === "zone") {
      zones.push(el.zone);
      lastEnd = el.to;
      return;
    }
    if (el.type === "except") {
      exceptMode = true;
      cur = undefined;
      lastEnd = el.to;
      return;
    }
    if (el.type === "instead-of") {
      insteadMode = true;
      lastEnd = el.to;
      return;
    }
    // The next element that is not a separator: does a time follow this day?
    const following = elements.slice(index + 1).find((e) => e.type !== "sep");
    const gap = gapWords(el.from);
    // A change of polarity starts a new group: "Tuesday works, not before 11".
    if (cur && (clause.negative[el.from] ?? false) !== cur.negative) cur = undefined;
    if (el.type === "day") {
      if (el.ref.kind === "week" && el.ref.which !== "of") {
        week = el.ref.which;
        weekNegative = clause.negative[el.from] ?? false;
      }
      if (
        cur &&
        cur.except === exceptMode &&
        cur.times.length === 0 &&
        cur.days.length > 0 &&
        gap === 0
      ) {
        cur.days.push(el.ref);
        cur.daySeps.push(sep);
      } else if (
        cur &&
        cur.except === exceptMode &&
        cur.days.length === 0 &&
        cur.times.length > 0
      ) {
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
        cur = open(el);
        cur.days.push(el.ref);
        cur.daySeps.push("none");
      }
    } else if (el.type === "time") {
      if (insteadMode) {
        insteadMode = false;
        lastEnd = el.to;
        sep = "none";
        return;
      }
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
        else {
          cur = open(el);
          cur.times.push(el.ref);
        }
      } else if (cur && cur.days.length > 0) {
        if (adjacent && cur.days.length > 1 && cur.daySeps[cur.daySeps.length - 1] === "comma") {
          const day = cur.days.pop() as DayRef;
          cur.daySeps.pop();
          cur = open(el);
          cur.days.push(day);
          cur.daySeps.push("none");
        }
        cur.times.push(el.ref);
      } else if (cur && cur.days.length === 0 && cur.except === exceptMode) cur.times.push(el.ref);
      else {
        cur = open(el);
        cur.times.push(el.ref);
      }
    }
    if (cur) cur.lastTo = el.to;
    lastEnd = el.to;
    sep = "none";
  });
  // "this week is bad, next Tuesday any time": a week said as impossible does not place the
  // days said as possible.
  const mentions: Mention[] = drafts.map(({ daySeps: _s, lastTo: _l, timeFirst: _f, ...m }) =>
    week && m.negative === weekNegative ? { ...m, week } : m,
  );
  return { mentions, zones, covered };
}
