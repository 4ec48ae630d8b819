/** Step 4: mentions become instants in the sender's zone or the zone the text names, with Temporal. */
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import type { Mention } from "../../src/understand/mentions.js";
import { localWindows, type ResolveContext, toInstants } from "../../src/understand/resolve.js";

// Mon 7 Dec 2026, 10:00 in New York
const now = Temporal.Instant.from("2026-12-07T15:00:00Z").toZonedDateTimeISO("America/New_York");
const ctx: ResolveContext = { now, zone: "America/New_York", durationMinutes: 60 };
const mention = (m: Partial<Mention>): Mention => ({
  days: [],
  times: [],
  negative: false,
  except: false,
  clauseIndex: 0,
  ...m,
});
const dates = (m: Mention, c = ctx) => localWindows(m, c).map((w) => `${w.date} ${w.from}-${w.to}`);

describe("resolving mentions", () => {
  it("takes a weekday as the next such day after today, so 'Monday' said on a Monday is a week later", () => {
    expect(dates(mention({ days: [{ kind: "weekday", dow: 4 }] }))).toEqual([
      "2026-12-10 540-1080",
    ]);
    expect(dates(mention({ days: [{ kind: "weekday", dow: 1 }] }))).toEqual([
      "2026-12-14 540-1080",
    ]);
  });

  it("reads 'next week' as Monday to Friday of the next week, 09:00–18:00", () => {
    expect(dates(mention({ days: [{ kind: "week", which: "next" }] }))).toEqual([
      "2026-12-14 540-1080",
      "2026-12-15 540-1080",
      "2026-12-16 540-1080",
      "2026-12-17 540-1080",
      "2026-12-18 540-1080",
    ]);
  });

  it("reads 'this week' as the remaining weekdays, today only from now", () => {
    expect(dates(mention({ days: [{ kind: "week", which: "this" }] }))[0]).toBe(
      "2026-12-07 600-1080",
    );
  });

  it("puts weekdays in the week a clause names: 'Tuesday next week'", () => {
    expect(dates(mention({ days: [{ kind: "weekday", dow: 2 }], week: "next" }))).toEqual([
      "2026-12-15 540-1080",
    ]);
  });

  it("gives a bare time the offered duration", () => {
    const m = mention({
      days: [{ kind: "relative", days: 1 }],
      times: [{ kind: "at", minutes: 15 * 60 }],
    });
    expect(dates(m, { ...ctx, durationMinutes: 45 })).toEqual(["2026-12-08 900-945"]);
  });

  it("uses each date's own offset across a DST change", () => {
    const before = toInstants(
      { date: Temporal.PlainDate.from("2026-10-30"), from: 600, to: 660 },
      "America/New_York",
    );
    const after = toInstants(
      { date: Temporal.PlainDate.from("2026-11-02"), from: 600, to: 660 },
      "America/New_York",
    );
    expect(before.start.toString()).toBe("2026-10-30T14:00:00Z");
    expect(after.start.toString()).toBe("2026-11-02T15:00:00Z");
  });

  it("takes a date without a year as the next such date", () => {
    const late = {
      ...ctx,
      now: Temporal.Instant.from("2026-12-20T15:00:00Z").toZonedDateTimeISO("America/New_York"),
    };
    expect(dates(mention({ days: [{ kind: "date", day: 5, month: 1 }] }), late)).toEqual([
      "2027-01-05 540-1080",
    ]);
  });
});
