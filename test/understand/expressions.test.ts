/** Step 3: time expressions and the groups of days and times they form. */
import { describe, expect, it } from "vitest";
import { splitClauses } from "../../src/understand/clauses.js";
import type { ParseContext } from "../../src/understand/expressions.js";
import { mentionsOf } from "../../src/understand/mentions.js";

const us: ParseContext = { monthFirst: true, optionDaysOfMonth: new Set(), optionCount: 0 };
const eu: ParseContext = { ...us, monthFirst: false };

function read(text: string, ctx: ParseContext = us) {
  return splitClauses(text).flatMap((c, i) => mentionsOf(c, ctx, i).mentions);
}

describe("finding time expressions", () => {
  it("reads a weekday with a bound: 'Thursday after 2pm' is 14:00–18:00", () => {
    const [m] = read("I'm free Thursday after 2pm");
    expect(m?.days).toEqual([{ kind: "weekday", dow: 4 }]);
    expect(m?.times).toEqual([{ kind: "span", from: 14 * 60, to: 18 * 60, bound: "after" }]);
  });

  it("reads 'between 1 and 3' as 13:00–15:00 and '2-4pm' as 14:00–16:00", () => {
    expect(read("Friday between 1 and 3")[0]?.times).toEqual([
      { kind: "span", from: 780, to: 900 },
    ]);
    expect(read("Thursday 2-4pm")[0]?.times).toEqual([{ kind: "span", from: 840, to: 960 }]);
  });

  it("reads 'Wednesday at 4' as 16:00, never 4 am", () => {
    expect(read("Wednesday at 4")[0]?.times).toEqual([{ kind: "at", minutes: 16 * 60 }]);
  });

  it("keeps alternatives with 'or' as separate groups, each with its own time", () => {
    const ms = read("Thursday 2-4pm or Friday morning");
    expect(ms.map((m) => m.days[0])).toEqual([
      { kind: "weekday", dow: 4 },
      { kind: "weekday", dow: 5 },
    ]);
    expect(ms[1]?.times).toEqual([{ kind: "part", part: "morning" }]);
  });

  it("shares a trailing time among the days listed before it", () => {
    const [m, ...rest] = read("I can do Wednesday 28th or Thursday 29th, 2-5pm.");
    expect(rest).toEqual([]);
    expect(m?.days).toHaveLength(2);
    expect(m?.times).toEqual([{ kind: "span", from: 840, to: 1020 }]);
  });

  it("gives a time right after one of a comma list only to that day", () => {
    const ms = read("I'm free Monday, Tuesday after 3, or Friday.");
    expect(ms.map((m) => [m.days.length, m.times.length])).toEqual([
      [1, 0],
      [1, 1],
      [1, 0],
    ]);
  });

  it("reads numeric dates in the writer's order", () => {
    expect(read("12/10 at 11am?")[0]?.days).toEqual([{ kind: "date", month: 12, day: 10 }]);
    expect(read("3/2 would work", eu)[0]?.days).toEqual([{ kind: "date", month: 2, day: 3 }]);
    expect(read("22/04 at 14h", us)[0]?.days).toEqual([{ kind: "date", month: 4, day: 22 }]);
  });

  it("marks days after 'except' and the sender's negatives", () => {
    const ms = read("Any day next week except Tuesday");
    expect(ms.find((m) => m.except)?.days).toEqual([{ kind: "weekday", dow: 2 }]);
    expect(read("I can't do Tuesday")[0]?.negative).toBe(true);
  });

  it("reads the other languages' weekdays and parts of the day", () => {
    expect(read("El miércoles por la mañana")[0]?.times).toEqual([
      { kind: "part", part: "morning" },
    ]);
    expect(read("Jeudi après-midi")[0]?.days).toEqual([{ kind: "weekday", dow: 4 }]);
    expect(read("Mittwoch Vormittag")[0]?.times).toEqual([{ kind: "part", part: "morning" }]);
    expect(read("Sexta de manhã")[0]?.days).toEqual([{ kind: "weekday", dow: 5 }]);
    expect(read("Mañana por la tarde")[0]?.days).toEqual([{ kind: "relative", days: 1 }]);
  });

  it("does not read an option number as a time", () => {
    expect(read("Option 2 or 3 both work")).toEqual([]);
    expect(read("#2 please")).toEqual([]);
  });
});
