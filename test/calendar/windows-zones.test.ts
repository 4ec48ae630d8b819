import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  ianaFromWindowsZone,
  ianaFromWindowsZoneOrLabel,
  knownWindowsZoneLabels,
  knownWindowsZoneNames,
} from "../../src/calendar/windows-zones.js";

function isValidZone(zone: string): boolean {
  try {
    Temporal.ZonedDateTime.from({ year: 2026, month: 1, day: 1, timeZone: zone });
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

describe("ianaFromWindowsZone", () => {
  it.each([
    ["Eastern Standard Time", "America/New_York"],
    ["W. Europe Standard Time", "Europe/Berlin"],
    ["GMT Standard Time", "Europe/London"],
    ["Pacific Standard Time", "America/Los_Angeles"],
    ["India Standard Time", "Asia/Kolkata"],
    ["China Standard Time", "Asia/Shanghai"],
    ["Tokyo Standard Time", "Asia/Tokyo"],
    ["AUS Eastern Standard Time", "Australia/Sydney"],
    ["Romance Standard Time", "Europe/Paris"],
    ["Central Europe Standard Time", "Europe/Budapest"],
    ["Central European Standard Time", "Europe/Warsaw"],
    ["E. South America Standard Time", "America/Sao_Paulo"],
    ["Pacific Standard Time (Mexico)", "America/Tijuana"],
    ["UTC", "Etc/UTC"],
    ["UTC-11", "Etc/GMT+11"],
    ["UTC+12", "Etc/GMT-12"],
  ])("maps %s to %s", (windows, iana) => {
    expect(ianaFromWindowsZone(windows)).toBe(iana);
  });

  it("matches case-insensitively and tolerates quotes and whitespace", () => {
    expect(ianaFromWindowsZone("  eastern standard time ")).toBe("America/New_York");
    expect(ianaFromWindowsZone('"W. Europe Standard Time"')).toBe("Europe/Berlin");
    expect(ianaFromWindowsZone("'GMT  Standard Time'")).toBe("Europe/London");
  });

  it("returns undefined for names that are not Windows zones", () => {
    expect(ianaFromWindowsZone("Europe/Berlin")).toBeUndefined();
    expect(ianaFromWindowsZone("Eastern Time")).toBeUndefined();
    expect(ianaFromWindowsZone("")).toBeUndefined();
  });

  it("covers the whole CLDR 001 table", () => {
    expect(knownWindowsZoneNames.length).toBeGreaterThanOrEqual(135);
  });

  it("maps every known Windows zone to a zone Temporal and Intl accept", () => {
    const invalid = knownWindowsZoneNames.filter((name) => {
      const zone = ianaFromWindowsZone(name);
      return zone === undefined || !isValidZone(zone);
    });
    expect(invalid).toEqual([]);
  });
});

describe("ianaFromWindowsZoneOrLabel", () => {
  it.each([
    ["(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"],
    ["(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"],
    ["(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"],
    ["(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"],
    ["(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"],
    ["(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"],
    ["(UTC+00:00) Dublin, Edinburgh, Lisbon, London", "Europe/London"],
    ["(UTC) Dublin, Edinburgh, Lisbon, London", "Europe/London"],
    ["(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London"],
    ["(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"],
    ["(UTC+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"],
    ["(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius", "Europe/Kyiv"],
  ])("maps %s to %s", (label, iana) => {
    expect(ianaFromWindowsZoneOrLabel(label)).toBe(iana);
  });

  it("accepts quoted labels and plain Windows names", () => {
    expect(
      ianaFromWindowsZoneOrLabel('"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"'),
    ).toBe("Europe/Berlin");
    expect(ianaFromWindowsZoneOrLabel("Tokyo Standard Time")).toBe("Asia/Tokyo");
  });

  it("returns undefined for unknown labels", () => {
    expect(ianaFromWindowsZoneOrLabel("(UTC+01:00) Atlantis")).toBeUndefined();
    expect(ianaFromWindowsZoneOrLabel("America/New_York")).toBeUndefined();
  });

  it("maps every known label to a zone Temporal and Intl accept", () => {
    const invalid = knownWindowsZoneLabels.filter((label) => {
      const zone = ianaFromWindowsZoneOrLabel(`(UTC+00:00) ${label}`);
      return zone === undefined || !isValidZone(zone);
    });
    expect(invalid).toEqual([]);
  });
});
