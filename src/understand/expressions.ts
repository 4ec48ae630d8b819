/**
 * Step 3: time expressions in one clause, by our own grammar. A clause's tokens become a list of
 * elements (days, times, zones, connectors) and then groups: days that share times
 * ("Wednesday 28th or Thursday 29th, 2-5pm"), each with the tokens it was read from.
 *
 * Hours 1–7 without am/pm are afternoon hours; 8–11 morning; "between 1 and 3" is 13–15.
 */
import {
  CITY_ZONES,
  MONTHS,
  OPTION_NOUNS,
  PARTS_OF_DAY,
  type PartOfDay,
  PORTUGUESE_ORDINAL_WEEKDAYS,
  WEEKDAYS,
  ZONE_WORDS,
} from "./lexicon.js";
import type { Token } from "./normalise.js";

export type DayRef =
  | { kind: "weekday"; dow: number }
  | { kind: "date"; day: number; month?: number; year?: number; dow?: number }
  | { kind: "relative"; days: number }
  | { kind: "week"; which: "this" | "next" | "of"; of?: DayRef }
  | { kind: "range"; from: DayRef; to: DayRef };

/** Minutes after local midnight. */
export type TimeRef =
  | { kind: "at"; minutes: number }
  | { kind: "span"; from: number; to: number; bound?: "after" | "before" }
  | { kind: "part"; part: PartOfDay };

export type Element =
  | { type: "day"; ref: DayRef; from: number; to: number }
  | { type: "time"; ref: TimeRef; from: number; to: number }
  | { type: "zone"; zone: string | null; from: number; to: number }
  | { type: "sep"; value: "or" | "and" | "comma" | "slash"; from: number; to: number }
  | { type: "except"; from: number; to: number }
  | { type: "instead-of"; from: number; to: number };

export type ParseContext = {
  /** True when numeric dates are written month first (12/10 = 10 December). */
  monthFirst: boolean;
  /** Days of the month on which an option starts, to tell "the 2nd" (a date) from "the 2nd" (option 2). */
  optionDaysOfMonth: ReadonlySet<number>;
  optionCount: number;
};

type Clock = { hour: number; minute: number; meridiem: "am" | "pm" | null; strong: boolean };

const AT_WORDS = new Set([
  "at",
  "@",
  "around",
  "about",
  "um",
  "as",
  "a",
  "las",
  "ca",
  "circa",
  "by",
]);
const AFTER_WORDS = new Set(["after", "past", "despues", "apres", "nach", "ab", "depois", "since"]);
const BEFORE_WORDS = new Set([
  "before",
  "until",
  "till",
  "til",
  "antes",
  "avant",
  "vor",
  "bis",
  "jusqu'a",
  "up",
]);
const FROM_WORDS = new Set([
  "from",
  "de",
  "das",
  "von",
  "desde",
  "des",
  "entre",
  "between",
  "zwischen",
  "do",
  "dalle",
]);
const TO_WORDS = new Set([
  "-",
  "to",
  "till",
  "until",
  "til",
  "through",
  "thru",
  "a",
  "as",
  "bis",
  "hasta",
  "au",
  "and",
  "y",
  "e",
  "et",
  "und",
  "ate",
]);
const FILLER_BETWEEN = new Set([
  "at",
  "on",
  "the",
  "any",
  "time",
  "el",
  "la",
  "le",
  "am",
  "um",
  "a",
  "las",
  "de",
  "en",
  "na",
  "no",
  "dia",
  "o",
  "den",
  "der",
  "des",
  "du",
  "of",
]);
const NOON_WORDS = new Set([
  "noon",
  "midday",
  "midi",
  "mediodia",
  "meio-dia",
  "mittag",
  "lunchtime",
]);

const MINUTES_DAY_START = 9 * 60;
const MINUTES_DAY_END = 18 * 60;

