/**
 * The booking page's zone list works out each zone's offset once per day, not on every render:
 * its labels must equal the offsets computed at the instant itself, on ordinary days and on the
 * days clocks change, for every zone.
 */
import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { zoneChoices } from "../../src/booking/present.js";

/** The oracle: each zone's offset at the instant, computed directly. */
function exactLabels(at: string): Map<string, string> {
  const instant = Temporal.Instant.from(at);
  const labels = new Map<string, string>();
  for (const { value } of zoneChoices(at)) {
    const ns = instant.toZonedDateTimeISO(value).offsetNanoseconds;
    const minutes = Math.round(Math.abs(ns) / 60e9);
    const sign = ns > 0 ? "+" : "−";
    const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
    labels.set(value, `${value} (${ns === 0 ? "UTC" : `UTC${sign}${hhmm}`})`);
  }
  return labels;
}

function labelsOf(at: string): Map<string, string> {
  return new Map(zoneChoices(at).map((c) => [c.value, c.label]));
}

describe("zone choices worked out once per day", () => {
  it("gives each side of a transition its own offset on the day clocks change", () => {
    // Sun 29 Mar 2026: Berlin moves from +01:00 to +02:00 at 01:00 UTC.
    expect(labelsOf("2026-03-29T00:30:00Z").get("Europe/Berlin")).toBe("Europe/Berlin (UTC+01:00)");
    expect(labelsOf("2026-03-29T01:30:00Z").get("Europe/Berlin")).toBe("Europe/Berlin (UTC+02:00)");
    // Sun 1 Nov 2026: New York moves from −04:00 to −05:00 at 06:00 UTC.
    expect(labelsOf("2026-11-01T05:59:00Z").get("America/New_York")).toBe(
      "America/New_York (UTC−04:00)",
    );
    expect(labelsOf("2026-11-01T06:00:00Z").get("America/New_York")).toBe(
      "America/New_York (UTC−05:00)",
    );
  });

  it("labels every zone as the offset at the instant itself would", () => {
    fc.assert(
      fc.property(
        // Any minute of 2026 and 2027, the days clocks change included.
        fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2028, 0, 1) / 60_000 - 1 }),
        (minute) => {
          const at = new Date(minute * 60_000).toISOString();
          expect(labelsOf(at)).toEqual(exactLabels(at));
        },
      ),
      { seed: 20261203, numRuns: 40 },
    );
  });
});
