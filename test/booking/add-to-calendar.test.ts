/**
 * "Add to calendar" links: each provider's template address carries the event's title, its
 * instants in UTC in that provider's form, its details and its place, and reading the address
 * back gives the same event for any title, text and instants.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addToCalendarLinks } from "../../src/booking/add-to-calendar.js";

const SCREEN = {
  title: "Interview: Screen",
  // Wed 2 Dec 2026, 10:00–11:00 in Berlin
  startsAt: "2026-12-02T10:00:00+01:00",
  endsAt: "2026-12-02T11:00:00+01:00",
  details: "With Dana Reyes & Lee\nAcme Rockets",
  location: "https://meet.example.com/abc?x=1&y=2",
};

describe("add-to-calendar links", () => {
  it("fills Google Calendar's event template with UTC instants in its basic form", () => {
    const url = new URL(addToCalendarLinks(SCREEN).google);
    expect(url.origin + url.pathname).toBe("https://calendar.google.com/calendar/render");
    expect(url.searchParams.get("action")).toBe("TEMPLATE");
    expect(url.searchParams.get("text")).toBe("Interview: Screen");
    expect(url.searchParams.get("dates")).toBe("20261202T090000Z/20261202T100000Z");
    expect(url.searchParams.get("details")).toBe(SCREEN.details);
    expect(url.searchParams.get("location")).toBe(SCREEN.location);
  });

  it("fills Outlook's compose deep link with RFC 3339 UTC instants", () => {
    const url = new URL(addToCalendarLinks(SCREEN).outlook);
    expect(url.origin + url.pathname).toBe("https://outlook.live.com/calendar/0/deeplink/compose");
    expect(url.searchParams.get("rru")).toBe("addevent");
    expect(url.searchParams.get("subject")).toBe("Interview: Screen");
    expect(url.searchParams.get("startdt")).toBe("2026-12-02T09:00:00Z");
    expect(url.searchParams.get("enddt")).toBe("2026-12-02T10:00:00Z");
    expect(url.searchParams.get("location")).toBe(SCREEN.location);
  });

  it("leaves the place out when there is none", () => {
    const links = addToCalendarLinks({ ...SCREEN, location: null });
    expect(new URL(links.google).searchParams.has("location")).toBe(false);
    expect(new URL(links.outlook).searchParams.has("location")).toBe(false);
  });

  it("gives back the same title, details and instants for any text and any minute", () => {
    const minute = 60_000;
    // Minutes from 2000 to 2100, durations up to a day
    const instants = fc
      .tuple(fc.integer({ min: 15_778_080, max: 68_374_080 }), fc.integer({ min: 1, max: 1440 }))
      .map(([start, length]) => ({
        startsAt: new Date(start * minute).toISOString(),
        endsAt: new Date((start + length) * minute).toISOString(),
      }));
    fc.assert(
      fc.property(fc.string(), fc.string(), instants, (title, details, times) => {
        const links = addToCalendarLinks({ title, details, location: null, ...times });
        const google = new URL(links.google).searchParams;
        const outlook = new URL(links.outlook).searchParams;
        expect(google.get("text")).toBe(title);
        expect(google.get("details")).toBe(details);
        expect(outlook.get("subject")).toBe(title);
        const [from, to] = (google.get("dates") ?? "").split("/");
        const iso = (basic: string) =>
          basic.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6.000Z");
        expect(iso(from ?? "")).toBe(times.startsAt);
        expect(iso(to ?? "")).toBe(times.endsAt);
        expect(new Date(outlook.get("startdt") ?? "").toISOString()).toBe(times.startsAt);
        expect(new Date(outlook.get("enddt") ?? "").toISOString()).toBe(times.endsAt);
      }),
    );
  });
});