function clockOf(token: Token | undefined): Clock | null {
  if (!token) return null;
  const t = token.text;
  if (token.kind === "clock") {
    const m = /^(\d{1,2})(?::(\d{2})|h(\d{0,2}))?(a\.?m\.?|p\.?m\.?)?$/.exec(t);
    if (!m) return null;
    const hour = Number(m[1]);
    const minute = Number(m[2] ?? (m[3] || "0"));
    const meridiem = m[4] ? (m[4].startsWith("a") ? "am" : "pm") : null;
    if (minute > 59 || hour > 23 || (meridiem && (hour > 12 || hour === 0))) return null;
    return { hour, minute, meridiem, strong: true };
  }
  if (token.kind === "number" && /^\d{1,2}$/.test(t)) {
    const hour = Number(t);
    if (hour > 23) return null;
    return { hour, minute: 0, meridiem: null, strong: false };
  }
  if (token.kind === "slash-date" && /^\d{1,2}\.(00|15|30|45)$/.test(t)) {
    const [h, m] = t.split(".").map(Number) as [number, number];
    if (h > 23) return null;
    return { hour: h, minute: m, meridiem: null, strong: true };
  }
  if (token.kind === "word" && NOON_WORDS.has(t))
    return { hour: 12, minute: 0, meridiem: "pm", strong: true };
  return null;
}

/** The clock's minutes after midnight; 1–7 o'clock without am/pm are afternoon hours. */
function minutesOf(c: Clock, meridiem: "am" | "pm" | null = c.meridiem): number {
  let hour = c.hour;
  if (meridiem === "pm" && hour < 12) hour += 12;
  else if (meridiem === "am" && hour === 12) hour = 0;
  else if (meridiem === null && hour >= 1 && hour <= 7) hour += 12;
  return hour * 60 + c.minute;
}

type Parsed<T> = { value: T; next: number } | null;

/** A clock and what may follow it: "am", "pm", "uhr", "h", "o'clock", "de la tarde". */
function clockAt(tokens: Token[], i: number): Parsed<Clock> {
  const c = clockOf(tokens[i]);
  if (!c) return null;
  const next = i + 1;
  const w = tokens[next]?.text;
  if (c.meridiem === null && tokens[i]?.kind === "number") {
    if (w === "am" || w === "a.m" || w === "a") {
      if (w !== "a") return { value: { ...c, meridiem: "am", strong: true }, next: next + 1 };
    }
    if (w === "pm" || w === "p.m")
      return { value: { ...c, meridiem: "pm", strong: true }, next: next + 1 };
    if (
      w === "uhr" ||
      w === "h" ||
      w === "o'clock" ||
      w === "oclock" ||
      w === "hrs" ||
      w === "horas"
    )
      return { value: { ...c, strong: true }, next: next + 1 };
  }
  // "a las 4 de la tarde", "à 9h du matin", "às 3 da tarde"
  const a = tokens[next]?.text;
  const b = tokens[next + 1]?.text;
  const d = tokens[next + 2]?.text;
  if (
    (a === "de" || a === "da" || a === "du" || a === "in") &&
    (b === "la" || b === "the" || b === "l'apres-midi")
  ) {
    const part = b === "l'apres-midi" ? "tarde" : d;
    if (part === "tarde" || part === "afternoon" || part === "evening" || part === "noche")
      return {
        value: { ...c, meridiem: "pm", strong: true },
        next: b === "l'apres-midi" ? next + 2 : next + 3,
      };
    if (part === "manana" || part === "morning")
      return { value: { ...c, meridiem: "am", strong: true }, next: next + 3 };
  }
  if (
    (a === "da" || a === "du" || a === "de") &&
    (b === "tarde" || b === "soir" || b === "manha" || b === "matin")
  ) {
    return {
      value: { ...c, meridiem: b === "tarde" || b === "soir" ? "pm" : "am", strong: true },
      next: next + 2,
    };
  }
  return { value: c, next };
}

function isDayWordAt(tokens: Token[], i: number): boolean {
  const t = tokens[i]?.text ?? "";
  return WEEKDAYS[t] !== undefined || t === "today" || t === "tomorrow";
}

