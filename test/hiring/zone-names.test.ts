/**
 * Time zones as people type them: a city or an IANA name in any case is read as the one current
 * zone named so; anything else is left for the schema to refuse, naming the field.
 */
import { describe, expect, it } from "vitest";
import { timeZoneField } from "../../src/hiring/schemas.js";
import { currentZones, resolveZoneName } from "../../src/hiring/zone-names.js";

describe("time zones as people type them", () => {
  it("reads a city as its zone", () => {
    expect(resolveZoneName("London")).toBe("Europe/London");
    expect(resolveZoneName("  new york ")).toBe("America/New_York");
    expect(resolveZoneName("São Paulo")).toBe("America/Sao_Paulo");
    expect(resolveZoneName("tokyo")).toBe("Asia/Tokyo");
  });

  it("reads an IANA name in any case, and keeps a valid one as it is", () => {
    expect(resolveZoneName("europe/berlin")).toBe("Europe/Berlin");
    expect(resolveZoneName("Europe/Berlin")).toBe("Europe/Berlin");
    expect(resolveZoneName("UTC")).toBe("UTC");
  });

  it("leaves what names no zone for the schema to refuse by name", () => {
    expect(resolveZoneName("Springfield")).toBe("Springfield");
    const parsed = timeZoneField().safeParse("Springfield");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      "Time zone must be a zone from the list, such as Europe/London, or its city, such as London",
    );
    expect(timeZoneField().parse("London")).toBe("Europe/London");
  });

  it("resolves every current zone's own name and city to itself when the city is unique", () => {
    const cities = new Map<string, number>();
    for (const zone of currentZones()) {
      const city = zone.split("/").at(-1) as string;
      cities.set(city, (cities.get(city) ?? 0) + 1);
    }
    for (const zone of currentZones()) {
      expect(resolveZoneName(zone)).toBe(zone);
      const city = zone.split("/").at(-1) as string;
      if (cities.get(city) === 1) expect(resolveZoneName(city.replace(/_/g, " "))).toBe(zone);
    }
  });
});
