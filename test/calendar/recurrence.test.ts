import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expandOccurrences,
  expandRecurrence,
  localSeconds,
  parseICalendar,
  parseRecurrenceRule,
  type RecurrenceRule,
} from "../../src/calendar/index.js";
import { civilFromDays, isoWeekday } from "../../src/engine/civil.js";

const DAY = 86_400;

function rule(text: string): RecurrenceRule {
  const parsed = parseRecurrenceRule(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rule;
}

describe("fast-forward", () => {
  it("expands a daily series from 2000 the same in a 2026 window as a walk from the start", () => {
    const r = rule("FREQ=DAILY;INTERVAL=3;BYHOUR=9,14");
    // Sat 1 Jan 2000, 09:00
    const dtstart = localSeconds(2000, 1, 1, 9);
    // Mon 2 Mar 2026 to Mon 16 Mar 2026
    const from = localSeconds(2026, 3, 2);
    const to = localSeconds(2026, 3, 16);
    const walked = expandRecurrence(r, dtstart, { toLocalSeconds: to }).filter((s) => s >= from);
    const jumped = expandRecurrence(r, dtstart, { fromLocalSeconds: from, toLocalSeconds: to });
    expect(jumped).toEqual(walked);
    expect(jumped.length).toBe(10);
  });

  it("counts whole periods for COUNT rules and stops where the count ends", () => {
    const r = rule("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=1000");
    // Wed 5 Jan 2000, 10:00
    const dtstart = localSeconds(2000, 1, 5, 10);
    const all = expandRecurrence(r, dtstart);
    expect(all).toHaveLength(1000);
    const from = localSeconds(2005, 1, 1);
    const to = localSeconds(2008, 1, 1);
    expect(expandRecurrence(r, dtstart, { fromLocalSeconds: from, toLocalSeconds: to })).toEqual(
      all.filter((s) => s >= from && s < to),
    );
  });

  it("costs the same for a window twenty years after the start as for one at the start", () => {
    const calendarText = [
      "BEGIN:VCALENDAR",
      ...Array.from({ length: 200 }, (_, i) => [
        "BEGIN:VEVENT",
        `UID:old-${i}`,
        "DTSTART;TZID=Europe/Berlin:20000103T090000",
        "DTEND;TZID=Europe/Berlin:20000103T093000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "END:VEVENT",
      ]).flat(),
      "END:VCALENDAR",
    ].join("\r\n");
    const parsed = parseICalendar(calendarText, "old.ics");
    if (!parsed.ok) throw new Error("not parsed");
    const weekOf = (iso: string) => ({
      startEpochMs: Date.parse(iso),
      endEpochMs: Date.parse(iso) + 7 * DAY * 1000,
    });
    // Mon 2 Mar 2026: 5 weekdays × 200 series
    const { occurrences } = expandOccurrences(parsed.calendar, weekOf("2026-03-02T00:00Z"), {
      zone: "UTC",
    });
    expect(occurrences).toHaveLength(1000);
    const time = (iso: string) => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) expandOccurrences(parsed.calendar, weekOf(iso), { zone: "UTC" });
      return performance.now() - t0;
    };
    time("2000-01-03T00:00Z");
    const early = time("2000-01-03T00:00Z");
    const late = time("2026-03-02T00:00Z");
    expect(late).toBeLessThan(early * 5 + 20);
  });
});

/** Day-by-day oracle for simple DAILY/WEEKLY/MONTHLY rules (WKST=MO). */
function naive(
  freq: "DAILY" | "WEEKLY" | "MONTHLY",
  interval: number,
  byDay: number[] | undefined,
  byMonthDay: number[] | undefined,
  dtDay: number,
  sod: number,
  count: number | undefined,
  untilDay: number,
): number[] {
  const out: number[] = [];
  const dt = civilFromDays(dtDay);
  const weekStart = (d: number) => d - (isoWeekday(d) - 1);
  for (let d = dtDay; d <= untilDay; d++) {
    const c = civilFromDays(d);
    let ok: boolean;
    if (freq === "DAILY") {
      ok = (d - dtDay) % interval === 0 && (byDay === undefined || byDay.includes(isoWeekday(d)));
    } else if (freq === "WEEKLY") {
      const weeks = (weekStart(d) - weekStart(dtDay)) / 7;
      ok = weeks % interval === 0 && (byDay ?? [isoWeekday(dtDay)]).includes(isoWeekday(d));
    } else {
      const months = c.year * 12 + c.month - (dt.year * 12 + dt.month);
      ok = months % interval === 0 && (byMonthDay ?? [dt.day]).includes(c.day);
    }
    if (!ok) continue;
    out.push(d * DAY + sod);
    if (count !== undefined && out.length >= count) break;
  }
  return out;
}

