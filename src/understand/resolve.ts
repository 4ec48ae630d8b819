/**
 * Step 4: mentions to instants, with Temporal, in the sender's zone or the zone the message
 * names (one zone, carried across all its mentions). Never the process zone.
 *
 * The spec's table: morning 09–12, afternoon 12–17, evening 17–20, a day alone 09–18,
 * after T → T–18:00, before T → 09:00–T, a bare time T → T + the offered duration (or 1 hour),
 * "next week" Monday–Friday, "this week" the remaining weekdays after now, "the week of D" the
 * Monday–Friday holding D. A weekday name is the next such day after today.
 */
import { Temporal } from "temporal-polyfill";
import type { DayRef, TimeRef } from "./expressions.js";
import type { Mention } from "./mentions.js";

export type ResolveContext = {
  now: Temporal.ZonedDateTime;
  zone: string;
  durationMinutes: number;
  /** Cached: today's date and now's minutes after midnight in `zone`. */
  today?: Temporal.PlainDate;
  nowMinutes?: number;
};

/** A context with today's date and time in its zone worked out once. */
export function resolveContext(
  now: Temporal.ZonedDateTime,
  zone: string,
  durationMinutes: number,
): ResolveContext {
  const local = now.withTimeZone(zone);
  return {
    now,
    zone,
    durationMinutes,
    today: local.toPlainDate(),
    nowMinutes: local.hour * 60 + local.minute,
  };
}

/** A local window on one day: minutes after midnight, half-open. */
export type LocalWindow = { date: Temporal.PlainDate; from: number; to: number };

const PARTS: Record<string, [number, number]> = {
  morning: [9 * 60, 12 * 60],
  afternoon: [12 * 60, 17 * 60],
  evening: [17 * 60, 20 * 60],
  day: [9 * 60, 18 * 60],
};
const DAY: [number, number] = [9 * 60, 18 * 60];

function today(ctx: ResolveContext): Temporal.PlainDate {
  return ctx.today ?? ctx.now.withTimeZone(ctx.zone).toPlainDate();
}

function mondayOf(date: Temporal.PlainDate): Temporal.PlainDate {
  return date.subtract({ days: date.dayOfWeek - 1 });
}

function weekdaysFrom(monday: Temporal.PlainDate, first = 1, last = 5): Temporal.PlainDate[] {
  const out: Temporal.PlainDate[] = [];
  for (let d = first; d <= last; d++) out.push(monday.add({ days: d - 1 }));
  return out;
}

function nextWeekday(dow: number, ctx: ResolveContext, week?: "this" | "next"): Temporal.PlainDate {
  const t = today(ctx);
  if (week === "next") return mondayOf(t).add({ weeks: 1, days: dow - 1 });
  if (week === "this") return mondayOf(t).add({ days: dow - 1 });
  const ahead = (dow - t.dayOfWeek + 7) % 7 || 7;
  return t.add({ days: ahead });
}

function safeDate(year: number, month: number, day: number): Temporal.PlainDate | null {
  try {
    return Temporal.PlainDate.from({ year, month, day }, { overflow: "reject" });
  } catch {
    return null;
  }
}

/** A day-and-month without a year is the next such date from today on (a little in the past: this year). */
export function dateOf(
  ref: Extract<DayRef, { kind: "date" }>,
  ctx: ResolveContext,
): Temporal.PlainDate | null {
  const t = today(ctx);
  if (ref.month === undefined) {
    for (let k = 0; k < 3; k++) {
      const m = t.toPlainYearMonth().add({ months: k });
      const d = safeDate(m.year, m.month, ref.day);
      if (d && Temporal.PlainDate.compare(d, t) >= 0) return d;
    }
    return null;
  }
  if (ref.year !== undefined) return safeDate(ref.year, ref.month, ref.day);
  const same = safeDate(t.year, ref.month, ref.day);
  if (same && Temporal.PlainDate.compare(same, t.subtract({ days: 7 })) >= 0) return same;
  return safeDate(t.year + 1, ref.month, ref.day);
}

/** The days a mention names, each with the part of that day it may be limited to ("this week" from now). */
export function daysOf(
  m: Mention,
  ctx: ResolveContext,
): { date: Temporal.PlainDate; notBefore?: number }[] {
  const hasOtherDays = m.days.some((d) => d.kind !== "week");
  const out: { date: Temporal.PlainDate; notBefore?: number }[] = [];
  for (const ref of m.days) {
    if (ref.kind === "week" && ref.which !== "of" && hasOtherDays) continue;
    out.push(...dayList(ref, m, ctx));
  }
  return out;
}