/** A time span "2-4pm", "between 1 and 3", "from 10:00 to 13:00", "das 14h às 16h". */
function spanAt(tokens: Token[], i: number, allowWeak: boolean): Parsed<TimeRef> {
  let j = i;
  const lead = tokens[j]?.text ?? "";
  const hasLead = FROM_WORDS.has(lead);
  if (hasLead) j++;
  if (tokens[j]?.text === "las" || tokens[j]?.text === "the") j++;
  const a = clockAt(tokens, j);
  if (!a) return null;
  let k = a.next;
  const sep = tokens[k]?.text ?? "";
  if (!TO_WORDS.has(sep)) return null;
  if ((sep === "and" || sep === "y" || sep === "e" || sep === "et" || sep === "und") && !hasLead)
    return null;
  k++;
  if (tokens[k]?.text === "las" || tokens[k]?.text === "the") k++;
  const b = clockAt(tokens, k);
  if (!b) return null;
  if (!hasLead && !allowWeak && !a.value.strong && !b.value.strong) return null;
  if (isDayWordAt(tokens, k + 1) && tokens[k]?.kind === "number" && !b.value.strong && sep === "-")
    return null;
  let from: number;
  const to = minutesOf(b.value);
  if (a.value.meridiem === null && b.value.meridiem !== null) {
    from = minutesOf(a.value, b.value.meridiem);
    if (from >= to) from = minutesOf(a.value, "am");
  } else from = minutesOf(a.value);
  if (from >= to && a.value.meridiem === null) from = minutesOf(a.value, "am");
  if (from >= to) return null;
  return { value: { kind: "span", from, to }, next: b.next };
}

/** "after 3", "before noon", "from 10 onwards", "until 1pm", "any time after 11". */
function boundAt(tokens: Token[], i: number): Parsed<TimeRef> {
  let j = i;
  let w = tokens[j]?.text ?? "";
  let kind: "after" | "before" | null = null;
  if (w === "a" && tokens[j + 1]?.text === "partir") {
    kind = "after";
    j += 2;
    if (tokens[j]?.text === "de" || tokens[j]?.text === "das" || tokens[j]?.text === "da") j++;
  } else if (w === "up" && tokens[j + 1]?.text === "to") {
    kind = "before";
    j += 2;
  } else if (w === "no" && tokens[j + 1]?.text === "later" && tokens[j + 2]?.text === "than") {
    kind = "before";
    j += 3;
  } else if (AFTER_WORDS.has(w)) {
    kind = "after";
    j++;
  } else if (BEFORE_WORDS.has(w) && w !== "up") {
    kind = "before";
    j++;
  } else if (w === "from" || w === "de" || w === "desde" || w === "ab") {
    kind = "after";
    j++;
  }
  if (!kind) return null;
  w = tokens[j]?.text ?? "";
  if (w === "las" || w === "les" || w === "den" || w === "de" || w === "das") j++;
  const c = clockAt(tokens, j);
  if (!c) return null;
  const minutes = minutesOf(c.value);
  let next = c.next;
  if (
    tokens[next]?.text === "onwards" ||
    tokens[next]?.text === "on" ||
    tokens[next]?.text === "onward"
  )
    next++;
  if (kind === "after") {
    if (minutes >= MINUTES_DAY_END) return null;
    return { value: { kind: "span", from: minutes, to: MINUTES_DAY_END, bound: "after" }, next };
  }
  if (minutes <= MINUTES_DAY_START) return null;
  return { value: { kind: "span", from: MINUTES_DAY_START, to: minutes, bound: "before" }, next };
}