describe("rule parts", () => {
  it("lists unknown rule parts as written, every time the same rule is read, but not x-name, RSCALE or SKIP parts", () => {
    const text = "FREQ=WEEKLY;UNTL=20191023;X-NAME=1;RSCALE=GREGORIAN;SKIP=OMIT;Foo=bar";
    for (let i = 0; i < 2; i++) {
      const parsed = parseRecurrenceRule(text);
      expect(parsed).toMatchObject({ ok: true, unknownParts: ["UNTL=20191023", "Foo=bar"] });
      if (parsed.ok) expect(parsed.rule.until).toBeUndefined();
    }
    expect(parseRecurrenceRule("FREQ=DAILY;X-NAME=1")).not.toHaveProperty("unknownParts");
  });
});

describe("expansion against a day-by-day oracle", () => {
  const codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
  it("agrees for DAILY, WEEKLY and MONTHLY rules with COUNT or UNTIL, in any window", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("DAILY" as const, "WEEKLY" as const, "MONTHLY" as const),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 })),
        fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 4 })),
        fc.integer({ min: 9000, max: 12000 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        fc.option(fc.integer({ min: 1, max: 60 })),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 300 }),
        (
          freq,
          interval,
          byDayRaw,
          byMonthDayRaw,
          dtDay,
          sod,
          count,
          untilAfter,
          fromAfter,
          len,
        ) => {
          const byDay = freq === "MONTHLY" ? undefined : (byDayRaw ?? undefined);
          const byMonthDay = freq === "MONTHLY" ? (byMonthDayRaw ?? undefined) : undefined;
          const untilDay = dtDay + untilAfter;
          const parts = [`FREQ=${freq}`, `INTERVAL=${interval}`];
          if (byDay) parts.push(`BYDAY=${byDay.map((d) => codes[d - 1]).join(",")}`);
          if (byMonthDay) parts.push(`BYMONTHDAY=${byMonthDay.join(",")}`);
          if (count !== null) parts.push(`COUNT=${count}`);
          else {
            const u = civilFromDays(untilDay);
            parts.push(
              `UNTIL=${u.year}${String(u.month).padStart(2, "0")}${String(u.day).padStart(2, "0")}T235959`,
            );
          }
          const r = rule(parts.join(";"));
          const expected = naive(
            freq,
            interval,
            byDay,
            byMonthDay,
            dtDay,
            sod,
            count ?? undefined,
            count === null ? untilDay : dtDay + 5000,
          );
          const from = (dtDay + fromAfter) * DAY;
          const to = from + len * DAY;
          const got = expandRecurrence(r, dtDay * DAY + sod, {
            fromLocalSeconds: from,
            toLocalSeconds: to,
          });
          expect(got).toEqual(expected.filter((s) => s >= from && s < to));
        },
      ),
      { numRuns: 400 },
    );
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const corpora = resolve(here, "../../../shared/corpora");
const corpusDirs = ["recurring-ical-events", "libical"].map((d) => resolve(corpora, d));
const present = corpusDirs.every((d) => existsSync(d));
if (!present && process.env.CI === "true") {
  throw new Error(`calendar corpora missing under ${corpora}; they must be present in CI`);
}

describe.skipIf(!present)("real-world calendar files", () => {
  if (!present) {
    it.skip(`skipped: corpora not found under ${corpora}`, () => {});
    return;
  }
  const files = corpusDirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith(".ics"))
      .map((f) => resolve(d, f)),
  );
  it("finds the corpus files", () => {
    expect(files.length).toBeGreaterThan(80);
  });
  for (const file of files) {
    it(`parses and expands ${file.slice(corpora.length + 1)} without throwing`, () => {
      const result = parseICalendar(readFileSync(file, "utf8"), file);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      // 1990 to 2030, read in Berlin
      const w = { startEpochMs: Date.UTC(1990, 0, 1), endEpochMs: Date.UTC(2030, 0, 1) };
      const { occurrences } = expandOccurrences(result.calendar, w, { zone: "Europe/Berlin" });
      for (const o of occurrences) expect(o.endEpochMs).toBeGreaterThanOrEqual(o.startEpochMs);
    });
  }
});