function dayList(
  ref: DayRef,
  m: Mention,
  ctx: ResolveContext,
): { date: Temporal.PlainDate; notBefore?: number }[] {
  switch (ref.kind) {
    case "weekday":
      return [{ date: nextWeekday(ref.dow, ctx, m.week) }];
    case "date": {
      const d = dateOf(ref, ctx);
      return d ? [{ date: d }] : [];
    }
    case "relative":
      return [{ date: today(ctx).add({ days: ref.days }) }];
    case "week":
      return weekDays(ref, ctx);
    case "range": {
      const from = dayList(ref.from, m, ctx)[0]?.date;
      let to = dayList(ref.to, m, ctx)[0]?.date;
      if (!from || !to) return [];
      if (ref.from.kind === "weekday" && Temporal.PlainDate.compare(to, from) < 0)
        to = to.add({ weeks: 1 });
      const out: { date: Temporal.PlainDate }[] = [];
      for (
        let d = from;
        Temporal.PlainDate.compare(d, to) <= 0 && out.length < 31;
        d = d.add({ days: 1 })
      )
        out.push({ date: d });
      return out;
    }
  }
}

function weekDays(
  ref: Extract<DayRef, { kind: "week" }>,
  ctx: ResolveContext,
): { date: Temporal.PlainDate; notBefore?: number }[] {
  const t = today(ctx);
  if (ref.which === "next")
    return weekdaysFrom(mondayOf(t).add({ weeks: 1 })).map((date) => ({ date }));
  if (ref.which === "of") {
    const d = ref.of && ref.of.kind === "date" ? dateOf(ref.of, ctx) : null;
    return d ? weekdaysFrom(mondayOf(d)).map((date) => ({ date })) : [];
  }
  // "this week": the remaining weekdays after now; today only from now's local time, before 18:00.
  const local = ctx.nowMinutes === undefined ? ctx.now.withTimeZone(ctx.zone) : undefined;
  const minutes = ctx.nowMinutes ?? (local ? local.hour * 60 + local.minute : 0);
  const out: { date: Temporal.PlainDate; notBefore?: number }[] = [];
  for (const date of weekdaysFrom(mondayOf(t))) {
    const c = Temporal.PlainDate.compare(date, t);
    if (c < 0) continue;
    if (c === 0) {
      if (minutes >= DAY[1]) continue;
      out.push(minutes > DAY[0] ? { date, notBefore: minutes } : { date });
    } else out.push({ date });
  }
  return out;
}

/** The local minutes a time names. */
export function spanOf(time: TimeRef, durationMinutes: number): [number, number] {
  switch (time.kind) {
    case "at":
      return [time.minutes, time.minutes + durationMinutes];
    case "span":
      return [time.from, time.to];
    case "part":
      return PARTS[time.part] ?? DAY;
  }
}

/** The local windows of a mention; a mention with no day gives none. */
export function localWindows(m: Mention, ctx: ResolveContext): LocalWindow[] {
  const days = daysOf(m, ctx);
  // "after 4 any day this week": "any day" only says which days; the narrower time wins.
  const times =
    m.times.length > 1 ? m.times.filter((t) => !(t.kind === "part" && t.part === "day")) : m.times;
  const spans = times.length > 0 ? times.map((t) => spanOf(t, ctx.durationMinutes)) : [DAY];
  const out: LocalWindow[] = [];
  for (const d of days) {
    for (const [from, to] of spans) {
      const start = d.notBefore !== undefined ? Math.max(from, d.notBefore) : from;
      if (start < to) out.push({ date: d.date, from: start, to });
    }
  }
  return out;
}

/** A local window as instants in `zone` (RFC 5545 rule: a time in a gap moves forward). */
export function toInstants(
  w: LocalWindow,
  zone: string,
): { start: Temporal.Instant; end: Temporal.Instant } {
  const at = (minutes: number) => {
    const date = minutes >= 24 * 60 ? w.date.add({ days: 1 }) : w.date;
    const m = minutes % (24 * 60);
    return date
      .toPlainDateTime({ hour: Math.floor(m / 60), minute: m % 60 })
      .toZonedDateTime(zone, { disambiguation: "compatible" })
      .toInstant();
  };
  return { start: at(w.from), end: at(w.to) };
}