/** "morning", "in the afternoon", "por la mañana", "de manhã", "à tarde", "any time". */
function partAt(tokens: Token[], i: number): Parsed<TimeRef> {
  const w = tokens[i]?.text ?? "";
  const prev = tokens[i - 1]?.text ?? "";
  const part = PARTS_OF_DAY[w];
  if (part) return { value: { kind: "part", part }, next: i + 1 };
  if (w === "manana" && (prev === "la" || prev === "por"))
    return { value: { kind: "part", part: "morning" }, next: i + 1 };
  if (w === "tarde" && ["la", "a", "de", "por", "da", "na"].includes(prev))
    return { value: { kind: "part", part: "afternoon" }, next: i + 1 };
  // "any time after 11" is a bound; "any time" alone is the whole working day.
  const boundFollows = (k: number) => {
    const n = tokens[k]?.text ?? "";
    const n2 = tokens[k + 1]?.text ?? "";
    const n3 = tokens[k + 2]?.text ?? "";
    return (
      AFTER_WORDS.has(n) ||
      BEFORE_WORDS.has(n) ||
      n === "from" ||
      n === "between" ||
      PARTS_OF_DAY[n] !== undefined ||
      (n === "in" && (PARTS_OF_DAY[n3] !== undefined || PARTS_OF_DAY[n2] !== undefined))
    );
  };
  if (
    (w === "any" || w === "all") &&
    (tokens[i + 1]?.text === "time" || tokens[i + 1]?.text === "day")
  )
    if (!boundFollows(i + 2)) return { value: { kind: "part", part: "day" }, next: i + 2 };
  if ((w === "anytime" || w === "whenever") && !boundFollows(i + 1))
    return { value: { kind: "part", part: "day" }, next: i + 1 };
  return null;
}

/** A day of the month written "14", "14th", "1er", "21." */
function dayNumber(token: Token | undefined): number | null {
  if (token?.kind !== "number") return null;
  const m = /^(\d{1,2})(st|nd|rd|th|er|e|o|º|ª)?$/.exec(token.text);
  if (!m) return null;
  const day = Number(m[1]);
  return day >= 1 && day <= 31 ? day : null;
}

function hasOrdinalSuffix(token: Token | undefined): boolean {
  return !!token && /^\d{1,2}(st|nd|rd|th)$/.test(token.text);
}

function monthAt(tokens: Token[], i: number): number | null {
  const t = tokens[i];
  if (t?.kind !== "word") return null;
  return MONTHS[t.text.replace(/\.$/, "")] ?? null;
}

/** A numeric date "12/10", "22/04", "3/2", "12.02." in the writer's order. */
function slashDate(token: Token, ctx: ParseContext): DayRef | null {
  const m = /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\.?$/.exec(token.text);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  const dotted = token.text.includes(".");
  if (dotted && /^\d{1,2}\.(00|15|30|45)$/.test(token.text)) return null;
  let month: number;
  let day: number;
  if (ctx.monthFirst && !dotted && a <= 12 && b <= 31) [month, day] = [a, b];
  else if (b <= 12 && a <= 31) [month, day] = [b, a];
  else if (a <= 12 && b <= 31) [month, day] = [a, b];
  else return null;
  if (day < 1 || month < 1) return null;
  const year = m[3] ? (m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])) : undefined;
  return year === undefined ? { kind: "date", day, month } : { kind: "date", day, month, year };
}

/** Month then day, or day then month: "Dec 14", "December 14th", "24 September", "19th January". */
function calendarDateAt(tokens: Token[], i: number): Parsed<DayRef> {
  const month = monthAt(tokens, i);
  if (month !== null) {
    let j = i + 1;
    if (tokens[j]?.text === "the") j++;
    const day = dayNumber(tokens[j]);
    if (day !== null) {
      let next = j + 1;
      if (tokens[next]?.text === "," && /^\d{4}$/.test(tokens[next + 1]?.text ?? "")) next += 2;
      else if (/^\d{4}$/.test(tokens[next]?.text ?? "")) next++;
      return { value: { kind: "date", day, month }, next };
    }
    return null;
  }
  const day = dayNumber(tokens[i]);
  if (day === null) return null;
  let j = i + 1;
  if (tokens[j]?.text === "of" || tokens[j]?.text === "de") j++;
  const m = monthAt(tokens, j);
  if (m === null) return null;
  let next = j + 1;
  if (/^\d{4}$/.test(tokens[next]?.text ?? "")) next++;
  return { value: { kind: "date", day, month: m }, next };
}

