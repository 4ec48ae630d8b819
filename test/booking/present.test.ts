/**
 * How the booking pages show options and read the candidate's own times: local times in the
 * candidate's zone, days grouped where they fall locally, zones to pick from, and the week grid
 * read back as UTC ranges across a DST change.
 */
import { describe, expect, it } from "vitest";
import {
  formatRange,
  groupByDay,
  readWeekGrid,
  timesOf,
  usableZone,
  weekGrid,
  zoneChoices,
} from "../../src/booking/present.js";

// Tue 1 Dec 2026, 09:00–10:00 UTC
const nine = { startsAt: "2026-12-01T09:00:00Z", endsAt: "2026-12-01T10:00:00Z" };

describe("formatRange", () => {
  it("shows a range in the candidate's zone with the day, local times and the zone", () => {
    expect(formatRange(nine, "Europe/Berlin")).toBe("Tue 1 Dec, 10:00–11:00 (Europe/Berlin)");
    expect(formatRange(nine, "America/New_York")).toBe("Tue 1 Dec, 04:00–05:00 (America/New_York)");
  });

  it("moves the day when the zone's local date differs from UTC's", () => {
    // 09:00 UTC is 18:00 in Tokyo; 23:30 UTC is 08:30 the next morning there.
    expect(formatRange(nine, "Asia/Tokyo")).toBe("Tue 1 Dec, 18:00–19:00 (Asia/Tokyo)");
    expect(
      formatRange(
        { startsAt: "2026-12-01T23:30:00Z", endsAt: "2026-12-02T00:30:00Z" },
        "Asia/Tokyo",
      ),
    ).toBe("Wed 2 Dec, 08:30–09:30 (Asia/Tokyo)");
  });

  it("names the end's day when a range runs past local midnight, and says 24:00 at midnight", () => {
    const lateUtc = { startsAt: "2026-12-01T23:30:00Z", endsAt: "2026-12-02T00:30:00Z" };
    expect(timesOf(lateUtc, "UTC")).toBe("23:30–Wed 2 Dec, 00:30");
    const toMidnight = { startsAt: "2026-12-01T23:00:00Z", endsAt: "2026-12-02T00:00:00Z" };
    expect(timesOf(toMidnight, "UTC")).toBe("23:00–24:00");
  });

  it("uses the offset in force on the day, across a DST change", () => {
    // Berlin: UTC+2 until Sun 25 Oct 2026 03:00 local, then UTC+1.
    expect(
      formatRange(
        { startsAt: "2026-10-23T08:00:00Z", endsAt: "2026-10-23T09:00:00Z" },
        "Europe/Berlin",
      ),
    ).toBe("Fri 23 Oct, 10:00–11:00 (Europe/Berlin)");
    expect(
      formatRange(
        { startsAt: "2026-10-26T08:00:00Z", endsAt: "2026-10-26T09:00:00Z" },
        "Europe/Berlin",
      ),
    ).toBe("Mon 26 Oct, 09:00–10:00 (Europe/Berlin)");
  });
});

describe("groupByDay", () => {
  const options = [
    { id: "c", startsAt: "2026-12-02T15:00:00Z", endsAt: "2026-12-02T16:00:00Z" },
    { id: "a", startsAt: "2026-12-01T09:00:00Z", endsAt: "2026-12-01T10:00:00Z" },
    { id: "b", startsAt: "2026-12-01T16:00:00Z", endsAt: "2026-12-01T17:00:00Z" },
  ];

  it("groups options by the local day they start on, in time order", () => {
    const days = groupByDay(options, "Europe/London");
    expect(days.map((d) => [d.date, d.heading, d.options.map((o) => o.option.id)])).toEqual([
      ["2026-12-01", "Tuesday 1 December 2026", ["a", "b"]],
      ["2026-12-02", "Wednesday 2 December 2026", ["c"]],
    ]);
    expect(days[0]?.options[1]).toMatchObject({
      times: "16:00–17:00",
      label: "Tue 1 Dec, 16:00–17:00 (Europe/London)",
    });
  });

  it("regroups when the zone moves an option to another local day", () => {
    // 16:00 UTC on the 1st is 01:00 on the 2nd in Tokyo.
    const days = groupByDay(options, "Asia/Tokyo");
    expect(days.map((d) => [d.date, d.options.map((o) => o.option.id)])).toEqual([
      ["2026-12-01", ["a"]],
      ["2026-12-02", ["b"]],
      ["2026-12-03", ["c"]],
    ]);
  });

  it("gives no days for no options", () => {
    expect(groupByDay([], "UTC")).toEqual([]);
  });
});