const RELATIVE: Record<string, number> = {
  today: 0,
  tonight: 0,
  tomorrow: 1,
  hoy: 0,
  aujourd: 0,
  "aujourd'hui": 0,
  demain: 1,
  heute: 0,
  morgen: 1,
  ubermorgen: 2,
  hoje: 0,
  amanha: 1,
  "apres-demain": 2,
};

/** "next week", "this week", "the week of Dec 14", "la semaine prochaine", "nächste Woche". */
function weekAt(tokens: Token[], i: number, ctx: ParseContext): Parsed<DayRef> {
  const w = (k: number) => tokens[i + k]?.text ?? "";
  if (
    (w(0) === "next" ||
      w(0) === "following" ||
      w(0) === "nachste" ||
      w(0) === "kommende" ||
      w(0) === "proxima") &&
    (w(1) === "week" || w(1) === "woche" || w(1) === "semana")
  )
    return { value: { kind: "week", which: "next" }, next: i + 2 };
  if (
    (w(0) === "this" || w(0) === "diese" || w(0) === "esta" || w(0) === "cette") &&
    (w(1) === "week" || w(1) === "woche" || w(1) === "semana" || w(1) === "semaine")
  )
    return { value: { kind: "week", which: "this" }, next: i + 2 };
  if (w(0) === "semaine" && w(1) === "prochaine")
    return { value: { kind: "week", which: "next" }, next: i + 2 };
  if (w(0) === "semana" && w(1) === "que" && (w(2) === "viene" || w(2) === "vem"))
    return { value: { kind: "week", which: "next" }, next: i + 3 };
  if (w(0) === "semana" && w(1) === "proxima")
    return { value: { kind: "week", which: "next" }, next: i + 2 };
  if (w(0) === "rest" && w(1) === "of" && (w(2) === "this" || w(2) === "the") && w(3) === "week")
    return { value: { kind: "week", which: "this" }, next: i + 4 };
  if (w(0) === "week" && w(1) === "of") {
    let j = i + 2;
    if (tokens[j]?.text === "the") j++;
    const d = dayAt(tokens, j, ctx);
    if (d && d.value.kind === "date")
      return { value: { kind: "week", which: "of", of: d.value }, next: d.next };
  }
  return null;
}

/** One day, with what it may carry: "Monday the 14th", "Friday, April 23rd", "segunda-feira, dia 19". */
function dayAt(tokens: Token[], i: number, ctx: ParseContext): Parsed<DayRef> {
  const t = tokens[i];
  if (!t) return null;
  const week = weekAt(tokens, i, ctx);
  if (week) return week;
  if (t.kind === "slash-date") {
    const d = slashDate(t, ctx);
    return d ? { value: d, next: i + 1 } : null;
  }
  const cal = calendarDateAt(tokens, i);
  if (cal) return cal;
  if (t.kind === "word") {
    const rel = RELATIVE[t.text];
    if (rel !== undefined && !(t.text === "morgen" && /^M/.test(t.raw) && i > 0)) {
      if (t.text === "manana") return null;
      return { value: { kind: "relative", days: rel }, next: i + 1 };
    }
    if (t.text === "manana") {
      const prev = tokens[i - 1]?.text ?? "";
      if (prev === "la" || prev === "por" || prev === "esta" || prev === "de") return null;
      return { value: { kind: "relative", days: 1 }, next: i + 1 };
    }
    if (t.text === "pasado" && tokens[i + 1]?.text === "manana")
      return { value: { kind: "relative", days: 2 }, next: i + 2 };
    const dow = WEEKDAYS[t.text];
    if (dow !== undefined) {
      if (PORTUGUESE_ORDINAL_WEEKDAYS.has(t.text) && OPTION_NOUNS.has(tokens[i + 1]?.text ?? ""))
        return null;
      return weekdayWithDate(tokens, i + 1, dow, ctx);
    }
  }
  if (t.kind === "number" && hasOrdinalSuffix(t)) {
    const day = dayNumber(t) as number;
    const prev = tokens[i - 1]?.text ?? "";
    const nextText = tokens[i + 1]?.text ?? "";
    if (OPTION_NOUNS.has(nextText)) return null;
    const isDate =
      prev === "on" ||
      prev === "of" ||
      ctx.optionDaysOfMonth.has(day) ||
      day > ctx.optionCount ||
      ctx.optionCount === 0;
    return isDate ? { value: { kind: "date", day }, next: i + 1 } : null;
  }
  return null;
}

function weekdayWithDate(
  tokens: Token[],
  j: number,
  dow: number,
  ctx: ParseContext,
): Parsed<DayRef> {
  let k = j;
  if (tokens[k]?.text === "-" && tokens[k + 1]?.text === "feira") k += 2;
  const start = k;
  if (tokens[k]?.text === ",") k++;
  if (
    tokens[k]?.text === "the" ||
    tokens[k]?.text === "dia" ||
    tokens[k]?.text === "le" ||
    tokens[k]?.text === "den"
  )
    k++;
  const cal = calendarDateAt(tokens, k);
  if (cal && cal.value.kind === "date") return { value: { ...cal.value, dow }, next: cal.next };
  const t = tokens[k];
  if (t?.kind === "slash-date") {
    const d = slashDate(t, ctx);
    if (d && d.kind === "date") return { value: { ...d, dow }, next: k + 1 };
  }
  const day = dayNumber(t);
  // "Monday 14th", "lundi 21", "Monday the 14th": a bare number right after a weekday is its date
  // only with a suffix, an article, or in a language that writes the day number after the weekday.
  if (
    day !== null &&
    (hasOrdinalSuffix(t) || tokens[k - 1]?.text === "the" || tokens[k - 1]?.text === "dia")
  ) {
    return { value: { kind: "date", day, dow }, next: k + 1 };
  }
  if (
    day !== null &&
    t &&
    /^\d{1,2}$/.test(t.text) &&
    day > 12 &&
    clockOf(tokens[k + 1]) === null
  ) {
    return { value: { kind: "date", day, dow }, next: k + 1 };
  }
  return { value: { kind: "weekday", dow }, next: start };
}

function zoneAt(tokens: Token[], i: number): Parsed<string | null> {
  // "3pm (ET)"
  if (tokens[i]?.text === "(") {
    const inner = zoneAt(tokens, i + 1);
    if (inner && tokens[inner.next]?.text === ")")
      return { value: inner.value, next: inner.next + 1 };
    return null;
  }
  const w = tokens[i]?.text ?? "";
  const w1 = tokens[i + 1]?.text ?? "";
  const w2 = tokens[i + 2]?.text ?? "";
  if (w === "my" && w1 === "time") return { value: null, next: i + 2 };
  if ((w === "your" || w === "local") && w1 === "time") return { value: null, next: i + 2 };
  if (w === "uk" && w1 === "time") return { value: "Europe/London", next: i + 2 };
  const two = `${w} ${w1}`;
  if (CITY_ZONES[two] && w2 === "time") return { value: CITY_ZONES[two] as string, next: i + 3 };
  if (CITY_ZONES[w] && w1 === "time") return { value: CITY_ZONES[w] as string, next: i + 2 };
  // A city right after a time names its zone ("10am New York", "3pm London").
  const city = tokens[i]?.raw ?? "";
  if (CITY_ZONES[two] && /^\p{Lu}/u.test(city))
    return { value: CITY_ZONES[two] as string, next: i + 2 };
  if (CITY_ZONES[w] && w.length > 2 && /^\p{Lu}/u.test(city))
    return { value: CITY_ZONES[w] as string, next: i + 1 };
  const zone = ZONE_WORDS[w];
  // "et" and "est" are also French words ("lundi 10h et mardi", "10h est parfait").
  if (
    zone &&
    (w === "et" || w === "est") &&
    w1 !== "" &&
    !ENGLISH_AFTER_ZONE.has(w1) &&
    tokens[i + 1]?.kind !== "punct"
  )
    return null;
  if (zone) {
    let next = i + 1;
    if (w1 === "time") next++;
    return { value: zone, next };
  }
  return null;
}