describe("zoneChoices", () => {
  it("lists the zones in use first, each with its offset at that instant, then the rest once", () => {
    const choices = zoneChoices("2026-12-01T14:00:00Z", ["Europe/Berlin", "Asia/Kolkata"]);
    expect(choices.slice(0, 2)).toEqual([
      { value: "Europe/Berlin", label: "Europe/Berlin (UTC+01:00)" },
      { value: "Asia/Kolkata", label: "Asia/Kolkata (UTC+05:30)" },
    ]);
    const values = choices.map((c) => c.value);
    expect(new Set(values).size).toBe(values.length);
    expect(values).toContain("America/St_Johns");
    expect(choices.find((c) => c.value === "America/St_Johns")?.label).toBe(
      "America/St_Johns (UTC−03:30)",
    );
    expect(choices.find((c) => c.value === "UTC")?.label).toBe("UTC (UTC)");
    expect(values.length).toBeGreaterThan(300);
  });

  it("shows summer offsets for an instant in summer", () => {
    expect(zoneChoices("2026-07-01T12:00:00Z", ["Europe/Berlin"])[0]?.label).toBe(
      "Europe/Berlin (UTC+02:00)",
    );
  });

  it("leaves out a zone name it does not know", () => {
    const values = zoneChoices("2026-12-01T14:00:00Z", ["Mars/Olympus", "UTC"]).map((c) => c.value);
    expect(values[0]).toBe("UTC");
    expect(values).not.toContain("Mars/Olympus");
  });

  it("accepts only known zone names from forms and cookies", () => {
    expect(usableZone("Europe/Berlin")).toBe(true);
    expect(usableZone("Mars/Olympus")).toBe(false);
    expect(usableZone("+01:00")).toBe(false);
    expect(usableZone(undefined)).toBe(false);
    expect(usableZone("x".repeat(200))).toBe(false);
  });
});

describe("the week grid", () => {
  it("has a fieldset's worth of parts for each day from the first date", () => {
    const grid = weekGrid("2026-11-30", 5);
    expect(grid.map((d) => d.legend)).toEqual([
      "Monday 30 November 2026",
      "Tuesday 1 December 2026",
      "Wednesday 2 December 2026",
      "Thursday 3 December 2026",
      "Friday 4 December 2026",
    ]);
    expect(grid[1]?.parts).toEqual([
      { value: "2026-12-01/morning", label: "Morning", hours: "09:00–12:00" },
      { value: "2026-12-01/afternoon", label: "Afternoon", hours: "12:00–17:00" },
      { value: "2026-12-01/evening", label: "Evening", hours: "17:00–20:00" },
    ]);
  });

  const base = { text: "", zone: "Europe/Berlin", firstDate: "2026-11-30", days: 7 };

  it("reads ticked parts of days in the candidate's zone as merged UTC ranges", () => {
    const result = readWeekGrid({
      ...base,
      ticked: ["2026-12-01/afternoon", "2026-12-01/morning", "2026-12-03/evening"],
      text: "  Thursdays are best.  ",
    });
    expect(result).toEqual({
      ok: true,
      value: {
        ranges: [
          { startsAt: "2026-12-01T08:00:00Z", endsAt: "2026-12-01T16:00:00Z" },
          { startsAt: "2026-12-03T16:00:00Z", endsAt: "2026-12-03T19:00:00Z" },
        ],
        text: "Thursdays are best.",
        zone: "Europe/Berlin",
      },
    });
  });

  it("reads single hours too, and a repeated tick once", () => {
    const result = readWeekGrid({
      ...base,
      zone: "America/New_York",
      ticked: ["2026-12-02/14", "2026-12-02/15", "2026-12-02/15"],
    });
    expect(result.ok && result.value.ranges).toEqual([
      { startsAt: "2026-12-02T19:00:00Z", endsAt: "2026-12-02T21:00:00Z" },
    ]);
  });

  it("uses each day's own offset across a DST change", () => {
    // New York leaves DST on Sun 1 Nov 2026: mornings are 13:00Z before, 14:00Z after.
    const result = readWeekGrid({
      ...base,
      zone: "America/New_York",
      firstDate: "2026-10-31",
      ticked: ["2026-10-31/morning", "2026-11-02/morning"],
    });
    expect(result.ok && result.value.ranges).toEqual([
      { startsAt: "2026-10-31T13:00:00Z", endsAt: "2026-10-31T16:00:00Z" },
      { startsAt: "2026-11-02T14:00:00Z", endsAt: "2026-11-02T17:00:00Z" },
    ]);
  });

  it("takes words alone when nothing is ticked", () => {
    const result = readWeekGrid({ ...base, ticked: [], text: "Any time after the 10th." });
    expect(result).toEqual({
      ok: true,
      value: { ranges: [], text: "Any time after the 10th.", zone: "Europe/Berlin" },
    });
  });

  it("asks for something when nothing is ticked and nothing written", () => {
    expect(readWeekGrid({ ...base, ticked: [], text: "   " })).toEqual({
      ok: false,
      field: "ticked",
      message: "Tick the times that suit you, or tell us in your own words.",
    });
  });

  it("refuses ticks that are not on the grid, naming the field", () => {
    for (const bad of [
      "2026-12-07/morning",
      "2026-11-29/morning",
      "2026-12-01/night",
      "2026-12-01/24",
      "2026-02-30/morning",
      "nonsense",
    ]) {
      const result = readWeekGrid({ ...base, ticked: [bad] });
      expect(result, bad).toMatchObject({ ok: false, field: "ticked" });
    }
  });

  it("refuses an unknown zone and overlong text, naming the field", () => {
    expect(readWeekGrid({ ...base, zone: "Mars/Olympus", ticked: [] })).toMatchObject({
      ok: false,
      field: "zone",
    });
    expect(readWeekGrid({ ...base, ticked: [], text: "x".repeat(2001) })).toMatchObject({
      ok: false,
      field: "text",
    });
  });
});