const ENGLISH_AFTER_ZONE = new Set(
  "time works work is would or and on please if for then that suits ok okay good fine tomorrow today next this".split(
    " ",
  ),
);
const OR_WORDS = new Set(["or", "o", "ou", "oder"]);
const AND_WORDS = new Set(["and", "y", "et", "und", "e", "&", "or"]);
const EXCEPT_WORDS = new Set(["except", "excepto", "sauf", "ausser", "exceto", "menos"]);

/**
 * The elements of one clause, in order.
 * @example elementsOf(tokenize("Thursday 2-4pm or Friday morning"), ctx) // day, time, sep, day, time
 */
export function elementsOf(tokens: Token[], ctx: ParseContext): Element[] {
  const out: Element[] = [];
  let i = 0;
  let lastTime = false;
  let guard = 0;
  while (i < tokens.length && guard++ < tokens.length * 4 + 10) {
    const t = tokens[i] as Token;
    const w = t.text;
    if (lastTime) {
      const z = zoneAt(tokens, i);
      if (z) {
        out.push({ type: "zone", zone: z.value, from: i, to: z.next });
        i = z.next;
        continue;
      }
    }
    const prevTime = out.length > 0 && out[out.length - 1]?.type === "time";
    const afterOr =
      prevTime ||
      (out.length > 1 &&
        out[out.length - 1]?.type === "sep" &&
        out[out.length - 2]?.type === "time");
    const afterExcept = out[out.length - 1]?.type === "except";
    const time =
      spanAt(tokens, i, afterOr || afterExcept || prevDayAdjacent(out, i)) ??
      boundAt(tokens, i) ??
      partAt(tokens, i) ??
      atTime(tokens, i, out, afterOr);
    if (time) {
      out.push({ type: "time", ref: time.value, from: i, to: time.next });
      i = time.next;
      lastTime = true;
      continue;
    }
    lastTime = false;
    const day = dayAt(tokens, i, ctx) ?? dateContinuation(tokens, i, out);
    if (day) {
      const range = dayRangeAt(tokens, day.next, day.value, ctx);
      if (range) {
        out.push({ type: "day", ref: range.value, from: i, to: range.next });
        i = range.next;
      } else {
        out.push({ type: "day", ref: day.value, from: i, to: day.next });
        i = day.next;
      }
      continue;
    }
    if (
      (w === "but" && isDayWordAt(tokens, i + 1)) ||
      EXCEPT_WORDS.has(w) ||
      (w === "apart" && tokens[i + 1]?.text === "from") ||
      (w === "other" && tokens[i + 1]?.text === "than")
    ) {
      const next = w === "apart" || w === "other" ? i + 2 : i + 1;
      out.push({ type: "except", from: i, to: next });
      i = next;
      continue;
    }
    if (w === "instead" && tokens[i + 1]?.text === "of") {
      out.push({ type: "instead-of", from: i, to: i + 2 });
      i += 2;
      continue;
    }
    if (OR_WORDS.has(w)) out.push({ type: "sep", value: "or", from: i, to: i + 1 });
    else if (AND_WORDS.has(w)) out.push({ type: "sep", value: "and", from: i, to: i + 1 });
    else if (w === ",") out.push({ type: "sep", value: "comma", from: i, to: i + 1 });
    else if (w === "/") out.push({ type: "sep", value: "slash", from: i, to: i + 1 });
    i++;
  }
  return out;
}

function prevDayAdjacent(out: Element[], i: number): boolean {
  const last = out[out.length - 1];
  return last?.type === "day" && last.to === i;
}

/** A single time: "3pm", "at 4", "15:00", "noon", "14h"; a bare number needs "at" or a day before it. */
function atTime(tokens: Token[], i: number, out: Element[], afterOr: boolean): Parsed<TimeRef> {
  let j = i;
  const w = tokens[j]?.text ?? "";
  let cue = false;
  if (AT_WORDS.has(w) && w !== "a" && w !== "as") {
    j++;
    cue = true;
  } else if (
    (w === "a" || w === "as") &&
    (tokens[j + 1]?.text === "las" ||
      tokens[j + 1]?.kind === "clock" ||
      clockOf(tokens[j + 1])?.strong)
  ) {
    j++;
    cue = true;
  } else if (w === "a" && tokens[j + 1]?.text === "la" && tokens[j + 2]?.text === "una") {
    return { value: { kind: "at", minutes: 13 * 60 }, next: j + 3 };
  }
  if (tokens[j]?.text === "las" || tokens[j]?.text === "les") j++;
  const c = clockAt(tokens, j);
  if (!c) return null;
  const strong = c.value.strong;
  // "2 instead of 10": a number traded for a time is a time.
  const tradedForTime = tokens[c.next]?.text === "instead" && tokens[c.next + 1]?.text === "of";
  const weakOk = cue || afterOr || prevDayAdjacent(out, i) || tradedForTime;
  if (!strong && !weakOk) return null;
  if (
    !strong &&
    tokens[c.next]?.kind === "word" &&
    (OPTION_NOUNS.has(tokens[c.next]?.text ?? "") || MONTHS[tokens[c.next]?.text ?? ""])
  )
    return null;
  if (!strong && (c.value.hour === 0 || c.value.hour > 12)) return null;
  return { value: { kind: "at", minutes: minutesOf(c.value) }, next: c.next };
}

/** "Dec 14 or 15", "the 21st or 22nd": a day number continuing a date just read. */
function dateContinuation(tokens: Token[], i: number, out: Element[]): Parsed<DayRef> {
  const last = out[out.length - 1];
  const beforeLast = out[out.length - 2];
  if (
    last?.type !== "sep" ||
    (last.value !== "or" && last.value !== "and" && last.value !== "comma")
  )
    return null;
  if (beforeLast?.type !== "day" || beforeLast.ref.kind !== "date") return null;
  let j = i;
  if (tokens[j]?.text === "the") j++;
  const day = dayNumber(tokens[j]);
  if (day === null) return null;
  if (
    clockOf(tokens[j]) &&
    !hasOrdinalSuffix(tokens[j]) &&
    (tokens[j + 1]?.kind === "clock" ||
      tokens[j + 1]?.text === "pm" ||
      tokens[j + 1]?.text === "am")
  )
    return null;
  const month = beforeLast.ref.month;
  return {
    value: month === undefined ? { kind: "date", day } : { kind: "date", day, month },
    next: j + 1,
  };
}

/** "Monday to Wednesday", "Mon-Wed", "March 8-10". */
function dayRangeAt(tokens: Token[], i: number, from: DayRef, ctx: ParseContext): Parsed<DayRef> {
  const w = tokens[i]?.text ?? "";
  if (!["-", "to", "through", "thru", "till", "until", "a", "au", "bis", "ate"].includes(w))
    return null;
  if (from.kind === "weekday") {
    const to = dayAt(tokens, i + 1, ctx);
    if (to && to.value.kind === "weekday")
      return { value: { kind: "range", from, to: to.value }, next: to.next };
  }
  if (from.kind === "date") {
    // "12/7-12/9", "Dec 7 to Dec 9", "from the 7th to the 9th"
    const j = tokens[i + 1]?.text === "the" ? i + 2 : i + 1;
    const to = dayAt(tokens, j, ctx);
    if (to && to.value.kind === "date" && (to.value.month ?? from.month) !== undefined) {
      const end = to.value;
      const later =
        (end.month ?? 0) > (from.month ?? 0) ||
        ((end.month ?? from.month) === from.month && end.day > from.day);
      if (later) return { value: { kind: "range", from, to: end }, next: to.next };
    } else if (
      to &&
      to.value.kind === "date" &&
      from.month === undefined &&
      to.value.day > from.day
    )
      return { value: { kind: "range", from, to: to.value }, next: to.next };
  }
  if (from.kind === "date" && w === "-") {
    const day = dayNumber(tokens[i + 1]);
    if (day !== null && day > from.day) {
      const to: DayRef =
        from.month === undefined ? { kind: "date", day } : { kind: "date", day, month: from.month };
      return { value: { kind: "range", from, to }, next: i + 2 };
    }
  }
  return null;
}

export { FILLER_BETWEEN };
